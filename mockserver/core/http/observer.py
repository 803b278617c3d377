"""Requests made to watch a fake, not to use it: the dashboard's.

The dashboard reads the API as a chosen principal to show it, and marks every
request it sends with :data:`OBSERVER_HEADER`. Such a request is answered as any
other, but it never changes what the API answers anyone: it counts against no rate
limit, takes no fault rule, and is neither journaled nor logged.
"""

from __future__ import annotations

from starlette.requests import Request

OBSERVER_HEADER = "x-mockserver-observer"


def is_observer(request: Request) -> bool:
    # get, not ``in``: a Mapping's ``in`` finds an absent header by catching KeyError, on every request.
    return request.headers.get(OBSERVER_HEADER) is not None
