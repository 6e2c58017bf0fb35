"""The server-rendered pages: blueprints, template helpers and error pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from flask import Flask, g, request, url_for
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from catalogue import clock, vocabularies
from catalogue.http import csrf
from catalogue.i18n import LANGUAGE_COOKIE
from catalogue.modules import translations
from catalogue.modules.runs import offering_availability
from catalogue.web import labels, readable


def init_app(app: Flask) -> None:
    """Register the page blueprints and the template filters (error pages: catalogue.http)."""
    _register_blueprints(app)
    _register_template_helpers(app)


def _register_blueprints(app: Flask) -> None:
    from catalogue.web import (
        accounts,
        admin,
        api_docs,
        editor,
        enquiries,
        imports,
        materials,
        monitoring,
        oai,
        pages,
        passwords,
        recognition,
        search,
        shortlist,
    )

    blueprints = (
        pages,
        search,
        materials,
        shortlist,
        enquiries,
        recognition,
        accounts,
        editor,
        admin,
        api_docs,
        imports,
        monitoring,
        passwords,
    )
    for blueprint in (module.bp for module in blueprints):
        app.register_blueprint(blueprint)
    # Harvesters may POST their requests; there is no session or form to protect.
    app.register_blueprint(oai.bp)
    csrf.exempt(oai.bp)


def _register_template_helpers(app: Flask) -> None:
    filters = (paragraphs, money, day, moment, number, isodate, field_number)
    app.jinja_env.filters.update({f.__name__: f for f in filters})
    app.jinja_env.globals.update(
        field_label=labels.field_label,
        change_label=labels.change_label,
        audit_action=labels.audit_action,
        revision_reason=labels.revision_reason,
        show_change=readable.show_change,
        content_facts=readable.content_facts,
        unit_line=readable.unit_line,
        audit_subject=readable.audit_subject,
        audit_summary=readable.audit_summary,
    )
    app.jinja_env.globals.update(
        vocab=vocabularies, url_with=url_with, LANGUAGE_COOKIE=LANGUAGE_COOKIE, today=clock.today
    )
    app.jinja_env.globals.update(
        agreements_awaiting=agreements_awaiting, may_draft_agreements=may_draft_agreements
    )
    app.jinja_env.globals["availability_of"] = lambda offering: offering_availability(
        offering, clock.today()
    )
    app.context_processor(lambda: {"current_locale": str(get_locale())})
    app.jinja_env.globals.update(
        in_page_language=in_page_language, lang_attr=lang_attr, only_in=only_in
    )


def in_page_language(item, name: str, languages=None) -> translations.Shown:
    """A module's or unit's text in the page's language when translated, else the original."""
    return translations.shown(item, name, str(get_locale()), languages)


def lang_attr(text: translations.Shown) -> Markup:
    """` lang="nl"` for a text shown in another language than the page's, else nothing."""
    return Markup(' lang="%s"') % text.lang if text.lang else Markup("")


def only_in(module) -> str | None:
    """ "Only available in Dutch" when the page is in English and nothing is translated."""
    language = translations.untranslated_language(module, str(get_locale()))
    if language is None:
        return None
    return _("Only available in %(language)s", language=labels.LANGUAGE_NAMES[language])


def may_draft_agreements() -> bool:
    """Whether the logged-in person may draft agreements (so the page offers it)."""
    from catalogue.accounts.auth import current_actor

    actor = current_actor()
    return bool(actor.editor_of or actor.coordinator_of or actor.is_administrator)


def agreements_awaiting() -> int:
    """How many agreements await the logged-in person's decision or review (the header badge)."""
    from catalogue.accounts.auth import current_actor
    from catalogue.db import get_session
    from catalogue.recognition import queries

    actor = current_actor()
    if not (actor.editor_of or actor.coordinator_of):
        return 0
    return queries.awaiting_count(session=get_session(), actor=actor)


def paragraphs(text: str | None) -> Markup:
    """Plain text as HTML: escaped; blank lines split paragraphs, single newlines break lines."""
    if not text:
        return Markup("")
    blocks = [b.strip() for b in str(text).split("\n\n") if b.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in b.split("\n")))
        for b in blocks
    )


def money(value: Decimal | float | None) -> str:
    """An amount in euros in the visitor's language; "free" for zero."""
    if value is None:
        return ""
    if value == 0:
        return _("free")
    return format_currency(value, "EUR")


def day(value: date | None) -> str:
    """A date in the visitor's language."""
    return format_date(value, "medium") if value else ""


def moment(value: datetime | None) -> str:
    """A timestamp in the visitor's language and the Dutch time zone."""
    return format_datetime(value, "medium") if value else ""


def isodate(value: str | None) -> str:
    """An ISO date string (as the search index stores it) in the visitor's language."""
    return day(date.fromisoformat(value)) if value else ""


def number(value) -> str:
    """A number in the visitor's language."""
    return "" if value is None else format_decimal(value)


def field_number(value) -> str:
    """A number as the value of an <input type=number>: "30", not "30.0"; empty for none."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (None removes one).

    A search page links every facet value this way, so the path is built once per request and
    the query encoded as ``url_for`` encodes it (werkzeug's safe characters).
    """
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    items = [(key, item) for key, values in args.items() for item in values if item is not None]
    query = urlencode(items, safe=_QUERY_SAFE)
    return _current_path() + ("?" + query if query else "")


_QUERY_SAFE = "!$'()*,/:;?@"


def _current_path() -> str:
    if "current_path" not in g:
        g.current_path = url_for(request.endpoint, **(request.view_args or {}))
    return g.current_path
