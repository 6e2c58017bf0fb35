"""Languages: Dutch by default, English on request, chosen per visitor and kept in a cookie."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import Babel

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


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the catalogue's own translations."""
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
