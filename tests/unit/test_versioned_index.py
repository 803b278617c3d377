"""The versioned index keeps replaced entries only while an open listing can need them."""

from __future__ import annotations

import pytest

from mockserver.core import index
from mockserver.core.errors import BadRequest
from mockserver.core.index import Cursor, VersionedIndex


def always_listed(_scope: object, _record_id: str) -> bool:
    return True


def test_a_listing_walks_the_entries_it_was_opened_on():
    versioned = VersionedIndex()
    for version, record_id in enumerate(["a", "b", "c"], start=1):
        versioned.add("scope", (f"t{version}", record_id, version))
    versioned.open_listing(3)
    versioned.retire("scope", ("t1", "a", 1), 4)  # "a" is updated: it moves to the top
    versioned.add("scope", ("t4", "a", 4))
    versioned.add("scope", ("t5", "d", 5))  # "d" is created after the listing was opened
    after_c = Cursor(("t3", "c"), 3)
    assert [entry[1] for entry in versioned.entries("scope", after_c, True, always_listed)] == ["b", "a"]
    assert [entry[1] for entry in versioned.entries("scope", None, True, always_listed)] == ["d", "a", "c", "b"]


def test_replaced_entries_are_dropped_when_no_listing_is_open():
    versioned = VersionedIndex()
    versioned.add("scope", ("t1", "a", 1))
    versioned.retire("scope", ("t1", "a", 1), 2)
    assert versioned.count("scope") == 0 and not versioned._retirements


def test_closing_the_oldest_listing_drops_what_only_it_needed(monkeypatch):
    monkeypatch.setattr(index, "OPEN_LISTINGS", 2)
    versioned = VersionedIndex()
    versioned.add("scope", ("t1", "a", 1))
    versioned.open_listing(1)
    versioned.retire("scope", ("t1", "a", 1), 2)
    versioned.add("scope", ("t2", "a", 2))
    versioned.open_listing(2)
    assert len(versioned._retirements) == 1
    versioned.open_listing(3)
    assert not versioned._retirements and not versioned._retired_at
    with pytest.raises(BadRequest, match="expired"):
        list(versioned.entries("scope", Cursor(("t9", "z"), 1), True, always_listed))


def test_too_many_kept_entries_close_the_oldest_listing(monkeypatch):
    monkeypatch.setattr(index, "RETIRED_ENTRIES", 3)
    versioned = VersionedIndex()
    versioned.open_listing(0)
    for version in range(1, 6):
        versioned.add("scope", (f"t{version}", "a", version))
        versioned.retire("scope", (f"t{version}", "a", version), version + 1)
    assert not versioned._retirements
    with pytest.raises(BadRequest, match="expired"):
        list(versioned.entries("scope", Cursor(("t9", "z"), 0), True, always_listed))
