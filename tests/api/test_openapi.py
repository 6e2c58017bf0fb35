"""The OpenAPI document describes every route of the API with its parameters, its security and its
error responses; the API docs page renders it from the app's own files."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from openapi_spec_validator import validate

from catalogue.routing import MAX_ID
from tests.api.conftest import API

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
ERROR_FIELDS = {"status", "error", "message", "fields"}
# Writes that can clash with the stored state: a duplicate code, nothing to publish, archived.
CONFLICTING = {
    ("post", f"{API}/modules"),
    ("put", f"{API}/modules/{{module_id}}"),
    ("post", f"{API}/modules/{{module_id}}/publish"),
    ("post", f"{API}/modules/{{module_id}}/archive"),
    ("post", f"{API}/modules/{{module_id}}/offerings"),
    ("put", f"{API}/offerings/{{offering_id}}"),
}


@pytest.fixture
def document(world_app) -> dict:
    """The OpenAPI document as the app serves it."""
    response = world_app.test_client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def api_routes(app) -> dict[tuple[str, str], list[str]]:
    """(METHOD, /path/{param}) of every API rule of the app, with the rule's path parameters."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(f"{API}/") or rule.endpoint == "api-docs.openapi_json":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes[(method.lower(), path)] = sorted(rule.arguments)
    return routes


def operations(document: dict):
    """(method, path, operation, parameters including the path item's) of every operation."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
                yield method, path, operation, parameters


def resolve(document: dict, ref_or_object: dict) -> dict:
    """An object, or what its $ref points at inside the document."""
    while "$ref" in ref_or_object:
        node = document
        for part in ref_or_object["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        ref_or_object = node
    return ref_or_object


@pytest.mark.parametrize("url", [f"{API}/openapi.json", "/oeapi/openapi.json"])
def test_both_documents_are_valid_openapi(world_app, url):
    """What generators and validators of clients read must itself be a valid OpenAPI document."""
    response = world_app.test_client().get(url)
    assert response.status_code == 200
    validate(response.get_json())  # raises, naming the offending path, if it is not


def test_the_document_lists_every_route_and_nothing_else(world_app, document):
    routes = api_routes(world_app)
    documented = {(method, path) for method, path, _op, _params in operations(document)}

    assert len(routes) >= 20
    assert documented == set(routes)


def test_every_path_parameter_is_documented_as_required(world_app, document):
    routes = api_routes(world_app)

    for method, path, _operation, parameters in operations(document):
        in_path = {p["name"]: p for p in parameters if p["in"] == "path"}
        assert sorted(in_path) == routes[(method, path)], (method, path)
        for name, parameter in in_path.items():
            assert parameter["required"] is True
            if name.endswith("_id") or name == "number":
                assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def test_the_module_list_documents_its_filters_and_paging(document):
    parameters = {p["name"]: p for p in document["paths"][f"{API}/modules"]["get"]["parameters"]}

    assert set(parameters) == {
        "page",
        "page_size",
        "institution",
        "region",
        "sector",
        "level",
        "competency",
        "status",
        "updated_since",
    }
    assert all(p["in"] == "query" for p in parameters.values())
    assert parameters["page_size"]["schema"]["maximum"] == 100
    assert parameters["sector"]["schema"]["items"]["enum"] == ["mbo", "hbo", "wo"]
    assert set(parameters["status"]["schema"]["items"]["enum"]) == {
        "draft",
        "published",
        "archived",
    }
    assert parameters["updated_since"]["schema"]["format"] == "date-time"
    compare = {
        p["name"]: p
        for p in document["paths"][f"{API}/modules/{{module_id}}/compare"]["get"]["parameters"]
    }
    assert compare["from"]["required"] and compare["to"]["required"]


def test_bearer_auth_is_the_security_scheme_of_every_write(document):
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "API token",
    }
    for method, path, operation, _parameters in operations(document):
        needs_token = method != "get" or path.endswith(("/me", "/draft", "/audit"))
        declared = operation.get("security") == [{"bearerAuth": []}]
        assert declared == needs_token, (method, path)


def test_writes_to_existing_modules_and_runs_document_if_match(document):
    checked = 0
    for method, path, _operation, parameters in operations(document):
        if not path.startswith((f"{API}/modules", f"{API}/offerings")):
            continue
        if_match = [p for p in parameters if p["in"] == "header" and p["name"] == "If-Match"]
        changes_existing = method in ("put", "delete") or path.endswith(("/publish", "/archive"))
        assert bool(if_match) == changes_existing, (method, path)
        checked += bool(if_match)
        if if_match:
            assert if_match[0]["required"] is True
    assert checked == 5  # PUT module, publish, archive, PUT run, DELETE run


def test_every_operation_documents_its_error_responses(document):
    for method, path, operation, parameters in operations(document):
        codes = set(operation["responses"])
        label = (method, path)
        if operation.get("security"):
            assert "401" in codes, label
        if method != "get" or path.endswith(("/draft", "/audit")):
            assert "403" in codes, label
        if "{" in path:
            assert "404" in codes, label
        if "requestBody" in operation:
            assert {"400", "415", "422"} <= codes, label
        if any(p["in"] == "query" for p in parameters):
            assert "422" in codes, label
        if any(p["name"] == "If-Match" for p in parameters):
            assert {"412", "428"} <= codes, label
        if label in CONFLICTING:
            assert "409" in codes, label


def test_every_error_response_uses_the_one_error_schema(document):
    error = document["components"]["schemas"]["Error"]
    assert {"status", "error", "message"} <= set(error["required"])
    assert set(error["properties"]) >= ERROR_FIELDS

    for method, path, operation, _parameters in operations(document):
        for code, response in operation["responses"].items():
            if code == "default" or int(code) >= 400:
                schema = resolve(document, response)["content"]["application/json"]["schema"]
                assert resolve(document, schema) is error, (method, path, code)


def test_success_responses_have_the_right_status_and_headers(document):
    paths = document["paths"]
    assert "201" in paths[f"{API}/modules"]["post"]["responses"]
    assert "201" in paths[f"{API}/modules/{{module_id}}/offerings"]["post"]["responses"]
    assert "204" in paths[f"{API}/offerings/{{offering_id}}"]["delete"]["responses"]
    module_ok = paths[f"{API}/modules/{{module_id}}"]["get"]["responses"]["200"]
    assert "ETag" in module_ok["headers"]


def test_the_document_and_the_docs_say_where_the_api_lives(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"]
    assert "Bearer" in document["info"]["description"]


# -- /api/docs -------------------------------------------------------------------------------


class _Assets(HTMLParser):
    """Collects what a page makes the browser load: scripts, stylesheets, images, frames."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.spec_urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and "stylesheet" in (a.get("rel") or "") and a.get("href"):
            self.urls.append(a["href"])
        if tag in ("img", "iframe") and a.get("src"):
            self.urls.append(a["src"])
        if a.get("data-spec-url"):
            self.spec_urls.append(a["data-spec-url"])


def test_api_docs_page_loads_only_local_assets(world_app):
    client = world_app.test_client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    assets = _Assets()
    assets.feed(page.text)

    assert any("swagger-ui-bundle.js" in url for url in assets.urls)
    assert any("swagger-ui.css" in url for url in assets.urls)
    for url in assets.urls:
        assert not re.match(r"^(https?:)?//", url), f"{url} is loaded from elsewhere"
        assert client.get(url).status_code == 200, url
    assert not re.search(r"""(src|href)=["']?(https?:)?//[^"'\s>]*\.(js|css)""", page.text)
    assert [urlsplit(u).path for u in assets.spec_urls] == [f"{API}/openapi.json"]


def test_api_docs_page_script_reads_the_local_document(world_app):
    client = world_app.test_client()
    script = client.get("/static/api-docs.js")

    assert script.status_code == 200
    assert not re.search(r"https?://", script.text)
    assert "data-spec-url" in script.text


def test_every_link_leads_to_an_operation_and_fills_its_parameters(document):
    """Clients and the stateful fuzzing follow links from an answer to the next operation: a
    link to a path or parameter the document does not have would lead nowhere."""
    found = 0
    for _method, _path, operation, _parameters in operations(document):
        for response in operation["responses"].values():
            for name, link in response.get("links", {}).items():
                pointer = link["operationRef"].removeprefix("#/paths/")
                path, method = pointer.rsplit("/", 1)
                path = path.replace("~1", "/").replace("~0", "~")
                target = document["paths"][path][method]
                names = {
                    f"{p['in']}.{p['name']}" if p["in"] == "header" else p["name"]
                    for p in [
                        *document["paths"][path].get("parameters", []),
                        *target.get("parameters", []),
                    ]
                }
                assert set(link["parameters"]) <= names, (name, link["parameters"], names)
                found += 1
    assert found >= 15, "the writes lost their links"
