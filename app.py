"""The application factory: ``flask --app app <command>`` and ``wsgi.py`` both start here."""

import logging

import sqlalchemy as sa
from flask import Flask, redirect, render_template, url_for

from backoffice import catalogue as catalogue_module
from backoffice import checks, settings
from backoffice.auth import init_auth
from backoffice.cli import register_commands
from backoffice.database import engine_options, normalise_url, start_embedded
from backoffice.extensions import csrf, db
from backoffice.formatting import init_formatting
from backoffice.i18n import init_i18n
from backoffice.models.reflection import reflect_tables
from backoffice.operations import init_operations
from backoffice.second_factor import init_second_factor
from backoffice.security import init_security
from backoffice.views import init_admin

log = logging.getLogger("backoffice")


def create_app(overrides: dict | None = None) -> Flask:
    """Build the panel: settings, database, login, the admin views, commands, error pages."""
    app = Flask(__name__, instance_relative_config=True, static_folder="backoffice/static")
    app.config.from_mapping(settings.from_environment())
    app.config.update(WTF_CSRF_TIME_LIMIT=None)  # the token lives as long as the session
    if overrides:
        app.config.update(overrides)
    settings.complete(app.config)

    init_db(app)
    init_i18n(app)
    init_auth(app)
    init_second_factor(app)
    with app.app_context():
        init_admin(app, *load_catalogue(app))
    register_commands(app)
    register_error_handlers(app)
    init_operations(app)
    init_security(app)
    init_formatting(app)
    app.add_url_rule("/", "root", lambda: redirect(url_for("admin.index")))
    return app


def init_db(app: Flask) -> None:
    """Bind SQLAlchemy to DATABASE_URL, or to the embedded PostgreSQL in demo and test mode."""
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = start_embedded(app.instance_path)
        app.config["BACKOFFICE_EMBEDDED"] = True  # the demo stops it when it ends
        log.info("no DATABASE_URL: using the embedded PostgreSQL under %s", app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"], app.config)
    )
    db.init_app(app)
    csrf.init_app(app)


def load_catalogue(app: Flask):
    """Reflect the application's tables and check the declarative file, when one is chosen,
    against them."""
    chosen = app.config["BACKOFFICE_CONFIG_FILE"]
    catalogue = catalogue_module.load(chosen)
    log.info("configuration: %s", chosen or "none chosen (BACKOFFICE_CONFIG_FILE): defaults for every table")
    try:
        # A table of unknown size is counted up to where its size starts to matter.
        bound = max(app.config["BACKOFFICE_LARGE_TABLE_ROWS"], app.config["BACKOFFICE_SELECT_ROWS"]) + 1
        tables = reflect_tables(db.engine, app.config["BACKOFFICE_APP_SCHEMA"], bound)
    except sa.exc.DBAPIError as exc:
        raise settings.StartupError(f"BO-E030 {unreachable(db.engine.url, exc)}") from None
    if not tables:
        log.warning("no application tables: the panel has nothing to show in this database yet")
    checks.require_none(catalogue, tables)
    return catalogue, tables


def unreachable(url, exc: sa.exc.DBAPIError) -> str:
    """One line on a database that cannot be read: where (without the password) and the driver's
    first line of why."""
    reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
    return f"cannot read the database at {url.render_as_string(hide_password=True)}: {reason}"


def register_error_handlers(app: Flask) -> None:
    """Plain pages for refused, missing and failed requests: never a stack trace."""
    for code in (400, 403, 404, 405, 413, 414, 429, 500, 503):
        app.register_error_handler(
            code,
            lambda exc, code=code: (
                render_template("error.html", code=code, description=getattr(exc, "description", "")),
                code,
            ),
        )
