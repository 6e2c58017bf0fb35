"""Schemathesis against the live app: every operation of the OpenAPI document, anonymous and with
the token of an editor, a coordinator and an administrator, must answer without a server error
and as the document says.

The app runs on a fresh copy of the seeded database behind a real HTTP server (werkzeug, in a
thread); the schema is loaded from that server's own /api/v1/openapi.json, so what is tested is
what clients get. Generation is deterministic (fixed seed, derandomized Hypothesis, no example
database), so a CI run is repeatable. `scripts/fuzz` runs the same test with random seeds and
many more examples (CATALOGUE_FUZZ_SEED, CATALOGUE_FUZZ_EXAMPLES) and prints the seed of any
failure.

Warnings schemathesis would give for this document, and why they stay:
- "mostly rejected generated data" for module, run and agreement writes: their rules relate
  fields to each other or to stored data, which OpenAPI cannot state: a level must belong to
  its sector, a material's unit_code must name a unit of the same module, a run that is not
  online needs a city and must end after it starts and close enrolment in time, an agreement's
  parties are distinct institutions and its items' providers must be providing parties, and
  it must end after it starts. Everything a single field must be (enums, lengths, patterns,
  ranges, distinct list items, URL forms) is stated, and real ids and codes are supplied below.
- the same for the imports and reuse registrations: a spreadsheet must hold a valid workbook,
  participation rows need a BSN that passes the eleven-test and a run code of the institution,
  and a reuse names an institution the caller edits and one of its modules, under a licence or
  an agreement that allows it; none of that is a property of a single field.
- "missing test data" for a material's reuse registrations ({reuse_id}): the seed has none;
  the stateful test reaches them through the link from registering one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import schemathesis
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from sqlalchemy import select

from catalogue.institutions.models import Institution, Region
from catalogue.modules.models import Material, Module, Offering
from catalogue.recognition.models import Agreement, AgreementParty
from tests.api.conftest import (
    bearer,
    create_account,
    issue_token,
    module_payload,
    offering_payload,
)
from tests.factories import app_session

OTHER_INSTITUTION = "saxion"
SEED = int(os.environ.get("CATALOGUE_FUZZ_SEED", "20261128"))
MAX_EXAMPLES = int(os.environ.get("CATALOGUE_FUZZ_EXAMPLES", "15"))

# positive_data_acceptance is left out on purpose: our validation has cross-field rules that
# OpenAPI cannot express (the city of a run that is not online, a level that must fit its sector,
# a material's unit_code that must name a unit of the same module, enrolment that closes before
# the run ends), so schema-valid bodies are rightly refused with 422 now and then.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
    missing_required_header,
    ignored_auth,
]

# A write to an existing resource without If-Match is answered 428 Precondition Required
# (RFC 6585, as docs/api.md documents); schemathesis' default list lacks that status.
MISSING_HEADER_STATUSES = ["400", "401", "403", "406", "415", "422", "428"]
# Schemathesis' list of statuses that reject invalid data, plus 413: a body over the size limit
# (a list beyond its maxItems can be) is refused before it is read.
NEGATIVE_DATA_STATUSES = [
    *("400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"),
    "5xx",
]


def editable_institution(app) -> str:
    """The institution of the module with the lowest id (id 1 in the seed).

    Schemathesis' coverage phase sends boundary values, so id 1 is the module and run its
    missing-header and unsupported-method cases reach; when the editor may change them, those
    cases get past the permission check to the If-Match rules.
    """
    with app_session(app) as session:
        first = session.scalar(select(Module).order_by(Module.id).limit(1))
        assert first is not None, "the seed has no modules"
        return first.institution.code


def _known_values(app, own_institution: str) -> dict[str, list]:
    """Real ids and codes, so that many requests reach existing resources instead of a 404."""
    with app_session(app) as session:
        own = session.scalars(
            select(Module.id)
            .join(Institution)
            .where(Institution.code == own_institution)
            .order_by(Module.id)
        ).all()
        other = session.scalars(
            select(Module.id)
            .join(Institution)
            .where(Institution.code == OTHER_INSTITUTION)
            .order_by(Module.id)
            .limit(2)
        ).all()
        module_ids = [*own, *other]
        material_ids = session.scalars(
            select(Material.id).where(Material.module_id.in_(module_ids)).order_by(Material.id)
        ).all()
        offering_ids = session.scalars(
            select(Offering.id).where(Offering.module_id.in_(module_ids)).order_by(Offering.id)
        ).all()
        regions = session.scalars(select(Region.code).order_by(Region.code).limit(3)).all()
        agreement_ids = session.scalars(
            select(Agreement.id)
            .join(AgreementParty)
            .join(Institution)
            .where(Institution.code.in_([own_institution, OTHER_INSTITUTION]))
            .order_by(Agreement.id)
            .distinct()
        ).all()
    assert own and other, "the seed has no modules of the fuzzing institutions"
    assert agreement_ids, "the seed has no agreements of the fuzzing institutions"
    return {
        "module_ids": list(module_ids),
        "offering_ids": list(offering_ids) or [1],
        "agreement_ids": list(agreement_ids),
        "material_ids": list(material_ids) or [1],
        "codes": [own_institution, OTHER_INSTITUTION, *regions],
        "institutions": [own_institution, OTHER_INSTITUTION],
        "own": [own_institution],
        "etags": ['"1"', '"2"', '"3"', "*"],
        "numbers": [1, 2],
    }


def _config(known: dict[str, list], *, ids_from_links: bool = False) -> schemathesis.Config:
    """Deterministic generation; about half of the ids, codes and ETags are real ones. With
    `ids_from_links`, ids and ETags come only from the answers that links lead on from, and
    request bodies name the editor's own institution."""
    often = 0.5
    parameters = {
        "path.module_id": {"dictionary": "module_ids", "probability": often},
        "path.offering_id": {"dictionary": "offering_ids", "probability": often},
        "path.agreement_id": {"dictionary": "agreement_ids", "probability": often},
        "path.material_id": {"dictionary": "material_ids", "probability": often},
        "path.code": {"dictionary": "codes", "probability": often},
        "path.number": {"dictionary": "numbers", "probability": often},
        "header.If-Match": {"dictionary": "etags", "probability": often},
        "body.institution": {"dictionary": "institutions", "probability": often},
    }
    if ids_from_links:
        parameters = {"body.institution": {"dictionary": "own", "probability": 0.9}}
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "checks": {
                "missing_required_header": {"expected-statuses": MISSING_HEADER_STATUSES},
                "negative_data_rejection": {"expected-statuses": NEGATIVE_DATA_STATUSES},
            },
            "dictionaries": {name: {"values": values} for name, values in known.items()},
            "parameters": parameters,
        }
    )


# Anonymous and editor on both databases; coordinator and administrator reach the same queries
# with other permissions, so they run on one (PostgreSQL when configured).
IDENTITIES = [
    "anonymous",
    "editor",
    pytest.param("coordinator", marks=pytest.mark.one_backend),
    pytest.param("administrator", marks=pytest.mark.one_backend),
]


@pytest.fixture(params=IDENTITIES)
def identity(request) -> str:
    """Who calls: nobody, or a seeded institution's editor, its region's coordinator, or an
    administrator, each with a valid token."""
    return request.param


@pytest.fixture
def fuzz_institution(live_server) -> str:
    """The seeded institution whose editor the token belongs to."""
    return editable_institution(live_server.app)


def _region_of(app, institution: str) -> str:
    with app_session(app) as session:
        found = session.scalar(select(Institution).where(Institution.code == institution))
        return found.region.code


@pytest.fixture
def editor_token(live_server, fuzz_institution) -> str:
    """A valid token of an editor of a seeded institution, made through the services."""
    return _token(live_server.app, "editor", fuzz_institution)


def _token(app, identity: str, institution: str) -> str:
    email = f"fuzz-{identity}@test.example"
    scope = {
        "editor": {"institution": institution},
        "coordinator": {"region": _region_of(app, institution)},
        "administrator": {},
    }[identity]
    create_account(app, email=email, name=f"Fuzz {identity}", role=identity, **scope)
    return issue_token(app, email, name="schemathesis")


@pytest.fixture
def request_headers(live_server, identity, fuzz_institution) -> dict[str, str]:
    """The headers every generated request carries: none, or the identity's Authorization."""
    if identity == "anonymous":
        return {}
    return bearer(_token(live_server.app, identity, fuzz_institution))


@pytest.fixture
def openapi_document(live_server) -> dict:
    """The OpenAPI document as the live server hands it out."""
    response = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=30)
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def documented_operations(openapi_document) -> set[str]:
    """Every operation of the document, as "METHOD /path"."""
    return {
        f"{method.upper()} {path}"
        for path, item in openapi_document["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch", "head", "options"}
    }


@pytest.fixture
def live_api_schema(live_server, identity, fuzz_institution):
    """The schema loaded by schemathesis from the live server's URL."""
    known = _known_values(live_server.app, fuzz_institution)
    return schemathesis.openapi.from_url(
        f"{live_server.url}/api/v1/openapi.json", config=_config(known)
    )


@pytest.mark.slow
def test_api_answers_as_its_openapi_document_says(
    live_api_schema, request_headers, documented_operations, subtests
):
    """No 5xx, and status, content type, headers and body as documented, for every operation."""
    tested: set[str] = set()

    def call_operation(case):
        tested.add(case.operation.label)
        case.call_and_validate(headers=request_headers, checks=CHECKS)

    # These are the tests `schemathesis.pytest.from_fixture(...).parametrize()` builds (examples,
    # coverage and fuzzing phases, seeded per operation). That wrapper itself cannot run here: in
    # schemathesis 4.32 it renames `request.node._nodeid`, which pytest 9.2 no longer has. So the
    # same per-operation tests run below, each as a subtest of its own.
    load_all_checks()
    operation_tests = list(
        get_all_tests(
            schema=live_api_schema, test_func=call_operation, settings=None, given_kwargs=None
        )
    )
    for result in operation_tests:
        operation, run_operation_test = result.ok()  # an invalid operation definition raises here
        with subtests.test(msg=operation.label):
            run_operation_test()

    assert len(documented_operations) >= 20, "the OpenAPI document lost operations"
    assert tested == documented_operations, f"not exercised: {documented_operations - tested}"
    assert len(operation_tests) == len(documented_operations)


# -- sequences along the document's links (schemathesis' stateful phase) ---------------------

STATEFUL_EXAMPLES = os.environ.get("CATALOGUE_FUZZ_STATEFUL_EXAMPLES", "30")
STATEFUL_CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)


@pytest.mark.slow
@pytest.mark.one_backend
def test_linked_operations_answer_as_documented(live_server, editor_token, tmp_path):
    """Schemathesis' stateful phase: sequences that follow the document's links (create a
    module, read it, change it with the ETag the answer gave, publish, add a run and change it;
    draft an agreement and propose it), every answer checked like the single operations above.

    It runs through schemathesis' own runner (its command line), which keeps sequences going
    when an answer depends on what earlier sequences stored; run from Hypothesis directly, such
    a sequence would be reported as flaky data generation instead."""
    report = tmp_path / "stateful.json"
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {editor_token}",
        "--phases",
        "stateful",
        "--max-examples",
        STATEFUL_EXAMPLES,
        "--generation-deterministic",
        "--checks",
        STATEFUL_CHECKS,
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    result = json.loads(report.read_text())
    assert result["exit_code"] == 0, finished.stdout[-4000:]
    assert result["phases"]["stateful"]["status"] == "success", result["phases"]
    assert result["test_cases"]["generated"] >= 50, result["test_cases"]
    # The links reach beyond the operations a sequence starts from.
    assert result["operations"]["tested"] >= 10, result["operations"]


# -- the successful answers, which random requests rarely reach -------------------------------


@pytest.fixture
def documented_schema(live_server):
    """The live document, loaded by schemathesis to validate answers against."""
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")


class DocumentedSession:
    """A client that sends real requests to the live server and validates every answer against
    the operation the document describes for it."""

    def __init__(self, base_url: str, schema, token: str):
        self.base_url = base_url
        self.schema = schema
        self.http = requests.Session()
        self.http.headers.update(bearer(token))
        self.validated: set[str] = set()

    def call(self, method: str, template: str, expected: int, *, path=None, **kwargs):
        """Send one request, check its status and validate the answer; return it."""
        url = self.base_url + template.format(**(path or {}))
        response = self.http.request(method, url, timeout=30, **kwargs)
        assert response.status_code == expected, (method, url, response.text[:500])
        self.schema[template][method].validate_response(response)
        self.validated.add(f"{method} {template}")
        return response


@pytest.mark.slow
def test_a_whole_editing_session_answers_as_documented(
    live_server, documented_schema, editor_token, fuzz_institution, documented_operations
):
    """Create, change, publish, add a run, archive: every successful answer matches the
    document, so the 2xx paths that random data seldom reaches are covered too."""
    api = DocumentedSession(live_server.url, documented_schema, editor_token)
    v1 = "/api/v1"
    body = module_payload("FUZZ-OK-1", institution=fuzz_institution)

    api.call("GET", f"{v1}/me", 200)
    api.call("GET", f"{v1}/regions", 200)
    api.call("GET", f"{v1}/regions/{{code}}", 200, path={"code": "twente"})
    api.call("GET", f"{v1}/institutions", 200, params={"region": "twente"})
    api.call("GET", f"{v1}/institutions/{{code}}", 200, path={"code": fuzz_institution})
    api.call("GET", f"{v1}/modules", 200, params={"status": "draft", "page_size": 5})
    created = api.call("POST", f"{v1}/modules", 201, json=body)
    module = {"module_id": created.json()["id"]}
    api.call("GET", f"{v1}/modules/{{module_id}}", 200, path=module)
    draft = api.call("GET", f"{v1}/modules/{{module_id}}/draft", 200, path=module)
    first = api.call(
        "POST",
        f"{v1}/modules/{{module_id}}/publish",
        200,
        path=module,
        headers={"If-Match": draft.headers["ETag"]},
    )
    changed = api.call(
        "PUT",
        f"{v1}/modules/{{module_id}}",
        200,
        path=module,
        json={**draft.json(), "title": "Vacuümtechniek, herzien"},
        headers={"If-Match": first.headers["ETag"]},
    )
    api.call(
        "POST",
        f"{v1}/modules/{{module_id}}/publish",
        200,
        path=module,
        headers={"If-Match": changed.headers["ETag"]},
    )
    api.call("GET", f"{v1}/modules/{{module_id}}/versions", 200, path=module)
    api.call(
        "GET", f"{v1}/modules/{{module_id}}/versions/{{number}}", 200, path={**module, "number": 2}
    )
    api.call(
        "GET", f"{v1}/modules/{{module_id}}/compare", 200, path=module, params={"from": 1, "to": 2}
    )
    run = api.call(
        "POST", f"{v1}/modules/{{module_id}}/offerings", 201, path=module, json=offering_payload()
    )
    offering = {"offering_id": run.json()["id"]}
    api.call("GET", f"{v1}/offerings/{{offering_id}}", 200, path=offering)
    run = api.call(
        "PUT",
        f"{v1}/offerings/{{offering_id}}",
        200,
        path=offering,
        json=offering_payload(seats=8),
        headers={"If-Match": run.headers["ETag"]},
    )
    api.call(
        "DELETE",
        f"{v1}/offerings/{{offering_id}}",
        204,
        path=offering,
        headers={"If-Match": run.headers["ETag"]},
    )
    api.call("GET", f"{v1}/modules/{{module_id}}/audit", 200, path=module)
    current = api.call("GET", f"{v1}/modules/{{module_id}}", 200, path=module)
    api.call(
        "POST",
        f"{v1}/modules/{{module_id}}/archive",
        200,
        path=module,
        headers={"If-Match": current.headers["ETag"]},
    )
    # Every operation of accounts, institutions, modules and runs answered successfully once.
    assert len(api.validated) == 20
    assert api.validated <= documented_operations
