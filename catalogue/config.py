"""Configuration: defaults for the embedded set-up, overridden by CATALOGUE_* environment variables.

| variable                         | default                                   |
|----------------------------------|-------------------------------------------|
| CATALOGUE_DATABASE_URL           | sqlite:///<instance>/catalogue.db         |
| CATALOGUE_SEARCH_INDEX_DIR       | <instance>/search-index                   |
| CATALOGUE_SECRET_KEY             | generated once into <instance>/secret_key |
| CATALOGUE_SESSION_COOKIE_SECURE  | true (set false only for plain-http local use) |
| CATALOGUE_DEMO_ACCOUNTS          | false (true: seed creates the demo accounts) |
| CATALOGUE_PROXY_FIX_HOPS         | 0 (number of reverse proxies to trust for X-Forwarded-*) |
| CATALOGUE_SEARCH_LOCK_TIMEOUT    | 5 (seconds to wait for the search index's write lock) |
| CATALOGUE_INSTANCE_PATH          | Flask's instance folder (SQLite, index, key); relative to cwd |
| CATALOGUE_CACHE_MAX_AGE          | 30 (seconds a browser or proxy may reuse a public read) |
| CATALOGUE_RESPONSE_CACHE_SIZE    | 512 (responses each worker keeps in memory; 0 turns it off) |
| CATALOGUE_METRICS_ALLOW          | 127.0.0.0/8,::1/128 (networks that may read /metrics) |
| CATALOGUE_METRICS_TOKEN          | none (a Bearer token that may read /metrics from anywhere) |
| CATALOGUE_DEMO_PARTICIPATION     | false (true: with the demo accounts, seed adds demo data) |
| CATALOGUE_PSEUDONYM_KEY          | generated once into <instance>/pseudonym_key (monitoring) |
| CATALOGUE_OAI_IDENTIFIER_PREFIX  | semicon-catalogus.nl (part of OAI ids; keep it) |
| CATALOGUE_OAI_ADMIN_EMAIL        | beheer@semicon-catalogus.nl (Identify's adminEmail) |
| CATALOGUE_OAI_PAGE_SIZE          | 100 (records per OAI-PMH response before a resumption token) |
| CATALOGUE_SMTP_URL               | none (no e-mail is sent; e.g. smtp://mail.example.nl:25) |
| CATALOGUE_REQUEST_RATE_LIMIT     | 5 (information requests per sender per hour) |
| CATALOGUE_REQUEST_RETENTION_DAYS | 180 (days an information request is kept) |
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask


def _instance_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, creating it (readable by the owner only) on first use."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def configure(app: Flask, overrides: dict | None) -> None:
    """Fill app.config: defaults, then CATALOGUE_* environment variables, then `overrides`."""
    instance = Path(app.instance_path)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{instance / 'catalogue.db'}",
        SEARCH_INDEX_DIR=str(instance / "search-index"),
        SEARCH_LOCK_TIMEOUT=5.0,
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_DEFAULT_TIMEZONE="Europe/Amsterdam",
        LANGUAGES=("nl", "en"),
        PAGE_SIZE=20,
        OAI_REPOSITORY_NAME="Semicon catalogue: reusable digital material",
        OAI_ADMIN_EMAIL="beheer@semicon-catalogus.nl",
        OAI_IDENTIFIER_PREFIX="semicon-catalogus.nl",
        OAI_PAGE_SIZE=100,
        SESSION_COOKIE_NAME="catalogue_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_DURATION=timedelta(days=14),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=None,
        LOGIN_MAX_FAILURES=5,
        LOGIN_LOCKOUT=timedelta(minutes=15),
        DEMO_ACCOUNTS=False,
        DEMO_PARTICIPATION=False,
        SMTP_URL=None,
        REQUEST_RATE_LIMIT=5,
        REQUEST_RETENTION_DAYS=180,
        PROXY_FIX_HOPS=0,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        API_TITLE="Semicon catalogue API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    app.config.from_prefixed_env("CATALOGUE")
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
