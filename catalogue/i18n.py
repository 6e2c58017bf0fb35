"""Languages: Dutch by default, English on request, chosen per visitor and kept in a cookie."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, get_translations

LANGUAGE_COOKIE = "catalogue_lang"


def select_locale() -> str:
    """The visitor's language: ?lang= first, then the cookie, then the default (Dutch).

    The JSON API also honours Accept-Language, since machines cannot click a language switch.
    """
    languages = current_app.config["LANGUAGES"]
    if not request:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if asked in languages:
        return asked
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(languages) or languages[0]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def request_translations():
    """The visitor's translations, looked up once per request (a page asks for dozens)."""
    if not has_request_context():
        return get_translations()
    cached = g.get("_catalogue_translations")
    if cached is None:
        cached = g._catalogue_translations = get_translations()
    return cached


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the catalogue's own translations."""
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    # Flask-Babel's template functions look the translations up on every call; ours do it
    # once per request (the locale cannot change within one).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
    )
