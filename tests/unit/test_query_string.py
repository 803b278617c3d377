"""Query strings are read as the standard library reads them, with or without anything encoded."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from mockserver.core.http.endpoint import _query_pairs


@given(st.text(alphabet="ab=&%+2 0é;", max_size=30))
def test_query_pairs_are_what_parse_qsl_gives(text: str) -> None:
    assert _query_pairs(text) == parse_qsl(text, keep_blank_values=True)
