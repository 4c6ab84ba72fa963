"""The same product on MariaDB/MySQL: the telemedicine and store-visit databases served with no
code, through PyMySQL, the panel's own tables in a ``backoffice`` database beside them.

Runs against ``TEST_MARIADB_URL`` (default: the machine's server at 127.0.0.1:3306, user root);
``.ci/run`` starts MariaDB when it is not running. Skipped, with the reason, where none answers.
"""

import csv
import io
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from backoffice.database import normalise_url
from tests.conftest import SETTINGS
from tests.helpers import autocommit_connection, csrf_token, form_values, log_in, panel_without_configuration

SERVER = os.environ.get("TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306/")
SCHEMAS = Path(__file__).parent / "schemas"
PASSWORD = "mariadb-test-password"
WRITABLE = [
    "specialisations",
    "doctors",
    "patients",
    "consultations",
    "doctor_schedule",
    "branches",
    "stores",
    "it_staff",
    "coverage",
    "visit_schedules",
]
READ_ONLY = ["activity_log", "doctor_load"]


def _server_engine():
    return sa.create_engine(normalise_url(SERVER), isolation_level="AUTOCOMMIT")


def _reachable() -> str | None:
    try:
        with _server_engine().connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # any failure to connect means: no server here
        return f"no MariaDB/MySQL at {SERVER} ({type(exc).__name__}); .ci/run starts one"
    return None


pytestmark = pytest.mark.skipif(bool(_reachable()), reason=_reachable() or "")


@pytest.fixture(scope="module")
def maria_url():
    name = f"bo_tm_{uuid.uuid4().hex[:8]}"
    server = _server_engine()
    with server.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    url = make_url(normalise_url(SERVER)).set(database=name).render_as_string(hide_password=False)
    with sa.create_engine(url).begin() as conn:
        for script in ("telemedicine.mysql.sql", "store_visit.mysql.sql"):
            for statement in (SCHEMAS / script).read_text().split(";\n"):
                body = "\n".join(line for line in statement.splitlines() if not line.startswith("--"))
                if body.strip():
                    conn.exec_driver_sql(body)
    yield url
    with server.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE {name}")
    server.dispose()


@pytest.fixture
def maria_app(maria_url, tmp_path):
    yield from panel_without_configuration(maria_url, tmp_path, SETTINGS, ("maria-admin", PASSWORD))


@pytest.fixture
def admin(maria_app):
    return log_in(maria_app.test_client(), "maria-admin", PASSWORD)


@pytest.fixture
def maria_sql(maria_url):
    yield from autocommit_connection(maria_url)


def rows(conn, table: str) -> list:
    return conn.execute(sa.text(f"SELECT * FROM `{table}` ORDER BY 1")).all()


def test_every_table_and_view_is_served(maria_app):
    backoffice = maria_app.extensions["backoffice"]
    assert sorted(backoffice.tables) == sorted(WRITABLE + READ_ONLY)
    assert backoffice.unserved == {}


@pytest.mark.parametrize("table", WRITABLE + READ_ONLY)
def test_lists_details_and_exports(admin, maria_sql, table):
    listing = admin.get(f"/admin/{table}/")
    assert listing.status_code == 200
    exported = admin.get(f"/admin/{table}/export/csv/").get_data(as_text=True).lstrip("\ufeff")
    assert len(list(csv.reader(io.StringIO(exported)))) - 1 == len(rows(maria_sql, table))
    assert admin.get(f"/admin/{table}/export/xlsx/").status_code == 200
    details = [part for part in listing.get_data(as_text=True).split('"') if "/details/?id=" in part]
    if table != "doctor_load":
        assert details and admin.get(details[0].replace("&amp;", "&")).status_code == 200


@pytest.mark.parametrize("table", WRITABLE)
def test_saving_an_unchanged_form_changes_nothing(admin, maria_sql, table):
    before = rows(maria_sql, table)
    listing = admin.get(f"/admin/{table}/").get_data(as_text=True)
    edit = next(part for part in listing.split('"') if "/edit/?id=" in part).replace("&amp;", "&")
    response = admin.post(edit, data=form_values(admin.get(edit).get_data(as_text=True)))
    assert response.status_code == 302
    assert rows(maria_sql, table) == before


@pytest.mark.parametrize("table", READ_ONLY)
def test_views_and_tables_without_a_key_are_read_only(admin, table):
    assert admin.get(f"/admin/{table}/new/").status_code == 403


@pytest.mark.parametrize(
    "table, values, change",
    [
        ("branches", {"name": "Surabaya", "city": "Surabaya"}, {"city": "Sidoarjo"}),
        ("specialisations", {"name": "Gigi"}, {"name": "Gigi dan Mulut"}),
    ],
)
def test_create_edit_and_delete(admin, maria_sql, table, values, change):
    token = csrf_token(admin, f"/admin/{table}/new/")
    assert admin.post(f"/admin/{table}/new/", data={"csrf_token": token, **values}).status_code == 302
    key = maria_sql.scalar(sa.text(f"SELECT id FROM {table} WHERE name = :n"), {"n": values["name"]})
    edit = f"/admin/{table}/edit/?id={key}"
    assert (
        admin.post(edit, data={**form_values(admin.get(edit).get_data(as_text=True)), **change}).status_code
        == 302
    )
    column, value = next(iter(change.items()))
    assert maria_sql.scalar(sa.text(f"SELECT {column} FROM {table} WHERE id = :k"), {"k": key}) == value
    admin.post(f"/admin/{table}/delete/", data={"csrf_token": token, "id": key})
    assert maria_sql.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE id = :k"), {"k": key}) == 0


def test_foreign_keys_link_and_offer_a_select(admin):
    listing = admin.get("/admin/consultations/").get_data(as_text=True)
    assert '<a href="/admin/doctors/details/?id=1">1</a>' in listing
    form = admin.get("/admin/consultations/new/").get_data(as_text=True)
    assert "1 - dr. Sari" in form and ">booked<" in form  # a foreign key select, an enum select


def test_secrets_are_hidden_and_changes_are_audited(admin, maria_url):
    assert "scrypt:secret" not in admin.get("/admin/doctors/").get_data(as_text=True)
    engine = sa.create_engine(maria_url)
    with engine.connect() as conn:
        logins = conn.scalar(
            sa.text(
                "SELECT count(*) FROM backoffice.audit_log WHERE action = 'login' AND actor = 'maria-admin'"
            )
        )
    engine.dispose()
    assert logins >= 1


def test_what_needs_postgresql_is_said_not_failed(admin):
    page = admin.get("/admin/unserved/").get_data(as_text=True)
    assert 'id="all-served"' in page
    assert "no row version" in page and "audit-verify needs PostgreSQL" in page
