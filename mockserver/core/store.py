"""Where the fake keeps its records: tables of records by id, each with ordered listings, and one lock.

A :class:`Table` holds one kind of record; the listings (scopes) a record
appears in, with its sort key in each, are derived from the record on save,
so a record is never stored twice and a page costs O(log n + page). A listing
paged through sees each record once, at the place it had when the first page
was served (``core/index.VersionedIndex``). Each API
declares its own tables (``scenario/store.py``, ``orchestrator/store.py``);
they all share the :class:`Store`'s lock, which guards every change to the
fake's state.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from mockserver.core.index import Cursor, Entry, Key, VersionedIndex, take_page

R = TypeVar("R")

# A record's listings, each with its sort key there.
Listings = Callable[[Any], Sequence[tuple[Hashable, Key]]]


class Table(Generic[R]):
    """Records of one kind by id. Records that are ``changed_in_place`` keep the listings they were filed
    under, since the changed record no longer says; the listings of a replaced record are derived from it."""

    def __init__(self, lock: threading.RLock, listings: Listings, changed_in_place: bool) -> None:
        self._lock = lock
        self._listings = listings
        self._records: dict[str, R] = {}
        self._index = VersionedIndex()
        self._version = 0  # counts saves; never reset, so a token from before a reset cannot pass for a new one
        self._saved_at: dict[str, int] = {}
        self._filed: dict[str, Sequence[tuple[Hashable, Key]]] | None = {} if changed_in_place else None

    def get(self, record_id: str) -> R | None:
        return self._records.get(record_id)

    def save(self, record_id: str, record: R) -> None:
        """Store a record, or re-index one changed in place."""
        with self._lock:
            self._version += 1
            version = self._version
            saved_at = self._saved_at.get(record_id)
            if saved_at is not None:
                for scope, (value, key_id) in self._filed_under(record_id):
                    self._index.retire(scope, (value, key_id, saved_at), version)
            self._records[record_id] = record
            self._saved_at[record_id] = version
            keys = self._listings(record)
            for scope, (value, key_id) in keys:
                self._index.add(scope, (value, key_id, version))
            if self._filed is not None:
                self._filed[record_id] = keys

    def save_all(self, records: Iterable[tuple[str, R]]) -> None:
        """Store many records, as :meth:`save` one by one would; new ones are filed in each listing with one
        sort rather than one insertion each (a restore of 100,000 jobs)."""
        with self._lock:
            filing: dict[Hashable, list[Entry]] = defaultdict(list)
            for record_id, record in records:
                if record_id in self._saved_at:
                    # Saved before, or twice in this batch: filed as a change, after what came before it.
                    self._file(filing)
                    self.save(record_id, record)
                    continue
                self._version += 1
                self._records[record_id] = record
                self._saved_at[record_id] = self._version
                keys = self._listings(record)
                for scope, (value, key_id) in keys:
                    filing[scope].append((value, key_id, self._version))
                if self._filed is not None:
                    self._filed[record_id] = keys
            self._file(filing)

    def _file(self, filing: dict[Hashable, list[Entry]]) -> None:
        for scope, entries in filing.items():
            self._index.add_all(scope, entries)
        filing.clear()

    def _filed_under(self, record_id: str) -> Sequence[tuple[Hashable, Key]]:
        if self._filed is not None:
            return self._filed.get(record_id, ())
        previous = self._records.get(record_id)
        return () if previous is None else self._listings(previous)

    def _still_listed(self, scope: Hashable, record_id: str) -> bool:
        return any(filed == scope for filed, _ in self._filed_under(record_id))

    def entries(self, scope: Hashable, after: Cursor | None = None, descending: bool = True) -> Iterator[Entry]:
        """The entries of a listing from a cursor on, as the listing stood when its first page was served."""
        return self._index.entries(scope, after, descending, self._still_listed)

    def page(
        self,
        scope: Hashable,
        after: Cursor | None,
        descending: bool,
        limit: int,
        accept: Callable[[R], bool],
        load: Callable[[str], Any] | None = None,
    ) -> tuple[list[Any], Cursor | None]:
        """A page of a listing and the cursor to continue from; a first page with more to come opens the listing."""
        with self._lock:
            entries = self.entries(scope, after, descending)
            page, last = take_page(entries, load or self._records.get, limit, accept)
            if last is None:
                return page, None
            as_of = after.as_of if after is not None else self._version
            if after is None:
                self._index.open_listing(as_of)
            return page, Cursor(last, as_of)

    def in_scope(self, scope: Hashable) -> Iterator[R]:
        """The records of a listing, in descending order."""
        for _, record_id, _ in self.entries(scope):
            yield self._records[record_id]

    def count(self, scope: Hashable) -> int:
        return self._index.count(scope)

    def ids(self) -> list[str]:
        return list(self._records)

    def all(self) -> list[R]:
        return list(self._records.values())

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._saved_at.clear()
            self._index.clear()
            if self._filed is not None:
                self._filed.clear()


class Store:
    """The lock every change to the fake's state holds, and the tables made under it."""

    def __init__(self) -> None:
        self.lock = threading.RLock()

    def table(self, listings: Listings, changed_in_place: bool = True) -> Table[Any]:
        return Table(self.lock, listings, changed_in_place)
