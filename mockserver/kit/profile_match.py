"""Which version of Scenario's API a target answers as, from what the drift scenario saw of it.

Each signal is one answer and the profiles it agrees with (:mod:`mockserver.scenario.profiles`):

- the dry run: 402 with ``estimatedCost`` is the guide's, 269 with ``creativeUnitsCost`` the current API's;
- a page of 200 jobs: accepted by both (the fake takes up to 200 under either profile), refused only by an API
  that keeps to the guide's 100 per page;
- the id of a workflow created (only when writes are allowed): ``workflow_`` is the guide's, ``wflow_`` the
  current API's.

The target matches the profiles every signal agrees with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from mockserver.scenario.profiles import (
    API_PROFILES,
    CURRENT_DRY_RUN_STATUS,
    GUIDE_DRY_RUN_STATUS,
    WORKFLOW_ID_PREFIXES,
)

DRY_RUN_STEP = "runWorkflow (dry run)"
JOBS_PAGE_STEP = "listJobs (pageSize 200)"
CREATE_STEP = "createWorkflow (id prefix)"

BOTH = frozenset(API_PROFILES)
NEITHER: frozenset[str] = frozenset()


class Seen(Protocol):
    status: int
    body: Any


@dataclass(frozen=True)
class Signal:
    name: str
    seen: str  # what the target answered, for a human
    profiles: frozenset[str]  # the profiles that answer so


def profile_signals(answers: Mapping[str, Seen]) -> list[Signal]:
    """The signals among ``answers`` (drift steps by label); a step that was not run gives none."""
    found = []
    if DRY_RUN_STEP in answers:
        found.append(_dry_run_signal(answers[DRY_RUN_STEP]))
    if JOBS_PAGE_STEP in answers:
        status = answers[JOBS_PAGE_STEP].status
        accepted = BOTH if status == 200 else frozenset({"guide"}) if status == 400 else NEITHER
        found.append(Signal("a page of 200 jobs", f"answered {status}", accepted))
    if CREATE_STEP in answers:
        found.append(_id_signal(answers[CREATE_STEP]))
    return found


def matching_profiles(signals: list[Signal]) -> list[str]:
    """The profiles every signal agrees with, in the order they are listed."""
    agreed = set(BOTH)
    for signal in signals:
        agreed &= signal.profiles
    return [profile for profile in API_PROFILES if profile in agreed]


def render_match(signals: list[Signal]) -> list[str]:
    matches = matching_profiles(signals)
    if len(matches) == 1:
        verdict = matches[0]
    elif matches:
        verdict = f"{' or '.join(matches)} (the signals seen do not tell them apart)"
    else:
        verdict = "none (the signals disagree)"
    lines = [f"matches profile: {verdict}"]
    for signal in signals:
        agrees = ", ".join(sorted(signal.profiles, key=API_PROFILES.index)) or "no profile"
        lines.append(f"  {signal.name}: {signal.seen}, as {agrees}")
    return lines


def _dry_run_signal(answer: Seen) -> Signal:
    body = answer.body if isinstance(answer.body, dict) else {}
    if answer.status == GUIDE_DRY_RUN_STATUS and "estimatedCost" in body:
        profiles = frozenset({"guide"})
    elif answer.status == CURRENT_DRY_RUN_STATUS and "creativeUnitsCost" in body:
        profiles = frozenset({"current"})
    else:
        profiles = NEITHER
    fields = ", ".join(name for name in ("estimatedCost", "creativeUnitsCost") if name in body) or "no cost"
    return Signal("the dry run", f"answered {answer.status} with {fields}", profiles)


def _id_signal(answer: Seen) -> Signal:
    workflow = answer.body.get("workflow") if answer.status == 200 and isinstance(answer.body, dict) else None
    workflow_id = workflow.get("id") if isinstance(workflow, dict) else None
    if not isinstance(workflow_id, str):
        return Signal("a created workflow's id", f"none (answered {answer.status})", NEITHER)
    prefix = workflow_id.split("_", 1)[0]
    profiles = frozenset(profile for profile, known in WORKFLOW_ID_PREFIXES.items() if known == prefix)
    return Signal("a created workflow's id", f"{prefix}_...", profiles)
