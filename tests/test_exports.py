"""Exports of generated views: typed, neutralised, without secrets, bounded where they must be."""

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa
import tablib

HOSTILE = '=HYPERLINK("http://evil.example","klik")'


@pytest.fixture
def hostile_agent(sql):
    sql.execute(
        sa.text("UPDATE am_user SET agent_name = :name WHERE agent_id = (SELECT min(agent_id) FROM am_user)"),
        {"name": HOSTILE},
    )
    return sql.execute(
        sa.text(
            "SELECT agent_id, password, agent_pin, otp_pure, history_pin FROM am_user "
            "WHERE agent_name = :name"
        ),
        {"name": HOSTILE},
    ).one()


def test_csv_has_a_bom_neutralised_formulas_and_no_secrets(login_as, hostile_agent):
    response = login_as("administrator").get("/admin/am_user/export/csv/")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="am_user_20')
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    names = [row[rows[0].index("Agent name")] for row in rows[1:]]
    assert "'" + HOSTILE in names and HOSTILE not in names
    for secret in hostile_agent[1:]:
        assert secret not in text


def test_xlsx_keeps_numbers_numeric_and_dates_dates(login_as):
    response = login_as("administrator").get("/admin/trancode/export/xlsx/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "trancode"  # named for what it holds, not "Tablib Dataset"
    header = [c.value for c in sheet[1]]
    price = sheet.cell(row=2, column=header.index("Selling price") + 1).value
    assert isinstance(price, int | float)


def test_xlsx_dates_are_dates(login_as):
    import datetime

    response = login_as("administrator").get("/admin/am_user/export/xlsx/")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    assert isinstance(sheet.cell(row=2, column=header.index("Registered") + 1).value, datetime.datetime)


def test_export_follows_the_search(login_as, sql):
    agent = sql.scalar(sa.text("SELECT agent_id FROM am_user ORDER BY agent_id LIMIT 1"))
    response = login_as("administrator").get(f"/admin/am_user/export/json/?search={agent}")
    data = tablib.Dataset().load(response.get_data(as_text=True), format="json")
    assert [row["Agent ID"] for row in data.dict] == [agent]


def test_formats_that_cannot_stream_stop_at_the_limit_with_a_message(app, login_as):
    app.config["BACKOFFICE_EXPORT_MAX_ROWS"] = 100
    client = login_as("staff")
    response = client.get("/admin/tempmsg_backup/export/xlsx/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "More than 100 rows" in html and "CSV" in html
    assert client.get("/admin/tempmsg_backup/export/csv/").status_code == 200


def test_each_slow_format_has_a_limit_of_its_own(app, login_as):
    app.config["BACKOFFICE_ODS_MAX_ROWS"] = 10  # trancode has 35 rows
    client = login_as("staff")
    refused = client.get("/admin/trancode/export/ods/", follow_redirects=True).get_data(as_text=True)
    assert "More than 10 rows: ODS cannot hold them" in refused
    xlsx = client.get("/admin/trancode/export/xlsx/")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")


def test_unknown_format_is_404_and_export_needs_the_capability(login_as):
    client = login_as("auditor")
    assert client.get("/admin/am_user/export/csv/").status_code == 403
    assert client.get("/admin/ppob_user_activity/export/csv/").status_code == 200
    assert client.get("/admin/ppob_user_activity/export/exe/").status_code == 404


#: Text as stored -> as every writer must write it (one rule: backoffice/spreadsheet.py).
GUARDED = {
    "=1+1": "'=1+1",
    " =1+1": "' =1+1",
    "\n=HYPERLINK(1)": "'\n=HYPERLINK(1)",
    "\uff1dSUM(A1)": "'\uff1dSUM(A1)",
    "\u3000+1": "'\u3000+1",
    "@SUM(A1)": "'@SUM(A1)",
    "\tx": "'\tx",
    "-": "-",  # the legacy empty value is data
    "-5": "'-5",
    "a=b": "a=b",
    "Pulsa 10.000": "Pulsa 10.000",
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])  # CSV by PostgreSQL's COPY, Excel by Python
def test_every_writer_neutralises_formulas_by_the_same_rule(login_as, sql, fmt):
    codes = sql.scalars(
        sa.text("SELECT trancodeid FROM trancode ORDER BY trancodeid LIMIT :n"), {"n": len(GUARDED)}
    )
    stored = dict(zip(codes.all(), GUARDED, strict=True))
    for code, name in stored.items():
        sql.execute(
            sa.text("UPDATE trancode SET trancodename = :n WHERE trancodeid = :c"), {"n": name, "c": code}
        )
    response = login_as("administrator").get(f"/admin/trancode/export/{fmt}/")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        header = [c.value for c in sheet[1]]
        rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    written = {row["Product code"]: row["Product name"] for row in rows if row["Product code"] in stored}
    assert written == {code: GUARDED[name] for code, name in stored.items()}


@pytest.mark.parametrize("view", ["audit_log", "panel_users"])  # labels there are lazy translations
def test_the_panels_own_tables_export_as_json(login_as, view):
    client = login_as("administrator")
    client.get("/admin/trancode/export/csv/")  # so that the change history has a record
    response = client.get(f"/admin/{view}/export/json/")
    assert response.status_code == 200 and response.get_json() and isinstance(response.get_json()[0], dict)
