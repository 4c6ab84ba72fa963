"""HTTP hardening: security headers, a Content-Security-Policy with per-request nonces, cookies.

The idle timeout needs no server state: a logged-in session is a permanent signed cookie (made so
at login) refreshed on every request, and Flask refuses one whose signature is older than
``PERMANENT_SESSION_LIFETIME`` (checked on the server, whatever the browser keeps).
"""

import secrets
from datetime import timedelta

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

#: The endpoints of the panel's and Flask-Admin's own assets: the only responses a browser may keep.
STATIC_ENDPOINTS = frozenset({"static", "admin.static"})


def csp_nonce() -> str:
    """The nonce of this request's inline scripts (Flask-Admin marks its own with it)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    """Only the panel's own assets: no CDN, no external fonts, no framing, scripts by nonce."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def init_security(app: Flask) -> None:
    """Cookie settings, the idle timeout, the trusted proxies and the headers of every response."""
    idle_minutes = int(app.config["BACKOFFICE_IDLE_MINUTES"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["BACKOFFICE_SECURE_COOKIES"],
        SESSION_REFRESH_EACH_REQUEST=True,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=idle_minutes),
    )

    proxies = int(app.config["BACKOFFICE_TRUSTED_PROXIES"])
    if proxies:  # the address and scheme the client used, as the trusted proxies report them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
        if request.endpoint not in STATIC_ENDPOINTS:  # pages, exports and JSON alike
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config["BACKOFFICE_SECURE_COOKIES"]:  # served over HTTPS only (production)
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
