"""The two versions of Scenario's API the fake can answer as.

- ``guide``: as the source documents describe it (a dry run answers 402 with ``estimatedCost``,
  runs past the parallel-job limit wait ``queued``, workflow ids ``workflow_...``, a workflow's node
  jobs can be cancelled).
- ``current``: as the official SDK 2.4.0 and Scenario's own clients expect it (a dry run answers 269
  with ``creativeUnitsCost``, a run past the limit is refused with 429, workflow ids ``wflow_...``,
  only inference jobs can be cancelled).
"""

from __future__ import annotations

from typing import Literal

ApiProfile = Literal["guide", "current"]
API_PROFILES: tuple[ApiProfile, ...] = ("guide", "current")
DEFAULT_API_PROFILE: ApiProfile = "guide"

# The HTTP status of a dry run's answer: the guide's 402, the current API's 269.
GUIDE_DRY_RUN_STATUS = 402
CURRENT_DRY_RUN_STATUS = 269

# The prefix of the ids of workflows created through the API.
WORKFLOW_ID_PREFIXES: dict[ApiProfile, str] = {"guide": "workflow", "current": "wflow"}

# The current API names the limit a refused run hit, as its 429 ``details.actionName``.
PARALLEL_JOBS_ACTION = "parallel-custom-jobs"
# The only job type the current API cancels ("Today only cancel on inference jobs is supported").
CANCELABLE_JOB_TYPES = frozenset({"inference"})
