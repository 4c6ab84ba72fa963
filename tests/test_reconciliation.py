"""H+1 reconciliation: a generated statement finds exactly the planted differences; bad files are
refused with a message naming the row, and nothing is saved."""

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa

from backoffice import reconciliation as recon
from tests.helpers import csrf_token

BILLER = "BMS"


@pytest.fixture
def day(sql):
    """The day of the newest transaction at the biller that the biller never answered (planted)."""
    return sql.scalar(
        sa.text(
            "SELECT max(requesttime)::date FROM tempmsg_backup "
            "WHERE respbiller = '-' AND responsecode = '00' AND billercode = :b"
        ),
        {"b": BILLER},
    )


@pytest.fixture
def sample(app, day):
    """A statement made by the demo generator, and what it planted."""
    with app.test_request_context():
        billers = app.extensions["admin"][0]._views
        view = next(v for v in billers if v.endpoint == "reconciliation")
        ours = recon.our_lines(view.billers.report, BILLER, day)
        return recon.sample_statement(ours, view.billers.unanswered(BILLER, day))


def upload(client, content: bytes, filename: str, day, biller: str = BILLER):
    token = csrf_token(client, "/admin/reconciliation/")
    return client.post(
        "/admin/reconciliation/upload/",
        data={
            "csrf_token": token,
            "biller": biller,
            "day": str(day),
            "statement": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def saved_outcomes(sql) -> dict[str, set[str]]:
    rows = sql.execute(sa.text("SELECT outcome, noref FROM backoffice.reconciliation_item")).all()
    outcomes: dict[str, set[str]] = {}
    for outcome, noref in rows:
        outcomes.setdefault(outcome, set()).add(noref)
    return outcomes


def test_a_generated_statement_finds_exactly_the_planted_differences(login_as, sql, sample, day):
    content, planted = sample
    unanswered = set(
        sql.scalars(
            sa.text(
                "SELECT noref FROM tempmsg_backup WHERE respbiller = '-' AND responsecode = '00' "
                "AND billercode = :b AND requesttime::date = :d"
            ),
            {"b": BILLER, "d": day},
        )
    )
    assert unanswered and unanswered < planted["only_ours"]
    response = upload(login_as("administrator"), content, "statement.csv", day)
    assert response.status_code == 302
    found = saved_outcomes(sql)
    assert found["only_ours"] == planted["only_ours"]
    assert found["mismatch"] == planted["mismatch"]
    assert found["only_theirs"] == planted["only_theirs"]
    successful = sql.scalar(
        sa.text(
            "SELECT count(*) FROM tempmsg_backup WHERE responsecode = '00' AND billercode = :b "
            "AND requesttime::date = :d"
        ),
        {"b": BILLER, "d": day},
    )
    assert len(found["matched"]) == successful - len(planted["only_ours"]) - len(planted["mismatch"])


def test_the_result_is_saved_reopened_and_exported(login_as, sql, sample, day):
    client = login_as("administrator")
    content, planted = sample
    location = upload(client, content, "statement.csv", day).headers["Location"]
    saved = sql.execute(sa.text("SELECT * FROM backoffice.reconciliation")).one()
    assert (saved.billercode, saved.day, saved.file_name, saved.created_by) == (
        BILLER,
        day,
        "statement.csv",
        "administrator",
    )
    assert saved.only_theirs == 2 and saved.mismatched == 2
    ours = sql.scalar(
        sa.text(
            "SELECT sum(hargabeli) FROM tempmsg_backup WHERE responsecode = '00' AND billercode = :b "
            "AND requesttime::date = :d"
        ),
        {"b": BILLER, "d": day},
    )
    assert saved.our_total == ours
    page = client.get(location).get_data(as_text=True)
    shown = f"{saved.matched:,}".replace(",", ".")
    assert f'data-total="matched">{shown}<' in page
    for noref in planted["only_theirs"] | planted["mismatch"]:
        assert noref in page
    exported = client.get(f"{location}export/csv/").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0][:2] == ["Result", "Noref"]
    assert len(rows) - 1 == saved.matched + saved.only_ours + saved.only_theirs + saved.mismatched
    assert sql.scalar(sa.text("SELECT count(*) FROM backoffice.audit_log WHERE action = 'reconcile'")) == 1


def test_an_excel_statement_reconciles_like_the_csv(login_as, sql, sample, day):
    content, planted = sample
    book = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(content.decode())):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    assert upload(login_as("administrator"), buffer.getvalue(), "statement.xlsx", day).status_code == 302
    assert saved_outcomes(sql)["only_theirs"] == planted["only_theirs"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("Waktu,Nominal\n{t},1000\n", "Missing column noref"),
        ("Waktu,Noref,Nominal\n{t},A1,seribu\n", "Row 2: the amount seribu is not a number"),
        ("Waktu,Noref,Nominal\nbesok,A1,1000\n", "Row 2: the date besok is not a date and time"),
        ("Waktu,Noref,Nominal\n{t},A1,1000\n{t},A1,2000\n", "Row 3: reference A1 appears twice."),
        (
            "Waktu,Noref,Nominal\n2001-01-01 10:00:00,A1,1000\n",
            "Row 2: the date 2001-01-01 10:00:00 is not the day",
        ),
        ("Waktu,Noref,Nominal\n", "The file has no rows."),
        ("Waktu,Noref,Nominal\n{t},A1,1e20\n", "Row 2: the amount 1e20 is too large"),
    ],
)
def test_bad_files_are_refused_with_the_row_and_the_problem(login_as, sql, day, content, message):
    body = content.format(t=f"{day} 10:00:00").encode()
    response = upload(login_as("administrator"), body, "statement.csv", day)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The statement was not reconciled; nothing was saved." in page
    assert message in page
    assert sql.scalar(sa.text("SELECT count(*) FROM backoffice.reconciliation")) == 0


def test_a_file_that_is_not_a_statement_is_refused(login_as, sql, day):
    client = login_as("administrator")
    page = upload(client, b"%PDF-1.4 not a table", "statement.pdf", day).get_data(as_text=True)
    assert "Upload a CSV or Excel (.xlsx) file." in page
    page = upload(client, b"PK\x03\x04 broken zip", "statement.xlsx", day).get_data(as_text=True)
    assert "The file could not be read" in page
    assert sql.scalar(sa.text("SELECT count(*) FROM backoffice.reconciliation")) == 0


def test_a_file_name_with_a_nul_is_kept_without_it(login_as, sql, day):
    content = f"Waktu,Noref,Nominal\n{day} 10:00:00,A1,1000\n".encode()
    response = upload(login_as("administrator"), content, "mutasi\x00.csv", day)
    assert response.status_code == 302
    assert sql.scalar(sa.text("SELECT file_name FROM backoffice.reconciliation")) == "mutasi.csv"


def test_indonesian_amounts_and_semicolons_are_read(app, day):
    content = f"Noref;Nominal;Tanggal\nA1;Rp 25.000;{day} 08:45:35\nA2;1.500,50;{day}\n".encode()
    with app.test_request_context():
        lines = recon.read_statement(content, "bank.csv", day)
    assert (lines["A1"].amount, lines["A2"].amount) == (25000, recon.Decimal("1500.50"))


def test_staff_see_reconciliations_but_do_not_upload(login_as, sql, day):
    client = login_as("staff")
    assert client.get("/admin/reconciliation/").status_code == 200
    token = csrf_token(client, "/admin/")
    response = client.post(
        "/admin/reconciliation/upload/",
        data={
            "csrf_token": token,
            "biller": BILLER,
            "day": str(day),
            "statement": (io.BytesIO(b"x"), "a.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_the_result_puts_exceptions_first_explained_pages_the_matched_and_names_earlier_ones(
    login_as, sql, sample, day, monkeypatch
):
    from backoffice.views import reconciliation as page_module

    monkeypatch.setattr(page_module, "MATCHED_PAGE", 5)
    client = login_as("administrator")
    content, planted = sample
    first = upload(client, content, "statement.csv", day).headers["Location"]
    assert 'id="reconciliation-earlier"' not in client.get(first).get_data(as_text=True)
    location = upload(client, content, "again.csv", day).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert f'href="{first}"' in page.split('id="reconciliation-earlier"')[1].split("</div>")[0]
    assert page.index('id="outcome-mismatch"') < page.index('id="outcome-matched"')
    noref = sorted(planted["mismatch"])[0]
    product, status = sql.execute(
        sa.text(
            "SELECT trancodename, statusreply FROM tempmsg_backup "
            "JOIN trancode ON trancodeid = productcode WHERE noref = :n"
        ),
        {"n": noref},
    ).one()
    row = page[page.index(f">{noref}</a>") :].split("</tr>")[0]
    assert product in row and status in row and f"q={noref}" in page
    matched = page.split('id="outcome-matched"')[1].split("</table>")[0]
    assert matched.count("<tr>") - 1 == 5 and 'id="matched-pages"' in page  # 5 per page here
    second = client.get(f"{location}?page=2").get_data(as_text=True)
    assert second.split('id="outcome-matched"')[1].count("<tr>") >= 2
