"""The dashboard's files and the interactive docs, served by the fake itself with nothing from the internet."""

from __future__ import annotations

import yaml


def test_dashboard_page_and_script_are_served(http):
    page = http("GET", "/_mock/", who=None)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="static/dashboard.js"' in page.text and "http" not in page.text.split("<body>")[1].split("docs")[0]
    script = http("GET", "/_mock/static/dashboard.js", who=None)
    assert script.status_code == 200 and "setInterval(() => watch()" in script.text and "If-None-Match" in script.text
    assert http("GET", "/_mock/static/state.py", who=None).status_code == 404
    assert http("GET", "/_mock/static/..%2Fdashboard.py", who=None).status_code == 404


def test_principals_for_the_dashboard(http):
    keys = http("GET", "/_mock/principals", who=None).json()["apiKeys"]
    assert {
        "key": "key_alice",
        "secret": "secret_alice",
        "userId": "user_alice",
        "projectId": "proj_demo",
        "role": "editor",
    } in keys


def test_docs_are_swagger_ui_from_the_package_with_the_contract_pointing_at_the_fake(http, fake):
    page = http("GET", "/_mock/docs", who=None)
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text and "//" not in page.text.split("<script>")[1]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        answer = http("GET", f"/_mock/docs/assets/{asset}", who=None)
        assert answer.status_code == 200 and len(answer.content) > 10_000, asset
    bundle = http("GET", "/_mock/docs/assets/swagger-ui-bundle.js", who=None).text
    assert 'PACKAGE_VERSION:"5.' in bundle  # Swagger UI 5 reads OpenAPI 3.1
    contract = http("GET", "/_mock/openapi.json", who=None).json()
    assert contract["openapi"].startswith("3.1") and contract["servers"][0]["url"] == "/v1"
    assert contract["paths"].keys() == fake.scenario.contract.document["paths"].keys()
    assert fake.scenario.contract.document["servers"][0]["url"] != "/v1"  # the loaded contract is left as it is
    webhooks = yaml.safe_load(http("GET", "/_mock/webhooks/openapi.yaml", who=None).text)
    assert "jobEnded" in webhooks["webhooks"]
    assert http("GET", "/_mock/docs/assets/index.html", who=None).status_code == 404
