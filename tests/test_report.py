"""The live transaction report: columns, filters, paging, totals, live rows, recap, exports."""

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa

from app import create_app
from backoffice.catalogue import ConfigError
from tests.conftest import PASSWORDS
from tests.helpers import log_in

SOURCE_COLUMNS = [
    "Transaction time",
    "User ID",
    "Name",
    "Noref",
    "Customer ID",
    "Product name",
    "Source account",
]
UNION = (
    "(SELECT * FROM tempmsg UNION ALL SELECT msgid, transactionid, transactioncode, proccode, requesttime, "
    "responsetime, fromagent, fromaccount, toaccount, NULL, NULL, custno, productcode, billercode, amount, "
    "hargajual, hargabeli, feejual, feebeli, NULL, ppob_profit, ref_profit, NULL, usr_cashback, prev_bal, "
    "curr_bal, NULL, NULL, noref, refer, trxidbackend, NULL, responsecode, rcinternal, statusreply, "
    "status_bayar, tgl_bayar, inpmsg, reqbiller, respbiller FROM tempmsg_backup) t"
)


def now_wib() -> datetime:
    return datetime.now(ZoneInfo("Asia/Jakarta")).replace(tzinfo=None, microsecond=0)


def keys(html: str) -> list[str]:
    return re.findall(r'<tr data-key="(\d+)"', html)


def yesterday() -> str:
    return (now_wib() - timedelta(days=1)).date().isoformat()


def add_transactions(sql, count: int, status: str = "SUKSES", start_key: int = 900_000_000) -> list[int]:
    sql.execute(
        sa.text("""
        INSERT INTO tempmsg (msgid, requesttime, fromagent, noref, custno, productcode, billercode, amount,
                             hargajual, hargabeli, responsecode, statusreply, fromaccount)
        SELECT :k + g, :t, (SELECT min(agent_id) FROM am_user), 'LIVE' || (:k + g), '081234567890', 'TSEL10',
               'DGF', 10000, 11500, 10650, '00', :s, '-'
          FROM generate_series(1, :n) g"""),
        {"k": start_key, "t": now_wib(), "n": count, "s": status},
    )
    return [start_key + g for g in range(1, count + 1)]


def test_the_report_has_the_sources_columns_newest_first(login_as, sql):
    html = login_as("staff").get(f"/admin/report/?from={yesterday()}").get_data(as_text=True)
    for label in SOURCE_COLUMNS + [
        "Status",
        "Amount",
        "Selling price",
        "Cost price",
        "Biller",
        "Response code",
    ]:
        assert f">{label}</th>" in html
    newest = sql.scalar(
        sa.text(
            f"SELECT msgid FROM {UNION} WHERE requesttime >= :d ORDER BY requesttime DESC, msgid DESC LIMIT 1"
        ),
        {"d": yesterday()},
    )
    assert keys(html)[0] == str(newest)
    assert re.search(r"\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}", html)  # 29-Aug-2022 08:45:35
    assert re.search(r"Rp \d{1,3}(\.\d{3})*<", html)  # Rp 25.000


@pytest.mark.parametrize(
    "query, column, expected",
    [
        ("status=failed", "statusreply", {"GAGAL"}),
        ("product=TSEL10", "productcode", {"TSEL10"}),
        ("biller=DGF", "billercode", {"DGF"}),
        ("group=PLN", "productcode", {"PLN20", "PLN50", "PLN100", "PLN200", "PLNPASCA"}),
    ],
)
def test_filters_narrow_every_row(login_as, sql, query, column, expected):
    html = login_as("staff").get(f"/admin/report/?from={yesterday()}&{query}").get_data(as_text=True)
    shown = keys(html)
    assert shown
    values = set(
        sql.execute(
            sa.text(f"SELECT DISTINCT {column} FROM {UNION} WHERE msgid = ANY(:k)"),
            {"k": [int(k) for k in shown]},
        ).scalars()
    )
    assert values <= expected


def test_exact_search_by_noref_or_customer_and_by_agent(login_as, sql):
    client = login_as("staff")
    noref, agent = sql.execute(
        sa.text("SELECT noref, fromagent FROM tempmsg_backup ORDER BY requesttime DESC LIMIT 1")
    ).one()
    assert len(keys(client.get(f"/admin/report/?from={yesterday()}&q={noref}").get_data(as_text=True))) == 1
    agent_rows = keys(client.get(f"/admin/report/?from={yesterday()}&agent={agent}").get_data(as_text=True))
    agents = set(
        sql.execute(
            sa.text(f"SELECT fromagent FROM {UNION} WHERE msgid = ANY(:k)"),
            {"k": [int(k) for k in agent_rows]},
        ).scalars()
    )
    assert agents == {agent}


def test_older_pages_continue_without_gaps_or_repeats(login_as, sql):
    client = login_as("staff")
    start = (now_wib() - timedelta(days=3)).date().isoformat()
    html = client.get(f"/admin/report/?from={start}").get_data(as_text=True)
    first = keys(html)
    older = re.search(r'href="([^"]*before=[^"]*)"', html).group(1).replace("&amp;", "&")
    second = keys(client.get(older).get_data(as_text=True))
    expected = (
        sql.execute(
            sa.text(
                f"SELECT msgid FROM {UNION} WHERE requesttime >= :d "
                "ORDER BY requesttime DESC, msgid DESC LIMIT 100"
            ),
            {"d": start},
        )
        .scalars()
        .all()
    )
    assert first + second == [str(k) for k in expected]


def test_totals_match_the_database(login_as, sql):
    html = login_as("staff").get(f"/admin/report/?from={yesterday()}&to={yesterday()}").get_data(as_text=True)
    count, failed = sql.execute(
        sa.text(
            f"SELECT count(*), count(*) FILTER (WHERE statusreply = 'GAGAL') FROM {UNION} "
            "WHERE requesttime >= :d AND requesttime < CAST(:d AS date) + 1"
        ),
        {"d": yesterday()},
    ).one()
    assert f'data-total="count">{count:,}</b>'.replace(",", ".") in html
    assert f'data-total="failed">{failed}</b>' in html


def test_malformed_filters_get_a_message_and_a_page(login_as):
    response = login_as("staff").get("/admin/report/?from=kemarin&to=2026-02-30&status=hilang&q=%00")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "kemarin is not a date (DD-MM-YYYY)" in html and "Unknown status hilang" in html


def test_dates_are_typed_and_shown_as_operators_write_them_and_rates_with_a_comma(login_as):
    client = login_as("staff")
    day = datetime.now(ZoneInfo("Asia/Jakarta")).date() - timedelta(days=1)
    html = client.get(f"/admin/report/?from={day:%d-%m-%Y}&to={day:%d/%m/%Y}").get_data(as_text=True)
    assert "is not a date" not in html and f'value="{day:%d-%m-%Y}"' in html
    rate = re.search(r'data-total="rate">([^<]+)<', html).group(1)
    assert re.fullmatch(r"\d{1,3},\d%", rate), rate
    totals = client.get("/admin/report/live").get_json()["totals"]
    assert re.fullmatch(r"\d{1,3},\d%", totals["rate"]) and "," not in totals["count"]


def test_live_returns_every_new_row_once_per_key(login_as, sql):
    client = login_as("staff")
    since = (now_wib() - timedelta(seconds=5)).isoformat()
    added = add_transactions(sql, 60)
    data = client.get(f"/admin/report/live?since={since}").get_json()
    live_keys = [int(row["key"]) for row in data["rows"]]
    assert set(added) <= set(live_keys) and len(live_keys) == len(set(live_keys))
    assert data["totals"]["success"] and data["server_time"]
    failed = client.get(f"/admin/report/live?since={since}&status=failed").get_json()
    assert not set(added) & {int(row["key"]) for row in failed["rows"]}


def test_daily_recap_adds_up(login_as, sql):
    html = (
        login_as("staff")
        .get(f"/admin/report/recap?from={yesterday()}&to={yesterday()}&by=biller")
        .get_data(as_text=True)
    )
    success = sql.scalar(
        sa.text(
            f"SELECT count(*) FROM {UNION} WHERE billercode = 'DGF' AND statusreply = 'SUKSES' "
            "AND requesttime >= :d AND requesttime < CAST(:d AS date) + 1"
        ),
        {"d": yesterday()},
    )
    row = re.search(r"<td>DGF</td>\s*<td class=\"text-right\">([\d.]+)</td>", html)
    assert row and int(row.group(1).replace(".", "")) == success


def test_exports_keep_the_filter_types_and_a_dated_name(login_as, sql):
    client = login_as("staff")
    response = client.get(f"/admin/report/export/xlsx/?from={yesterday()}&to={yesterday()}&status=failed")
    name = f"transaksi_{now_wib().date().isoformat()}.xlsx"
    assert (
        response.headers["Content-Disposition"] == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == sheet["A1"].value == "Transaction report"  # not "Tablib Dataset"
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if list(row[:7]) == SOURCE_COLUMNS)
    data, total = rows[header + 1 : -1], rows[-1]
    assert {row[7] for row in data} == {"GAGAL"}
    assert isinstance(data[0][0], datetime) and isinstance(data[0][8], int | float)
    assert sheet.cell(row=header + 2, column=9).number_format == '"Rp" #,##0'  # money shows as money
    assert total[0] == "Total" and total[8] == sum(row[8] for row in data)
    failed = sql.scalar(
        sa.text(
            f"SELECT count(*) FROM {UNION} WHERE statusreply = 'GAGAL' "
            "AND requesttime >= :d AND requesttime < CAST(:d AS date) + 1"
        ),
        {"d": yesterday()},
    )
    assert len(data) == failed
    text = client.get(f"/admin/report/export/csv/?from={yesterday()}&status=failed").get_data(as_text=True)
    assert text.startswith("\ufeff") and len(list(csv.reader(io.StringIO(text)))) - 1 >= failed


def test_pdf_has_a_header_and_stops_at_its_limit(app, login_as):
    client = login_as("staff")
    response = client.get(f"/admin/report/export/pdf/?from={yesterday()}&status=failed")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    app.config["BACKOFFICE_PDF_MAX_ROWS"] = 5
    response = client.get(f"/admin/report/export/pdf/?from={yesterday()}", follow_redirects=True)
    assert "More than 5 rows: PDF cannot hold them" in response.get_data(as_text=True)


def test_the_pdf_writes_any_name_in_an_embedded_unicode_font(app, login_as, sql):
    noref = sql.scalar(sa.text("SELECT max(noref) FROM tempmsg WHERE statusreply = 'GAGAL'"))
    agent = sql.scalar(sa.text("SELECT fromagent FROM tempmsg WHERE noref = :n"), {"n": noref})
    sql.execute(sa.text("UPDATE am_user SET agent_name = 'Şükrü Ōtsuka' WHERE agent_id = :a"), {"a": agent})
    pdf = login_as("staff").get(f"/admin/report/export/pdf/?q={noref}&from={yesterday()}").data
    assert b"DejaVu" in pdf  # the font kept in the project, embedded
    # Its map from glyphs back to text holds Ş and Ō: written, not replaced by "?" as in Latin-1.
    mapped = {code.upper() for code in re.findall(rb"<[0-9A-Fa-f]{4}> <([0-9A-Fa-f]{4})>", pdf)}
    assert {b"015E", b"014C"} <= mapped


def test_report_exports_are_recorded(login_as, sql):
    login_as("staff").get(f"/admin/report/export/json/?from={yesterday()}&biller=DGF")
    detail = sql.scalar(
        sa.text("SELECT detail FROM backoffice.audit_log WHERE action = 'export' AND view = 'report'")
    )
    ended = sql.scalar(sa.text("SELECT detail FROM backoffice.audit_log WHERE action = 'export_end'"))
    assert detail["format"] == "json" and detail["query"]["biller"] == "DGF" and ended["rows"] > 0


def test_auditors_do_not_see_the_report(login_as):
    client = login_as("auditor")
    assert client.get("/admin/report/").status_code == 403
    assert client.get("/admin/report/export/csv/").status_code == 403


def test_a_wrong_report_mapping_stops_start_up(tmp_path, database_url):
    config = tmp_path / "backoffice.toml"
    config.write_text('[report.columns]\ntime = "waktu_trx"\n')
    with pytest.raises(ConfigError, match="BO-E023 .*table 'tempmsg' has no column 'waktu_trx'"):
        create_app(
            {
                "BACKOFFICE_MODE": "test",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "BACKOFFICE_CONFIG_FILE": str(config),
            }
        )


def test_agent_names_are_escaped_in_the_report(login_as, sql):
    agent = sql.scalar(sa.text("SELECT fromagent FROM tempmsg_backup ORDER BY requesttime DESC LIMIT 1"))
    sql.execute(
        sa.text("UPDATE am_user SET agent_name = '<script>alert(1)</script>' WHERE agent_id = :a"),
        {"a": agent},
    )
    html = login_as("staff").get(f"/admin/report/?from={yesterday()}&agent={agent}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_daily_recap_reads_as_the_h1_document_with_its_total_margin_and_exports(app, login_as, sql):
    day = yesterday()
    staff = login_as("staff")
    page = staff.get(f"/admin/report/recap?from={day}&to={day}").get_data(as_text=True)
    assert 'id="recap-title">Daily recap<' in page and "PULSA TELKOMSEL 10K" in page
    sales = sql.scalar(
        sa.text(
            f"SELECT sum(hargajual) FROM {UNION} WHERE statusreply = 'SUKSES' AND requesttime::date = :d"
        ),
        {"d": day},
    )
    total = page[page.index('id="recap-total"') :].split("</tr>")[0]
    assert "Rp " + f"{sales:,.0f}".replace(",", ".") in total
    assert 'data-total="margin"' not in page  # staff see sales, not what the company earns
    admin = app.test_client()
    log_in(admin, "administrator", PASSWORDS["administrator"])
    assert 'data-total="margin"' in admin.get(f"/admin/report/recap?from={day}&to={day}").get_data(
        as_text=True
    )
    for fmt in ("csv", "xlsx", "pdf"):
        response = staff.get(f"/admin/report/recap/export/{fmt}/?from={day}&to={day}")
        assert response.status_code == 200 and len(response.data) > 100, fmt
    exported = staff.get(f"/admin/report/recap/export/csv/?from={day}&to={day}").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(exported.removeprefix("\ufeff"))))
    assert "Product" in header and "Margin" not in header
    recorded = "SELECT count(*) FROM backoffice.audit_log WHERE action = 'export' AND view = 'report'"
    assert sql.scalar(sa.text(recorded)) == 4
