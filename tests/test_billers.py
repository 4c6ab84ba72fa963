"""Biller deposits: the balance page, top-ups and corrections through the database's own functions,
four-eyes approval (also of the application's point redemptions), and book versus biller."""

import csv
import html as html_lib
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from backoffice.extensions import db
from backoffice.formatting import wib
from tests.helpers import csrf_token, form_values
from tests.test_demo_data import PLANTED

SECOND_ADMIN = ("administrator2", "second-admin-pass")


def balance(sql, code: str) -> Decimal:
    return sql.scalar(sa.text("SELECT curr_bal FROM balance_us WHERE billercode = :c"), {"c": code})


def audit_count(sql, action: str) -> int:
    return sql.scalar(sa.text("SELECT count(*) FROM backoffice.audit_log WHERE action = :a"), {"a": action})


def hidden_fields(page: str) -> dict[str, str]:
    form = page[page.index('action="/admin/billers/topup/confirm/"') :]
    return {
        name: html_lib.unescape(value)
        for name, value in re.findall(
            r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form[: form.index("</form>")]
        )
    }


def ask(client, biller: str, kind: str, amount: str, note: str = "") -> tuple[str, dict]:
    """Fill in the top-up form; returns the confirmation page and the fields it would submit."""
    token = csrf_token(client, "/admin/billers/topup/")
    response = client.post(
        "/admin/billers/topup/",
        data={"csrf_token": token, "biller": biller, "kind": kind, "amount": amount, "note": note},
    )
    page = response.get_data(as_text=True)
    return page, (hidden_fields(page) if "topup/confirm/" in page else {})


def asked_correction(client, sql) -> int:
    """Ask for a correction at IAK as ``client`` (which waits for a second person); its key."""
    _, fields = ask(client, "IAK", "correction", "25.000")
    client.post("/admin/billers/topup/confirm/", data=fields)
    return pending_request(sql)


def second_admin(app, account: tuple[str, str] = SECOND_ADMIN):
    """Another administrator (``account``: name and password), logged in on a client of their own."""
    from backoffice.cli import create_user

    username, password = account
    with app.app_context():
        create_user(username, "administrator", password)
        db.session.remove()
    client = app.test_client()
    token = csrf_token(client, "/login")
    client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    return client


def pending_request(sql) -> int:
    return sql.scalar(sa.text("SELECT max(id) FROM backoffice.balance_request WHERE status = 'pending'"))


def decide(client, queue: str, key: int, verb: str, reason: str = ""):
    token = csrf_token(client, "/admin/approvals/")
    return client.post(
        f"/admin/approvals/{queue}/{key}/{verb}/",
        data={"csrf_token": token, "reason": reason},
        follow_redirects=True,
    )


def test_the_balance_page_lists_every_biller_with_its_balance(login_as, sql):
    page = login_as("staff").get("/admin/billers/").get_data(as_text=True)
    rows = sql.execute(sa.text("SELECT billercode, curr_bal FROM balance_us")).all()
    assert len(rows) >= 4
    for code, amount in rows:
        row = page[page.index(f'data-biller="{code}"') :]
        shown = re.search(r'data-field="balance">([^<]+)<', row).group(1)
        assert shown == "Rp " + f"{amount:,.0f}".replace(",", ".")
    assert 'data-refresh-seconds="30"' in page
    assert "/admin/billers/topup/" not in page  # staff see, never top up


def test_spend_today_and_time_left_follow_the_transactions(login_as, sql):
    spent = sql.scalar(
        sa.text(
            "SELECT coalesce(sum(hargabeli), 0) FROM tempmsg "
            "WHERE billercode = 'DGF' AND responsecode = '00' "
            "AND requesttime >= date_trunc('day', now() AT TIME ZONE 'Asia/Jakarta')"
        )
    )
    page = login_as("staff").get("/admin/billers/").get_data(as_text=True)
    row = page[page.index('data-biller="DGF"') :]
    row = row[: row.index("</tr>")]
    assert "Rp " + f"{spent:,.0f}".replace(",", ".") in row


def post_settings(client, biller: str, **fields):
    """Submit a biller's settings form with ``fields`` (no checkpoint unless given)."""
    url = f"/admin/billers/{biller}/settings/"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "checkpoint_balance": "", **fields})


def test_a_threshold_above_the_balance_turns_the_row_red(login_as, sql):
    client = login_as("administrator")
    response = post_settings(client, "NRS", low_balance="5.000.000")
    assert response.status_code == 302
    assert (
        sql.scalar(sa.text("SELECT low_balance FROM backoffice.biller_setting WHERE billercode = 'NRS'"))
        == 5000000
    )
    page = client.get("/admin/billers/").get_data(as_text=True)
    assert re.search(r'<tr class="table-danger" data-biller="NRS">', page)
    assert not re.search(r'<tr class="table-danger" data-biller="DGF">', page)


def test_a_threshold_too_large_for_its_column_gets_a_message(login_as, sql):
    response = post_settings(login_as("administrator"), "NRS", low_balance="99999999999999999999")
    assert response.status_code == 200 and "The amount is too large." in response.get_data(as_text=True)
    assert sql.scalar(sa.text("SELECT count(*) FROM backoffice.biller_setting")) == 0


def test_a_deposit_runs_the_function_once_with_one_audit_record(login_as, sql):
    client = login_as("administrator")
    before = balance(sql, "DGF")
    confirm_page, fields = ask(client, "DGF", "deposit", "25.000.000", "transfer BCA")
    assert "Rp 25.000.000" in confirm_page
    assert "Rp " + f"{before + 25_000_000:,.0f}".replace(",", ".") in confirm_page  # the balance after
    assert balance(sql, "DGF") == before  # nothing happens before the confirmation
    result = client.post("/admin/billers/topup/confirm/", data=fields).get_data(as_text=True)
    assert balance(sql, "DGF") == before + 25_000_000
    assert re.search(r'data-field="result">00 SUKSES<', result)
    assert "Rp " + f"{before:,.0f}".replace(",", ".") in result
    ledger = sql.execute(
        sa.text(
            "SELECT id, amount, before_balance, current_balance FROM biller_update_balance "
            "ORDER BY id DESC LIMIT 1"
        )
    ).one()
    assert (ledger.amount, ledger.before_balance, ledger.current_balance) == (
        25_000_000,
        before,
        before + 25_000_000,
    )
    records = sql.execute(
        sa.text("SELECT actor, record_key, detail FROM backoffice.audit_log WHERE action = 'deposit'")
    ).all()
    assert [(r.actor, r.record_key) for r in records] == [("administrator", str(ledger.id))]
    page = client.get("/admin/billers/").get_data(as_text=True)
    row = page[page.index('data-biller="DGF"') :]
    assert "Rp 25.000.000 &middot; administrator" in row[: row.index("</tr>")]


def test_submitting_the_confirmation_twice_tops_up_once(login_as, sql):
    client = login_as("administrator")
    before = balance(sql, "BMS")
    _, fields = ask(client, "BMS", "deposit", "1000000")
    client.post("/admin/billers/topup/confirm/", data=fields)
    again = client.post("/admin/billers/topup/confirm/", data=fields).get_data(as_text=True)
    assert "This confirmation was already submitted: it was carried out once." in again
    assert balance(sql, "BMS") == before + 1_000_000
    assert audit_count(sql, "deposit") == 1


@pytest.mark.parametrize(
    "amount, message",
    [
        ("0", "The amount must be more than zero."),
        ("-5000", "The amount must be more than zero."),
        ("25.000,50", "Enter whole rupiah, without cents."),
        ("sepuluh ribu", "Enter an amount in rupiah, for example 25.000."),
        ("2.000.000.000", "At most Rp 1.000.000.000 per request."),
    ],
)
def test_bad_amounts_are_refused_before_anything_runs(login_as, sql, amount, message):
    before = balance(sql, "DGF")
    page, fields = ask(login_as("administrator"), "DGF", "deposit", amount)
    assert message in page and fields == {}
    assert balance(sql, "DGF") == before
    assert sql.scalar(sa.text("SELECT count(*) FROM backoffice.balance_request")) == 0


def test_a_tampered_confirmation_is_checked_again(login_as, sql):
    client = login_as("administrator")
    before = balance(sql, "DGF")
    _, fields = ask(client, "DGF", "deposit", "10000")
    page = client.post("/admin/billers/topup/confirm/", data={**fields, "amount": "0"}).get_data(as_text=True)
    assert "The top-up was not carried out" in page
    assert balance(sql, "DGF") == before


def test_a_correction_waits_for_another_administrator(app, login_as, sql):
    approver = second_admin(app)  # an administrator already when the request is made
    asker = login_as("administrator")
    before = balance(sql, "IAK")
    page, fields = ask(asker, "IAK", "correction", "150.000")
    assert "This request waits for approval by another user" in page
    result = asker.post("/admin/billers/topup/confirm/", data=fields).get_data(as_text=True)
    assert "Waiting for approval" in result
    assert balance(sql, "IAK") == before
    key = pending_request(sql)

    queue = asker.get("/admin/approvals/").get_data(as_text=True)
    assert re.search(rf'data-key="{key}"', queue) and "administrator" in queue
    own = decide(asker, "balance", key, "approve").get_data(as_text=True)
    assert "You asked for this yourself: another approver must decide it." in own
    assert balance(sql, "IAK") == before

    done = decide(approver, "balance", key, "approve").get_data(as_text=True)
    assert "Approved and carried out: SUKSES." in done
    assert balance(sql, "IAK") == before - 150_000
    row = sql.execute(
        sa.text("SELECT status, decided_by, balance_after FROM backoffice.balance_request")
    ).one()
    assert tuple(row) == ("done", SECOND_ADMIN[0], before - 150_000)
    assert audit_count(sql, "correction") == 1 and audit_count(sql, "balance_request") == 1
    assert "already been decided" in decide(approver, "balance", key, "approve").get_data(as_text=True)
    assert balance(sql, "IAK") == before - 150_000


def test_a_renamed_requester_cannot_approve_their_own_request(app, login_as, sql):
    asker = login_as("administrator")
    _, fields = ask(asker, "IAK", "correction", "25.000")
    asker.post("/admin/billers/topup/confirm/", data=fields)
    sql.execute(
        sa.text("UPDATE backoffice.panel_user SET username = 'someone-else' WHERE username = 'administrator'")
    )
    page = decide(asker, "balance", pending_request(sql), "approve").get_data(as_text=True)
    assert "You asked for this yourself: another approver must decide it." in page
    assert sql.scalar(sa.text("SELECT status FROM backoffice.balance_request")) == "pending"


@pytest.mark.parametrize("made", ["created", "promoted"])
def test_who_became_an_approver_after_the_request_cannot_decide_it(app, login_as, sql, made):
    if made == "promoted":
        approver = second_admin(app)
        third = second_admin(app, ("administrator3", "third-admin-pass"))
        sql.execute(
            sa.text("UPDATE backoffice.panel_user SET role = 'staff' WHERE username = :u"),
            {"u": SECOND_ADMIN[0]},
        )
    asker = login_as("administrator")
    _, fields = ask(asker, "IAK", "correction", "25.000")
    asker.post("/admin/billers/topup/confirm/", data=fields)
    if made == "created":
        approver = second_admin(app)  # e.g. the asker creates a second administrator
    else:  # given the role through the panel (a third administrator approves it), which notes since when
        url = f"/admin/panel_users/edit/?id={_user_id(sql, SECOND_ADMIN[0])}"
        assert (
            asker.post(
                url, data={**form_values(asker.get(url).get_data(as_text=True)), "role": "administrator"}
            ).status_code
            == 302
        )
        key = sql.scalar(sa.text("SELECT max(id) FROM backoffice.account_request"))
        page = decide(third, "account", key, "approve").get_data(as_text=True)
        assert "Approved and carried out" in page, re.findall(r"alert-[a-z]+[^>]*>(.*?)</div>", page, re.S)
    page = decide(approver, "balance", pending_request(sql), "approve").get_data(as_text=True)
    assert "This was asked for before you had your role" in page
    assert sql.scalar(sa.text("SELECT status FROM backoffice.balance_request")) == "pending"


def _user_id(sql, username: str) -> int:
    return sql.scalar(sa.text("SELECT id FROM backoffice.panel_user WHERE username = :u"), {"u": username})


def test_a_deposit_split_under_the_threshold_waits_once_the_day_adds_up(app, login_as, sql):
    asker = login_as("administrator")  # 50.000.000 at once, 100.000.000 a day (the defaults)
    before = balance(sql, "DGF")
    for _ in range(2):
        page, fields = ask(asker, "DGF", "deposit", "50.000.000")
        assert "waits for approval" not in page
        asker.post("/admin/billers/topup/confirm/", data=fields)
    page, fields = ask(asker, "DGF", "deposit", "1.000")
    assert "This request waits for approval by another user" in page
    asker.post("/admin/billers/topup/confirm/", data=fields)
    assert balance(sql, "DGF") == before + 100_000_000
    assert (
        sql.scalar(sa.text("SELECT count(*) FROM backoffice.balance_request WHERE status = 'pending'")) == 1
    )


def test_a_refused_call_changes_no_balance(app, login_as, sql):
    approver = second_admin(app)
    asker = login_as("administrator")
    before = balance(sql, "NRS")
    too_much = f"{int(before) + 1_000_000}"
    _, fields = ask(asker, "NRS", "correction", too_much)
    asker.post("/admin/billers/topup/confirm/", data=fields)
    page = decide(approver, "balance", pending_request(sql), "approve").get_data(as_text=True)
    assert "The database refused it: SALDO TIDAK CUKUP." in page
    assert balance(sql, "NRS") == before
    assert sql.scalar(sa.text("SELECT status FROM backoffice.balance_request")) == "refused"
    assert audit_count(sql, "correction") == 0 and audit_count(sql, "correction_refused") == 1


def test_deposits_above_the_limit_wait_and_requests_expire(app, login_as, sql):
    approver = second_admin(app)
    asker = login_as("administrator")
    before = balance(sql, "DGF")
    _, fields = ask(asker, "DGF", "deposit", "60.000.000")  # above the 50 million default
    asker.post("/admin/billers/topup/confirm/", data=fields)
    key = pending_request(sql)
    sql.execute(sa.text("UPDATE backoffice.balance_request SET expires_at = now() - interval '1 minute'"))
    page = decide(approver, "balance", key, "approve").get_data(as_text=True)
    assert "This request has expired; ask for it again." in page
    assert balance(sql, "DGF") == before
    assert sql.scalar(sa.text("SELECT status FROM backoffice.balance_request")) == "expired"


def test_a_rejection_needs_a_reason(app, login_as, sql):
    approver = second_admin(app)
    asker = login_as("administrator")
    _, fields = ask(asker, "BMS", "correction", "10000")
    asker.post("/admin/billers/topup/confirm/", data=fields)
    key = pending_request(sql)
    assert "A rejection needs a reason." in decide(approver, "balance", key, "reject", "  ").get_data(
        as_text=True
    )
    assert "Rejected." in decide(approver, "balance", key, "reject", "nominal salah").get_data(as_text=True)
    row = sql.execute(sa.text("SELECT status, reason FROM backoffice.balance_request")).one()
    assert tuple(row) == ("rejected", "nominal salah")


def test_point_redemptions_are_decided_in_the_same_queue(login_as, sql):
    client = login_as("administrator")
    waiting = sql.execute(
        sa.text(
            "SELECT r.redeem_id, r.agent_id, r.poin, b.poin_bal FROM redeem_approval r "
            "JOIN am_balance b USING (agent_id) WHERE r.status = '0' AND b.poin_bal >= r.poin ORDER BY 1"
        )
    ).all()
    assert len(waiting) >= 2
    first, second = waiting[0], waiting[1]
    page = decide(client, "redeem", first.redeem_id, "approve").get_data(as_text=True)
    assert "Approved and carried out" in page
    points = sql.scalar(sa.text("SELECT poin_bal FROM am_balance WHERE agent_id = :a"), {"a": first.agent_id})
    assert points == first.poin_bal - first.poin
    decided = sql.execute(
        sa.text("SELECT status, approveby FROM redeem_approval WHERE redeem_id = :k"), {"k": first.redeem_id}
    ).one()
    assert tuple(decided) == ("1", "administrator")
    decide(client, "redeem", second.redeem_id, "reject", "stok habis")
    rejected = sql.execute(
        sa.text("SELECT status, keterangan FROM redeem_approval WHERE redeem_id = :k"),
        {"k": second.redeem_id},
    ).one()
    assert tuple(rejected) == ("2", "stok habis")
    assert audit_count(sql, "redeem_approve") == 1 and audit_count(sql, "redeem_reject") == 1


def test_a_redemption_beyond_the_points_changes_nothing(login_as, sql):
    row = sql.execute(
        sa.text("SELECT redeem_id, agent_id FROM redeem_approval WHERE status = '0' LIMIT 1")
    ).one()
    sql.execute(sa.text("UPDATE am_balance SET poin_bal = 0 WHERE agent_id = :a"), {"a": row.agent_id})
    page = decide(login_as("administrator"), "redeem", row.redeem_id, "approve").get_data(as_text=True)
    assert "The database refused it" in page
    assert (
        sql.scalar(sa.text("SELECT status FROM redeem_approval WHERE redeem_id = :k"), {"k": row.redeem_id})
        == "0"
    )


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_only_those_granted_may_top_up_or_approve(login_as, sql, role):
    client = login_as(role)
    token = csrf_token(client, "/admin/")
    before = balance(sql, "DGF")
    data = {"csrf_token": token, "biller": "DGF", "kind": "deposit", "amount": "1000", "token": "0" * 32}
    assert client.post("/admin/billers/topup/confirm/", data=data).status_code == 403
    assert client.post("/admin/approvals/redeem/1/approve/", data={"csrf_token": token}).status_code == 403
    assert balance(sql, "DGF") == before


def test_book_versus_biller_finds_the_planted_differences(login_as, sql):
    client = login_as("staff")
    page = client.get("/admin/billers/book/").get_data(as_text=True)
    unanswered = dict(sql.execute(sa.text(PLANTED)).all())
    assert set(unanswered) == {"BMS", "IAK"}
    for code in sql.scalars(sa.text("SELECT billercode FROM balance_us")):
        row = page[page.index(f'data-biller="{code}"') :]
        row = row[: row.index("</tr>")]
        expected = unanswered.get(code, 0)
        difference = re.search(r'data-field="difference">([^<]+)<', row).group(1)
        assert difference == "Rp " + f"{expected:,.0f}".replace(",", ".")
        assert re.search(r'data-field="unexplained">Rp 0<', row)
    detail = client.get("/admin/billers/book/?biller=BMS").get_data(as_text=True)
    planted = sql.scalars(
        sa.text(
            "SELECT noref FROM tempmsg_backup"
            " WHERE respbiller = '-' AND billercode = 'BMS' AND responsecode = '00'"
            " UNION ALL SELECT noref FROM tempmsg"
            " WHERE respbiller LIKE 'SN:%' AND billercode = 'BMS' AND responsecode <> '00'"
        )
    ).all()
    table = detail[detail.index('id="explaining"') :]
    assert sorted(re.findall(r"<tr><td>[^<]+</td><td>(\w+)</td>", table)) == sorted(planted)


def test_a_checkpoint_moves_where_the_book_starts(login_as, sql):
    client = login_as("administrator")
    post_settings(
        client, "DGF", low_balance="0", checkpoint_at="2000-01-01T00:00", checkpoint_balance="1.000"
    )
    page = client.get("/admin/billers/book/").get_data(as_text=True)
    row = page[page.index('data-biller="DGF"') :]
    assert re.search(r'data-field="difference">-Rp 1.000<', row[: row.index("</tr>")])


def test_the_deposit_history_exports_through_the_pipeline(login_as, sql):
    client = login_as("staff")
    response = client.get("/admin/billers/DGF/history/export/csv/?from=2000-01-01")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Waktu", "Jenis", "Jumlah"]
    expected = sql.scalar(
        sa.text(
            "SELECT count(*) FROM biller_update_balance WHERE billercode = 'DGF' AND transfer_date >= "
            "(now() AT TIME ZONE 'Asia/Jakarta')::date - 61"
        )
    )
    assert len(rows) - 1 == expected > 0
    assert audit_count(sql, "export") == 1


def test_a_deposit_is_stamped_in_jakarta_time_and_its_note_is_shown(login_as, sql):
    from backoffice.formatting import now_jakarta

    client = login_as("administrator")
    _, fields = ask(client, "DGF", "deposit", "1.000.000", "Transfer BCA ref 7781")
    client.post("/admin/billers/topup/confirm/", data=fields)
    stamped = sql.scalar(
        sa.text("SELECT max(transfer_date) FROM biller_update_balance WHERE billercode = 'DGF'")
    )
    assert abs((stamped - now_jakarta()).total_seconds()) < 120  # not UTC, seven hours off
    history = client.get("/admin/billers/DGF/history/").get_data(as_text=True)
    assert "Transfer BCA ref 7781" in history and stamped.strftime("%d-%b-%Y %H:%M") in history


def test_the_queue_offers_no_decision_on_ones_own_request_and_shows_its_expiry(app, login_as, sql):
    approver = second_admin(app)
    asker = login_as("administrator")
    key = asked_correction(asker, sql)
    expires = sql.scalar(
        sa.text("SELECT expires_at FROM backoffice.balance_request WHERE id = :k"), {"k": key}
    )
    for client, offered in ((asker, False), (approver, True)):
        page = client.get("/admin/approvals/").get_data(as_text=True)
        row = page[page.index(f'data-key="{key}"') :]
        row = row[: row.index("</tr>")]
        assert (f"/admin/approvals/balance/{key}/approve/" in row) is offered
        assert wib(expires) in row
