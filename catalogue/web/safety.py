"""Small guards for values that come back from the browser."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next_url(target: str | None, default_endpoint: str = "pages.home") -> str:
    """`target` if it is a path on this site, else the default page (no open redirects)."""
    if target:
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc
        if local and target.startswith("/") and not target.startswith("//") and "\\" not in target:
            return target
    return url_for(default_endpoint)
