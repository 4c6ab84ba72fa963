"""HTTP hardening: security headers, a Content-Security-Policy with per-request nonces, cookies.

The idle timeout needs no server state: a logged-in session is a permanent signed cookie (made so
at login) refreshed on every request a person makes (not on a page's own refresh), and Flask
refuses one whose signature is older than ``PERMANENT_SESSION_LIFETIME`` (checked on the server,
whatever the browser keeps). The absolute lifetime is checked when the user is loaded (``auth``).
"""

import secrets
from datetime import timedelta

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

#: The header of the panel's scripts' own refreshes (static/live-refresh.js, report-live.js).
LIVE_REFRESH_HEADER = "X-Live-Refresh"
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


class ActivitySessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a page's own refresh (a request carrying
    ``X-Live-Refresh``, sent by the panel's scripts) is no activity: its answer does not renew the
    cookie, so a dashboard left open does not keep an idle session alive."""

    def should_set_cookie(self, app: Flask, session) -> bool:
        if request.headers.get(LIVE_REFRESH_HEADER):
            return False
        return super().should_set_cookie(app, session)


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

    app.session_interface = ActivitySessions()
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
