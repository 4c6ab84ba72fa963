"""The demo data's money adds up, as the generator promises."""

import pytest
import sqlalchemy as sa


def test_agent_balances_are_topups_minus_sales(sql):
    wrong = sql.scalar(
        sa.text("""
        SELECT count(*) FROM am_balance b
         WHERE b.curr_bal <> (SELECT coalesce(sum(amount), 0) FROM am_update_balance u
                               WHERE u.agent_id = b.agent_id)
             - (SELECT coalesce(sum(hargajual), 0) FROM (
                    SELECT fromagent, hargajual, responsecode FROM tempmsg
                    UNION ALL SELECT fromagent, hargajual, responsecode FROM tempmsg_backup) t
                 WHERE t.fromagent = b.agent_id AND t.responsecode IN ('00', '68'))""")
    )
    assert wrong == 0
    assert sql.scalar(sa.text("SELECT min(curr_bal) FROM am_balance")) > 0


#: Per biller, what the planted transactions put between its balance and the book: successes the
#: biller never answered (not debited: more), failures it answered with a serial number (debited: less).
PLANTED = """
    SELECT billercode, sum(CASE WHEN responsecode = '00' THEN hargabeli ELSE -hargabeli END) FROM (
        SELECT billercode, hargabeli, responsecode, respbiller FROM tempmsg_backup
         WHERE responsecode = '00' AND respbiller = '-'
        UNION ALL
        SELECT billercode, hargabeli, responsecode, respbiller FROM tempmsg
         WHERE responsecode <> '00' AND respbiller LIKE 'SN:%') p
     GROUP BY billercode"""


def test_biller_balances_differ_from_the_books_only_by_the_planted_transactions(sql):
    differences = dict(
        sql.execute(
            sa.text("""
        SELECT b.billercode, b.curr_bal - (
               (SELECT sum(amount) FROM biller_update_balance u WHERE u.billercode = b.billercode)
             - (SELECT coalesce(sum(hargabeli), 0) FROM (
                    SELECT billercode, hargabeli, responsecode FROM tempmsg
                    UNION ALL SELECT billercode, hargabeli, responsecode FROM tempmsg_backup) t
                 WHERE t.billercode = b.billercode AND t.responsecode = '00'))
          FROM balance_us b""")
        ).all()
    )
    planted = dict(sql.execute(sa.text(PLANTED)).all())
    assert set(planted) == {"BMS", "IAK"}
    assert {code: diff for code, diff in differences.items() if diff} == planted


def test_points_add_up(sql):
    assert (
        sql.scalar(
            sa.text("""SELECT count(*) FROM am_balance b WHERE poin_bal <>
        (SELECT coalesce(sum(poin), 0) FROM am_update_poin p WHERE p.agent_id = b.agent_id)""")
        )
        == 0
    )


def test_agents_look_like_the_source(sql):
    agent_id, name = sql.execute(sa.text("SELECT agent_id, agent_name FROM am_user LIMIT 1")).one()
    assert agent_id.startswith("08") and agent_id.isdigit() and len(agent_id) == 12
    assert name


def test_no_biller_history_goes_below_zero(sql):
    lowest = sql.execute(
        sa.text("SELECT min(before_balance), min(current_balance) FROM biller_update_balance")
    ).one()
    assert min(lowest) >= 0, lowest


def test_the_demo_adds_transactions_like_todays_and_charges_them(app, sql):
    from backoffice.demo import add_transaction, start_trickle
    from backoffice.extensions import db

    tables = app.extensions["backoffice"].tables
    deposits = sql.scalar(sa.text("SELECT sum(curr_bal) FROM balance_us"))
    with app.app_context():
        norefs = [add_transaction(tables) for _ in range(8)]
        db.session.remove()
    rows = sql.execute(sa.text("SELECT * FROM tempmsg WHERE noref = ANY(:n)"), {"n": norefs}).mappings().all()
    today = sql.scalar(sa.text("SELECT (now() AT TIME ZONE 'Asia/Jakarta')::date"))
    assert len(rows) == 8 and {row["requesttime"].date() for row in rows} == {today}
    cost = sum(row["hargabeli"] for row in rows if row["statusreply"] == "SUKSES")
    assert sql.scalar(sa.text("SELECT sum(curr_bal) FROM balance_us")) == deposits - cost
    with pytest.raises(RuntimeError):
        start_trickle(app)  # test mode: never outside the demo


def test_the_demo_leaves_a_deposit_waiting_for_a_second_person(app, sql):
    from backoffice.demo import WAITING_DEPOSIT, leave_a_deposit_waiting
    from backoffice.extensions import db

    code, amount, _ = WAITING_DEPOSIT
    balance = sql.scalar(sa.text("SELECT curr_bal FROM balance_us WHERE billercode = :c"), {"c": code})
    with app.app_context():
        assert leave_a_deposit_waiting(app, asker="administrator") is not None
        assert leave_a_deposit_waiting(app, asker="administrator") is None  # once per database
        db.session.remove()
    waiting = sql.execute(sa.text("SELECT * FROM backoffice.balance_request")).mappings().one()
    assert (waiting["billercode"], waiting["amount"], waiting["status"]) == (code, amount, "pending")
    assert waiting["needs_approval"] and waiting["requested_by"] == "administrator"
    recorded = sql.execute(
        sa.text("SELECT actor, actor_role FROM backoffice.audit_log WHERE action = 'balance_request'")
    ).one()
    assert tuple(recorded) == ("administrator", "administrator")
    assert (
        sql.scalar(sa.text("SELECT curr_bal FROM balance_us WHERE billercode = :c"), {"c": code}) == balance
    )
