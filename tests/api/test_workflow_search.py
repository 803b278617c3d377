"""POST /search/workflows: what the caller may see, query words, filters, sorting, paging, refusals."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
import scenario_sdk

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings


@pytest.fixture
def client(fake: Fake) -> Iterator[scenario_sdk.Scenario]:
    transport = SyncASGITransport(create_app(fake))
    yield scenario_sdk.Scenario(
        base_url="http://testserver/v1",
        api_key="key_alice",
        api_secret="secret_alice",
        http_client=httpx.Client(transport=transport),
        max_retries=0,
        _strict_response_validation=True,
    )
    transport.close()


@pytest.fixture
def shelf(http, fake) -> dict[str, str]:
    """Alice's project gets three workflows of its own, Eve's a private and a public one."""
    made = {}
    for who, name, extra in [
        ("alice", "Castle sketches", {"tagSet": ["medieval", "sketch"], "privacy": "private"}),
        ("alice", "Forest poster", {"tagSet": ["poster"], "privacy": "unlisted", "description": "castle in a wood"}),
        ("alice", "Draft castle", {"status": "draft"}),
        ("eve", "Eve castle secret", {}),
        ("eve", "Eve castle app", {"privacy": "public"}),
    ]:
        workflow_id = http("POST", "/v1/workflows", who=who, json={"name": name, "description": "d"}).json()[
            "workflow"
        ]["id"]
        body = {"flow": [{"id": "n", "type": "remove-background"}], "status": "ready", **extra}
        assert http("PUT", f"/v1/workflows/{workflow_id}", who=who, json=body).status_code == 200
        made[name] = workflow_id
        fake.clock.advance(1)
    return made


def names(page) -> list[str]:
    return [hit.name for hit in page.hits]


def test_search_sees_what_the_listing_shows(client, shelf):
    own = client.search.workflow_search(query="castle")
    assert set(names(own)) == {"Castle sketches", "Forest poster", "Draft castle"}
    assert own.hits[0].name in ("Castle sketches", "Draft castle")  # a word of the name ranks first
    everyone = client.search.workflow_search(query="castle", public=True)
    assert set(names(everyone)) == {"Castle sketches", "Forest poster", "Draft castle", "Eve castle app"}
    hit = next(hit for hit in everyone.hits if hit.name == "Eve castle app")
    assert hit.owner_id == "proj_other" and hit.privacy == "public" and hit.status == "ready"
    assert hit.collection_ids == [] and hit.team_id and hit.author_id


def test_filters_sorting_and_prefixes(client, shelf):
    assert names(client.search.workflow_search(query="cast sk")) == ["Castle sketches"]
    ready = client.search.workflow_search(filter="status = ready AND tags IN [poster, sketch]", sort_by=["name:asc"])
    assert names(ready) == ["Castle sketches", "Forest poster", "Poster with review"]  # a seeded one too
    not_medieval = client.search.workflow_search(query="", filter="NOT tags = medieval AND status != draft")
    assert "Castle sketches" not in names(not_medieval) and "Draft castle" not in names(not_medieval)
    quoted = client.search.workflow_search(filter="name = 'Forest poster' OR (id = \"nothing\")")
    assert names(quoted) == ["Forest poster"]
    by_creation = client.search.workflow_search(query="castle", sort_by=["createdAt:desc"])
    assert names(by_creation) == ["Draft castle", "Forest poster", "Castle sketches"]


def test_offset_paging_and_the_sdks_auto_pagination(client, shelf):
    first = client.search.workflow_search(query="", public=True, limit=2)
    assert len(first.hits) == 2 and first.offset == 0 and first.estimated_total_hits >= 6
    every = [hit.id for hit in client.search.workflow_search(query="", public=True, limit=2)]
    assert len(every) == len(set(every)) == first.estimated_total_hits
    assert set(shelf.values()) - {shelf["Eve castle secret"]} <= set(every)


def test_page_paging(http, shelf):
    answer = http("POST", "/v1/search/workflows", json={"query": "castle", "page": 2, "hitsPerPage": 2}).json()
    assert answer["page"] == 2 and answer["hitsPerPage"] == 2 and answer["totalHits"] == 3
    assert answer["totalPages"] == 2 and len(answer["hits"]) == 1 and "offset" not in answer


def test_async_client_searches(fake, shelf):
    async def search() -> list[str]:
        async with scenario_sdk.AsyncScenario(
            base_url="http://testserver/v1",
            api_key="key_alice",
            api_secret="secret_alice",
            http_client=httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(fake))),
            max_retries=0,
            _strict_response_validation=True,
        ) as client:
            return [hit.name async for hit in client.search.workflow_search(query="castle", public=True, limit=1)]

    assert sorted(asyncio.run(search())) == ["Castle sketches", "Draft castle", "Eve castle app", "Forest poster"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "At least one of query or filter"),
        ({"query": "a", "limit": 5, "page": 1}, "either offset and limit, or page and hitsPerPage"),
        ({"filter": "colour = red"}, "'colour' is not filterable"),
        ({"filter": "status ="}, "expected a value"),
        ({"filter": "status = ready AND"}, "expected an attribute"),
        ({"filter": "(status = ready"}, "expected ')'"),
        ({"filter": "status IN ready"}, "expected '['"),
        ({"filter": "status = ready ready"}, "unexpected 'ready'"),
        ({"filter": "(" * 40 + "status = ready" + ")" * 40}, "nest deeper"),
        ({"filter": "status = 'unclosed"}, "cannot read"),
        ({"query": "a", "sortBy": ["name"]}, "sortBy[0]"),
        ({"query": "a", "sortBy": ["colour:asc"]}, "sortable attribute"),
        ({"query": "a", "limit": 101}, "limit"),
        ({"query": "a", "hitsPerPage": 0}, "hitsPerPage"),
        ({"query": "x" * 513}, "query"),
        ({"query": "a", "sortBy": ["name:asc"] * 4}, "sortBy"),
        ({"query": 5}, "query"),
    ],
)
def test_bad_searches_are_400_in_the_envelope(http, body, says):
    response = http("POST", "/v1/search/workflows", json=body)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["statusCode"] == 400 and answer["error"] == "Bad Request" and says in answer["message"]


def test_search_needs_credentials_and_a_project_of_the_key(http):
    assert http("POST", "/v1/search/workflows", who=None, json={"query": "a"}).status_code == 401
    other = http("POST", "/v1/search/workflows?projectId=proj_other", json={"query": "a"})
    assert other.status_code == 403 and other.json()["statusCode"] == 403
    assert (
        http("POST", "/v1/search/workflows", content=b"[", headers={"content-type": "application/json"}).status_code
        == 400
    )


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"query": 5}, "query must be a string"),
        ({"query": "a", "limit": "5"}, "limit must be a whole number"),
        ({"query": "a", "offset": 2.5}, "offset must be a whole number"),
        ({"query": "a", "sortBy": "name:asc"}, "sortBy must be a list"),
        ({"filter": ["status = ready"]}, "filter must be a string"),
        ('{"query": "a", "limit": Infinity}', 'Request body has Infinity, which is not a JSON number at "limit"'),
        ('{"query": "a", "offset": NaN}', 'Request body has NaN, which is not a JSON number at "offset"'),
    ],
)
def test_what_the_contract_lets_through_in_report_mode_is_still_a_400(body, says):
    fake = Fake(Settings(clock_mode="manual", validation="report"))
    transport = SyncASGITransport(create_app(fake))
    alice = httpx.BasicAuth("key_alice", "secret_alice")
    with httpx.Client(transport=transport, base_url="http://testserver", auth=alice) as http:
        raw = body if isinstance(body, str) else json.dumps(body)
        response = http.post("/v1/search/workflows", content=raw, headers={"content-type": "application/json"})
    transport.close()
    assert response.status_code == 400 and says in response.json()["message"], response.text


def test_whole_floats_are_whole_numbers(http):
    answer = http("POST", "/v1/search/workflows", json={"query": "", "limit": 2.0, "offset": 1.0}).json()
    assert answer["limit"] == 2 and answer["offset"] == 1 and len(answer["hits"]) <= 2
