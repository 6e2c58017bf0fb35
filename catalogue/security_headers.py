"""Browser security headers on every response, set in one place.

Pages get a Content-Security-Policy that allows scripts, styles, images and fonts from this site
only: no inline script or style, no eval, no framing. Every script lives in catalogue/static/
(the Swagger UI page included), so the policy needs no nonces. Other responses (JSON, CSV)
get a policy that allows nothing at all, since a browser should never run anything from them.

HSTS is sent only when cookies are Secure (`SESSION_COOKIE_SECURE`, the default): that is the
set-up where the site is served over https.
"""

from __future__ import annotations

from flask import Flask, Response, current_app

PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Swagger UI's stylesheet draws its icons as data: SVG images.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'none'"
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
HSTS = "max-age=31536000"


def add_security_headers(response: Response) -> Response:
    """Set the security headers on a response (views may not loosen them)."""
    headers = response.headers
    html = response.mimetype == "text/html"
    headers["Content-Security-Policy"] = PAGE_POLICY if html else DOCUMENT_POLICY
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask) -> None:
    """Add the security headers to every response of the app."""
    app.after_request(add_security_headers)
