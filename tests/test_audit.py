"""The audit trail: one record per change, in the change's transaction, append-only, chained."""

import re

import pytest
import sqlalchemy as sa

from backoffice.extensions import db
from tests.conftest import PASSWORDS
from tests.helpers import csrf_token, form_values, log_in


def records(sql, **where):
    clause = " AND ".join(f"{column} = :{column}" for column in where) or "true"
    return (
        sql.execute(sa.text(f"SELECT * FROM backoffice.audit_log WHERE {clause} ORDER BY id"), where)
        .mappings()
        .all()
    )


def test_create_update_delete_each_leave_one_record_with_before_and_after(login_as, sql):
    client = login_as("administrator")
    token = csrf_token(client, "/admin/trancode/new/")
    client.post(
        "/admin/trancode/new/",
        data={"csrf_token": token, "trancodeid": "AUD1", "trancodename": "Audit A", "hargajual": "1000"},
    )
    created = records(sql, table_name="trancode", record_key="AUD1")
    assert [r["action"] for r in created] == ["create"]
    assert created[0]["after"]["trancodename"] == "Audit A" and created[0]["after"]["detailproduct"] == "-"
    assert created[0]["actor"] == "administrator" and created[0]["actor_role"] == "administrator"
    assert created[0]["source_ip"] == "127.0.0.1" and created[0]["view"] == "trancode"

    url = "/admin/trancode/edit/?id=AUD1"
    client.post(url, data={**form_values(client.get(url).get_data(as_text=True)), "trancodename": "Audit B"})
    updated = records(sql, table_name="trancode", record_key="AUD1", action="update")
    assert len(updated) == 1
    assert (updated[0]["before"], updated[0]["after"]) == (
        {"trancodename": "Audit A"},
        {"trancodename": "Audit B"},
    )

    client.post("/admin/trancode/delete/", data={"id": "AUD1", "csrf_token": token})
    deleted = records(sql, table_name="trancode", record_key="AUD1", action="delete")
    assert (
        len(deleted) == 1
        and deleted[0]["before"]["trancodename"] == "Audit B"
        and deleted[0]["after"] is None
    )


def test_an_unchanged_save_records_nothing(login_as, sql):
    client = login_as("administrator")
    url = "/admin/trancode/edit/?id=TSEL10"
    client.post(url, data=form_values(client.get(url).get_data(as_text=True)))
    assert records(sql, table_name="trancode") == []


def test_secrets_are_not_in_the_record(login_as, sql):
    client = login_as("administrator")
    agent = sql.execute(
        sa.text("SELECT agent_id, password, agent_pin FROM am_user ORDER BY agent_id LIMIT 1")
    ).one()
    client.post(
        "/admin/am_user/delete/", data={"id": agent.agent_id, "csrf_token": csrf_token(client, "/admin/")}
    )
    # am_balance refers to the agent: the delete is refused, and nothing is recorded
    assert records(sql, table_name="am_user") == []
    sql.execute(
        sa.text(
            "INSERT INTO am_user (agent_id, password, agent_pin, otp_pure, agent_name) "
            "VALUES ('089911112222', 'rahasia-pw', 'rahasia-pin', 'rahasia-otp', 'Uji')"
        )
    )
    client.post(
        "/admin/am_user/delete/", data={"id": "089911112222", "csrf_token": csrf_token(client, "/admin/")}
    )
    (deleted,) = records(sql, table_name="am_user")
    assert deleted["before"]["agent_name"] == "Uji"
    assert "rahasia" not in str(deleted["before"]) and "password" not in deleted["before"]


def test_a_bulk_delete_leaves_one_record_per_row(login_as, sql):
    client = login_as("administrator")
    keys = sql.execute(sa.text("SELECT agent_id FROM am_user_trash ORDER BY 1")).scalars().all()
    client.post(
        "/admin/am_user_trash/action/",
        data={"action": "delete", "rowid": keys, "csrf_token": csrf_token(client, "/admin/")},
    )
    rows = records(sql, table_name="am_user_trash")
    assert sorted(r["record_key"] for r in rows) == keys
    assert {r["action"] for r in rows} == {"delete"} and {r["detail"]["via"] for r in rows} == {"action_view"}


def test_an_export_is_recorded_when_it_begins_and_when_it_ends(login_as, sql):
    client = login_as("staff")
    response = client.get("/admin/trancode/export/csv/?search=TSEL")
    rows = response.get_data(as_text=True).count("\n") - 1
    (begun,) = records(sql, action="export")
    (ended,) = records(sql, action="export_end")
    assert begun["actor"] == ended["actor"] == "staff" and begun["table_name"] == "trancode"
    assert begun["detail"] == {"format": "csv", "query": {"search": "TSEL"}} and begun["id"] < ended["id"]
    assert ended["detail"] == {"export": begun["id"], "format": "csv", "rows": rows, "complete": True}


@pytest.mark.parametrize(
    "role, url",
    [("staff", "/admin/trancode/export/csv/"), ("auditor", "/admin/audit_log/export/csv/")],
)
def test_an_unused_argument_the_database_refuses_cannot_hide_an_export(login_as, sql, role, url):
    # jsonb refuses the NUL character: the record once failed while the file was still sent.
    client = login_as(role)
    response = client.get(
        url, query_string={"x": "a\x00b", "y" * 300: "z" * 5000}, headers={"User-Agent": "u\x00a"}
    )
    assert response.status_code == 200 and response.get_data(as_text=True).count("\n") > 1
    (begun,) = records(sql, action="export")
    assert begun["detail"]["query"] == {"x": "ab", "y" * 200: "z" * 200} and begun["user_agent"] == "ua"
    assert records(sql, action="export_end")[0]["detail"]["complete"] is True


def test_an_export_whose_record_cannot_be_written_sends_nothing(login_as, sql):
    sql.execute(
        sa.text("ALTER TABLE backoffice.audit_log ADD CONSTRAINT no_exports CHECK (action <> 'export')")
    )
    response = login_as("staff").get("/admin/trancode/export/csv/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert (
        response.status_code == 200
        and "text/html" in response.content_type
        and "TSEL10" not in page.split("<table")[0]
    )
    assert "not allowed by the database" in page and records(sql, action="export_end") == []


def test_a_change_whose_record_cannot_be_written_is_rolled_back(login_as, sql):
    sql.execute(
        sa.text("ALTER TABLE backoffice.audit_log ADD CONSTRAINT no_updates CHECK (action <> 'update')")
    )
    client = login_as("administrator")
    url = "/admin/trancode/edit/?id=TSEL10"
    response = client.post(
        url,
        data={**form_values(client.get(url).get_data(as_text=True)), "trancodename": "TIDAK BOLEH"},
        follow_redirects=True,
    )
    assert "A value is not allowed by the database&#39;s rules." in response.get_data(as_text=True)
    assert (
        sql.scalar(sa.text("SELECT trancodename FROM trancode WHERE trancodeid = 'TSEL10'"))
        == "PULSA TELKOMSEL 10K"
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE backoffice.audit_log SET actor = 'someone else'",
        "DELETE FROM backoffice.audit_log",
        "TRUNCATE backoffice.audit_log",
    ],
)
def test_the_panels_own_connection_cannot_change_the_trail(app, login_as, statement):
    login_as("auditor")  # leaves records to protect
    with app.app_context():
        with pytest.raises(sa.exc.ProgrammingError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()


def tamper(sql, statement: str, **params) -> None:
    """Change the trail as the database owner can: with its triggers switched off."""
    sql.execute(sa.text("SET session_replication_role = replica"))
    sql.execute(sa.text(statement), params)
    sql.execute(sa.text("SET session_replication_role = DEFAULT"))


def test_audit_verify_finds_a_record_edited_by_the_database_owner(runner, sql):
    sql.execute(
        sa.text("INSERT INTO backoffice.audit_log (action, actor) VALUES ('a', 'x'), ('b', 'y'), ('c', 'z')")
    )
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0 and "audit trail intact: 3 records" in result.output
    victim = sql.scalar(sa.text("SELECT id FROM backoffice.audit_log WHERE action = 'b'"))
    tamper(sql, "UPDATE backoffice.audit_log SET actor = 'nobody' WHERE id = :i", i=victim)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code != 0 and f"record {victim} does not match its hash" in result.output


def test_audit_verify_finds_a_removed_record(runner, sql):
    sql.execute(sa.text("INSERT INTO backoffice.audit_log (action) VALUES ('a'), ('b'), ('c')"))
    tamper(sql, "DELETE FROM backoffice.audit_log WHERE action = 'b'")
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code != 0 and "does not follow record" in result.output


def test_purge_removes_only_old_records_and_leaves_a_verifiable_trail(runner, sql):
    sql.execute(
        sa.text(
            "INSERT INTO backoffice.audit_log (action, occurred_at) VALUES "
            "('old', now() - interval '800 days'), ('old', now() - interval '750 days'), "
            "('recent', now() - interval '10 days')"
        )
    )
    result = runner.invoke(args=["audit-purge"])
    assert result.exit_code == 0 and "removed 2 audit records older than 730 days" in result.output
    assert [r["action"] for r in records(sql)] == ["recent", "audit_purge"]
    assert runner.invoke(args=["audit-verify"]).exit_code == 0


def test_auditors_browse_the_trail_staff_do_not_and_nobody_edits_it(login_as, sql):
    auditor = login_as("auditor")
    html = auditor.get("/admin/audit_log/").get_data(as_text=True)
    assert "login" in html
    key = sql.scalar(sa.text("SELECT id FROM backoffice.audit_log ORDER BY id LIMIT 1"))
    assert auditor.get(f"/admin/audit_log/details/?id={key}").status_code == 200
    for url in ("/admin/audit_log/new/", f"/admin/audit_log/edit/?id={key}"):
        assert auditor.get(url).status_code == 403


def test_staff_cannot_read_the_trail(login_as):
    assert login_as("staff").get("/admin/audit_log/").status_code == 403


def test_a_records_details_link_to_its_history_with_a_diff(login_as, sql):
    client = login_as("administrator")
    url = "/admin/trancode/edit/?id=TSEL25"
    client.post(url, data={**form_values(client.get(url).get_data(as_text=True)), "trancodename": "BARU"})
    details = client.get("/admin/trancode/details/?id=TSEL25").get_data(as_text=True)
    assert "/admin/audit_log/?table=trancode&amp;key=TSEL25" in details
    history = client.get("/admin/audit_log/?table=trancode&key=TSEL25").get_data(as_text=True)
    assert "History of trancode TSEL25" in history
    record_id = records(sql, table_name="trancode", record_key="TSEL25")[0]["id"]
    diff = client.get(f"/admin/audit_log/details/?id={record_id}").get_data(as_text=True)
    assert "PULSA TELKOMSEL 25K" in diff and "BARU" in diff and "table-warning" in diff


def test_the_change_history_shows_masked_columns_masked_to_who_may_not_open_them(login_as, app, sql):
    agent = sql.scalar(sa.text("SELECT min(agent_id) FROM am_user"))
    admin = login_as("administrator")
    url = f"/admin/am_user/edit/?id={agent}"
    values = {**form_values(admin.get(url).get_data(as_text=True)), "phonenumber": "089912345678"}
    assert admin.post(url, data=values).status_code == 302
    (change,) = records(sql, table_name="am_user", action="update")
    assert change["after"] == {"phonenumber": "089912345678"}  # the trail keeps the real value
    auditor = app.test_client()
    log_in(auditor, "auditor", PASSWORDS["auditor"])  # may not open agents: sees them masked
    details = auditor.get(f"/admin/audit_log/details/?id={change['id']}").get_data(as_text=True)
    export = auditor.get("/admin/audit_log/export/csv/").get_data(as_text=True)
    for shown in (details, export):
        assert "089912345678" not in shown and "0899****5678" in shown
    assert "089912345678" in admin.get(f"/admin/audit_log/details/?id={change['id']}").get_data(as_text=True)


def test_records_keep_the_accounts_id_and_the_chain_covers_it(login_as, runner, sql):
    login_as("auditor")
    auditor = sql.scalar(sa.text("SELECT id FROM backoffice.panel_user WHERE username = 'auditor'"))
    login = records(sql, action="login")[-1]
    assert (login["actor_id"], login["chain_version"]) == (auditor, 2)
    tamper(sql, "UPDATE backoffice.audit_log SET actor_id = actor_id + 1 WHERE id = :i", i=login["id"])
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code != 0 and f"record {login['id']} does not match its hash" in result.output


def test_records_written_before_the_accounts_id_was_kept_still_verify(runner, sql):
    sql.execute(sa.text("INSERT INTO backoffice.audit_log (action, actor) VALUES ('a', 'x'), ('b', 'y')"))
    first = records(sql)[0]["id"]
    # As a trail written by the panel before version 2: no id, the version 1 hash.
    tamper(
        sql,
        "UPDATE backoffice.audit_log a SET chain_version = 1, hash = NULL WHERE id = :i",
        i=first,
    )
    tamper(sql, "UPDATE backoffice.audit_log a SET hash = backoffice.audit_hash(a) WHERE id = :i", i=first)
    tamper(
        sql,
        "UPDATE backoffice.audit_log a SET prev_hash = (SELECT hash FROM backoffice.audit_log WHERE id = :i),"
        " hash = NULL WHERE id > :i",
        i=first,
    )
    tamper(sql, "UPDATE backoffice.audit_log a SET hash = backoffice.audit_hash(a) WHERE id > :i", i=first)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0 and "audit trail intact: 2 records" in result.output


def test_the_trail_reads_in_the_businesss_words_never_as_json(login_as, sql):
    client = login_as("administrator")
    url = "/admin/trancode/edit/?id=TSEL25"
    client.post(url, data={**form_values(client.get(url).get_data(as_text=True)), "trancodename": "BARU"})
    client.get("/admin/trancode/export/csv/")
    listing = client.get("/admin/audit_log/").get_data(as_text=True)

    def cells(column: str) -> set[str]:
        return set(re.findall(rf'<td class="col-{column}">\s*(.*?)\s*</td>', listing, re.S))

    assert {"Logged in", "Changed", "Export started"} <= cells("action")
    assert "Products" in cells("table_name") and "trancode" not in cells("table_name")  # by its label
    change = records(sql, table_name="trancode", action="update")[0]["id"]
    diff = client.get(f"/admin/audit_log/details/?id={change}").get_data(as_text=True)
    assert "<td>Product name</td>" in diff and "{&#39;" not in diff and "{'" not in diff
    export = records(sql, action="export")[0]["id"]
    detail = client.get(f"/admin/audit_log/details/?id={export}").get_data(as_text=True)
    assert "<td>format</td><td>csv</td>" in detail and "{&#39;" not in detail
