from __future__ import annotations

import pytest

from mockserver.core.http.json_body import MAX_DEPTH, UnsafeJson, field_name, parse_json


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def test_nesting_up_to_the_limit_parses_and_one_level_more_is_refused() -> None:
    assert parse_json(nested(MAX_DEPTH)) is not None
    with pytest.raises(UnsafeJson, match="nesting deeper than 64"):
        parse_json(nested(MAX_DEPTH + 1))
    wide = b"[" + b",".join([b"[[]]"] * 100) + b"]"  # many brackets, little depth
    assert len(parse_json(wide)) == 100


@pytest.mark.parametrize(
    ("raw", "location"),
    [
        (b'{"a": [1, {"b": NaN}]}', ("a", 1, "b")),
        (b'{"a": 1e400}', ("a",)),
        (b'{"a": -1E+999}', ("a",)),
        (b'{"a": ' + b"1" * 101 + b"}", ("a",)),
        (b'{"a": "\\udc00"}', ("a",)),
        ('{"a": "\udc00"}', ("a",)),
    ],
)
def test_a_refusal_names_where_the_value_is(raw: bytes | str, location: tuple) -> None:
    with pytest.raises(UnsafeJson) as refused:
        parse_json(raw)
    assert refused.value.location == location


def test_what_is_within_bounds_parses_as_the_stdlib_parses_it() -> None:
    raw = b'{"n": ' + b"9" * 100 + b', "f": 1e308, "e": 5e-324, "s": "\\ud83d\\ude00", "t": "1e999"}'
    assert parse_json(raw) == {"n": int("9" * 100), "f": 1e308, "e": 5e-324, "s": "\U0001f600", "t": "1e999"}


def test_an_encoded_surrogate_is_not_utf8() -> None:
    with pytest.raises(UnicodeDecodeError):
        parse_json(b'{"a": "\xed\xa0\x80"}')


def test_field_names_read_as_paths() -> None:
    assert field_name(("flow", 0, "count")) == "flow[0].count"
    assert field_name((2, "a")) == "[2].a"
