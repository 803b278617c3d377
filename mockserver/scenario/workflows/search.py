"""Workflow search, as the API's Meilisearch-style ``POST /search/workflows`` answers it.

A workflow matches ``query`` when every word of the query begins a word of its name, short
description, description or tags (case-insensitive). ``filter`` is a small part of Meilisearch's filter
language: ``attribute = value``, ``attribute != value``, ``attribute IN [a, b]``, joined by ``AND`` and
``OR`` (``AND`` binds tighter), negated by ``NOT`` and grouped by parentheses; values are bare words or
quoted strings. On a list attribute (``tags``) ``=`` means "contains". Results are ordered by ``sortBy``,
then by relevance (query words found in the name, then in the tags), then most recently updated first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from mockserver.core.errors import BadRequest
from mockserver.scenario.workflows.models import Workflow

MAX_FILTER_DEPTH = 16
SORTABLE = ("createdAt", "updatedAt", "name")

Predicate = Callable[[Workflow], bool]


def team_id(project_id: str) -> str:
    """The fake has no teams apart from projects: each project stands for a team of its own."""
    return "team_" + project_id.removeprefix("proj_")


_ATTRIBUTES: dict[str, Callable[[Workflow], str | list[str]]] = {
    "id": lambda workflow: workflow.id,
    "name": lambda workflow: workflow.name,
    "status": lambda workflow: workflow.status,
    "privacy": lambda workflow: workflow.privacy,
    "ownerId": lambda workflow: workflow.owner_id,
    "authorId": lambda workflow: workflow.author_id,
    "teamId": lambda workflow: team_id(workflow.owner_id),
    "tags": lambda workflow: list(workflow.tag_set),
    "collectionIds": lambda workflow: [],
}
FILTERABLE = tuple(_ATTRIBUTES)


# --- query text ----------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@dataclass(frozen=True)
class Relevance:
    """How well a workflow matches the query words, or None when it does not match all of them."""

    in_name: int
    in_tags: int


def relevance(workflow: Workflow, terms: list[str]) -> Relevance | None:
    name = words(workflow.name)
    tags = [word for tag in workflow.tag_set for word in words(tag)]
    text = name + tags + words(workflow.short_description) + words(workflow.description)
    if not all(_begins_a_word(term, text) for term in terms):
        return None
    return Relevance(
        sum(_begins_a_word(term, name) for term in terms), sum(_begins_a_word(term, tags) for term in terms)
    )


def _begins_a_word(term: str, text: list[str]) -> bool:
    return any(word.startswith(term) for word in text)


# --- sortBy --------------------------------------------------------------------------------------


def sort_keys(sort_by: list[str]) -> list[tuple[str, bool]]:
    """``["createdAt:desc"]`` as ``[("createdAt", True)]`` (attribute, descending)."""
    keys = []
    for position, rule in enumerate(sort_by):
        attribute, _, direction = rule.partition(":")
        if attribute not in SORTABLE or direction not in ("asc", "desc"):
            raise BadRequest(
                f"sortBy[{position}] is {rule!r}: expected attribute:asc or attribute:desc, "
                f"with a sortable attribute ({', '.join(SORTABLE)})"
            )
        keys.append((attribute, direction == "desc"))
    return keys


def sort_value(workflow: Workflow, attribute: str) -> str:
    if attribute == "name":
        return workflow.name.lower()
    return workflow.created_at if attribute == "createdAt" else workflow.updated_at


# --- filter --------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(!=|=|\[|\]|\(|\)|,)|'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|([^\s=!\[\](),'\"]+))")


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool = False


def parse_filter(text: str) -> Predicate:
    """The filter as a test on workflows; BadRequest says where it went wrong."""
    parser = _FilterParser(_tokens(text))
    predicate = parser.expression(0)
    if parser.peek() is not None:
        raise _filter_error(f"unexpected {parser.peek_text()!r}")
    return predicate


def _tokens(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise _filter_error(f"cannot read {text[position:].strip()[:20]!r}")
        symbol, single, double, word = match.groups()
        if symbol is not None or word is not None:
            tokens.append(_Token(symbol if symbol is not None else word))
        else:
            quoted = single if single is not None else double
            tokens.append(_Token(re.sub(r"\\(.)", r"\1", quoted), quoted=True))
        position = match.end()
    return tokens


def _filter_error(problem: str) -> BadRequest:
    return BadRequest(
        f"Invalid filter: {problem}. Write attribute = value, attribute != value or attribute IN [a, b], "
        f"joined by AND / OR, with NOT and parentheses; filterable attributes: {', '.join(FILTERABLE)}"
    )


class _FilterParser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def peek_text(self) -> str:
        token = self.peek()
        return token.text if token is not None else "the end"

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and not token.quoted and token.text.upper() == word:
            self.position += 1
            return True
        return False

    def symbol(self, symbol: str) -> bool:
        token = self.peek()
        if token is not None and not token.quoted and token.text == symbol:
            self.position += 1
            return True
        return False

    def take(self, what: str) -> _Token:
        token = self.peek()
        if token is None:
            raise _filter_error(f"expected {what}, got the end")
        self.position += 1
        return token

    def expression(self, depth: int) -> Predicate:
        if depth > MAX_FILTER_DEPTH:
            raise _filter_error(f"parentheses nest deeper than {MAX_FILTER_DEPTH}")
        alternatives = [self.conjunction(depth)]
        while self.keyword("OR"):
            alternatives.append(self.conjunction(depth))
        if len(alternatives) == 1:
            return alternatives[0]
        return lambda workflow: any(test(workflow) for test in alternatives)

    def conjunction(self, depth: int) -> Predicate:
        parts = [self.negation(depth)]
        while self.keyword("AND"):
            parts.append(self.negation(depth))
        if len(parts) == 1:
            return parts[0]
        return lambda workflow: all(test(workflow) for test in parts)

    def negation(self, depth: int) -> Predicate:
        if self.keyword("NOT"):
            inner = self.negation(depth + 1)
            return lambda workflow: not inner(workflow)
        if self.symbol("("):
            inner = self.expression(depth + 1)
            if not self.symbol(")"):
                raise _filter_error(f"expected ')', got {self.peek_text()!r}")
            return inner
        return self.condition()

    def condition(self) -> Predicate:
        attribute = self.take("an attribute").text
        read = _ATTRIBUTES.get(attribute)
        if read is None:
            raise _filter_error(f"attribute {attribute!r} is not filterable")
        if self.keyword("IN"):
            values = self.value_list()
            return lambda workflow: _matches_any(read(workflow), values)
        if self.symbol("="):
            value = self.value()
            return lambda workflow: _matches_any(read(workflow), [value])
        if self.symbol("!="):
            value = self.value()
            return lambda workflow: not _matches_any(read(workflow), [value])
        raise _filter_error(f"expected =, != or IN after {attribute!r}, got {self.peek_text()!r}")

    def value(self) -> str:
        token = self.take("a value")
        if not token.quoted and token.text in ("=", "!=", "[", "]", "(", ")", ","):
            raise _filter_error(f"expected a value, got {token.text!r}")
        return token.text

    def value_list(self) -> list[str]:
        if not self.symbol("["):
            raise _filter_error(f"expected '[' after IN, got {self.peek_text()!r}")
        values = [self.value()]
        while self.symbol(","):
            values.append(self.value())
        if not self.symbol("]"):
            raise _filter_error(f"expected ']' or ',', got {self.peek_text()!r}")
        return values


def _matches_any(actual: str | list[str], values: list[str]) -> bool:
    if isinstance(actual, list):
        return any(value in actual for value in values)
    return actual in values


# --- the request ---------------------------------------------------------------------------------

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class WorkflowSearch:
    """A search as ``POST /search/workflows`` asks it: offset/limit paging, or page/hitsPerPage paging.

    Fields hold the values as sent; :meth:`checked` says what is wrong with them, whatever the contract
    let through.
    """

    query: Any = None
    filter: Any = None
    public: bool = False
    sort_by: Any = ()
    offset: Any = None
    limit: Any = None
    page: Any = None
    hits_per_page: Any = None

    def checked(self) -> WorkflowSearch:
        """The search with whole numbers for its paging; BadRequest names the first field that is wrong."""
        for name, text in (("query", self.query), ("filter", self.filter)):
            if text is not None and not isinstance(text, str):
                raise BadRequest(f"{name} must be a string")
        if self.query is None and self.filter is None:
            raise BadRequest("At least one of query or filter must have a value")
        if not isinstance(self.sort_by, list | tuple) or not all(isinstance(rule, str) for rule in self.sort_by):
            raise BadRequest("sortBy must be a list of attribute:asc or attribute:desc rules")
        checked = replace(
            self,
            sort_by=tuple(self.sort_by),
            offset=_whole("offset", self.offset, 0, MAX_OFFSET),
            limit=_whole("limit", self.limit, 0, MAX_LIMIT),
            page=_whole("page", self.page, 1, MAX_OFFSET),
            hits_per_page=_whole("hitsPerPage", self.hits_per_page, 1, MAX_LIMIT),
        )
        if checked.by_pages and (checked.offset is not None or checked.limit is not None):
            raise BadRequest("Use either offset and limit, or page and hitsPerPage, not both")
        return checked

    @property
    def by_pages(self) -> bool:
        return self.page is not None or self.hits_per_page is not None


def _whole(name: str, value: Any, low: int, high: int) -> int | None:
    if value is None:
        return None
    whole = isinstance(value, int) and not isinstance(value, bool) or isinstance(value, float) and value.is_integer()
    if not whole or not low <= value <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def ranked(found: list[tuple[Workflow, Relevance]], sort_by: tuple[str, ...]) -> list[Workflow]:
    """The matches in the order of ``sortBy``, then relevance, then the most recently updated first."""
    found = sorted(found, key=lambda pair: pair[0].updated_at, reverse=True)
    found.sort(key=lambda pair: (pair[1].in_name, pair[1].in_tags), reverse=True)
    for attribute, descending in reversed(sort_keys(list(sort_by))):
        found.sort(key=lambda pair: sort_value(pair[0], attribute), reverse=descending)
    return [workflow for workflow, _ in found]
