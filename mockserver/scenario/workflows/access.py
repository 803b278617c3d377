"""Privacy, membership and lock rules for workflows.

- A private workflow is seen only by members of its owning project; anyone
  else gets a 404, so its existence is not leaked. Public and unlisted
  workflows are seen (and run) by everyone; only public ones are listed.
- Only members of the owning project with a writing role (editor, admin)
  change or delete a workflow. A reader may read, run and dry-run, and decide
  (approve, reject) or cancel only the jobs it started itself; anything else
  it sends is 403.
- Locking and unlocking is open to the author, project editors and admins.
  While a workflow is locked (as stored, whatever the request sets) only its
  author or a project admin may modify or delete it, and a modification must
  either unlock it in the same request or pass ``bypassLock``; anyone else may
  only lock or unlock it, in a request that changes nothing else. Refusals are
  403, never 409 (the SDK retries 409).
"""

from __future__ import annotations

from typing import Any

from mockserver.core.errors import Forbidden, NotFound
from mockserver.core.principals import Principal
from mockserver.scenario.workflows.models import Workflow


def not_found(workflow_id: str) -> NotFound:
    return NotFound(f"Workflow {workflow_id} not found")


def is_member(principal: Principal, workflow: Workflow) -> bool:
    return workflow.owner_id == principal.project_id


def is_visible(principal: Principal, workflow: Workflow) -> bool:
    if workflow.is_deleted:
        return False
    return workflow.privacy != "private" or is_member(principal, workflow)


def require_visible(principal: Principal, workflow: Workflow | None, workflow_id: str) -> Workflow:
    if workflow is None or not is_visible(principal, workflow):
        raise not_found(workflow_id)
    return workflow


def require_writer(principal: Principal, workflow: Workflow) -> None:
    if not is_member(principal, workflow):
        raise Forbidden(f"Only members of project {workflow.owner_id} can modify workflow {workflow.id}")
    if not principal.can_write:
        raise Forbidden(f"Role {principal.role} can read and run workflows but not modify them")


def require_can_create(principal: Principal) -> None:
    if not principal.can_write:
        raise Forbidden(f"Role {principal.role} can read and run workflows but not create them")


def require_may_decide(principal: Principal, author_id: str, job_id: str) -> None:
    """A reader decides (approves, rejects) or cancels only the jobs it started itself."""
    if not principal.can_write and author_id != principal.user_id:
        raise Forbidden(f"Role {principal.role} can decide or cancel only the jobs it started, not job {job_id}")


def may_override_lock(principal: Principal, workflow: Workflow) -> bool:
    return principal.is_admin or principal.user_id == workflow.author_id


def check_update_against_lock(principal: Principal, workflow: Workflow, changes: dict[str, Any]) -> None:
    """Raise Forbidden when the lock forbids this update."""
    edits = {name for name in changes if name not in ("isLocked", "bypassLock")}
    if not workflow.is_locked or not edits:
        return
    if not may_override_lock(principal, workflow):
        raise Forbidden(f"Workflow {workflow.id} is locked: only its author or a project admin can modify it")
    if changes.get("isLocked") is not False and changes.get("bypassLock") is not True:
        raise Forbidden(
            f"Workflow {workflow.id} is locked: unlock it first (isLocked: false) or set bypassLock to true"
        )


def check_delete_against_lock(principal: Principal, workflow: Workflow) -> None:
    if workflow.is_locked and not may_override_lock(principal, workflow):
        raise Forbidden(f"Workflow {workflow.id} is locked: only its author or a project admin can delete it")
