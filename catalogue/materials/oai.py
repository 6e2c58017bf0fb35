"""The OAI-PMH 2.0 protocol over the material records: verbs, arguments, errors, resumption.

`respond(session, arguments, base_url, ...)` returns the response document (lxml) for one
request's arguments; the view only sends it. Every reply is built with lxml elements, never by
joining strings.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lxml import etree
from sqlmodel import Session

from catalogue.materials import oai_metadata, oai_records
from catalogue.materials.oai_records import OaiItem

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = oai_metadata.XSI_NS
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
FORMATS = {
    "oai_dc": (oai_metadata.OAI_DC_SCHEMA, oai_metadata.OAI_DC_NS),
    "lom": (oai_metadata.LOM_SCHEMA, oai_metadata.LOM_NS),
}
ARGUMENTS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}


class OaiError(Exception):
    """A protocol error: its OAI-PMH code and a message for the harvester."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Repository:
    """What the feed says about itself."""

    base_url: str
    name: str
    admin_email: str
    identifier_prefix: str
    page_size: int = 100

    def identifier(self, material_id: int) -> str:
        return f"oai:{self.identifier_prefix}:material:{material_id}"

    def material_id(self, identifier: str) -> int | None:
        prefix = f"oai:{self.identifier_prefix}:material:"
        tail = identifier[len(prefix) :] if identifier.startswith(prefix) else ""
        return int(tail) if tail.isdigit() and len(tail) < 12 else None


def _element(parent, name: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, f"{{{OAI_NS}}}{name}", **attributes)
    if text is not None:
        element.text = text
    return element


def stamp(moment: datetime) -> str:
    """A UTC datestamp at the repository's granularity (seconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def respond(session: Session, arguments: dict[str, list[str]], repository: Repository):
    """The OAI-PMH response document for one request's arguments."""
    root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
    _element(root, "responseDate", stamp(datetime.now(UTC)))
    request = _element(root, "request", repository.base_url)
    try:
        verb, args = _checked_arguments(arguments)
        for name, value in args.items():
            request.set(name, value)
        request.set("verb", verb)
        VERBS[verb](session, root, args, repository)
    except OaiError as error:
        if error.code in ("badVerb", "badArgument"):
            # The request element echoes the arguments only when they were valid.
            for name in list(request.attrib):
                del request.attrib[name]
        _element(root, "error", error.message, code=error.code)
    return root


def _checked_arguments(arguments: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    verbs = arguments.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in ARGUMENTS:
        raise OaiError("badVerb", "The verb is missing, repeated or not an OAI-PMH verb.")
    verb = verbs[0]
    required, optional = ARGUMENTS[verb]
    args = {}
    for name, values in arguments.items():
        if name == "verb":
            continue
        if name not in required | optional:
            raise OaiError("badArgument", f"{verb} does not take the argument {name}.")
        if len(values) != 1:
            raise OaiError("badArgument", f"The argument {name} is repeated.")
        args[name] = values[0]
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument.")
        return verb, args
    missing = sorted(required - args.keys())
    if missing:
        raise OaiError("badArgument", f"{verb} needs the argument(s) {', '.join(missing)}.")
    return verb, args


def _identify(session, root, _args, repository: Repository) -> None:
    identify = _element(root, "Identify")
    _element(identify, "repositoryName", repository.name)
    _element(identify, "baseURL", repository.base_url)
    _element(identify, "protocolVersion", "2.0")
    _element(identify, "adminEmail", repository.admin_email)
    _element(identify, "earliestDatestamp", stamp(oai_records.earliest_datestamp(session)))
    _element(identify, "deletedRecord", "persistent")
    _element(identify, "granularity", "YYYY-MM-DDThh:mm:ssZ")


def _list_metadata_formats(session, root, args, repository: Repository) -> None:
    if "identifier" in args:
        _item(session, args["identifier"], repository)
    formats = _element(root, "ListMetadataFormats")
    for prefix, (schema, namespace) in FORMATS.items():
        element = _element(formats, "metadataFormat")
        _element(element, "metadataPrefix", prefix)
        _element(element, "schema", schema)
        _element(element, "metadataNamespace", namespace)


def _list_sets(session, root, args, _repository) -> None:
    if "resumptionToken" in args:
        raise OaiError("badResumptionToken", "The list of sets comes in one response.")
    sets = _element(root, "ListSets")
    for spec, name in oai_records.known_sets(session):
        element = _element(sets, "set")
        _element(element, "setSpec", spec)
        _element(element, "setName", name)


def _item(session, identifier: str, repository: Repository) -> OaiItem:
    material_id = repository.material_id(identifier)
    found = [i for i in oai_records.all_items(session) if i.material_id == material_id]
    if not found:
        raise OaiError("idDoesNotExist", f"No record has the identifier {identifier}.")
    return found[0]


def _prefix(args) -> str:
    prefix = args["metadataPrefix"]
    if prefix not in FORMATS:
        raise OaiError("cannotDisseminateFormat", f"No records in the format {prefix}.")
    return prefix


def _get_record(session, root, args, repository: Repository) -> None:
    prefix = _prefix(args)
    item = _item(session, args["identifier"], repository)
    record = _element(_element(root, "GetRecord"), "record")
    _record(record, item, prefix, repository)


def _header(parent, item: OaiItem, repository: Repository) -> None:
    header = _element(parent, "header", **({"status": "deleted"} if item.deleted else {}))
    _element(header, "identifier", repository.identifier(item.material_id))
    _element(header, "datestamp", stamp(item.datestamp))
    for spec in item.sets:
        _element(header, "setSpec", spec)


def _record(parent, item: OaiItem, prefix: str, repository: Repository) -> None:
    _header(parent, item, repository)
    if item.deleted:
        return
    metadata = _element(parent, "metadata")
    datestamp = stamp(item.datestamp)
    if prefix == "oai_dc":
        metadata.append(oai_metadata.oai_dc(item.material, datestamp=datestamp))
    else:
        identifier = repository.identifier(item.material_id)
        metadata.append(oai_metadata.lom(item.material, identifier=identifier, datestamp=datestamp))


def _list(session, root, args, repository: Repository, *, verb: str) -> None:
    query = _decode_token(args["resumptionToken"]) if "resumptionToken" in args else args
    prefix = _prefix(query)
    start, until = _date_range(query)
    items = oai_records.select_items(
        oai_records.all_items(session),
        start=start,
        until=until,
        set_spec=query.get("set"),
        after_id=int(query.get("after", 0)),
    )
    if not items:
        raise OaiError("noRecordsMatch", "No records match these arguments.")
    listing = _element(root, verb)
    page = items[: repository.page_size]
    for item in page:
        if verb == "ListRecords":
            _record(_element(listing, "record"), item, prefix, repository)
        else:
            _header(listing, item, repository)
    _resumption(listing, query, items, page, prefix)


def _resumption(listing, query, items, page, prefix: str) -> None:
    """A resumption token when more records follow; an empty one on the last page of a
    resumed list, as the protocol asks."""
    done = int(query.get("cursor", 0))
    sizes = {"completeListSize": str(done + len(items)), "cursor": str(done)}
    if len(page) < len(items):
        state = {k: query[k] for k in ("from", "until", "set") if query.get(k)}
        state.update(metadataPrefix=prefix, after=page[-1].material_id, cursor=done + len(page))
        token = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
        _element(listing, "resumptionToken", token, **sizes)
    elif "cursor" in query:
        _element(listing, "resumptionToken", **sizes)


def _decode_token(token: str) -> dict:
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        if not isinstance(state, dict) or not isinstance(state.get("after"), int):
            raise ValueError(token)
        if not isinstance(state.get("cursor"), int) or "metadataPrefix" not in state:
            raise ValueError(token)
        _date_range(state)
    except (ValueError, UnicodeError, binascii.Error, TypeError, OaiError) as exc:
        raise OaiError("badResumptionToken", "The resumption token is invalid or expired.") from exc
    return state


def _parse_date(value: str, *, end: bool) -> tuple[datetime, int]:
    for pattern, length in (("%Y-%m-%dT%H:%M:%SZ", 20), ("%Y-%m-%d", 10)):
        if len(value) == length:
            try:
                moment = datetime.strptime(value, pattern).replace(tzinfo=UTC)
            except ValueError:
                break
            if length == 10 and end:
                moment += timedelta(days=1, seconds=-1)
            return moment, length
    raise OaiError("badArgument", f"{value} is not a date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ).")


def _date_range(args) -> tuple[datetime | None, datetime | None]:
    start = _parse_date(args["from"], end=False) if args.get("from") else None
    until = _parse_date(args["until"], end=True) if args.get("until") else None
    if start and until and start[1] != until[1]:
        raise OaiError("badArgument", "from and until must have the same granularity.")
    if start and until and start[0] > until[0]:
        raise OaiError("badArgument", "from is later than until.")
    return (start and start[0]), (until and until[0])


VERBS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": lambda s, r, a, rep: _list(s, r, a, rep, verb="ListIdentifiers"),
    "ListRecords": lambda s, r, a, rep: _list(s, r, a, rep, verb="ListRecords"),
}
