"""Ordered secondary indexes: the records of a scope kept sorted by (sort key, id).

A page starts from a cursor with a binary search, so its cost depends on the
page, not on how many records the store holds.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any

from sortedcontainers import SortedList

Key = tuple[str, str]  # (sort value, record id)


class OrderedIndex:
    def __init__(self) -> None:
        self._scopes: dict[Hashable, SortedList] = {}

    def add(self, scope: Hashable, key: Key) -> None:
        self._scopes.setdefault(scope, SortedList()).add(key)

    def discard(self, scope: Hashable, key: Key) -> None:
        entries = self._scopes.get(scope)
        if entries is not None:
            entries.discard(key)
            if not entries:
                del self._scopes[scope]

    def keys(self, scope: Hashable, after: Key | None = None, descending: bool = True) -> Iterator[Key]:
        """Keys of a scope in order, starting just past ``after``."""
        entries = self._scopes.get(scope)
        if entries is None:
            return iter(())
        if after is None:
            return iter(entries.irange(reverse=descending))
        if descending:
            return iter(entries.irange(maximum=after, inclusive=(True, False), reverse=True))
        return iter(entries.irange(minimum=after, inclusive=(False, True)))

    def count(self, scope: Hashable) -> int:
        entries = self._scopes.get(scope)
        return len(entries) if entries is not None else 0

    def clear(self) -> None:
        self._scopes.clear()


def take_page(
    keys: Iterator[Key],
    load: Callable[[str], Any],
    limit: int,
    accept: Callable[[Any], bool] = lambda _record: True,
) -> tuple[list[Any], Key | None]:
    """Up to ``limit`` accepted records, and the cursor to continue from (None at the end)."""
    page: list[Any] = []
    last: Key | None = None
    for key in keys:
        record = load(key[1])
        if record is None or not accept(record):
            continue
        if len(page) == limit:
            return page, last
        page.append(record)
        last = key
    return page, None
