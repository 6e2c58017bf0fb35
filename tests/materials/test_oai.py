"""The OAI-PMH feed: harvested by a real client (sickle) over HTTP through resumption tokens,
validated against the official OAI-PMH 2.0 and oai_dc schemas, every protocol error, and deleted
records."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from lxml import etree
from sickle import Sickle
from sqlalchemy import delete, select
from werkzeug.serving import make_server

from catalogue.accounts.permissions import SYSTEM
from catalogue.materials.oai_metadata import COPYRIGHT_SOURCE, LOM_NS
from catalogue.modules import editing
from catalogue.modules.content import working_content
from catalogue.modules.models import Material, Module
from catalogue.vocabularies import Licence
from tests.factories import app_session, material_content

SCHEMAS = Path(__file__).parent / "oai_schemas"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
PREFIX = "oai:semicon-catalogus.nl:material:"
PAGE_SIZE = 9


OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"


def _schemas(**by_namespace: str) -> etree.XMLSchema:
    """One schema set of the shipped schema files, each imported for its namespace."""
    imports = "".join(
        f'<xs:import namespace="{namespace}" schemaLocation="{(SCHEMAS / name).as_uri()}"/>'
        for namespace, name in by_namespace.items()
    )
    driver = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(driver))


# The official schemas, strict: an oai_dc record inside the envelope is validated as well.
STRICT = _schemas(**{OAI_NS: "OAI-PMH.xsd", OAI_DC_NS: "oai_dc.xsd"})


def _lax_envelope() -> etree.XMLSchema:
    """The official OAI-PMH schema with its metadata wildcard made lax: NL-LOM has no schema
    file here, so `lom` records are checked against the structure of docs/materials.md instead
    (`_assert_nl_lom`), and only their envelope against the schema."""
    document = etree.parse(str(SCHEMAS / "OAI-PMH.xsd"))
    xs = "{http://www.w3.org/2001/XMLSchema}"
    metadata = document.find(f"{xs}complexType[@name='metadataType']")
    metadata.find(f"{xs}sequence/{xs}any").set("processContents", "lax")
    return etree.XMLSchema(document)


LAX = _lax_envelope()


@pytest.fixture
def served(world_app):
    """The world's app served over HTTP on a free local port, with a small OAI page size."""
    world_app.config["OAI_PAGE_SIZE"] = PAGE_SIZE
    server = make_server("127.0.0.1", 0, world_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/oai"
    server.shutdown()
    thread.join()


def _published_ids(app) -> set[int]:
    with app_session(app) as session:
        return set(
            session.scalars(
                select(Material.id)
                .join(Module, Module.id == Material.module_id)
                .where(Module.status == "published")
            )
        )


def _harvest(url: str, prefix: str) -> dict[int, object]:
    records = Sickle(url, max_retries=0).ListRecords(metadataPrefix=prefix, ignore_deleted=True)
    return {int(r.header.identifier.removeprefix(PREFIX)): r for r in records}


def test_a_harvester_gets_exactly_the_published_material_in_both_formats(world_app, served):
    expected = _published_ids(world_app)
    assert len(expected) > 3 * PAGE_SIZE, "the harvest must page through resumption tokens"
    dc = _harvest(served, "oai_dc")
    assert set(dc) == expected
    for record in dc.values():
        STRICT.assertValid(record.xml.find(f"{OAI}metadata")[0])

    lom = _harvest(served, "lom")
    assert set(lom) == expected
    for record in lom.values():
        _assert_nl_lom(record.xml.find(f"{OAI}metadata")[0])


REQUIRED_LOM = (
    "general/identifier/entry",
    "general/title/string",
    "general/language",
    "general/description/string",
    "lifeCycle/contribute/role/value",
    "lifeCycle/contribute/entity",
    "metaMetadata/metadataSchema",
    "technical/location",
    "educational/learningResourceType/value",
    "educational/context/value",
    "rights/copyrightAndOtherRestrictions/value",
    "rights/cost/value",
)


def _assert_nl_lom(lom) -> None:
    """The NL-LOM structure of docs/materials.md: required elements and the licence value."""
    assert lom.tag == f"{{{LOM_NS}}}lom"
    ns = {"l": LOM_NS}
    for path in REQUIRED_LOM:
        xpath = "l:" + "/l:".join(path.split("/"))
        assert lom.xpath(xpath, namespaces=ns), f"missing {path}"
    licence = lom.xpath("l:rights/l:copyrightAndOtherRestrictions", namespaces=ns)[0]
    assert licence.findtext(f"{{{LOM_NS}}}source") == COPYRIGHT_SOURCE
    assert licence.findtext(f"{{{LOM_NS}}}value") in Licence.values()


def _get(client, **arguments):
    response = client.get("/oai", query_string=arguments)
    assert response.status_code == 200 and response.mimetype == "text/xml"
    document = etree.fromstring(response.data)
    (LAX if arguments.get("metadataPrefix") == "lom" else STRICT).assertValid(document)
    return document


def test_every_verb_answers_with_a_valid_envelope(world_app):
    client = world_app.test_client()
    world_app.config["OAI_PAGE_SIZE"] = PAGE_SIZE
    identify = _get(client, verb="Identify")
    assert identify.findtext(f"{OAI}Identify/{OAI}deletedRecord") == "persistent"
    formats = _get(client, verb="ListMetadataFormats")
    prefixes = {e.text for e in formats.iter(f"{OAI}metadataPrefix")}
    assert prefixes == {"oai_dc", "lom"}
    sets = {e.text for e in _get(client, verb="ListSets").iter(f"{OAI}setSpec")}
    assert {"open", "region:twente", "institution:test-instituut-a"} <= sets
    some_id = min(_published_ids(world_app))
    record = _get(client, verb="GetRecord", identifier=f"{PREFIX}{some_id}", metadataPrefix="lom")
    assert record.find(f"{OAI}GetRecord/{OAI}record/{OAI}metadata") is not None
    listing = _get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="open")
    token = listing.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    assert token is not None and token.get("completeListSize")
    resumed = _get(client, verb="ListIdentifiers", resumptionToken=token.text)
    assert resumed.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken").get("cursor") == str(
        PAGE_SIZE
    )
    _get(client, verb="ListRecords", metadataPrefix="oai_dc", set="region:twente")
    everything = _get(client, verb="ListIdentifiers", metadataPrefix="lom", until="2999-12-31")
    assert len(everything.findall(f"{OAI}ListIdentifiers/{OAI}header")) == PAGE_SIZE
    post = client.post("/oai", data={"verb": "Identify"})
    assert post.status_code == 200 and b"<Identify>" in post.data


ERRORS = [
    ({}, "badVerb"),
    ({"verb": "ListEverything"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "set": "open"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
    (
        {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "from": "2026-01-01",
            "until": "2026-01-01T00:00:00Z",
        },
        "badArgument",
    ),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    (
        {"verb": "GetRecord", "identifier": f"{PREFIX}999999", "metadataPrefix": "lom"},
        "idDoesNotExist",
    ),
    (
        {"verb": "GetRecord", "identifier": "oai:elsewhere:1", "metadataPrefix": "lom"},
        "idDoesNotExist",
    ),
    ({"verb": "ListMetadataFormats", "identifier": "oai:elsewhere:1"}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "lom", "until": "1990-01-01"}, "noRecordsMatch"),
    (
        {"verb": "ListIdentifiers", "metadataPrefix": "lom", "set": "region:nowhere"},
        "noRecordsMatch",
    ),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "resumptionToken": "eyJhZnRlciI6ICJ4In0="}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
]


def test_each_protocol_error_is_answered_with_its_code(world_app):
    client = world_app.test_client()
    for arguments, code in ERRORS:
        document = _get(client, **arguments)
        errors = document.findall(f"{OAI}error")
        assert [e.get("code") for e in errors] == [code], arguments
        request = document.find(f"{OAI}request")
        if code in ("badVerb", "badArgument"):
            assert not request.attrib, "a bad request is not echoed"


def test_archived_modules_and_removed_material_stay_as_deleted_records(world_app, world):
    client = world_app.test_client()
    with app_session(world_app) as session:
        archived = session.get(Module, world.modules["A-ARCH"]).materials[0].id
        module = session.get(Module, world.modules["B-PUB"])
        removed = module.materials[0].id
        content = working_content(module)
        content["materials"] = []
        editing.update_module(
            session=session, actor=SYSTEM, module_id=module.id, content=content, base_version=None
        )
        editing.publish_module(session=session, actor=SYSTEM, module_id=module.id)
    for material_id in (archived, removed):
        document = _get(
            client, verb="GetRecord", identifier=f"{PREFIX}{material_id}", metadataPrefix="oai_dc"
        )
        header = document.find(f"{OAI}GetRecord/{OAI}record/{OAI}header")
        assert header.get("status") == "deleted", material_id
        assert document.find(f"{OAI}GetRecord/{OAI}record/{OAI}metadata") is None
    assert removed not in _published_ids(world_app)

    # A new material never takes a removed one's id (SQLite AUTOINCREMENT): identifiers persist.
    with app_session(world_app) as session:
        highest = session.scalar(select(Material.id).order_by(Material.id.desc()).limit(1))
        module = session.get(Module, world.modules["B-PUB"])
        content = working_content(module)
        content["materials"] = [material_content(url="https://example.org/new-reader.pdf")]
        session.execute(delete(Material).where(Material.id == highest))
        session.commit()
        editing.update_module(
            session=session, actor=SYSTEM, module_id=module.id, content=content, base_version=None
        )
        editing.publish_module(session=session, actor=SYSTEM, module_id=module.id)
        newest = session.get(Module, module.id).materials[0].id
    assert newest > highest
