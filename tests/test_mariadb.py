"""The same product on MariaDB/MySQL: the telemedicine and store-visit databases served with no
code, through PyMySQL, the panel's own tables in a database of their own beside them
(``<application>_backoffice``).

Runs against ``TEST_MARIADB_URL`` (default: the machine's server at 127.0.0.1:3306, user root);
``.ci/run`` starts MariaDB when it is not running and fails when none answers. Elsewhere the
suite is skipped, with the reason, where none answers.
"""

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from backoffice.database import own_database_name
from tests import corpus
from tests.conftest import SETTINGS
from tests.helpers import autocommit_connection, csrf_token, form_values, log_in, panel_without_configuration

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
pytestmark = pytest.mark.usefixtures("mariadb_server")


@pytest.fixture(scope="module")
def maria_url():
    url = corpus.create_mariadb("telemedicine.mysql.sql")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in corpus.statements((corpus.SCHEMAS / "store_visit.mysql.sql").read_text()):
            conn.exec_driver_sql(statement)
    engine.dispose()
    yield url
    corpus.drop_mariadb(url, own_database_name(make_url(url).database))


@pytest.fixture
def maria_app(maria_url, tmp_path):
    yield from panel_without_configuration(maria_url, tmp_path, SETTINGS, ("maria-admin", PASSWORD))


@pytest.fixture
def admin(maria_app):
    return log_in(maria_app.test_client(), "maria-admin", PASSWORD)


@pytest.fixture
def maria_sql(maria_url):
    yield from autocommit_connection(maria_url)


def test_every_table_and_view_is_served(maria_app):
    backoffice = maria_app.extensions["backoffice"]
    assert sorted(backoffice.tables) == sorted(WRITABLE + READ_ONLY)
    assert backoffice.unserved == {}


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
    own = own_database_name(make_url(maria_url).database)
    engine = sa.create_engine(maria_url)
    with engine.connect() as conn:
        query = f"SELECT count(*) FROM `{own}`.audit_log WHERE action = 'login' AND actor = 'maria-admin'"
        logins = conn.scalar(sa.text(query))
        application = conn.scalar(
            sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()")
        )
    engine.dispose()
    assert logins >= 1
    assert application == len(WRITABLE + READ_ONLY)  # nothing of the panel's in the application's database


def test_what_needs_postgresql_is_said_not_failed(admin):
    page = admin.get("/admin/unserved/").get_data(as_text=True)
    assert 'id="all-served"' in page
    assert "no row version" in page and "audit-verify needs PostgreSQL" in page


def test_init_db_brings_a_panel_database_of_an_earlier_release_up_to_date(maria_app, maria_url):
    own = own_database_name(make_url(maria_url).database)
    engine = sa.create_engine(maria_url)
    try:
        with engine.begin() as conn:  # as an earlier release left it
            conn.exec_driver_sql(
                f"ALTER TABLE `{own}`.audit_log DROP COLUMN actor_id, DROP COLUMN chain_version"
            )
            conn.exec_driver_sql(f"ALTER TABLE `{own}`.panel_user DROP COLUMN role_since")
        assert maria_app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
        with engine.connect() as conn:
            columns = conn.execute(
                sa.text("SELECT column_name FROM information_schema.columns WHERE table_schema = :d"),
                {"d": own},
            ).scalars()
            assert {"actor_id", "chain_version", "role_since"} <= set(columns)
    finally:
        engine.dispose()
    assert log_in(maria_app.test_client(), "maria-admin", PASSWORD).get("/admin/").status_code == 200
