"""Zero code over another PostgreSQL database: the telemedicine and store-visit systems of the source
documents, with the shapes an existing database brings (composite keys, no key, mixed-case and
reserved names, enums, arrays, json, uuid, bytea, tsvector, inheritance, partitions, views)."""

import tomllib
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from backoffice.database import ensure_database
from tests.conftest import SETTINGS, _drop, _url
from tests.helpers import autocommit_connection, csrf_token, form_values, log_in, panel_without_configuration

SCHEMAS = Path(__file__).parent / "schemas"
PASSWORD = "other-db-password"
WRITABLE = [
    "specialisations",
    "doctors",
    "patients",
    "consultations",
    "doctor_schedule",
    "Lab Results",
    "user",
    "payments",
    "readings",
    "store_visit.branches",
    "store_visit.stores",
    "store_visit.it_staff",
    "store_visit.coverage",
    "store_visit.visit_schedules",
]
READ_ONLY = ["activity_log", "insurance_payments", "doctor_load", "daily_consultations"]


@pytest.fixture(scope="module")
def other_database(server_url):
    name = f"bo_other_{uuid.uuid4().hex[:8]}"
    ensure_database(server_url, name)
    url = _url(server_url, name)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for script in ("telemedicine.sql", "store_visit.sql"):
            conn.exec_driver_sql((SCHEMAS / script).read_text())
    engine.dispose()
    yield url
    _drop(server_url, name)


@pytest.fixture
def other_app(other_database, tmp_path):
    yield from panel_without_configuration(other_database, tmp_path, SETTINGS, ("admin", PASSWORD))


@pytest.fixture
def admin(other_app):
    return log_in(other_app.test_client(), "admin", PASSWORD)


@pytest.fixture
def other_sql(other_database):
    yield from autocommit_connection(other_database)


def url_of(app, table: str) -> str:
    return f"/admin/{app.extensions['backoffice'].tables[table].endpoint}/"


def quoted(table: str) -> str:
    schema, _, name = table.rpartition(".")
    return f'"{schema}"."{name}"' if schema else f'"{name}"'


def test_every_table_and_view_is_served_without_configuration(other_app):
    backoffice = other_app.extensions["backoffice"]
    assert sorted(backoffice.tables) == sorted(WRITABLE + READ_ONLY + ["readings_2026"])
    assert backoffice.unserved == {}


@pytest.mark.parametrize("table", READ_ONLY)
def test_views_and_tables_without_a_key_are_read_only(other_app, admin, table):
    url = url_of(other_app, table)
    assert admin.get(f"{url}new/").status_code == 403
    assert f"{url}new/" not in admin.get(url).get_data(as_text=True)


@pytest.mark.parametrize(
    "table, values, change",
    [
        ("store_visit.branches", {"name": "Surabaya", "city": "Surabaya"}, {"city": "Sidoarjo"}),
        ("specialisations", {"name": "Gigi"}, {"name": "Gigi dan Mulut"}),
    ],
)
def test_create_edit_and_delete_through_the_forms(other_app, admin, other_sql, table, values, change):
    url = url_of(other_app, table)
    token = csrf_token(admin, f"{url}new/")
    assert admin.post(f"{url}new/", data={"csrf_token": token, **values}).status_code == 302
    key = other_sql.scalar(sa.text(f"SELECT id FROM {quoted(table)} WHERE name = :n"), {"n": values["name"]})
    edit = f"{url}edit/?id={key}"
    assert (
        admin.post(edit, data={**form_values(admin.get(edit).get_data(as_text=True)), **change}).status_code
        == 302
    )
    column, value = next(iter(change.items()))
    assert (
        other_sql.scalar(sa.text(f"SELECT {column} FROM {quoted(table)} WHERE id = :k"), {"k": key}) == value
    )
    admin.post(f"{url}delete/", data={"csrf_token": token, "id": key})
    assert other_sql.scalar(sa.text(f"SELECT count(*) FROM {quoted(table)} WHERE id = :k"), {"k": key}) == 0


def test_a_composite_key_row_is_edited_by_its_whole_key(other_app, admin, other_sql):
    url = url_of(other_app, "doctor_schedule")
    listing = admin.get(url).get_data(as_text=True)
    edit = next(part for part in listing.split('"') if "/edit/?id=1,2" in part).replace("&amp;", "&")
    values = form_values(admin.get(edit).get_data(as_text=True))
    assert admin.post(edit, data={**values, "closes": "18:00:00"}).status_code == 302
    rows = other_sql.execute(
        sa.text("SELECT weekday, closes::text FROM doctor_schedule ORDER BY weekday")
    ).all()
    assert [tuple(r) for r in rows] == [(1, "12:00:00"), (2, "18:00:00")]


def test_foreign_keys_link_to_the_record_and_offer_a_select(other_app, admin):
    listing = admin.get(url_of(other_app, "consultations")).get_data(as_text=True)
    assert '<a href="/admin/doctors/details/?id=1">1</a>' in listing
    form = admin.get(f"{url_of(other_app, 'consultations')}new/").get_data(as_text=True)
    assert '<select class="form-control" id="doctor_id"' in form or 'id="doctor_id" name="doctor_id"' in form
    assert "1 - dr. Sari" in form and "2 - dr. Budi, Sp.A" in form
    stores = admin.get(url_of(other_app, "store_visit.stores")).get_data(as_text=True)
    assert '<a href="/admin/store_visit_branches/details/?id=1">1</a>' in stores


def test_secrets_of_another_database_are_found_by_name(other_app, admin):
    html = admin.get(url_of(other_app, "doctors")).get_data(as_text=True)
    assert "scrypt:secret" not in html and "password_hash" not in html
    assert "1234" not in admin.get(url_of(other_app, "store_visit.it_staff")).get_data(as_text=True)


def test_the_unserved_tables_page_says_every_table_is_served(admin):
    assert 'id="all-served"' in admin.get("/admin/unserved/").get_data(as_text=True)


def test_config_scaffold_writes_a_file_the_panel_starts_with(other_app, other_database, tmp_path):
    target = tmp_path / "scaffold.toml"
    result = other_app.test_cli_runner().invoke(
        args=["config-scaffold", "--output", str(target), "--title", "Klinik"]
    )
    assert result.exit_code == 0, result.output
    written = tomllib.loads(target.read_text())
    assert written["panel"]["title"] == "Klinik"
    assert written["tables"]["store_visit.stores"]["group"] == "store_visit"
    assert written["tables"]["doctor_schedule"]["group"] == "doctor"  # with doctor_load
    assert written["tables"]["readings_2026"]["group"] == "readings"  # with its parent table
    assert written["tables"]["specialisations"]["group"] == "other"  # a prefix of its own
    assert "password_hash" in target.read_text()  # named in a comment as a secret
    again = other_app.test_cli_runner().invoke(args=["config-scaffold", "--output", str(target)])
    assert again.exit_code != 0 and "never overwritten" in again.output
    app = create_app(
        {**SETTINGS, "SQLALCHEMY_DATABASE_URI": other_database, "BACKOFFICE_CONFIG_FILE": str(target)}
    )
    assert app.extensions["backoffice"].unserved == {}
    from backoffice.extensions import db

    with app.app_context():
        db.engine.dispose()
