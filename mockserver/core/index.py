"""Ordered secondary indexes: the records of a scope kept sorted by (sort key, id), readable as they stood.

A page starts from a cursor with a binary search, so its cost depends on the
page, not on how many records the store holds.

Every entry carries the version of the save that filed it. While a listing is
open (a page was served with a token to continue), an entry that a save
replaces is retired rather than dropped, with the version that retired it, so
the next pages walk the listing as it stood when the first page was served:
a record is met once, at the place it had then, however it changes between
pages. Retired entries are dropped once no open listing can need them; a
listing closes when too many newer ones were opened or too many entries are
kept for it.
"""

from __future__ import annotations

import heapq
import sys
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sortedcontainers import SortedList

from mockserver.core.errors import BadRequest

Key = tuple[str, str]  # (sort value, record id)
Entry = tuple[str, str, int]  # (sort value, record id, version of the save that filed it)

# How many listings stay open for their next pages, the newest kept.
OPEN_LISTINGS = 1000
# How many retired entries are kept for open listings before the oldest listing closes.
RETIRED_ENTRIES = 50_000


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ends: the last key listed, in the listing as it stood at version ``as_of``."""

    key: Key
    as_of: int


class OrderedIndex:
    def __init__(self) -> None:
        self._scopes: dict[Hashable, SortedList] = {}

    def add(self, scope: Hashable, entry: Entry) -> None:
        self._scopes.setdefault(scope, SortedList()).add(entry)

    def add_all(self, scope: Hashable, entries: list[Entry]) -> None:
        """Add many entries at once, each of a different record. They are put in order first by two stable
        sorts, on the id then on the sort value: Python compares plain strings several times faster than
        tuples (a restore of 100,000 jobs sorts half a million entries); the sorted list then finds them in
        order. Two entries of one record would share a value and an id, and need their versions sorted too."""
        in_order = sorted(entries, key=itemgetter(1))
        in_order.sort(key=itemgetter(0))
        self._scopes.setdefault(scope, SortedList()).update(in_order)

    def discard(self, scope: Hashable, entry: Entry) -> None:
        entries = self._scopes.get(scope)
        if entries is not None:
            entries.discard(entry)
            if not entries:
                del self._scopes[scope]

    def entries(self, scope: Hashable, after: Key | None = None, descending: bool = True) -> Iterator[Entry]:
        """Entries of a scope in order, starting just past the key ``after``."""
        entries = self._scopes.get(scope)
        if entries is None:
            return iter(())
        if after is None:
            return iter(entries.irange(reverse=descending))
        if descending:
            # (value, id) sorts before every (value, id, version): the key's own entries are left out.
            return iter(entries.irange(maximum=after, inclusive=(True, False), reverse=True))
        return iter(entries.irange(minimum=(*after, sys.maxsize), inclusive=(False, True)))

    def count(self, scope: Hashable) -> int:
        entries = self._scopes.get(scope)
        return len(entries) if entries is not None else 0

    def clear(self) -> None:
        self._scopes.clear()


class VersionedIndex:
    """The current entries of every scope, and the retired ones open listings still need."""

    def __init__(self) -> None:
        self._current = OrderedIndex()
        self._retired = OrderedIndex()
        self._retired_at: dict[tuple[Hashable, Entry], int] = {}
        self._retirements: deque[tuple[int, Hashable, Entry]] = deque()
        self._open: OrderedDict[int, None] = OrderedDict()  # versions of open listings, oldest first

    def add(self, scope: Hashable, entry: Entry) -> None:
        self._current.add(scope, entry)

    def add_all(self, scope: Hashable, entries: list[Entry]) -> None:
        self._current.add_all(scope, entries)

    def retire(self, scope: Hashable, entry: Entry, version: int) -> None:
        """Take an entry out of its listing at ``version``, keeping it for the open listings."""
        self._current.discard(scope, entry)
        if not self._open:
            return
        self._retired.add(scope, entry)
        self._retired_at[(scope, entry)] = version
        self._retirements.append((version, scope, entry))
        while len(self._retirements) > RETIRED_ENTRIES:
            self._open.popitem(last=False)
            self._drop_unneeded()

    def open_listing(self, version: int) -> None:
        self._open[version] = None
        while len(self._open) > OPEN_LISTINGS:
            self._open.popitem(last=False)
            self._drop_unneeded()

    def entries(
        self,
        scope: Hashable,
        after: Cursor | None,
        descending: bool,
        still_listed: Callable[[Hashable, str], bool],
    ) -> Iterator[Entry]:
        """The entries of a scope from a cursor on, as the scope stood at the cursor's version."""
        if after is None:
            return self._current.entries(scope, None, descending)
        if after.as_of not in self._open:
            raise BadRequest("Invalid paginationToken: it has expired, start again from the first page")
        as_of = after.as_of
        current = (e for e in self._current.entries(scope, after.key, descending) if e[2] <= as_of)
        retired = (
            e
            for e in self._retired.entries(scope, after.key, descending)
            if e[2] <= as_of < self._retired_at[(scope, e)] and still_listed(scope, e[1])
        )
        return heapq.merge(current, retired, reverse=descending)

    def count(self, scope: Hashable) -> int:
        return self._current.count(scope)

    def clear(self) -> None:
        self._current.clear()
        self._retired.clear()
        self._retired_at.clear()
        self._retirements.clear()
        self._open.clear()

    def _drop_unneeded(self) -> None:
        """Drop the retired entries that every open listing was opened after."""
        oldest = next(iter(self._open), sys.maxsize)
        while self._retirements and self._retirements[0][0] <= oldest:
            _, scope, entry = self._retirements.popleft()
            self._retired.discard(scope, entry)
            del self._retired_at[(scope, entry)]


def take_page(
    entries: Iterator[Entry],
    load: Callable[[str], Any],
    limit: int,
    accept: Callable[[Any], bool] = lambda _record: True,
) -> tuple[list[Any], Key | None]:
    """Up to ``limit`` accepted records, and the key to continue from (None at the end)."""
    page: list[Any] = []
    last: Key | None = None
    for entry in entries:
        record = load(entry[1])
        if record is None or not accept(record):
            continue
        if len(page) == limit:
            return page, last
        page.append(record)
        last = (entry[0], entry[1])
    return page, None
