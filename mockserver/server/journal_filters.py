"""Which journal entries to show: filters by operation, status, verdict and principal, checked.

The control plane (``GET /_mock/journal?operation=&status=&verdict=&principal=``) and the pytest handle
(``MockHandle.calls``) take the same filters and refuse the same bad values.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from mockserver.core.errors import BadRequest
from mockserver.core.journal import VERDICTS, EntryFilter
from mockserver.server.fake import Fake

JOURNAL_FILTERS = ("operation", "status", "verdict", "principal")
MAX_PRINCIPAL_LENGTH = 200


def operation_ids(fake: Fake) -> list[str]:
    """Every operation of the APIs the fake serves."""
    contracts = (fake.scenario.contract, fake.orchestrator.contract)
    return [operation.operation_id for contract in contracts for operation in contract.operations]


def journal_filter(fake: Fake, given: Mapping[str, Any]) -> EntryFilter:
    """The filter these values ask for; BadRequest names a value out of bounds."""
    unknown = set(given) - set(JOURNAL_FILTERS)
    if unknown:
        raise BadRequest(f"Unknown filters: {', '.join(sorted(unknown))}. Known: {', '.join(JOURNAL_FILTERS)}")
    return EntryFilter(
        operation=_operation(fake, given.get("operation")),
        status=_status(given.get("status")),
        verdict=_verdict(given.get("verdict")),
        principal=_principal(given.get("principal")),
    )


def _operation(fake: Fake, value: Any) -> str | None:
    if value is None:
        return None
    known = operation_ids(fake)
    if value in known:
        return value
    close = difflib.get_close_matches(str(value)[:MAX_PRINCIPAL_LENGTH], known, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise BadRequest(f"operation {str(value)[:100]!r} is no operation of the fake's APIs{hint}")


def _status(value: Any) -> int | None:
    if value is None:
        return None
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not (text.isascii() and text.isdigit() and len(text) == 3) or int(text) < 100:
        raise BadRequest("status must be an HTTP status, 100 to 999")
    return int(text)


def _verdict(value: Any) -> str | None:
    if value is None:
        return None
    if value not in VERDICTS:
        raise BadRequest(f"verdict must be one of: {', '.join(VERDICTS)}")
    return value


def _principal(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_PRINCIPAL_LENGTH or not value.isprintable():
        raise BadRequest(f"principal must be a user id of 1 to {MAX_PRINCIPAL_LENGTH} printable characters")
    return value
