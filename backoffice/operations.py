"""What operators and load balancers need: a health check, request ids in the log, a plain answer
when the database is away, and limits on what a request may carry.

``/healthz`` is the one endpoint outside the permission gate: it says only whether the database
answers, nothing about its data.
"""

import logging
import re
import uuid

import sqlalchemy as sa
from flask import Flask, g, has_request_context, jsonify, request
from werkzeug.exceptions import BadRequest, NotFound, RequestURITooLarge

from .extensions import db
from .views.errors import log_database_error, plain_message

log = logging.getLogger(__name__)

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
#: The arguments the panel and Flask-Admin redirect to after a form or a login.
RETURN_TARGETS = ("url", "next")
#: Control characters and line separators: never part of a path or an address to return to.
CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every log record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def init_operations(app: Flask) -> None:
    """Health check, request ids, the database-unavailable page and input limits."""
    # Flask's own defaults are "no limit" for the body: set them from the panel's settings.
    app.config["MAX_CONTENT_LENGTH"] = app.config["BACKOFFICE_MAX_UPLOAD_MB"] * 1024 * 1024
    app.config["MAX_FORM_MEMORY_SIZE"] = 1024 * 1024
    max_query = int(app.config["BACKOFFICE_MAX_QUERY_STRING"])
    _configure_logging(app)

    @app.before_request
    def _request_id_and_limits():
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if REQUEST_ID.match(offered) else uuid.uuid4().hex[:16]
        if len(request.query_string) > max_query:
            raise RequestURITooLarge()
        if CONTROL.search(request.path):
            raise NotFound()  # no page, record or biller code has one in its name
        if any(CONTROL.search(request.values.get(name, "")) for name in RETURN_TARGETS):
            raise BadRequest()  # it would become a Location header, which cannot hold them

    @app.after_request
    def _echo_request_id(response):
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        return response

    @app.route("/healthz")
    def healthz():
        try:
            with db.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.DBAPIError as exc:
            log.warning("health check: database unavailable: %s", type(exc.orig).__name__)
            return jsonify(status="unavailable", database="unavailable"), 503
        return jsonify(status="ok", database="ok")

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    def _database_unavailable(exc):
        # The connection pool checks connections before use (pool_pre_ping), so once the
        # database is back the next request gets a fresh one: no restart needed.
        db.session.rollback()
        # A statement the database refused (a timeout, a materialized view never filled) carries
        # its code: the page says what it is. Without one the connection itself failed.
        refused = getattr(getattr(exc, "orig", None), "pgcode", None)
        if refused:
            log_database_error(request.endpoint or request.path, exc)
        else:
            log.error("database unavailable: %s", type(getattr(exc, "orig", exc)).__name__)
        description = plain_message(exc) if refused else ""
        # Straight from the template, without context processors: Flask-Login's would load the
        # user, from the database that is away.
        return app.jinja_env.get_template("error.html").render(code=503, description=description), 503


def _configure_logging(app: Flask) -> None:
    """Request ids on the panel's log lines; a plain format unless a server (gunicorn) set one up."""
    request_ids = RequestIdFilter()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(request_ids)
    if not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(request_ids)
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(logging.INFO)
    if not any(isinstance(f, RequestIdFilter) for f in app.logger.filters):
        app.logger.addFilter(request_ids)
