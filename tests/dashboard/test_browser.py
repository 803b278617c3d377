"""The dashboard in a real headless Chromium: run an app, watch it live, approve a review, reach success.

Debian's ``chromium`` and its ``chromedriver`` are installed by ``scripts/test``; the page is served by a
real uvicorn on a free loopback port. Set ``MOCKSERVER_SCREENSHOT=path.png`` to save the dashboard with a
running job (the README's ``docs/dashboard.png`` is made that way).
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import mockserver

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    if not CHROMIUM or not CHROMEDRIVER:
        message = (
            "BROWSER TEST SKIPPED: Debian's chromium and chromium-driver are not installed "
            "(bash scripts/test installs them with apt-get; it could not here)"
        )
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _wait(driver, condition, what: str, timeout: float = 15):
    """Poll until ``condition`` holds; the page redraws every second, so a stale element is just tried again."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    waiting = WebDriverWait(driver, timeout, poll_frequency=0.05, ignored_exceptions=[StaleElementReferenceException])
    return waiting.until(condition, message=f"waiting for {what}")


def _css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def _click(driver, selector: str, what: str) -> None:
    def clicked(d) -> bool:
        found = _css(d, selector)
        if not found or not found[0].is_displayed():
            return False
        found[0].click()
        return True

    _wait(driver, clicked, what)


def _job_status(driver) -> str | None:
    return driver.execute_script(
        'const badge = document.querySelector("#jobs tr.selected .status [data-status]");'
        "return badge ? badge.dataset.status : null;"
    )


def _run_from_the_page(driver, workflow_id: str) -> None:
    _click(driver, f'#workflows li[data-id="{workflow_id}"]', f"{workflow_id} in the list")
    _wait(driver, lambda d: _css(d, "#graph g.node"), "the flow graph")
    _click(driver, "#run-button", "the Run button")
    _wait(driver, lambda d: _job_status(d) == "queued", "the new job, queued, in the jobs table")


def test_run_an_app_and_see_it_reach_success(browser):
    with mockserver.running(clock_mode="manual") as server:
        browser.get(server.dashboard_url)
        _wait(browser, lambda d: d.find_element("css selector", "body").get_attribute("data-ready") == "true", "load")
        _run_from_the_page(browser, "workflow_product_shot")
        nodes = browser.execute_script(
            'return [...document.querySelectorAll("#graph g.node")].map((g) => g.dataset.nodeId);'
        )
        assert {"node_prompt", "node_shots", "node_generate", "node_cutout", "node_upscale"} <= set(nodes)
        assert browser.execute_script('return document.querySelectorAll("#graph path.edge").length;') >= 4

        _click(browser, "#advance-10", "+10 s")
        _wait(browser, lambda d: _job_status(d) == "in-progress", "in-progress without a reload")
        _wait(browser, lambda d: _css(d, '#graph g.node[data-status="success"]'), "a node drawn as done")
        _click(browser, "#advance-600", "+10 min")
        _wait(browser, lambda d: _job_status(d) == "success", "the job to reach success")
        (job,) = [j for j in server.fake.scenario.store.all_jobs() if j.is_workflow_job]
        assert job.status == "success"
        # The dashboard's own requests stay out of the journal; a client's show up there, live, with a verdict.
        assert server.fake.journal.entries() == []
        listed = httpx.get(f"{server.api_url}/jobs?type=workflow", auth=("key_alice", "secret_alice"))
        assert listed.status_code == 200 and len(listed.json()["jobs"]) == 1
        _wait(browser, lambda d: _css(d, "#journal tr"), "the client's request in the journal table")
        rows = browser.execute_script('return [...document.querySelectorAll("#journal tr")].map((r) => r.innerText);')
        verdicts = browser.execute_script(
            'return [...document.querySelectorAll("#journal [data-status]")].map((b) => b.dataset.status);'
        )
        assert len(rows) == 1 and "GET /v1/jobs" in rows[0] and verdicts == ["conforms"]

        # A review step: the approve button appears when the job waits, and the job goes on when clicked.
        _run_from_the_page(browser, "workflow_demo_poster")
        _click(browser, "#advance-60", "+60 s")
        _click(browser, "#approvals button.approve", "the approve button")
        _wait(browser, lambda d: not _css(d, "#approvals button.approve"), "the approval to be taken")
        _click(browser, "#advance-600", "+10 min")
        _wait(browser, lambda d: _job_status(d) == "success", "the reviewed job to reach success")

        screenshot = os.environ.get("MOCKSERVER_SCREENSHOT")
        if screenshot:
            _run_from_the_page(browser, "workflow_product_shot")
            _click(browser, "#advance-10", "+10 s")
            _wait(browser, lambda d: _css(d, '#graph g.node[data-status="processing"]'), "a running node")
            assert browser.save_screenshot(screenshot)


def test_reset_button_clears_the_jobs(browser):
    with mockserver.running(clock_mode="manual") as server:
        browser.get(server.dashboard_url)
        _wait(browser, lambda d: d.find_element("css selector", "body").get_attribute("data-ready") == "true", "load")
        _run_from_the_page(browser, "workflow_upscaler")
        _click(browser, "#reset", "Reset")
        _wait(browser, lambda d: not _css(d, "#jobs tr"), "an empty jobs table")
        assert list(server.fake.scenario.store.all_jobs()) == []


def test_an_idle_dashboard_asks_only_whether_anything_changed(browser):
    """While nothing changes, the page sends conditional requests for the state version (answered 304) and
    reads nothing of the API; a client's request changes the version, and the page reads it then."""
    with mockserver.running(clock_mode="manual") as server:
        browser.get(server.dashboard_url)
        _wait(browser, lambda d: d.find_element("css selector", "body").get_attribute("data-ready") == "true", "load")
        # The first look finds a version the page has not seen, and reads the API; the next ones find no change.
        _wait(browser, lambda d: len(_resources(d, "/_mock/version")) >= 3, "the first looks at the state version")
        browser.execute_script("performance.clearResourceTimings();")
        _wait(browser, lambda d: len(_resources(d, "/_mock/version")) >= 3, "three more looks", timeout=10)
        assert _resources(browser, "/v1/") == []
        statuses = browser.execute_script(
            'return performance.getEntriesByType("resource")'
            '.filter((e) => e.name.includes("/_mock/version")).map((e) => e.responseStatus);'
        )
        assert set(statuses) <= {304, 0}  # 0 where the browser does not expose the status

        answer = httpx.get(f"{server.api_url}/workflows", auth=("key_alice", "secret_alice"))
        assert answer.status_code == 200
        _wait(browser, lambda d: _resources(d, "/v1/jobs"), "a read of the API once the version changed")
        _wait(browser, lambda d: _css(d, "#journal tr"), "the client's request in the journal table")
        assert [entry.path for entry in server.fake.journal.entries()] == ["/v1/workflows"]


def _resources(driver, fragment: str) -> list[str]:
    return driver.execute_script(
        'return performance.getEntriesByType("resource").map((e) => e.name).filter((n) => n.includes(arguments[0]));',
        fragment,
    )


def test_a_selection_is_made_by_ticking_items(browser):
    flow = [
        {"id": "node_words", "type": "list", "items": ["red", "green", "blue"]},
        {
            "id": "node_pick",
            "type": "user-selection",
            "inputs": [{"name": "words", "type": "string_array", "ref": {"node": "node_words"}, "min": 2, "max": 2}],
        },
    ]
    with mockserver.running(clock_mode="manual") as server:
        client = server.client("alice", max_retries=0)
        workflow = client.workflows.create(name="Pick two colours", description="a choice").workflow
        client.workflows.update(workflow.id, status="ready", flow=flow)
        browser.get(server.dashboard_url)
        _wait(browser, lambda d: d.find_element("css selector", "body").get_attribute("data-ready") == "true", "load")
        _run_from_the_page(browser, workflow.id)
        _click(browser, "#advance-10", "+10 s")
        _wait(browser, lambda d: len(_css(d, "#approvals .selection input[type=checkbox]")) == 3, "the three items")
        assert "2: blue" in _css(browser, "#approvals .selection")[0].text
        # One tick is too few for the node's min: the refusal shows and nothing is decided.
        _click(browser, '#approvals .selection input[data-index="2"]', "the blue item")
        _click(browser, "#approvals button.select", "the select button")
        _wait(browser, lambda d: "between 2 and 2 items" in d.find_element("id", "error").text, "the refusal")
        _click(browser, '#approvals .selection input[data-index="0"]', "the red item")
        _click(browser, "#approvals button.select", "the select button")
        _wait(browser, lambda d: not _css(d, "#approvals .selection"), "the selection to be taken")
        _click(browser, "#advance-60", "+60 s")
        _wait(browser, lambda d: _job_status(d) == "success", "the job to reach success")
        (job,) = [j for j in server.fake.scenario.store.all_jobs() if j.is_workflow_job]
        assert job.node("node_pick").output == ["blue", "red"]

        # A rejection cancels the next run.
        _run_from_the_page(browser, workflow.id)
        _click(browser, "#advance-10", "+10 s")
        _click(browser, "#approvals .selection button.reject", "the reject button")
        _wait(browser, lambda d: _job_status(d) == "canceled", "the rejected job, canceled")
