"""Schemas of search: the query arguments (page and API alike) and the API's result shape."""

from __future__ import annotations

import re

from flask import url_for
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, ValidationError, fields, post_dump, pre_dump, pre_load, validate

from catalogue.places import find_place
from catalogue.search.facets import FACETS, SORTS, VIEWS
from schemas.common import SINGLE_LINE_PATTERN, BaseSchema, Pattern
from schemas.messages import Count, Length, Range

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def facet_list(description: str, max_length: int = 60):
    """A facet's values in the query: repeated parameters, each a short code."""
    # A code never holds control characters; PostgreSQL cannot even compare text holding NUL.
    no_control = Pattern(
        SINGLE_LINE_PATTERN, error=_l("Contains control characters that cannot be stored.")
    )
    return fields.List(
        fields.String(validate=[Length(max=max_length), no_control]),
        load_default=list,
        validate=Count(max=50),
        metadata={"description": description},
    )


# What each facet of a search takes, for the API's document: the module search's facets
# (catalogue.search.facets) and the material finder's (catalogue.search.materials). Material is
# found by its own facets and by those of the module it belongs to.
FACET_HINTS = {
    "sector": "mbo, hbo, wo (of the module)",
    "level": "e.g. mbo-4, bachelor (of the module)",
    "region": "Region code(s) of the module's institution",
    "institution": "Code(s) of the module's institution",
    "competency": "technology, digitalisation, collaboration",
    "delivery_mode": "on-campus, online, hybrid, distance-learning, situated",
    "language": "nld, eng, deu",
    "target_group": "retraining, upskilling",
    "audience": "e.g. employees, job-seekers",
    "recognised_in": "Region code(s) where the module is recognised",
    "flags": "open-material, micro-credential",
    "licence": "NL-LOM licence value(s), e.g. cc-by-40, yes",
    "open_licence": "yes: only openly licensed material",
    "material_type": "e.g. text, video, simulation",
    "format": "MIME type(s), e.g. application/pdf",
    "reused": "yes: reused by another institution; no: not (yet)",
}


def _optional_float(maximum: int, description: str):
    return fields.Float(
        load_default=None,
        allow_none=True,
        validate=Range(min=0, max=maximum),
        metadata={"description": description},
    )


def _optional_date(description: str):
    return fields.Date(load_default=None, allow_none=True, metadata={"description": description})


def _flag(description: str):
    return fields.Boolean(load_default=False, metadata={"description": description})


def _known_place(value: str) -> None:
    if value and find_place(value) is None:
        raise ValidationError(str(_l("Unknown place: give a town or city in the Netherlands.")))


def _required(kind=fields.String, **options):
    """An output field that every response has."""
    return kind(required=True, **options)


class QueryArgsSchema(BaseSchema):
    """What every search's query string shares: the text, the page, and the tidying of what
    arrived. The text is never an error: it is cut to 500 characters and control characters are
    dropped. The list fields are the parameters that may be repeated."""

    q = fields.String(load_default="", metadata={"description": "Words to search for"})
    page = fields.Integer(load_default=1, validate=Range(min=1, max=1000))
    page_size = fields.Integer(load_default=20, validate=Range(min=1, max=100))

    # A search form sends empty fields for boxes left blank; the API takes values as given.
    blank_means_absent = False

    @pre_load
    def _tidy(self, data, **_kwargs):
        # Query strings arrive as MultiDicts.
        if hasattr(data, "to_dict"):
            lists = {f.data_key or n for n, f in self.fields.items() if isinstance(f, fields.List)}
            data = {k: (data.getlist(k) if k in lists else data.get(k)) for k in data}
        if self.blank_means_absent:
            data = {k: v for k, v in data.items() if v not in ("", None, [""])}
        if isinstance(data.get("q"), str):
            data["q"] = _CONTROL.sub(" ", data["q"])[:500]
        return data


def with_facets(facets: tuple[str, ...], **options) -> type[QueryArgsSchema]:
    """The query arguments of a search with these facets: the text and page, and a list of
    values per facet, in the order the search lists its facets."""
    return QueryArgsSchema.from_dict(
        {name: facet_list(FACET_HINTS[name], **options) for name in facets}
    )


class SearchArgsSchema(with_facets(FACETS)):
    """What a module search asks for."""

    hours_min = _optional_float(100_000, "Study load from (hours; 1 EC = 28 hours)")
    hours_max = _optional_float(100_000, "Study load up to (hours)")
    price_min = _optional_float(10_000_000, "Lowest price of an upcoming run from (euros)")
    price_max = _optional_float(10_000_000, "Lowest price of an upcoming run up to (euros)")
    start_from = _optional_date("Has an upcoming run starting on or after")
    start_until = _optional_date("Has an upcoming run starting on or before")
    seats_min = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=Range(min=1, max=1000),
        metadata={"description": "A run with at least this many free places"},
    )
    available = _flag("Only runs open to enrol: not full, enrolment deadline not passed")
    guaranteed = _flag("Only runs that are certain to run")
    near = fields.String(
        load_default=None,
        allow_none=True,
        validate=[Length(max=100), _known_place],
        metadata={"description": "Runs in or near this place (a Dutch place name)"},
    )
    km = _optional_float(1000, "Distance from `near` in km (default 30)")
    online = _flag("With `near`: also runs online")
    view = fields.String(
        load_default="modules",
        validate=validate.OneOf(VIEWS, error=_l("Must be one of: {choices}.")),
        metadata={"description": "modules, or runs: the matching runs, by start date"},
    )
    sort = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(SORTS, error=_l("Must be one of: {choices}.")),
        metadata={"description": "Default: relevance, or distance when `near` is given"},
    )


class SearchFormSchema(SearchArgsSchema):
    """The search page's form: a box left blank is not given, and query parameters that are not
    the search's (?lang=, tracking tags of a shared link) are left out."""

    class Meta:
        unknown = EXCLUDE

    blank_means_absent = True


class FacetValueSchema(BaseSchema):
    value = _required()
    label = _required()
    count = _required(fields.Integer)
    selected = _required(fields.Boolean)


class RunSchema(BaseSchema):
    id = fields.Integer()
    code = fields.String()
    start = _required(metadata={"description": "ISO date"})
    end = fields.String(metadata={"description": "ISO date"})
    enrol_until = fields.String(allow_none=True, metadata={"description": "Enrolment deadline"})
    city = _required()
    price = _required(fields.Float)
    status = _required()
    availability = fields.String(
        metadata={"description": "full, closed (deadline passed), few (places left), open, planned"}
    )
    language = fields.String()
    delivery_mode = fields.String()
    seats = fields.Integer()
    seats_left = fields.Integer(allow_none=True)
    guaranteed = fields.Boolean(metadata={"description": "Certain to run"})


class SearchHitSchema(BaseSchema):
    id = _required(fields.Integer)
    code = _required()
    title = _required()
    summary = _required()
    translations = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.String()),
        metadata={
            "description": "Title and summary in other languages, e.g. "
            '{"en": {"title": "..."}}; left out when there are none'
        },
    )
    institution = _required()
    institution_code = _required()
    region = _required()
    sector = _required()
    level = _required()
    study_load = _required(fields.Dict)
    languages = fields.List(fields.String(), required=True)
    delivery_modes = fields.List(fields.String(), required=True)
    competencies = fields.List(fields.String(), required=True)
    snippet = _required(metadata={"description": "HTML, escaped, with <mark>"})
    next_run = fields.Nested(
        RunSchema,
        allow_none=True,
        required=True,
        metadata={"description": "With run filters: the first matching run; runs view: the run"},
    )
    more_runs = fields.Integer(metadata={"description": "How many more runs match"})
    distance_km = fields.Float(allow_none=True)
    url = _required()

    @pre_dump
    def _from_hit(self, hit, **kwargs):
        """A search Hit: the display values stored in the index, with its snippet, run and link."""
        return {
            **hit.display,
            "id": hit.module_id,
            "snippet": hit.snippet,
            "next_run": hit.next_run,
            "more_runs": hit.more_runs,
            "distance_km": hit.distance_km,
            "url": url_for("pages.module_detail", module_id=hit.module_id, _external=True),
        }

    @post_dump
    def _without_empty_translations(self, data, **kwargs):
        if not data.get("translations"):
            data.pop("translations", None)
        return data


class SearchResultSchema(BaseSchema):
    total = _required(fields.Integer, metadata={"description": "Modules, or runs in the runs view"})
    view = fields.String(attribute="request.view")
    page = _required(fields.Integer, attribute="request.page")
    page_size = _required(fields.Integer, attribute="request.page_size")
    pages = _required(fields.Integer)
    items = fields.List(fields.Nested(SearchHitSchema), required=True, attribute="hits")
    facets = fields.Dict(
        keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)), required=True
    )
    searched_for = _required()
    corrected_from = fields.String(allow_none=True, required=True)
    did_you_mean = fields.String(allow_none=True, required=True)
    relaxed = fields.Boolean(
        required=True,
        metadata={"description": "True when no module matched every word and results match some"},
    )
