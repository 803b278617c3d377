// The mockserver dashboard: reads the API as a chosen principal and the control plane.
// Every request it sends is marked as an observer's: the fake answers it as any other but never journals,
// logs or rate-limits it, so watching changes nothing the API answers anyone. It refreshes only when the
// fake's state version changes (GET version, answered 304 while it has not).
"use strict";

const WATCH_MS = 1000;
const OBSERVER = { "X-Mockserver-Observer": "dashboard" };
const SVG = "http://www.w3.org/2000/svg";
const state = {
  keys: [], who: null, workflows: [], workflow: null, jobId: null, job: null,
  journalSince: 0, journal: [], busy: false, errorUntil: 0, version: null, clock: null,
  picks: {}, // "jobId/nodeId" -> the indices ticked at a waiting user-selection node, kept across polls
};

// ---- small helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function badge(text, prefix = "s") {
  return el("span", { class: `badge ${prefix}-${text}`, "data-status": text }, text);
}

function showError(message) {
  const box = document.getElementById("error");
  box.hidden = !message;
  box.textContent = message || "";
}

// An action's error stays on screen a while; the next successful poll would clear it at once otherwise.
function fail(error) {
  state.errorUntil = Date.now() + 8000;
  showError(error.message);
}

// The control plane's token, when the fake asks for one: opened as /_mock/#token=..., kept for this tab.
const CONTROL_TOKEN = (() => {
  const given = new URLSearchParams(location.hash.slice(1)).get("token");
  if (given) sessionStorage.setItem("mockserver-control-token", given);
  return given || sessionStorage.getItem("mockserver-control-token");
})();

async function call(method, path, body, signed = true) {
  const headers = { Accept: "application/json", ...OBSERVER };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (!signed && CONTROL_TOKEN) headers["X-Mock-Control-Token"] = CONTROL_TOKEN;
  if (signed && state.who) headers.Authorization = "Basic " + btoa(`${state.who.key}:${state.who.secret}`);
  const answer = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await answer.json().catch(() => null);
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${(data && data.message) || ""}`);
  return data;
}

const api = (method, path, body) => call(method, "../v1" + path, body);
const control = (method, path, body) => call(method, path, body, false);

// ---- the flow graph

function dependencies(node) {
  const found = [];
  const addRef = (ref) => {
    if (!ref || typeof ref !== "object") return;
    if (typeof ref.node === "string" && ref.node && ref.node !== "workflow") found.push(ref.node);
    if (Array.isArray(ref.conditional)) found.push(...ref.conditional.filter((id) => typeof id === "string"));
  };
  for (const input of node.inputs || []) {
    if (!input || typeof input !== "object") continue;
    addRef(input.ref);
    for (const item of Array.isArray(input.items) ? input.items : []) {
      for (const sub of Array.isArray(item) ? item : [item]) if (sub && typeof sub === "object") addRef(sub.ref);
    }
  }
  if (Array.isArray(node.dependsOn)) found.push(...node.dependsOn);
  return [...new Set(found)];
}

function layout(nodes) {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const depth = new Map();
  const depthOf = (id, seen = new Set()) => {
    if (depth.has(id)) return depth.get(id);
    if (seen.has(id) || !byId.has(id)) return 0;
    seen.add(id);
    const deps = dependencies(byId.get(id)).filter((dep) => byId.has(dep));
    const value = deps.length ? 1 + Math.max(...deps.map((dep) => depthOf(dep, seen))) : 0;
    depth.set(id, value);
    return value;
  };
  const columns = [];
  for (const node of nodes) (columns[depthOf(node.id)] ||= []).push(node);
  const place = new Map();
  columns.forEach((column, x) => (column || []).forEach((node, y) => place.set(node.id, { x: 20 + x * 215, y: 20 + y * 66 })));
  return place;
}

function drawGraph(nodes, statusOf) {
  const box = document.getElementById("graph");
  box.replaceChildren();
  if (!nodes.length) { box.append(el("p", {}, "This workflow has no flow yet.")); return; }
  const place = layout(nodes);
  const width = Math.max(...[...place.values()].map((p) => p.x)) + 200;
  const height = Math.max(...[...place.values()].map((p) => p.y)) + 66;
  const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "flow graph" });
  picture.append(svg("defs", {}));
  picture.firstChild.append(Object.assign(svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto" })));
  picture.firstChild.firstChild.append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#9ca3af" }));
  for (const node of nodes) {
    const to = place.get(node.id);
    for (const dep of dependencies(node)) {
      const from = place.get(dep);
      if (!from) continue;
      const [x1, y1, x2, y2] = [from.x + 178, from.y + 22, to.x, to.y + 22];
      const bend = Math.max(30, (x2 - x1) / 2);
      picture.append(svg("path", { class: "edge", d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`, "marker-end": "url(#arrow)" }));
    }
  }
  for (const node of nodes) {
    const at = place.get(node.id);
    const status = statusOf(node) || "none";
    const group = svg("g", { class: `node n-${status}`, "data-node-id": node.id, "data-status": status, transform: `translate(${at.x},${at.y})` });
    group.append(svg("rect", { width: 178, height: 44, rx: 8 }));
    group.append(svg("text", { x: 10, y: 18 }, node.id.length > 22 ? node.id.slice(0, 21) + "…" : node.id));
    group.append(svg("text", { x: 10, y: 35, class: "type" }, node.type + (status !== "none" ? ` · ${status}` : "")));
    picture.append(group);
  }
  box.append(picture);
}

// ---- workflows

// A 1x1 PNG as a data URL: a file input any project can run with, with no asset to upload first.
const EXAMPLE_IMAGE = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

function exampleInputs(workflow) {
  const values = {};
  for (const input of workflow.inputs || []) {
    if (input.default !== undefined) values[input.name] = input.default;
    else if (input.type === "file") values[input.name] = EXAMPLE_IMAGE;
    else if (input.type === "file_array" || String(input.type).endsWith("_array")) values[input.name] = [];
    else if (input.type === "number") values[input.name] = input.min ?? 1;
    else if (input.type === "boolean") values[input.name] = false;
    else values[input.name] = (input.allowedValues && input.allowedValues[0]) || "a product photo";
  }
  return values;
}

async function loadWorkflows() {
  const [open, own] = await Promise.all([api("GET", "/workflows?privacy=public&pageSize=100"), api("GET", "/workflows?privacy=private&pageSize=100")]);
  state.workflows = [...own.workflows, ...open.workflows];
  const list = document.getElementById("workflows");
  list.replaceChildren(...state.workflows.map((w) => el("li", {
    "data-id": w.id, class: state.workflow && state.workflow.id === w.id ? "selected" : "",
    onclick: () => selectWorkflow(w.id),
  }, w.name, el("small", {}, `${w.id} · ${w.privacy} · ${w.status}`))));
}

async function selectWorkflow(id) {
  const { workflow } = await api("GET", `/workflows/${id}`);
  state.workflow = workflow;
  state.jobId = null;
  state.job = null;
  document.querySelectorAll("#workflows li").forEach((li) => li.classList.toggle("selected", li.dataset.id === id));
  document.querySelectorAll("#jobs tr").forEach((tr) => tr.classList.remove("selected"));
  document.getElementById("detail-title").textContent = `${workflow.name} (${workflow.id})`;
  document.getElementById("run-inputs").value = JSON.stringify(exampleInputs(workflow), null, 2);
  document.getElementById("run-form").hidden = workflow.status !== "ready";
  document.getElementById("approvals").replaceChildren();
  drawGraph(workflow.flow || [], () => null);
}

async function runSelected(event) {
  event.preventDefault();
  let body;
  try {
    body = JSON.parse(document.getElementById("run-inputs").value || "{}");
  } catch (error) {
    fail(new Error(`Inputs are not JSON: ${error.message}`));
    return;
  }
  const { job } = await api("PUT", `/workflows/${state.workflow.id}/run`, body);
  await selectJob(job.jobId);
}

// ---- jobs

async function selectJob(jobId) {
  state.jobId = jobId;
  await refreshJob();
  await refreshJobs();
}

async function refreshJob() {
  if (!state.jobId) return;
  const { job } = await api("GET", `/jobs/${state.jobId}`);
  state.job = job;
  const flow = (job.metadata && job.metadata.flow) || [];
  const copies = flow.filter((node) => node.loopNodeId);
  const top = flow.filter((node) => !node.loopNodeId);
  document.getElementById("detail-title").replaceChildren(`Job ${job.jobId} of ${job.metadata.workflowId || ""} `, badge(job.status), ` ${Math.round(job.progress * 100)}%`);
  document.getElementById("run-form").hidden = true;
  // A for-each's body runs as copies (node_x_0, node_x_1, ...): its template nodes show how their copies stand.
  drawGraph(top, (node) => {
    const runs = copies.filter((copy) => copy.id.replace(/_\d+$/, "") === node.id);
    return runs.length ? combined(runs.map((run) => run.status)) : node.status;
  });
  const waiting = flow.filter((node) => (node.type === "user-approval" || node.type === "user-selection") && node.status === "processing");
  document.getElementById("approvals").replaceChildren(...waiting.map((node) =>
    node.type === "user-selection" ? selectionBox(job, node) : approvalBox(node)));
}

function approvalBox(node) {
  return el("div", { class: "approval", "data-node-id": node.id },
    `${node.id} waits for a review `,
    el("button", { class: "approve", onclick: () => approve(node.id, "approve") }, "Approve"), " ",
    el("button", { class: "reject danger", onclick: () => approve(node.id, "reject") }, "Reject"));
}

// The node's frozen items, each with a checkbox; the ticks are sent, in the order they were made, as selectedIndices.
function selectionBox(job, node) {
  const key = `${job.jobId}/${node.id}`;
  const picks = state.picks[key] || (state.picks[key] = []);
  const items = (node.items || []).map((item, index) => el("label", { class: "item" },
    el("input", {
      type: "checkbox", "data-index": index, ...(picks.includes(index) ? { checked: "" } : {}),
      onchange: (event) => {
        const at = picks.indexOf(index);
        if (event.target.checked && at < 0) picks.push(index);
        if (!event.target.checked && at >= 0) picks.splice(at, 1);
      },
    }),
    ` ${index}: ${item}`));
  return el("div", { class: "approval selection", "data-node-id": node.id },
    `${node.id} waits for a choice `,
    el("div", { class: "items" }, ...items),
    el("button", { class: "select", onclick: () => decide(node.id, "select", [...picks]) }, "Select"), " ",
    el("button", { class: "reject danger", onclick: () => decide(node.id, "reject") }, "Reject"));
}

function combined(statuses) {
  for (const status of ["processing", "failure", "rejected", "pending"]) if (statuses.includes(status)) return status;
  return statuses.every((status) => status === "skipped") ? "skipped" : "success";
}

async function approve(nodeId, action) {
  const workflowId = state.job.metadata.workflowId;
  const query = `?projectId=${encodeURIComponent(state.who.projectId)}`;
  await api("PUT", `/workflows/${workflowId}/user-approval${query}`, { workflowJobId: state.job.jobId, nodeId, action }).catch(fail);
  await refreshJob();
}

async function decide(nodeId, action, selectedIndices) {
  const workflowId = state.job.metadata.workflowId;
  const query = `?projectId=${encodeURIComponent(state.who.projectId)}`;
  const body = { workflowJobId: state.job.jobId, nodeId, action, ...(selectedIndices ? { selectedIndices } : {}) };
  await api("PUT", `/workflows/${workflowId}/user-selection${query}`, body).catch(fail);
  await refreshJob();
}

async function refreshJobs() {
  const { jobs } = await api("GET", "/jobs?type=workflow&pageSize=15");
  document.getElementById("jobs").replaceChildren(...jobs.map((job) => el("tr", {
    "data-job-id": job.jobId, class: job.jobId === state.jobId ? "selected" : "", onclick: () => selectJob(job.jobId),
  },
  el("td", {}, job.jobId), el("td", {}, (job.metadata && job.metadata.workflowId) || ""),
  el("td", { class: "status" }, badge(job.status)),
  el("td", {}, el("span", { class: "bar" }, el("span", { style: `width:${Math.round(job.progress * 100)}%` })), ` ${Math.round(job.progress * 100)}%`),
  el("td", {}, job.updatedAt))));
}

// ---- clock, journal, controls

async function refreshClock() {
  const clock = await control("GET", "clock");
  state.clock = { ...clock, readAt: performance.now() };
  showClock();
}

// A realtime clock runs on wall time: shown ticking here between two reads, with no request.
function showClock() {
  const clock = state.clock;
  if (!clock) return;
  const elapsed = clock.mode === "realtime" ? performance.now() - clock.readAt : 0;
  const now = new Date(Date.parse(clock.now) + elapsed).toISOString();
  document.getElementById("clock-now").textContent = now.replace("T", " ").replace("Z", "");
  const ahead = clock.aheadSeconds ? `, ${clock.aheadSeconds} s ahead of wall time` : "";
  document.getElementById("clock-mode").textContent = clock.mode === "realtime" ? `realtime, jobs ×${clock.speed}${ahead}` : clock.mode;
}

// Refresh when the fake's state version changes: a conditional request, answered 304 while it has not.
async function watch() {
  showClock();
  const headers = { ...OBSERVER };
  if (state.version) headers["If-None-Match"] = state.version;
  const answer = await fetch("version", { headers, cache: "no-store" }).catch(() => null);
  if (!answer || answer.status !== 200 || state.busy) return;  // while busy, the next look refreshes
  const version = answer.headers.get("ETag");
  if (version === state.version) return;
  state.version = version;
  await tick();
}

async function refreshJournal() {
  const { entries } = await control("GET", `journal?since=${state.journalSince}`);
  if (!entries.length) return;
  state.journalSince = entries[entries.length - 1].id;
  state.journal = [...entries.reverse(), ...state.journal].slice(0, 50);
  document.getElementById("journal").replaceChildren(...state.journal.map((entry) => el("tr", { "data-entry-id": entry.id },
    el("td", {}, entry.id),
    el("td", {}, ...(entry.via === "mcp"
      ? [badge("mcp", "via"), ` ${entry.operationId}`]
      : [`${entry.method} ${entry.path}${entry.query ? "?" + entry.query : ""}`])),
    el("td", {}, entry.status || "dropped"),
    el("td", {}, badge(entry.verdict, "v")),
    el("td", {}, [...(entry.requestViolations || []), ...(entry.unknownFields || []), ...(entry.responseViolations || []), ...(entry.warnings || [])][0] || ""))));
}

async function advance(seconds) {
  await control("POST", "clock/advance", { seconds });
  await tick();
}

async function reset() {
  await control("POST", "reset");
  Object.assign(state, { workflow: null, jobId: null, job: null, journalSince: 0, journal: [] });
  document.getElementById("graph").replaceChildren();
  document.getElementById("approvals").replaceChildren();
  document.getElementById("run-form").hidden = true;
  document.getElementById("detail-title").textContent = "Pick a workflow or a job";
  await loadWorkflows();
  await tick();
}

async function tick() {
  if (state.busy) return;
  state.busy = true;
  try {
    await Promise.all([refreshClock(), refreshJobs(), refreshJournal(), refreshJob()]);
    if (!state.errorUntil || Date.now() > state.errorUntil) showError("");
  } catch (error) {
    showError(error.message);
  } finally {
    state.busy = false;
  }
}

async function start() {
  const { apiKeys } = await control("GET", "principals");
  state.keys = apiKeys;
  state.who = apiKeys.find((key) => key.key === "key_alice") || apiKeys[0] || null;
  const select = document.getElementById("principal");
  select.replaceChildren(...apiKeys.map((key) => el("option", { value: key.key }, `${key.userId} (${key.role}, ${key.projectId})`)));
  if (state.who) select.value = state.who.key;
  select.addEventListener("change", async () => {
    state.who = state.keys.find((key) => key.key === select.value);
    Object.assign(state, { workflow: null, jobId: null, job: null });
    await loadWorkflows();
    await tick();
  });
  document.querySelectorAll("header button[data-seconds]").forEach((button) =>
    button.addEventListener("click", () => advance(Number(button.dataset.seconds)).catch(fail)));
  document.getElementById("reset").addEventListener("click", () => reset().catch(fail));
  document.getElementById("run-form").addEventListener("submit", (event) => runSelected(event).catch(fail));
  await loadWorkflows();
  await tick();
  setInterval(() => watch().catch((error) => showError(error.message)), WATCH_MS);
  document.body.dataset.ready = "true";
}

start().catch((error) => showError(error.message));
