"""A material as metadata: Dublin Core (`oai_dc`) and NL-LOM (`lom`), built with lxml.

The NL-LOM record follows the IEEE LOM XML binding (namespace http://ltsc.ieee.org/xsd/LOM) with
the NL-LOM vocabularies; docs/materials.md lists the elements and the vocabulary sources used.
"""

from __future__ import annotations

from lxml import etree

from catalogue.materials.licences import terms_of
from catalogue.modules.models import Material
from catalogue.vocabularies import NLQF_LEVEL, Competency, MaterialType

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
LOM_SCHEMA = "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd"

LOM_SOURCE = "LOMv1.0"
# NL-LOM vocabularies (edustandaard.nl): licence values, educational context.
COPYRIGHT_SOURCE = "http://purl.edustandaard.nl/copyrightsandotherrestrictions_nllom_20131202"
CONTEXT_SOURCE = "http://purl.edustandaard.nl/vdex_context_czp_20060628"
LEARNING_RESOURCE_TYPE_SOURCE = "http://purl.edustandaard.nl/vdex_learningresourcetype_czp_20060628"
CONTEXT = {"mbo": "BVE", "hbo": "HBO", "wo": "WO"}
# Our material types as NL-LOM learning resource types.
RESOURCE_TYPE = {
    MaterialType.TEXT: "informatiebron",
    MaterialType.VIDEO: "informatiebron",
    MaterialType.SLIDES: "informatiebron",
    MaterialType.SIMULATION: "simulatie",
    MaterialType.EXERCISE: "oefening",
    MaterialType.ASSESSMENT: "toets",
    MaterialType.LAB_MANUAL: "handleiding",
    MaterialType.E_LEARNING: "open opdracht",
    MaterialType.DATASET: "informatiebron",
    MaterialType.SOFTWARE: "gereedschap",
}
ISO_639_1 = {"nld": "nl", "eng": "en", "deu": "de"}
NSMAP_DC = {"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}


def _sub(parent, namespace: str, name: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, f"{{{namespace}}}{name}", **attributes)
    if text is not None:
        element.text = text
    return element


def oai_dc(material: Material, *, datestamp: str) -> etree._Element:
    """The material as unqualified Dublin Core."""
    module = material.module
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap=NSMAP_DC)
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
    _sub(root, DC_NS, "title", material.title)
    for author in filter(None, (a.strip() for a in material.authors.split(";"))):
        _sub(root, DC_NS, "creator", author)
    for code in module.codes("competencies"):
        _sub(root, DC_NS, "subject", str(Competency.label(code)))
    if material.description:
        _sub(root, DC_NS, "description", material.description)
    _sub(root, DC_NS, "publisher", module.institution.name)
    _sub(root, DC_NS, "date", datestamp[:10])
    _sub(root, DC_NS, "type", material.material_type)
    if material.format:
        _sub(root, DC_NS, "format", material.format)
    _sub(root, DC_NS, "identifier", material.url)
    _sub(root, DC_NS, "language", ISO_639_1.get(material.language, material.language))
    _sub(root, DC_NS, "relation", f"{module.code}: {module.title}")
    terms = terms_of(material.licence)
    _sub(root, DC_NS, "rights", terms.url or str(terms.label))
    return root


def _langstring(parent, name: str, text: str, language: str):
    element = _sub(parent, LOM_NS, name)
    _sub(element, LOM_NS, "string", text, language=language)
    return element


def _vocabulary(parent, name: str, source: str, value: str):
    element = _sub(parent, LOM_NS, name)
    _sub(element, LOM_NS, "source", source)
    _sub(element, LOM_NS, "value", value)
    return element


def _vcard(*, name: str = "", organisation: str = "") -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{name or organisation}"]
    if organisation:
        lines.append(f"ORG:{organisation}")
    return "\n".join([*lines, "END:VCARD"])


def lom(material: Material, *, identifier: str, datestamp: str) -> etree._Element:
    """The material as an NL-LOM record."""
    module = material.module
    language = ISO_639_1.get(material.language, "x-none")
    root = etree.Element(f"{{{LOM_NS}}}lom", nsmap={None: LOM_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{LOM_NS} {LOM_SCHEMA}")
    general = _sub(root, LOM_NS, "general")
    for catalog, entry in (("URI", material.url), ("oai", identifier)):
        element = _sub(general, LOM_NS, "identifier")
        _sub(element, LOM_NS, "catalog", catalog)
        _sub(element, LOM_NS, "entry", entry)
    _langstring(general, "title", material.title, language)
    _sub(general, LOM_NS, "language", language)
    _langstring(general, "description", material.description or material.title, language)
    _vocabulary(general, "aggregationLevel", LOM_SOURCE, "2")
    _lifecycle(root, material, datestamp)
    meta = _sub(root, LOM_NS, "metaMetadata")
    for schema in ("LOMv1.0", "nl_lom_v1p0"):
        _sub(meta, LOM_NS, "metadataSchema", schema)
    _sub(meta, LOM_NS, "language", "nl")
    technical = _sub(root, LOM_NS, "technical")
    if material.format:
        _sub(technical, LOM_NS, "format", material.format)
    _sub(technical, LOM_NS, "location", material.url)
    educational = _sub(root, LOM_NS, "educational")
    _vocabulary(
        educational,
        "learningResourceType",
        LEARNING_RESOURCE_TYPE_SOURCE,
        RESOURCE_TYPE[material.material_type],
    )
    _vocabulary(educational, "context", CONTEXT_SOURCE, CONTEXT[module.sector])
    _sub(educational, LOM_NS, "language", language)
    _rights(root, material.licence)
    _classification(root, "educational level", "NLQF", [str(NLQF_LEVEL[module.level] or "")])
    _classification(root, "competency", "semicon-competencies", module.codes("competencies"))
    return root


def _lifecycle(root, material: Material, datestamp: str) -> None:
    lifecycle = _sub(root, LOM_NS, "lifeCycle")
    institution = material.module.institution.name
    contributors = [("author", _vcard(name=material.authors or institution))]
    contributors.append(("publisher", _vcard(organisation=institution)))
    for role, entity in contributors:
        contribute = _sub(lifecycle, LOM_NS, "contribute")
        _vocabulary(contribute, "role", LOM_SOURCE, role)
        _sub(contribute, LOM_NS, "entity", entity)
        date = _sub(contribute, LOM_NS, "date")
        _sub(date, LOM_NS, "dateTime", datestamp)


def _rights(root, licence: str) -> None:
    terms = terms_of(licence)
    rights = _sub(root, LOM_NS, "rights")
    _vocabulary(rights, "cost", LOM_SOURCE, "no")
    _vocabulary(rights, "copyrightAndOtherRestrictions", COPYRIGHT_SOURCE, licence)
    _langstring(rights, "description", terms.url or str(terms.label), "x-none")


def _classification(root, purpose: str, source: str, ids: list[str]) -> None:
    ids = [i for i in ids if i]
    if not ids:
        return
    classification = _sub(root, LOM_NS, "classification")
    _vocabulary(classification, "purpose", LOM_SOURCE, purpose)
    path = _sub(classification, LOM_NS, "taxonPath")
    _langstring(path, "source", source, "x-none")
    for taxon_id in ids:
        taxon = _sub(path, LOM_NS, "taxon")
        _sub(taxon, LOM_NS, "id", taxon_id)
        _langstring(taxon, "entry", taxon_id, "en")
