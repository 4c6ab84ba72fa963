"""The agent desk: one agent's page, and the operations through the database's own functions."""

import html as html_lib
import re
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORDS
from tests.helpers import csrf_token, log_in
from tests.test_billers import audit_count, decide, second_admin


def an_agent(sql) -> str:
    return sql.scalar(sa.text("SELECT min(agent_id) FROM am_balance"))


def balance(sql, agent: str, column: str = "curr_bal") -> Decimal:
    return sql.scalar(sa.text(f"SELECT {column} FROM am_balance WHERE agent_id = :a"), {"a": agent})


def confirmation_fields(page: str) -> dict[str, str]:
    form = page[page.index('id="agent-confirm"') :]
    form = form[form.index("<form") : form.index("</form>")]
    return {
        name: html_lib.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)
    }


def ask(client, agent: str, operation: str, **fields) -> tuple[str, dict]:
    """Fill in an operation's form; its confirmation page and the fields it would submit."""
    url = f"/admin/agents/{agent}/{operation}/"
    page = client.post(url, data={"csrf_token": csrf_token(client, url), **fields}).get_data(as_text=True)
    return page, (confirmation_fields(page) if 'id="agent-confirm"' in page else {})


def carry_out(client, agent: str, operation: str, **fields) -> str:
    page, confirmed = ask(client, agent, operation, **fields)
    assert confirmed, page
    return client.post(f"/admin/agents/{agent}/{operation}/", data=confirmed).get_data(as_text=True)


TRANSFER = {"bank": "BCA", "account_no": "8730123456", "note": "setoran pagi"}


def test_the_agent_page_shows_everything_about_one_agent(login_as, sql):
    agent = an_agent(sql)
    page = login_as("administrator").get(f"/admin/agents/{agent}/").get_data(as_text=True)
    shown = re.search(r'data-field="curr_bal">([^<]+)<', page).group(1)
    assert shown == "Rp " + f"{balance(sql, agent):,.0f}".replace(",", ".")
    assert 'id="agent-profile"' in page and 'id="agent-transactions"' in page
    assert page.count('class="card mb-3 agent-recent"') == 3  # mutations, points, logins
    assert f"/admin/am_update_balance/?search={agent}" in page and f"/admin/report/?agent={agent}" in page
    assert f"/admin/agents/{agent}/deposit/" in page


def test_the_desk_finds_an_agent_by_id_phone_or_name(login_as, sql):
    agent, phone = sql.execute(
        sa.text("SELECT agent_id, phonenumber FROM am_user WHERE phonenumber IS NOT NULL LIMIT 1")
    ).one()
    client = login_as("staff")
    for text in (agent, phone):
        response = client.get(f"/admin/agents/?q={text}")
        assert response.status_code == 302 and response.headers["Location"].endswith(
            f"/admin/agents/{agent}/"
        )
    assert "agent-none" in client.get("/admin/agents/?q=%25%5F nobody").get_data(as_text=True)


def test_staff_see_the_desk_masked_and_never_operate_it(login_as, sql):
    agent = an_agent(sql)
    ktp = sql.scalar(sa.text("SELECT no_ktp FROM am_user WHERE agent_id = :a"), {"a": agent})
    client = login_as("staff")
    page = client.get(f"/admin/agents/{agent}/").get_data(as_text=True)
    assert ktp not in page and ktp[:4] + "*" in page
    assert "/deposit/" not in page and "/status/" not in page
    before = balance(sql, agent)
    for operation in ("deposit", "points", "limits", "status/block"):
        url = f"/admin/agents/{agent}/{operation}/"
        assert client.post(url, data={"amount": "10.000"}).status_code in (400, 403)
    assert balance(sql, agent) == before


def test_a_deposit_from_a_bank_transfer_goes_through_the_function_once(login_as, sql):
    agent = an_agent(sql)
    before = balance(sql, agent)
    client = login_as("administrator")
    page, confirmed = ask(client, agent, "deposit", amount="250.000", transfer_ref="TRF-0001", **TRANSFER)
    assert re.search(r'data-after="curr_bal">Rp ([\d.]+)<', page).group(
        1
    ) == f"{before + 250000:,.0f}".replace(",", ".")
    assert balance(sql, agent) == before  # the confirmation changes nothing
    result = client.post(f"/admin/agents/{agent}/deposit/", data=confirmed).get_data(as_text=True)
    assert 'data-field="result">00 SUKSES' in result
    again = client.post(f"/admin/agents/{agent}/deposit/", data=confirmed).get_data(as_text=True)
    assert "already submitted" in again
    assert balance(sql, agent) == before + 250000
    kept = sql.execute(
        sa.text("SELECT bank, account_no, transfer_ref, status FROM backoffice.agent_request")
    ).one()
    assert tuple(kept) == ("BCA", "8730123456", "TRF-0001", "done")
    ledger = sql.execute(
        sa.text(
            "SELECT amount, process_exe FROM am_update_balance WHERE agent_id = :a ORDER BY id DESC LIMIT 1"
        ),
        {"a": agent},
    ).one()
    assert tuple(ledger) == (250000, "TOPUP")
    assert audit_count(sql, "agent_deposit") == 1


def test_the_same_transfer_cannot_credit_twice(login_as, sql):
    agent = an_agent(sql)
    client = login_as("administrator")
    carry_out(client, agent, "deposit", amount="100.000", transfer_ref="TRF-0002", **TRANSFER)
    before = balance(sql, agent)
    page = carry_out(client, agent, "deposit", amount="100.000", transfer_ref="TRF-0002", **TRANSFER)
    assert "confirmed before" in page
    assert balance(sql, agent) == before


@pytest.mark.parametrize(
    "amount, message",
    [
        ("", "This field is required."),
        ("sepuluh", "Enter an amount in rupiah"),
        ("0", "more than zero"),
        ("-5.000", "more than zero"),
        ("10.000,50", "whole rupiah"),
        ("99.999.999.999", "At most"),
    ],
)
def test_a_bad_amount_is_refused_with_a_message_and_nothing_changes(login_as, sql, amount, message):
    agent = an_agent(sql)
    before = balance(sql, agent)
    page, confirmed = ask(
        login_as("administrator"), agent, "deposit", amount=amount, transfer_ref="TRF-9", **TRANSFER
    )
    assert not confirmed and message in page
    assert balance(sql, agent) == before
    assert sql.scalar(sa.text("SELECT count(*) FROM backoffice.agent_request")) == 0


def test_a_large_deposit_waits_for_a_second_person(app, login_as, sql):
    agent = an_agent(sql)
    before = balance(sql, agent)
    approver = second_admin(app)  # who had the role when it was asked
    client = login_as("administrator")
    result = carry_out(client, agent, "deposit", amount="7.500.000", transfer_ref="TRF-0003", **TRANSFER)
    assert "Waiting for approval" in result and balance(sql, agent) == before
    key = sql.scalar(sa.text("SELECT id FROM backoffice.agent_request WHERE status = 'pending'"))
    assert "asked for this yourself" in decide(client, "agent", key, "approve").get_data(as_text=True)
    assert balance(sql, agent) == before
    decided = decide(approver, "agent", key, "approve").get_data(as_text=True)
    assert "Approved and carried out" in decided
    assert balance(sql, agent) == before + 7_500_000
    assert audit_count(sql, "agent_request") == 1 and audit_count(sql, "agent_deposit") == 1


@pytest.mark.parametrize("app", [{"BACKOFFICE_AGENT_APPROVAL_DAILY_ABOVE": 6_000_000}], indirect=True)
def test_deposits_of_one_day_above_the_daily_total_wait(app, login_as, sql):
    agent = an_agent(sql)
    client = login_as("administrator")
    first = carry_out(client, agent, "deposit", amount="4.000.000", transfer_ref="TRF-0004", **TRANSFER)
    second = carry_out(client, agent, "deposit", amount="4.000.000", transfer_ref="TRF-0005", **TRANSFER)
    assert "00 SUKSES" in first and "Waiting for approval" in second


def test_points_spent_beyond_the_balance_show_the_functions_refusal(login_as, sql):
    agent = an_agent(sql)
    sql.execute(sa.text("UPDATE am_balance SET poin_bal = 40 WHERE agent_id = :a"), {"a": agent})
    page = carry_out(login_as("administrator"), agent, "points", kind="points_spend", amount="41")
    assert 'data-field="result">51 POIN TIDAK CUKUP' in page
    assert balance(sql, agent, "poin_bal") == 40
    assert audit_count(sql, "agent_points_spend_refused") == 1


def test_points_given_go_through_the_function(login_as, sql):
    agent = an_agent(sql)
    points = balance(sql, agent, "poin_bal")
    page = carry_out(login_as("administrator"), agent, "points", kind="points_add", amount="50")
    assert "00 SUKSES" in page and balance(sql, agent, "poin_bal") == points + 50
    assert audit_count(sql, "agent_points_add") == 1


def test_block_unblock_and_reset_are_audited_updates_of_the_agents_row(login_as, sql):
    agent = an_agent(sql)
    sql.execute(
        sa.text("UPDATE am_user SET status = '1', numfaillogin = 3 WHERE agent_id = :a"), {"a": agent}
    )
    client = login_as("administrator")
    for change in ("block", "reset_counters"):
        url = f"/admin/agents/{agent}/status/{change}/"
        assert 'id="agent-status"' in client.get(url).get_data(as_text=True)
        client.post(url, data={"csrf_token": csrf_token(client, url)})
    row = sql.execute(
        sa.text("SELECT status, numfaillogin, numfailpin FROM am_user WHERE agent_id = :a"), {"a": agent}
    ).one()
    assert tuple(row) == ("0", 0, 0)
    before = sql.scalar(
        sa.text("SELECT before FROM backoffice.audit_log WHERE table_name = 'am_user' ORDER BY id LIMIT 1")
    )
    assert before == {"status": "1"}
    assert client.post(f"/admin/agents/{agent}/status/block/").status_code == 400  # no CSRF token


def test_new_limits_always_wait_and_are_set_when_approved(app, login_as, sql):
    agent = an_agent(sql)
    approver = second_admin(app)
    client = login_as("administrator")
    limits = {"max_bal_day": "7.000.000", "max_bal_month": "150.000.000", "max_curr_bal": "25.000.000"}
    result = carry_out(client, agent, "limits", **limits)
    assert "Waiting for approval" in result
    key = sql.scalar(sa.text("SELECT id FROM backoffice.agent_request WHERE kind = 'limits'"))
    decide(approver, "agent", key, "approve")
    row = sql.execute(
        sa.text("SELECT max_bal_day, max_bal_month, max_curr_bal FROM am_balance WHERE agent_id = :a"),
        {"a": agent},
    ).one()
    assert tuple(row) == (7_000_000, 150_000_000, 25_000_000)
    recorded = sql.execute(
        sa.text("SELECT before, after FROM backoffice.audit_log WHERE action = 'agent_limits'")
    ).one()
    limits = {"max_bal_day": "7000000", "max_bal_month": "150000000", "max_curr_bal": "25000000"}
    assert recorded.after == limits  # exact numbers, as text
    assert recorded.before["max_bal_day"] == "5000000.00"


@pytest.mark.parametrize(
    "app",
    [{"BACKOFFICE_CONFIG_FILE": str(Path(__file__).with_name("desk_role.toml"))}],
    indirect=True,
)
def test_a_custom_role_may_be_granted_one_operation(app, sql):
    from backoffice.cli import create_user
    from backoffice.extensions import db

    with app.app_context():
        create_user("kasir", "cashier", "kasir-test-pass")
        db.session.remove()
    client = app.test_client()
    log_in(client, "kasir", "kasir-test-pass")
    agent = an_agent(sql)
    page = client.get(f"/admin/agents/{agent}/").get_data(as_text=True)
    assert f"/admin/agents/{agent}/deposit/" in page and "/status/" not in page
    assert client.get(f"/admin/agents/{agent}/limits/").status_code == 403
    before = balance(sql, agent)
    carry_out(client, agent, "deposit", amount="10.000", transfer_ref="TRF-K1", **TRANSFER)
    assert balance(sql, agent) == before + 10000


def test_images_are_served_through_the_gate_and_never_to_whom_the_ktp_is_masked(app, login_as, sql, tmp_path):
    agent = an_agent(sql)
    (tmp_path / "ktp_1.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    (tmp_path / "secret.txt").write_text("not an image")
    app.config["BACKOFFICE_AGENT_IMAGES"] = str(tmp_path)
    sql.execute(
        sa.text(
            "UPDATE am_user SET img_ktp = 'uploads/ktp_1.png', img_self = '../secret.txt' WHERE agent_id = :a"
        ),
        {"a": agent},
    )
    client = login_as("administrator")
    page = client.get(f"/admin/agents/{agent}/").get_data(as_text=True)
    assert f"/admin/agents/{agent}/image/ktp" in page and f"/admin/agents/{agent}/image/self" not in page
    image = client.get(f"/admin/agents/{agent}/image/ktp")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert client.get(f"/admin/agents/{agent}/image/self").status_code == 404
    staff = log_in(app.test_client(), "staff", PASSWORDS["staff"])
    assert staff.get(f"/admin/agents/{agent}/image/ktp").status_code == 404
    assert "/image/" not in staff.get(f"/admin/agents/{agent}/").get_data(as_text=True)


def test_the_functions_refusal_is_shown_recorded_and_changes_nothing(login_as, sql):
    agent = an_agent(sql)
    sql.execute(sa.text("DELETE FROM am_balance WHERE agent_id = :a"), {"a": agent})  # no balance row
    page = carry_out(
        login_as("administrator"), agent, "deposit", amount="10.000", transfer_ref="TRF-X", **TRANSFER
    )
    assert 'data-field="result">14 AGEN TIDAK DITEMUKAN' in page
    kept = sql.execute(sa.text("SELECT status, result_status FROM backoffice.agent_request")).one()
    assert tuple(kept) == ("refused", "14")
    assert audit_count(sql, "agent_deposit_refused") == 1
    assert (
        sql.scalar(
            sa.text("SELECT count(*) FROM am_update_balance WHERE agent_id = :a AND amount = 10000"),
            {"a": agent},
        )
        == 0
    )


def test_points_above_their_amount_wait_for_a_second_person(login_as, sql):
    agent = an_agent(sql)
    points = balance(sql, agent, "poin_bal")
    page = carry_out(login_as("administrator"), agent, "points", kind="points_add", amount="1.500")
    assert "Waiting for approval" in page and balance(sql, agent, "poin_bal") == points
    assert (
        sql.scalar(sa.text("SELECT kind FROM backoffice.agent_request WHERE status = 'pending'"))
        == "points_add"
    )


def test_images_may_come_from_a_base_url(app, login_as, sql, tmp_path):
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    agent = an_agent(sql)
    (tmp_path / "self_1.webp").write_bytes(b"RIFF0000WEBPVP8 " + b"0" * 32)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # the application's file server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app.config["BACKOFFICE_AGENT_IMAGES"] = f"http://127.0.0.1:{server.server_port}/"
        stored = (
            "UPDATE am_user SET img_self = 'selfie/self_1.webp', img_ktp = 'missing.png' WHERE agent_id = :a"
        )
        sql.execute(sa.text(stored), {"a": agent})
        client = login_as("administrator")
        image = client.get(f"/admin/agents/{agent}/image/self")
        assert image.status_code == 200 and image.mimetype == "image/webp" and image.data.startswith(b"RIFF")
        assert image.headers["Cache-Control"] == "no-store"
        assert client.get(f"/admin/agents/{agent}/image/ktp").status_code == 404  # not on the server
    finally:
        server.shutdown()
        server.server_close()  # the listening socket too
