"""The transaction desk: one transaction with its messages, and stuck ones resolved under four eyes."""

import io
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORDS
from tests.helpers import csrf_token, log_in
from tests.test_billers import audit_count, decide, second_admin


def a_pending(sql):
    return sql.execute(
        sa.text(
            "SELECT noref, fromagent, hargajual FROM tempmsg WHERE statusreply = 'PENDING'"
            " ORDER BY requesttime DESC LIMIT 1"
        )
    ).one()


def agent_balance(sql, agent: str):
    return sql.scalar(sa.text("SELECT curr_bal FROM am_balance WHERE agent_id = :a"), {"a": agent})


def resolve(client, outcome: str, *norefs: str, **serials):
    data = {
        "csrf_token": csrf_token(client, "/admin/transactions/"),
        "outcome": outcome,
        "noref": list(norefs),
    }
    data |= {f"serial_{noref}": serial for noref, serial in serials.items()}
    return client.post("/admin/transactions/resolve/", data=data, follow_redirects=True).get_data(
        as_text=True
    )


def waiting_request(sql, noref: str) -> int:
    return sql.scalar(
        sa.text("SELECT id FROM backoffice.transaction_request WHERE noref = :n AND status = 'pending'"),
        {"n": noref},
    )


def test_a_report_row_opens_its_transaction_with_its_h2h_messages(login_as, sql):
    noref, day = sql.execute(
        sa.text(
            "SELECT noref, requesttime::date FROM tempmsg WHERE statusreply = 'SUKSES'"
            " ORDER BY requesttime DESC LIMIT 1"
        )
    ).one()
    client = login_as("staff")
    report = client.get(f"/admin/report/?from={day.isoformat()}").get_data(as_text=True)
    assert f'href="/admin/transactions/{noref}/"' in report
    agent = sql.scalar(sa.text("SELECT fromagent FROM tempmsg WHERE noref = :n"), {"n": noref})
    assert f'href="/admin/agents/{agent}/"' in report  # and its agent opens the agent desk
    page = client.get(f"/admin/transactions/{noref}/").get_data(as_text=True)
    columns = page[page.index('class="row card-body mb-0 transaction-columns"') :]
    assert '<dt class="col-sm-4 col-lg-3">Selling price</dt>' in columns
    assert 'badge-success" title="SUKSES">Success<' in columns  # the value map, as in the lists
    messages = page[page.index('id="transaction-messages"') :]
    messages = messages[: messages.index("</table>")]
    assert messages.count(f"&#34;ref&#34;:&#34;{noref}&#34;") == 2  # the request and its answer
    assert client.get("/admin/transactions/NO-SUCH-REF/").status_code == 404


def test_the_queue_lists_pending_and_suspect_transactions_oldest_first(login_as, sql):
    page = login_as("staff").get("/admin/transactions/").get_data(as_text=True)
    kinds = re.findall(r'data-noref="[^"]+" data-kind="(\w+)"', page)
    assert {"pending", "no_response", "failed_with_serial"} <= set(kinds)
    week = "requesttime >= (now() AT TIME ZONE 'Asia/Jakarta') - interval '7 days'"
    pending = sql.scalar(
        sa.text(
            f"SELECT count(*) FROM (SELECT noref FROM tempmsg WHERE statusreply = 'PENDING' AND {week}"
            f" UNION ALL SELECT noref FROM tempmsg_backup WHERE statusreply = 'PENDING' AND {week}) p"
        )
    )
    assert kinds.count("pending") == pending
    times = re.findall(r'<td class="text-nowrap">(\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d)</td>', page)
    stamps = [datetime.strptime(t, "%d-%b-%Y %H:%M:%S") for t in times]
    assert stamps and stamps == sorted(stamps)  # oldest first
    assert 'name="noref"' not in page  # staff look, never resolve


def test_staff_cannot_ask_for_a_resolution(login_as, sql):
    noref, agent, _ = a_pending(sql)
    client = login_as("staff")
    response = client.post(
        "/admin/transactions/resolve/",
        data={"csrf_token": csrf_token(client, "/admin/transactions/"), "outcome": "refund", "noref": noref},
    )
    assert response.status_code == 403
    assert sql.scalar(sa.text("SELECT count(*) FROM backoffice.transaction_request")) == 0


def test_a_pending_transaction_failed_and_refunded_under_four_eyes(app, login_as, sql):
    noref, agent, price = a_pending(sql)
    before = agent_balance(sql, agent)
    approver = second_admin(app)
    client = login_as("administrator")
    assert "wait for a second person" in resolve(client, "refund", noref)
    assert "waits for approval already" in resolve(client, "refund", noref)  # asked once
    key = waiting_request(sql, noref)
    assert "asked for this yourself" in decide(client, "transaction", key, "approve").get_data(as_text=True)
    assert "Approved and carried out" in decide(approver, "transaction", key, "approve").get_data(
        as_text=True
    )
    row = sql.execute(
        sa.text("SELECT statusreply, responsecode FROM tempmsg WHERE noref = :n"), {"n": noref}
    ).one()
    assert tuple(row) == ("GAGAL", "05")
    assert agent_balance(sql, agent) == before + price
    done = sql.execute(
        sa.text(
            "SELECT status, mutation_id, balance_after - balance_before FROM backoffice.transaction_request"
        )
    ).one()
    mutation = sql.execute(
        sa.text("SELECT agent_id, amount FROM am_update_balance WHERE id = :i"), {"i": done.mutation_id}
    ).one()
    assert done.status == "done" and done[2] == price and tuple(mutation) == (agent, price)
    assert audit_count(sql, "transaction_request") == 1 and audit_count(sql, "transaction_refund") == 1
    page = client.get(f"/admin/transactions/{noref}/").get_data(as_text=True)
    assert 'data-status="done"' in page and 'id="transaction-stuck"' not in page


def test_a_transaction_the_application_settled_first_is_left_as_it_decided(app, login_as, sql):
    noref, agent, _ = a_pending(sql)
    before = agent_balance(sql, agent)
    approver = second_admin(app)
    resolve(login_as("administrator"), "refund", noref)
    sql.execute(  # meanwhile the PPOB application hears from the biller
        sa.text("UPDATE tempmsg SET statusreply = 'SUKSES', responsecode = '00' WHERE noref = :n"),
        {"n": noref},
    )
    answer = decide(approver, "transaction", waiting_request(sql, noref), "approve").get_data(as_text=True)
    assert "settled it first (SUKSES)" in answer
    assert sql.scalar(sa.text("SELECT statusreply FROM tempmsg WHERE noref = :n"), {"n": noref}) == "SUKSES"
    assert agent_balance(sql, agent) == before
    assert sql.scalar(sa.text("SELECT status FROM backoffice.transaction_request")) == "settled"


def test_success_needs_a_serial_number_and_writes_it(app, login_as, sql):
    noref, agent, _ = a_pending(sql)
    before = agent_balance(sql, agent)
    approver = second_admin(app)
    client = login_as("administrator")
    assert "needs the serial number" in resolve(client, "success", noref)
    resolve(client, "success", noref, **{noref: "1234-5678-9012"})
    decide(approver, "transaction", waiting_request(sql, noref), "approve")
    row = sql.execute(
        sa.text("SELECT statusreply, responsecode, respbiller FROM tempmsg WHERE noref = :n"), {"n": noref}
    ).one()
    assert tuple(row) == ("SUKSES", "00", "SN:1234-5678-9012")
    assert agent_balance(sql, agent) == before  # a success refunds nothing


def test_a_transaction_that_is_not_stuck_is_refused_and_nothing_is_asked(login_as, sql):
    noref, _, _ = a_pending(sql)
    settled = sql.scalar(
        sa.text(
            "SELECT noref FROM tempmsg WHERE statusreply = 'GAGAL' AND respbiller NOT LIKE 'SN:%' LIMIT 1"
        )
    )
    page = resolve(login_as("administrator"), "refund", noref, settled)
    assert "is not pending or suspect" in page
    assert sql.scalar(sa.text("SELECT count(*) FROM backoffice.transaction_request")) == 0


def test_the_auditor_sees_neither_the_queue_nor_a_transaction(app, sql):
    noref, _, _ = a_pending(sql)
    client = log_in(app.test_client(), "auditor", PASSWORDS["auditor"])
    assert client.get("/admin/transactions/").status_code == 403
    assert client.get(f"/admin/transactions/{noref}/").status_code == 403


def upload(client, content: bytes, name: str = "hasil.csv") -> tuple[int, str]:
    url = "/admin/transactions/upload/"
    data = {"csrf_token": csrf_token(client, url), "resolutions": (io.BytesIO(content), name)}
    response = client.post(url, data=data, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def stuck_norefs(sql, kind_sql: str, n: int) -> list[str]:
    return sql.scalars(
        sa.text(f"SELECT noref FROM tempmsg_backup WHERE {kind_sql} ORDER BY noref LIMIT :n"), {"n": n}
    ).all()


def test_a_billers_file_is_previewed_then_asked_for_all_at_once(login_as, sql):
    unanswered = stuck_norefs(sql, "statusreply = 'SUKSES' AND respbiller = '-'", 2)
    content = (
        "\ufeffNo Ref;Status;SN\n" + f"{unanswered[0]};SUKSES;SN-001\n{unanswered[1]};gagal;\n"
    ).encode()
    client = login_as("administrator")
    status, page = upload(client, content)
    assert status == 200 and 'id="preview-ready"' in page
    assert (
        sql.scalar(sa.text("SELECT count(*) FROM backoffice.transaction_request")) == 0
    )  # a preview asks nothing
    form = page[page.index('id="preview-confirm"') :]
    fields = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form[: form.index("</form>")])
    )
    data = {**fields, "noref": unanswered}
    client.post("/admin/transactions/resolve/", data=data)
    asked = dict(sql.execute(sa.text("SELECT noref, outcome FROM backoffice.transaction_request")).all())
    assert asked == {unanswered[0]: "success", unanswered[1]: "refund"}


def test_a_file_with_a_row_that_cannot_be_asked_for_asks_nothing(login_as, sql):
    unanswered = stuck_norefs(sql, "statusreply = 'SUKSES' AND respbiller = '-'", 1)
    settled = stuck_norefs(sql, "statusreply = 'SUKSES' AND respbiller LIKE 'SN:%'", 1)
    content = f"noref,status,sn\n{unanswered[0]},gagal,\n{settled[0]},gagal,\n".encode()
    status, page = upload(login_as("administrator"), content)
    assert 'id="preview-refused"' in page and 'id="preview-confirm"' not in page
    assert "not pending or suspect" in page


@pytest.mark.parametrize(
    "content, message",
    [
        (b"noref,status\nA1,mungkin\n", "Row 2: the status mungkin is neither a success nor a failure"),
        (b"noref,status\nA1,sukses\n", "Row 2: a success needs its serial number"),
        (b"ref,hasil\nA1,gagal\nA1,gagal\n", "Row 3: reference A1 appears twice."),
        (b"nomor,status\nA1,gagal\n", "Missing column noref"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_a_bad_file_is_refused_whole_with_a_message_per_row(login_as, sql, content, message):
    status, page = upload(login_as("administrator"), content)
    assert status == 400 and message in page
    assert sql.scalar(sa.text("SELECT count(*) FROM backoffice.transaction_request")) == 0


def test_a_refund_the_database_refuses_leaves_the_transaction_pending(app, login_as, sql):
    noref, agent, _ = a_pending(sql)
    approver = second_admin(app)
    resolve(login_as("administrator"), "refund", noref)
    sql.execute(
        sa.text("DELETE FROM am_balance WHERE agent_id = :a"), {"a": agent}
    )  # the function finds no agent
    answer = decide(approver, "transaction", waiting_request(sql, noref), "approve").get_data(as_text=True)
    assert "refused the refund: AGEN TIDAK DITEMUKAN" in answer
    assert sql.scalar(sa.text("SELECT statusreply FROM tempmsg WHERE noref = :n"), {"n": noref}) == "PENDING"
    assert sql.scalar(sa.text("SELECT status FROM backoffice.transaction_request")) == "pending"
    assert audit_count(sql, "transaction_refund") == 0
