"""What databases the team did not write bring, beyond what the crawler sees: forms that save
every type, 500s that became messages, sizes the planner does not know, names that hide secrets,
labels in both languages, the search box, and MySQL's own database for the panel.

The PostgreSQL tests run on the water utility's database (``tests/schemas/water_billing.sql``:
every table in schema ``pdam``); the MariaDB ones on the reseller panel's dump.
"""

import re
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app import create_app
from backoffice.database import ensure_database, own_database_name
from backoffice.extensions import db
from backoffice.formatting import JAKARTA
from backoffice.masking import secret_word
from backoffice.naming import guess_groups, humanise
from tests import corpus
from tests.conftest import SETTINGS, _drop, _url
from tests.helpers import autocommit_connection, csrf_token, form_errors, form_values, log_in

PASSWORD = "existing-db-password"


def _panel(url: str, tmp_path=None, config: str | None = None, **settings):
    """The panel on ``url`` (its own schema made, an administrator created), with ``config`` as
    its declarative file when given."""
    overrides = {**SETTINGS, "SQLALCHEMY_DATABASE_URI": url, **settings}
    if config is not None:
        path = tmp_path / f"panel-{uuid.uuid4().hex[:6]}.toml"
        path.write_text(config)
        overrides["BACKOFFICE_CONFIG_FILE"] = str(path)
    app = create_app(overrides)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    runner.invoke(args=["create-user", "admin", "--role", "administrator", "--password", PASSWORD])
    return app


@pytest.fixture(scope="module")
def water(server_url):
    name = f"bo_water_{uuid.uuid4().hex[:8]}"
    ensure_database(server_url, name)
    url = _url(server_url, name)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql((corpus.SCHEMAS / "water_billing.sql").read_text())
    engine.dispose()
    yield url
    _drop(server_url, name)


@pytest.fixture(scope="module")
def water_app(water):
    app = _panel(water)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def admin(water_app):
    return log_in(water_app.test_client(), "admin", PASSWORD)


@pytest.fixture
def water_sql(water):
    yield from autocommit_connection(water)


def _save(client, url: str, **changes):
    """Open the form at ``url``, change ``changes``, submit it; the response."""
    values = form_values(client.get(url).get_data(as_text=True))
    return client.post(url, data={**values, **changes})


def _errors(response) -> list[str]:
    return form_errors(response.get_data(as_text=True))


def test_float_domain_and_text_form_columns_are_edited(admin, water_sql):
    response = _save(
        admin,
        "/admin/pdam_pelanggan/edit/?id=0101000456",
        diameter_pipa="0.625",  # real
        lat="-6.914744",  # double precision
        kode_tarif="R1",
    )
    assert response.status_code == 302, _errors(response)
    row = water_sql.execute(
        sa.text("SELECT diameter_pipa, lat, kode_tarif FROM pdam.pelanggan WHERE no_sambungan = '0101000456'")
    ).one()
    assert (row.diameter_pipa, row.lat, row.kode_tarif) == (0.625, -6.914744, "R1")
    # A point, a range and money: PostgreSQL's own text, read back as PostgreSQL writes it.
    assert _save(admin, "/admin/pdam_wilayah/edit/?id=3", lokasi="(-6.88, 107.59)").status_code == 302
    assert water_sql.scalar(sa.text("SELECT lokasi::text FROM pdam.wilayah WHERE id = 3")) == "(-6.88,107.59)"
    response = _save(admin, "/admin/pdam_golongan_tarif/edit/?id=R2", blok_m3="[10,30)", tarif_lama="4100")
    assert response.status_code == 302, _errors(response)
    row = water_sql.execute(
        sa.text("SELECT blok_m3::text, tarif_lama::numeric FROM pdam.golongan_tarif WHERE kode = 'R2'")
    ).one()
    assert tuple(row) == ("[10,30)", 4100)


def test_an_interval_keeps_its_months_and_a_wrong_one_is_refused_by_the_database(admin, water_sql):
    key = water_sql.scalar(sa.text("SELECT id FROM pdam.pengaduan WHERE petugas_id = 3"))
    url = f"/admin/pdam_pengaduan/edit/?id={key}"
    assert _save(admin, url, lama_penanganan="1 mon 2 days 03:00:00").status_code == 302
    stored = water_sql.scalar(
        sa.text("SELECT lama_penanganan::text FROM pdam.pengaduan WHERE id = :k"), {"k": key}
    )
    assert stored == "1 mon 2 days 03:00:00"
    refused = _save(admin, url, lama_penanganan="dua jam")
    assert refused.status_code == 200
    assert "The database does not read this as a value of type interval." in _errors(refused)
    assert (
        water_sql.scalar(
            sa.text("SELECT lama_penanganan::text FROM pdam.pengaduan WHERE id = :k"), {"k": key}
        )
        == stored
    )


def test_a_row_is_created_on_a_partitioned_table_with_a_required_double(admin, water_sql):
    token = csrf_token(admin, "/admin/pdam_baca_meter/new/")
    response = admin.post(
        "/admin/pdam_baca_meter/new/",
        data={
            "csrf_token": token,
            "no_sambungan": "0202000789",
            "dibaca_pada": "2026-11-28",
            "angka_meter": "8812.5",
        },
    )
    assert response.status_code == 302, _errors(response)
    assert (
        water_sql.scalar(
            sa.text("SELECT angka_meter FROM pdam.baca_meter_2026_11 WHERE dibaca_pada = '2026-11-28'")
        )
        == 8812.5
    )


@pytest.mark.parametrize(
    "language, message",
    [("en", "Field cannot be longer than 4 characters."), ("id", "Isian tidak boleh lebih dari 4 karakter.")],
)
def test_text_longer_than_its_column_is_a_form_error_in_both_languages(water, water_sql, language, message):
    app = _panel(water, BACKOFFICE_LANGUAGE=language)
    client = log_in(app.test_client(), "admin", PASSWORD)
    response = _save(client, "/admin/pdam_golongan_tarif/edit/?id=N1", kode="N1-TOO-LONG")
    assert response.status_code == 200 and message in _errors(response)
    assert water_sql.scalar(sa.text("SELECT count(*) FROM pdam.golongan_tarif WHERE kode = 'N1'")) == 1
    with app.app_context():
        db.engine.dispose()


def test_a_view_whose_query_fails_says_so_on_its_list_and_its_export(water, water_sql, tmp_path):
    water_sql.exec_driver_sql(
        "CREATE VIEW pdam.rusak AS SELECT n, 100 / (n - n) AS hasil FROM generate_series(1, 3) AS n"
    )
    try:
        app = _panel(water)
        client = log_in(app.test_client(), "admin", PASSWORD)
        listing = client.get("/admin/pdam_rusak/")
        assert listing.status_code == 200
        assert "The database cannot work with a value here." in listing.get_data(as_text=True)
        exported = client.get("/admin/pdam_rusak/export/csv/")
        assert exported.status_code == 302
        page = client.get(exported.headers["Location"]).get_data(as_text=True)
        assert "The database cannot work with a value here." in page and "division by zero" not in page
        with app.app_context():
            db.engine.dispose()
    finally:
        water_sql.exec_driver_sql("DROP VIEW pdam.rusak")


def test_a_never_analysed_table_is_counted_up_to_a_bound_not_taken_for_small(water_app, water):
    officers = water_app.extensions["backoffice"].tables["pdam.petugas"]
    assert officers.estimated_rows == 1200  # pg_class.reltuples is -1: never analysed
    form = log_in(water_app.test_client(), "admin", PASSWORD).get("/admin/pdam_pengaduan/new/")
    field = re.search(r'<(\w+)[^>]*id="petugas_id"', form.get_data(as_text=True))
    assert field.group(1) == "input"  # a search-as-you-type field, not a select of the first rows
    app = _panel(water, BACKOFFICE_LARGE_TABLE_ROWS=1000)
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "pdam_petugas")
    assert view.simple_list_pager  # large: never counted exactly on a page
    with app.app_context():
        db.engine.dispose()


def test_index_advice_names_a_large_table_by_its_own_schema(water, tmp_path):
    config = '[tables."pdam.petugas"]\nfilters = ["nama"]\n'
    app = _panel(water, tmp_path, config, BACKOFFICE_LARGE_TABLE_ROWS=1000)
    result = app.test_cli_runner().invoke(args=["index-advice"])
    assert result.exit_code == 0
    expected = 'CREATE INDEX CONCURRENTLY "petugas_nama_bo_idx" ON "pdam"."petugas" ("nama");'
    assert [line for line in result.output.splitlines() if not line.startswith("--")] == [expected]
    with app.app_context():
        db.engine.dispose()


def test_an_unpopulated_materialized_view_says_what_to_do(admin):
    page = admin.get("/admin/pdam_rekap_wilayah/")
    assert page.status_code == 200
    assert "REFRESH MATERIALIZED VIEW pdam.rekap_wilayah" in page.get_data(as_text=True)


def test_a_view_row_is_found_again_though_a_value_is_computed_at_every_read(admin):
    listing = admin.get("/admin/pdam_tunggakan/").get_data(as_text=True)
    details = next(part for part in listing.split('"') if "/details/?id=" in part).replace("&amp;", "&")
    page = admin.get(details)
    assert page.status_code == 200 and "0202000789" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "name, word",
    [
        ("api_key", "api key"),
        ("apiKey", "api key"),
        ("APIKey", "api key"),
        ("apikey", "apikey"),
        ("private_key", "private key"),
        ("accessToken", "token"),
        ("refresh-token", "token"),
        ("session_id", "session"),
        ("password_salt", "password"),
        ("salt", "salt"),
        ("pin2", "pin"),
        ("kata_sandi", "sandi"),
        ("KataSandi", "sandi"),
        ("kunci", "kunci"),
        ("userpass", "userpass"),
        ("otp_pure", "otp"),
    ],
)
def test_a_secret_is_found_by_any_spelling_of_its_name(name, word):
    assert secret_word(name) == word


@pytest.mark.parametrize(
    "name", ["agent_name", "keterangan", "kode_pos", "pinjaman_ke", "passenger", "monkey", "id"]
)
def test_ordinary_names_are_not_secrets(name):
    assert secret_word(name) is None


def test_a_column_that_only_looks_secret_is_shown_when_declared_and_the_page_says_why(water, tmp_path):
    admin_page = (
        log_in(_panel(water).test_client(), "admin", PASSWORD).get("/admin/unserved/").get_data(as_text=True)
    )
    assert 'data-table="pdam.petugas" data-column="kunci_loker"' in admin_page
    assert 'data-column="kata_sandi"' in admin_page and "sandi" in admin_page
    assert 'data-column="session_start"' not in admin_page  # a time: never a secret, whatever its name
    app = _panel(water, tmp_path, '[tables."pdam.petugas"]\nnot_secret = ["kunci_loker"]\n')
    client = log_in(app.test_client(), "admin", PASSWORD)
    assert "Kunci Loker" in client.get("/admin/pdam_petugas/").get_data(as_text=True)
    assert 'data-column="kunci_loker"' not in client.get("/admin/unserved/").get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_names_read_as_words_and_tables_group_by_schema_and_prefix(admin):
    assert humanise("InvoiceLine") == "Invoice Line"
    assert humanise("no_sambungan") == "No Sambungan"
    assert humanise("APIKey") == "API Key"
    groups = guess_groups(["am_user", "am_balance", "trancode", "pdam.wilayah", "PlaylistTrack", "Playlist"])
    assert groups == {
        "am_user": "am",
        "am_balance": "am",
        "trancode": "other",
        "pdam.wilayah": "pdam",
        "PlaylistTrack": "playlist",
        "Playlist": "playlist",
    }
    menu = admin.get("/admin/").get_data(as_text=True)
    assert re.search(r">\s*Pdam\s*<", menu) and "Golongan Tarif" in menu


def test_labels_are_declared_in_both_languages(water, tmp_path):
    config = (
        '[groups]\nbilling = { id = "Tagihan", en = "Billing" }\n'
        '[tables."pdam.pelanggan"]\ngroup = "billing"\nlabel = { id = "Pelanggan", en = "Customers" }\n'
        'labels = { nama = { id = "Nama pelanggan", en = "Customer name" } }\n'
    )
    app = _panel(water, tmp_path, config)
    english = (
        log_in(app.test_client(), "admin", PASSWORD).get("/admin/pdam_pelanggan/").get_data(as_text=True)
    )
    assert "Customers" in english and "Customer name" in english and "Billing" in english
    client = log_in(app.test_client(), "admin", PASSWORD)
    client.post(
        "/language", data={"language": "id", "next": "/admin/", "csrf_token": csrf_token(client, "/admin/")}
    )
    indonesian = client.get("/admin/pdam_pelanggan/").get_data(as_text=True)
    assert "Nama pelanggan" in indonesian and "Tagihan" in indonesian
    with app.app_context():
        db.engine.dispose()


def test_a_label_of_any_other_shape_stops_start_up_naming_it(water, tmp_path):
    from backoffice.catalogue import ConfigError

    with pytest.raises(ConfigError, match=r"BO-E007 .*\[tables.pdam.pelanggan\] label"):
        _panel(water, tmp_path, '[tables."pdam.pelanggan"]\nlabel = { fr = "Clients" }\n')


def test_the_search_box_finds_a_row_by_its_key_and_by_the_start_of_its_name(admin):
    one = admin.get("/admin/search/?q=0101000123")
    assert (
        one.status_code == 302 and "/admin/pdam_pelanggan/details/?id=0101000123" in one.headers["Location"]
    )
    several = admin.get("/admin/search/?q=Kecamatan").get_data(as_text=True)
    assert "Kecamatan Cibeunying" in several and "Kecamatan Coblong" in several
    assert 'id="search-none"' in admin.get("/admin/search/?q=SECRET").get_data(as_text=True)


# MariaDB: the panel's own database, one per application database.


@pytest.fixture
def reseller(mariadb_server):
    url = corpus.create_mariadb("pulsa_reseller.mysql.sql")
    yield url
    corpus.drop_mariadb(url, own_database_name(make_url(url).database))


def test_two_applications_on_one_mariadb_keep_their_users_and_trails_apart(reseller):
    other = corpus.create_mariadb("store_visit.mysql.sql")
    own = {own_database_name(make_url(u).database) for u in (reseller, other)}
    try:
        before = _databases()
        first, second = _panel(reseller), _panel(other)  # the same user name "admin" in both
        for app in (first, second):
            assert log_in(app.test_client(), "admin", PASSWORD).get("/admin/").status_code == 200
            with app.app_context():
                db.engine.dispose()
        after = _databases()
        # Each panel created its own database and nothing else: none shared between them (the
        # server may hold databases of its own, even one named "backoffice", from before; the
        # suite's other workers create "bo_..." databases of their tests meanwhile).
        others = {name for name in after - before if name.startswith("bo_") and name not in own}
        assert own <= after and after - before - others <= own
    finally:
        corpus.drop_mariadb(other, own_database_name(make_url(other).database))


def _databases() -> set[str]:
    engine = corpus.mariadb_engine()
    with engine.connect() as conn:
        databases = set(conn.exec_driver_sql("SHOW DATABASES").scalars())
    engine.dispose()
    return databases


def test_the_panels_own_database_name_fits_mysqls_limit():
    assert own_database_name("toko") == "toko_backoffice"
    long = own_database_name("x" * 64)
    assert len(long) == 64 and long.endswith("_backoffice") and long != own_database_name("x" * 63)


def test_mysql_set_year_bit_and_a_non_key_auto_increment_are_saved(reseller):
    app = _panel(reseller)
    client = log_in(app.test_client(), "admin", PASSWORD)
    response = _save(
        client, "/admin/reseller/edit/?id=2", hak_akses=["topup", "laporan"], tahun_gabung="2025", flags="3"
    )
    assert response.status_code == 302, _errors(response)
    token = csrf_token(client, "/admin/produk/new/")
    created = client.post(
        "/admin/produk/new/",
        data={
            "csrf_token": token,
            "kode": "X5",
            "nama": "XL 5.000",
            "operator": "XL",
            "harga_modal": "5125.5",
            "harga_jual": "5500",
        },
    )
    assert created.status_code == 302, _errors(created)
    engine = sa.create_engine(reseller)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT hak_akses, tahun_gabung, flags + 0 AS flags FROM reseller WHERE id = 2")
        ).one()
        urutan = conn.scalar(sa.text("SELECT urutan FROM produk WHERE kode = 'X5'"))
        own = own_database_name(make_url(reseller).database)
        audited = conn.scalar(
            sa.text(f"SELECT `after` FROM `{own}`.audit_log WHERE action = 'update' AND record_key = '2'")
        )
    engine.dispose()
    assert (set(row.hak_akses.split(",")), row.tahun_gabung, row.flags) == ({"topup", "laporan"}, 2025, 3)
    assert urutan == 4  # filled by the database
    assert '"hak_akses": ["laporan", "topup"]' in audited
    with app.app_context():
        db.engine.dispose()


def test_mariadb_audit_times_are_shown_in_jakarta_time(reseller):
    app = _panel(reseller)
    client = log_in(app.test_client(), "admin", PASSWORD)
    page = client.get("/admin/audit_log/").get_data(as_text=True)
    shown = re.findall(r"\d\d-[A-Z][a-z]{2}-20\d\d \d\d:\d\d:\d\d", page)
    now = datetime.now(JAKARTA).replace(tzinfo=None)
    assert shown and abs(datetime.strptime(shown[0], "%d-%b-%Y %H:%M:%S") - now) < timedelta(minutes=5)
    with app.app_context():
        db.engine.dispose()
