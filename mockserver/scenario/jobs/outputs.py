"""What nodes read and produce: input values, conditions, loop items, assets and text outputs."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from typing import Any

from mockserver.core.clock import iso
from mockserver.core.ids import IdFactory
from mockserver.scenario.assets.outputs import output_asset
from mockserver.scenario.jobs.models import Job, NodeRun
from mockserver.scenario.store import ScenarioStore
from mockserver.scenario.workflows.flow import terminal_node_ids

ASSET_NODE_TYPES = frozenset({"custom-model", "model", "remove-background"})


def template_ids(job: Job) -> set[str]:
    """Ids of loop-body templates: nodes that only ever run as a for-each iteration's copy."""
    return {
        node_id
        for run in job.nodes or ()
        if run.loop_node_id is None and run.type == "for-each"
        for node_id in run.definition.get("loopBodyNodeIds") or ()
    }


def loop_of(job: Job, template_id: str) -> NodeRun | None:
    for run in job.nodes or ():
        if (
            run.type == "for-each"
            and run.loop_node_id is None
            and template_id in (run.definition.get("loopBodyNodeIds") or ())
        ):
            return run
    return None


def resolve_run(job: Job, run: NodeRun, node_id: str) -> NodeRun | None:
    """The run that ``run`` means by ``node_id``: inside a loop, the same iteration's copy."""
    if run.loop_node_id is not None:
        if node_id == run.loop_node_id:
            return None
        loop = job.node(run.loop_node_id)
        if loop is not None and node_id in (loop.definition.get("loopBodyNodeIds") or ()):
            return job.node(f"{node_id}_{run.iteration_index}")
    owner = loop_of(job, node_id)
    if owner is not None and owner is not run and run.loop_node_id != owner.node_id:
        return owner
    return job.node(node_id)


def resolve_value(job: Job, run: NodeRun, node_input: dict[str, Any]) -> Any:
    if "value" in node_input:
        return node_input["value"]
    ref = node_input.get("ref") or {}
    node_id, name = ref.get("node"), ref.get("name")
    if not node_id:
        return None
    if node_id == "workflow":
        return job.input.get(str(name))
    if run.loop_node_id is not None and node_id == run.loop_node_id:
        return run.item
    source = resolve_run(job, run, node_id)
    return node_output(source, name) if source is not None else None


def node_output(run: NodeRun, name: str | None) -> Any:
    if name in (None, "", "all"):
        return {"assets": list(run.assets), "output": run.output}
    if isinstance(run.output, dict) and name in run.output:
        return run.output[name]
    if run.assets:
        return run.assets[0] if len(run.assets) == 1 else list(run.assets)
    return run.output


def node_inputs(job: Job, run: NodeRun) -> dict[str, Any]:
    values = {}
    for node_input in run.definition.get("inputs") or ():
        value = resolve_value(job, run, node_input)
        if value is not None:
            values[node_input.get("name", "")] = value
    return values


def conditions_hold(job: Job, run: NodeRun) -> bool:
    """False when a ``ref.conditional`` of the node does not match: the node is then skipped."""
    for node_input in run.definition.get("inputs") or ():
        ref = node_input.get("ref") or {}
        for node_id in ref.get("conditional") or ():
            source = resolve_run(job, run, node_id)
            if source is None or source.status == "skipped":
                return False
            equal = ref.get("equal")
            if source.type == "logic":
                actual = source.output if equal is not None else source.status
            else:
                actual = source.status
            if actual != (equal if equal is not None else "success"):
                return False
    return True


def loop_items(job: Job, run: NodeRun) -> list[Any]:
    count = run.definition.get("count")
    if isinstance(count, int) and count > 0:
        return list(range(count))
    for node_input in run.definition.get("inputs") or ():
        value = _iterated_value(job, run, node_input)
        if value is not None:
            return list(value) if isinstance(value, list) else [value]
    return []


def _iterated_value(job: Job, run: NodeRun, node_input: dict[str, Any]) -> Any:
    """What a for-each input iterates: a ``list`` node's items, whichever of its outputs the ref names."""
    node_id = (node_input.get("ref") or {}).get("node")
    if "value" not in node_input and node_id and node_id != "workflow":
        source = resolve_run(job, run, node_id)
        if source is not None and source.type == "list":
            return source.output
    return resolve_value(job, run, node_input)


def produce(job: Job, run: NodeRun, ids: IdFactory, store: ScenarioStore, at: datetime) -> None:
    """Give a finished node its outputs, according to its type; assets become records of the job's project."""
    if run.type in ASSET_NODE_TYPES:
        for index, kind in enumerate(job.output_kinds or ["image"]):
            asset_id = ids.new("asset")
            model_id = run.definition.get("modelId")
            asset = output_asset(
                asset_id,
                kind,
                owner_id=job.owner_id,
                author_id=job.author_id,
                job_id=run.job_id or job.job_id,
                node_type=run.type,
                model_id=model_id if isinstance(model_id, str) else None,
                output_index=index,
                at=iso(at),
            )
            store.save_asset(asset)
            run.assets.append(asset_id)
    elif run.type == "generate-prompt":
        run.output = {"prompt": generated_prompt(job, run)}
    elif run.type == "logic":
        run.output = if_else(run.definition, node_inputs(job, run))
    elif run.type == "list":
        run.output = list(run.definition.get("items") or [])
    elif run.type == "transform":
        run.output = node_inputs(job, run)


def if_else(definition: dict[str, Any], values: dict[str, Any]) -> Any:
    logic = definition.get("logic") or {}
    subject = values.get("condition", next(iter(values.values()), None))
    for case in logic.get("cases") or ():
        if str(case.get("condition")) == str(subject):
            return case.get("value")
    return logic.get("default")


def generated_prompt(job: Job, run: NodeRun) -> str:
    values = node_inputs(job, run)
    base = ", ".join(str(value) for value in values.values() if isinstance(value, str | int | float))
    digest = hashlib.sha256(f"{job.job_id}/{run.node_id}".encode()).digest()
    words = _faker_words(int.from_bytes(digest[:4], "big"))
    return f"{base or 'an image'}, {', '.join(words)}"


@lru_cache(maxsize=1)
def _faker() -> Any:
    from faker import Faker

    return Faker()


def _faker_words(seed: int) -> list[str]:
    faker = _faker()
    faker.seed_instance(seed)
    return faker.words(nb=4, ext_word_list=_STYLE_WORDS, unique=True)


_STYLE_WORDS = [
    "highly detailed",
    "soft lighting",
    "studio backdrop",
    "cinematic",
    "sharp focus",
    "vivid colours",
    "golden hour",
    "minimalist",
    "4k",
    "depth of field",
    "clean background",
    "dramatic shadows",
]


def job_outputs(job: Job) -> tuple[list[str], dict[str, Any] | None]:
    """Assets and text outputs of a finished job: its last nodes' and those marked to include.

    A loop's body is internal to it: a for-each node carries what its body's
    last nodes produced in every iteration.
    """
    templates = template_ids(job)
    runs = [run for run in job.nodes or () if run.loop_node_id is None and run.node_id not in templates]
    last = terminal_node_ids([run.definition for run in runs])
    asset_ids: list[str] = []
    texts: dict[str, Any] = {}
    for run in runs:
        wanted = run.node_id in last or run.definition.get("includeOutputsInWorkflowJob") is True
        if run.status != "success" or not wanted:
            continue
        asset_ids += run.assets
        if run.output is not None and not run.assets and run.type != "for-each":
            texts[run.node_id] = run.output
    return asset_ids, texts or None


def loop_assets(job: Job, loop: NodeRun) -> list[str]:
    """What a finished loop yields: the assets of its body's last nodes, iteration by iteration."""
    body = [job.node(node_id) for node_id in loop.definition.get("loopBodyNodeIds") or ()]
    body_last = terminal_node_ids([run.definition for run in body if run is not None])
    copies = [run for run in job.nodes or () if run.loop_node_id == loop.node_id]
    return [asset for run in copies if run.definition.get("id") in body_last for asset in run.assets]
