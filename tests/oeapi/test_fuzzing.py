"""Schemathesis against /oeapi/: every operation of its OpenAPI 3.1 document (whose schemas are
the OEAPI v6 standard's own) answers without a server error, and as the document says.

The app runs on a fresh copy of the seeded database behind a real HTTP server; the document is
loaded from that server's /oeapi/openapi.json, the URL the Service object names. Generation is
deterministic (fixed seed, no example database).
"""

from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from schemathesis.checks import load_all_checks
from schemathesis.pytest.lazy import get_all_tests
from sqlalchemy import select

from catalogue.institutions.models import Institution
from catalogue.modules.models import LearningUnit, Module, Offering
from tests.api.conftest import serve
from tests.api.test_fuzzing import CHECKS
from tests.factories import app_session

SEED = int(os.environ.get("CATALOGUE_FUZZ_SEED", "20261201"))
MAX_EXAMPLES = int(os.environ.get("CATALOGUE_FUZZ_EXAMPLES", "15"))


@pytest.fixture
def live_oeapi(seeded_app):
    """The seeded app served over real HTTP."""
    yield from serve(seeded_app)


def _known_ids(app) -> dict[str, list[str]]:
    """Real UUIDs, so that many generated requests reach existing objects."""
    with app_session(app) as session:
        published = select(Module.id).where(Module.status == "published")
        return {
            "courses": list(
                session.scalars(select(Module.uuid).where(Module.id.in_(published)).limit(5))
            ),
            "offerings": list(
                session.scalars(
                    select(Offering.uuid).where(Offering.module_id.in_(published)).limit(5)
                )
            ),
            "components": list(
                session.scalars(
                    select(LearningUnit.uuid).where(LearningUnit.module_id.in_(published)).limit(5)
                )
            ),
            "organisations": list(session.scalars(select(Institution.uuid).limit(5))),
        }


# Path parameters and the dictionary of real ids each draws from half of the time.
PATH_IDS = {
    "courseId": "courses",
    "courseOfferingId": "offerings",
    "learningComponentId": "components",
    "organisationId": "organisations",
}


def _config(known: dict[str, list[str]]) -> schemathesis.Config:
    """Deterministic generation; about half of the ids are real ones."""
    generation = {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"}
    parameters = {
        f"path.{name}": {"dictionary": dictionary, "probability": 0.5}
        for name, dictionary in PATH_IDS.items()
    }
    dictionaries = {name: {"values": values} for name, values in known.items()}
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": generation,
            "dictionaries": dictionaries,
            "parameters": parameters,
        }
    )


@pytest.mark.slow
def test_oeapi_answers_as_its_openapi_document_says(live_oeapi, subtests):
    """No 5xx, and status, content type, headers and body as documented, for every operation."""
    service = requests.get(f"{live_oeapi.url}/oeapi/", timeout=30).json()
    document_url = service["specification"]
    assert document_url == f"{live_oeapi.url}/oeapi/openapi.json"
    document = requests.get(document_url, timeout=30).json()
    operations = {f"GET {path}" for path in document["paths"]}
    schema = schemathesis.openapi.from_url(document_url, config=_config(_known_ids(live_oeapi.app)))
    tested: set[str] = set()

    def call_operation(case):
        tested.add(case.operation.label)
        case.call_and_validate(checks=CHECKS)

    # The same per-operation tests schemathesis' pytest wrapper builds, run as subtests (see
    # tests/api/test_fuzzing.py for why the wrapper itself cannot be used here).
    load_all_checks()
    for result in get_all_tests(
        schema=schema, test_func=call_operation, settings=None, given_kwargs=None
    ):
        operation, run_operation_test = result.ok()
        with subtests.test(msg=operation.label):
            run_operation_test()
    assert len(operations) == 10
    assert tested == operations, f"not exercised: {operations - tested}"
