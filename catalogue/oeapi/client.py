"""A careful HTTP client for reading another institution's OEAPI endpoint.

Only `https://` URLs, except loopback addresses (a test server, or an endpoint on this machine);
a timeout on every request; a size limit on every response; redirects followed only within the
same scheme, host and port. Every failure is a `FetchError` naming the URL and the reason.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

ACCEPT = "application/vnd.oeapi+json;version=6.0, application/json;q=0.9"
USER_AGENT = "semicon-catalogue-harvester/1"
MAX_PAGES = 1000


class FetchError(Exception):
    """A request that gave no usable answer: where, and why."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    """How long to wait for an answer, and how large one may be."""

    timeout: float = 20.0
    max_bytes: int = 5 * 1024 * 1024
    page_size: int = 100
    # http:// on this machine: allowed from the command line, refused from the web by default.
    allow_loopback: bool = True


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, limits: Limits) -> None:
    """Refuse URLs the harvester may not read: not https (unless loopback), or without a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(url, "give an https:// URL of an OEAPI endpoint")
    loopback = is_loopback(parts.hostname)
    if loopback and not limits.allow_loopback:
        raise FetchError(url, "addresses of this machine may not be harvested from here")
    if parts.scheme == "http" and not loopback:
        raise FetchError(url, "only https:// URLs may be harvested (http only on this machine)")
    if parts.username or parts.password:
        raise FetchError(url, "the URL may not hold a user name or password")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the same scheme, host and port."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        target = urljoin(req.full_url, newurl)
        if _origin(target) != _origin(req.full_url):
            raise FetchError(req.full_url, f"redirected to another host ({target}): not followed")
        return super().redirect_request(req, fp, code, msg, headers, target)


_opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), _SameOriginRedirects(), urllib.request.HTTPSHandler()
)


def get_json(url: str, limits: Limits) -> Any:
    """GET one URL and parse its JSON body, within the limits."""
    check_url(url, limits)
    # check_url allowed only http(s); the opener refuses redirects to other hosts.
    headers = {"Accept": ACCEPT, "User-Agent": USER_AGENT}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with _opener.open(request, timeout=limits.timeout) as response:
            body = response.read(limits.max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(url, f"the server answered {exc.code} {exc.reason}") from None
    except TimeoutError:
        raise FetchError(url, f"no answer within {limits.timeout:g} seconds") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError(url, f"no answer within {limits.timeout:g} seconds") from None
        raise FetchError(url, f"could not connect: {exc.reason}") from None
    except OSError as exc:  # connection reset, read timeout inside the body, ...
        raise FetchError(url, f"the connection failed: {exc}") from None
    if len(body) > limits.max_bytes:
        raise FetchError(url, f"the answer is larger than {limits.max_bytes} bytes")
    try:
        return json.loads(body)
    except ValueError:
        raise FetchError(url, "the answer is not JSON") from None


def endpoint_url(base: str, path: str, **params: Any) -> str:
    """The URL of an OEAPI path under the endpoint's base URL, with query parameters."""
    url = base.rstrip("/") + path
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{url}?{query}" if query else url


def pages(base: str, path: str, limits: Limits, **params: Any) -> Iterator[tuple[str, Any]]:
    """Every page of a paged OEAPI list, as (url, body), following hasNextPage."""
    for number in range(1, MAX_PAGES + 1):
        url = endpoint_url(base, path, pageSize=limits.page_size, pageNumber=number, **params)
        body = get_json(url, limits)
        yield url, body
        if not (isinstance(body, dict) and body.get("hasNextPage") is True):
            return
    raise FetchError(base + path, f"more than {MAX_PAGES} pages: harvest stopped")
