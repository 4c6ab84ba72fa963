"""The generated views over the reflected PPOB tables: lists, CRUD, and saves that change nothing."""

import re
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token, form_errors, form_values

PPOB_TABLES = re.findall(r"^CREATE TABLE (\w+)", Path("sql/ppob_schema.sql").read_text(), re.M)
EMPTY_LIST = "There are no items in the table."


def table_checksum(sql, table: str) -> str:
    return sql.scalar(
        sa.text(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t")
    )


def database_checksum(sql) -> dict[str, str]:
    return {table: table_checksum(sql, table) for table in PPOB_TABLES}


def test_the_schema_has_the_50_tables_of_the_source():
    assert len(PPOB_TABLES) == 50


def test_every_table_lists_its_rows_for_an_administrator(login_as, sql):
    client = login_as("administrator")
    for table in PPOB_TABLES:
        response = client.get(f"/admin/{table}/")
        assert response.status_code == 200, table
        has_rows = sql.scalar(sa.text(f"SELECT EXISTS (SELECT 1 FROM {table})"))
        assert (EMPTY_LIST not in response.get_data(as_text=True)) == has_rows, table


def test_demo_data_fills_every_table_but_the_clock_dependent_one(sql):
    # tempmsg holds today's (Jakarta) transactions only: just after midnight it may be empty.
    empty = [t for t in PPOB_TABLES if not sql.scalar(sa.text(f"SELECT EXISTS (SELECT 1 FROM {t})"))]
    assert set(empty) <= {"tempmsg"}


def main_menu(html: str) -> str:
    return re.search(r'<ul class="nav navbar-nav mr-auto">(.*?)</ul>\s*<ul', html, re.S).group(1)


def test_the_menu_drawn_once_follows_the_role_and_the_page(app, client, login_as):
    admin = login_as("administrator")
    trancode = main_menu(admin.get("/admin/trancode/").get_data(as_text=True))
    users = main_menu(admin.get("/admin/panel_users/").get_data(as_text=True))
    assert re.search(r'class="dropdown-item active\s*"\s+href="/admin/trancode/"', trancode)
    assert re.search(r'class="dropdown-item active\s*"\s+href="/admin/panel_users/"', users)
    assert 'href="/admin/panel_users/"' in trancode and users.count(" active") == trancode.count(" active")
    assert main_menu(admin.get("/admin/trancode/").get_data(as_text=True)) == trancode  # from the cache
    app.extensions["backoffice"].menus.clear()
    assert main_menu(admin.get("/admin/trancode/").get_data(as_text=True)) == trancode  # drawn afresh
    admin.post("/logout", data={"csrf_token": csrf_token(admin, "/admin/")})
    staff = main_menu(login_as("staff").get("/admin/trancode/").get_data(as_text=True))
    assert 'href="/admin/trancode/"' in staff and 'href="/admin/panel_users/"' not in staff


def test_list_shows_keys_and_foreign_keys(login_as, sql):
    client = login_as("administrator")
    # biller_update_balance.billercode is a foreign key, am_balance.agent_id a natural key.
    html = client.get("/admin/biller_update_balance/").get_data(as_text=True)
    assert ">Biller<" in html.replace("\n", "").replace(" ", "") or "Biller</a>" in html
    code = sql.scalar(
        sa.text("SELECT billercode FROM biller_update_balance ORDER BY transfer_date DESC LIMIT 1")
    )
    assert code in html
    agent = sql.scalar(sa.text("SELECT agent_id FROM am_balance ORDER BY agent_id LIMIT 1"))
    assert agent in client.get("/admin/am_balance/?sort=0").get_data(as_text=True)


def test_create_leaves_server_defaults_to_the_database(login_as, sql):
    client = login_as("administrator")
    token = csrf_token(client, "/admin/am_user/new/")
    response = client.post(
        "/admin/am_user/new/",
        data={
            "csrf_token": token,
            "agent_id": "081299998888",
            "agent_name": "Agen Baru",
            "status": "1",
        },
    )
    assert response.status_code == 302
    row = sql.execute(sa.text("SELECT * FROM am_user WHERE agent_id = '081299998888'")).mappings().one()
    assert row["agent_name"] == "Agen Baru"
    assert row["userlevel"] == 0 and row["verified"] == "0" and row["img_ktp"] == "-"
    assert row["otp_used"] is False and row["tgl_register"] is not None
    assert row["password"] is None  # secrets are not in generated forms


@pytest.mark.parametrize(
    "table, key, changes",
    [
        ("am_user", "agent_id", {"agent_name": "Nama Diubah", "email": "ubah@example.com"}),
        ("trancode", "trancodeid", {"trancodename": "PULSA TELKOMSEL 10K PROMO", "hargajual": "12345.00"}),
        ("biller_crm", "id", {"nama": "Dewi Lestari", "email": "dewi@biller.example"}),
    ],
)
def test_edit_changes_only_what_the_user_changed(login_as, sql, table, key, changes):
    client = login_as("administrator")
    pk = sql.scalar(sa.text(f"SELECT {key} FROM {table} ORDER BY {key} LIMIT 1"))
    before = dict(sql.execute(sa.text(f"SELECT * FROM {table} WHERE {key} = :k"), {"k": pk}).mappings().one())
    url = f"/admin/{table}/edit/?id={pk}"
    values = form_values(client.get(url).get_data(as_text=True))
    response = client.post(url, data={**values, **changes})
    assert response.status_code == 302
    after = dict(sql.execute(sa.text(f"SELECT * FROM {table} WHERE {key} = :k"), {"k": pk}).mappings().one())
    changed = {column for column in before if before[column] != after[column]}
    assert changed == set(changes)


@pytest.mark.parametrize(
    "table, key", [("am_user", "agent_id"), ("trancode", "trancodeid"), ("biller_crm", "id")]
)
def test_delete_removes_the_row(login_as, sql, table, key):
    client = login_as("administrator")
    if table == "trancode":  # trancode_biller refers to products: take one no route uses
        sql.execute(
            sa.text("INSERT INTO trancode (trancodeid, trancodename) VALUES ('HAPUS1', 'Produk Hapus')")
        )
    if table == "am_user":
        sql.execute(sa.text("INSERT INTO am_user (agent_id, agent_name) VALUES ('089900000001', 'Hapus')"))
    pk = {"am_user": "089900000001", "trancode": "HAPUS1"}.get(table) or sql.scalar(
        sa.text(f"SELECT max({key}) FROM {table}")
    )
    token = csrf_token(client, f"/admin/{table}/")
    response = client.post(f"/admin/{table}/delete/", data={"id": pk, "csrf_token": token})
    assert response.status_code == 302
    assert not sql.scalar(sa.text(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {key} = :k)"), {"k": pk})


def test_delete_of_a_referenced_row_is_refused_with_a_plain_message(login_as, sql):
    client = login_as("administrator")
    before = table_checksum(sql, "trancode")
    token = csrf_token(client, "/admin/trancode/")
    response = client.post(
        "/admin/trancode/delete/", data={"id": "TSEL10", "csrf_token": token}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "refers to a record that does not exist, or the record is still used elsewhere" in html
    assert "DELETE FROM" not in html and "psycopg2" not in html
    assert table_checksum(sql, "trancode") == before


def test_duplicate_key_names_the_field_and_changes_nothing(login_as, sql):
    client = login_as("administrator")
    before = table_checksum(sql, "trancode")
    token = csrf_token(client, "/admin/trancode/new/")
    response = client.post(
        "/admin/trancode/new/",
        data={"csrf_token": token, "trancodeid": "TSEL10", "trancodename": "Duplikat"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Already exists." in html and "INSERT INTO" not in html
    assert table_checksum(sql, "trancode") == before


#: Tables administrators edit in the grid: not the history tables (no key), not those the file
#: makes read-only (ledgers written by the database's functions, live transactions) or leaves
#: read-only to them (decided in the approval queue).
_SETTINGS = tomllib.loads(Path("backoffice.toml").read_text())["tables"]
EDITABLE = [
    t
    for t in PPOB_TABLES
    if not t.endswith("_backup")
    and not _SETTINGS.get(t, {}).get("read_only")
    and "edit" in _SETTINGS.get(t, {}).get("permissions", {}).get("administrator", ["edit"])
]


@pytest.mark.parametrize("table", EDITABLE)
def test_saving_an_unchanged_form_changes_nothing_anywhere(login_as, sql, table):
    client = login_as("administrator")
    keys = (
        sql.execute(
            sa.text(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = CAST(:t AS regclass) AND i.indisprimary "
                "ORDER BY array_position(i.indkey, a.attnum)"
            ),
            {"t": table},
        )
        .scalars()
        .all()
    )
    row = sql.execute(sa.text(f"SELECT {', '.join(keys)} FROM {table} ORDER BY 1 LIMIT 1")).one_or_none()
    if row is None:
        pytest.skip(f"{table} has no row at this hour")
    pk = ",".join(str(v).replace(".", "..").replace(",", ".,") for v in row)
    before = database_checksum(sql)
    url = f"/admin/{table}/edit/?id={pk}"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, data=form_values(page.get_data(as_text=True)))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert database_checksum(sql) == before


def test_a_table_without_primary_key_lists_and_cannot_be_edited(login_as, sql):
    client = login_as("administrator")
    html = client.get("/admin/tempmsg_backup/").get_data(as_text=True)
    assert "has no primary key" in html
    assert "/admin/tempmsg_backup/new/" not in html and "/admin/tempmsg_backup/edit/" not in html
    assert client.get("/admin/tempmsg_backup/new/").status_code == 403
    ctid = sql.scalar(sa.text("SELECT ctid::text FROM tempmsg_backup LIMIT 1"))
    pk = ctid.replace(",", ".,")
    details = client.get(f"/admin/tempmsg_backup/details/?id={pk}")
    assert details.status_code == 200
    assert client.get(f"/admin/tempmsg_backup/edit/?id={pk}").status_code == 403
    before = table_checksum(sql, "tempmsg_backup")
    token = csrf_token(client, "/admin/tempmsg/")
    assert (
        client.post("/admin/tempmsg_backup/delete/", data={"id": pk, "csrf_token": token}).status_code == 403
    )
    assert table_checksum(sql, "tempmsg_backup") == before


def test_a_table_without_primary_key_does_not_merge_rows(login_as, sql):
    # Identical rows stay two rows: the pseudo-key is ctid, not the column values.
    sql.execute(sa.text("DELETE FROM emoney_backup"))
    sql.execute(sa.text("INSERT INTO emoney_backup (trxcode, amount) VALUES ('SAMA', 1000), ('SAMA', 1000)"))
    html = login_as("administrator").get("/admin/emoney_backup/").get_data(as_text=True)
    assert len(set(re.findall(r"details/\?id=([^&\"]+)", html))) == 2


def test_secret_columns_are_not_in_lists_details_or_forms(login_as, sql):
    client = login_as("administrator")
    agent = sql.execute(sa.text("SELECT agent_id, password, agent_pin FROM am_user LIMIT 1")).one()
    pages = [
        client.get(f"/admin/am_user/?search={agent.agent_id}"),
        client.get(f"/admin/am_user/details/?id={agent.agent_id}"),
        client.get(f"/admin/am_user/edit/?id={agent.agent_id}"),
    ]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert agent.password not in html and agent.agent_pin not in html


def test_create_is_not_offered_where_a_required_column_has_no_field(database_url, tmp_path):
    from app import create_app
    from backoffice.extensions import db
    from tests.conftest import PASSWORDS, PPOB_SETTINGS
    from tests.helpers import log_in

    # A required column the file hides (as a required PIN would be: the panel can make none).
    config = tmp_path / "backoffice.toml"
    shipped = Path("backoffice.toml").read_text()
    config.write_text(
        shipped.replace("[tables.biller_crm]\n", '[tables.biller_crm]\nhidden = ["billercode"]\n')
    )
    app = create_app(
        {**PPOB_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, "BACKOFFICE_CONFIG_FILE": str(config)}
    )
    try:
        client = log_in(app.test_client(), "administrator", PASSWORDS["administrator"])
        listing = client.get("/admin/biller_crm/").get_data(as_text=True)
        assert "New records cannot be created here: billercode must be given a value" in listing
        assert 'href="/admin/biller_crm/new/' not in listing
        assert client.get("/admin/biller_crm/new/").status_code == 403
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize(
    "table", ["am_update_balance", "biller_update_balance", "am_update_poin", "tempmsg", "tempmsg_backup"]
)
def test_money_ledgers_and_live_transactions_are_read_only_even_to_administrators(login_as, sql, table):
    client = login_as("administrator")
    before = sql.scalar(sa.text(f"SELECT count(*) FROM {table}"))
    page = client.get(f"/admin/{table}/").get_data(as_text=True)
    assert f"/admin/{table}/new/" not in page and f"/admin/{table}/edit/" not in page
    assert "only" in page  # the reason the file gives, on the page
    token = csrf_token(client, f"/admin/{table}/")
    assert client.post(f"/admin/{table}/new/", data={"csrf_token": token}).status_code == 403
    assert sql.scalar(sa.text(f"SELECT count(*) FROM {table}")) == before


def ordinary_value(sql, column: sa.Column, n: int) -> str | None:
    """What a person would type into the field of ``column`` for a new row (the ``n``-th)."""
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column
        choice = sa.select(target).select_from(target.table)
        if column.primary_key or column.unique:  # one not taken yet
            choice = choice.where(target.not_in(sa.select(column).select_from(column.table)))
        return str(sql.scalar(choice.limit(1)))
    kind = column.type
    if isinstance(kind, sa.Enum):
        return kind.enums[0]
    if isinstance(kind, sa.Boolean):
        return "y"
    if isinstance(kind, sa.Integer):
        if column.primary_key:
            return str(sql.scalar(sa.select(sa.func.coalesce(sa.func.max(column), 0) + 1)))
        return "1"
    if isinstance(kind, sa.Numeric | sa.Float):
        return "1"
    if isinstance(kind, sa.DateTime):
        return "2026-12-01 10:00:00"
    if isinstance(kind, sa.Date):
        if column.primary_key:  # the day after the last one
            return str(
                sql.scalar(sa.select(sa.func.coalesce(sa.func.max(column), sa.func.current_date()) + 1))
            )
        return "2026-12-01"
    if isinstance(kind, sa.String):
        text = f"T{n:05d}"
        return text[: kind.length] if kind.length else text
    return None


def test_every_create_form_offered_succeeds_with_ordinary_input(app, login_as, sql):
    client = login_as("administrator")
    views = app.extensions["backoffice"].views
    offered, failed = 0, []
    for n, table in enumerate(PPOB_TABLES):
        view = views[table]
        if f"/admin/{table}/new/" not in client.get(f"/admin/{table}/").get_data(as_text=True):
            continue
        offered += 1
        values = form_values(client.get(f"/admin/{table}/new/").get_data(as_text=True))
        for attr in view.form_columns:
            column = view.model.__table__.c[view.column_names.get(attr, attr)]
            if attr in view.value_maps:  # a select of the map's codes: the first
                values[attr] = next(iter(view.value_maps[attr].values))
            elif not values.get(attr) and (value := ordinary_value(sql, column, n)) is not None:
                values[attr] = value
        before = sql.scalar(sa.text(f"SELECT count(*) FROM {table}"))
        response = client.post(f"/admin/{table}/new/", data=values)
        if response.status_code != 302 or sql.scalar(sa.text(f"SELECT count(*) FROM {table}")) != before + 1:
            failed.append((table, form_errors(response.get_data(as_text=True))))
    assert failed == [] and offered > 30, failed


def test_an_agent_login_is_created_with_a_random_token_the_form_never_shows(login_as, sql):
    client = login_as("administrator")
    page = client.get("/admin/am_user_token/new/").get_data(as_text=True)
    assert 'name="token"' not in page and "made at random" in page
    agent = sql.scalar(sa.text("SELECT min(agent_id) FROM am_user"))
    values = {**form_values(page), "agent_id": agent, "status": "1"}
    assert client.post("/admin/am_user_token/new/", data=values).status_code == 302
    tokens = sql.scalars(sa.text("SELECT token FROM am_user_token ORDER BY token_id DESC LIMIT 2")).all()
    assert re.fullmatch(r"[0-9a-f]{64}", tokens[0]) and tokens[0] != tokens[1]


def test_the_list_tab_counts_with_indonesian_separators(login_as, sql):
    rows = sql.scalar(sa.text("SELECT count(*) FROM tempmsg_backup"))
    page = login_as("administrator").get("/admin/tempmsg_backup/").get_data(as_text=True)
    assert re.search(r"List \(([\d.]+)\)", page).group(1) == f"{rows:,}".replace(",", ".") and rows >= 1000
