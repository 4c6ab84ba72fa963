"""The application's stored functions, called as the panel and the app call them."""

import pytest
import sqlalchemy as sa


def call(sql, function: str, key: str, amount):
    return (
        sql.execute(sa.text(f"SELECT * FROM {function}(:key, :amount)"), {"key": key, "amount": amount})
        .mappings()
        .one()
    )


@pytest.fixture
def agent(sql):
    return (
        sql.execute(
            sa.text(
                "SELECT agent_id, curr_bal, poin_bal, max_bal_day, used_bal_day "
                "FROM am_balance ORDER BY agent_id LIMIT 1"
            )
        )
        .mappings()
        .one()
    )


def balance(sql, agent_id, column):
    return sql.scalar(sa.text(f"SELECT {column} FROM am_balance WHERE agent_id = :a"), {"a": agent_id})


def count(sql, table):
    return sql.scalar(sa.text(f"SELECT count(*) FROM {table}"))


def test_receivemoney_credits_the_agent_and_records_a_mutation(sql, agent):
    mutations = count(sql, "am_update_balance")
    result = call(sql, "am_receivemoneyproc", agent["agent_id"], 150000)
    assert (result["vo_status"], result["vo_statusdesc"]) == ("00", "SUKSES")
    assert result["vo_prev"] == agent["curr_bal"] and result["vo_curr"] == agent["curr_bal"] + 150000
    assert balance(sql, agent["agent_id"], "curr_bal") == agent["curr_bal"] + 150000
    assert count(sql, "am_update_balance") == mutations + 1


@pytest.mark.parametrize(
    "function",
    ["am_receivemoneyproc", "am_receivepoinproc", "am_setpoinproc", "am_setlimitproc", "am_revlimitproc"],
)
@pytest.mark.parametrize(
    "key, amount, status", [("000000000000", 1000, "14"), (None, 0, "13"), (None, -5, "13")]
)
def test_agent_functions_refuse_bad_input_and_change_nothing(sql, agent, function, key, amount, status):
    before = sql.execute(
        sa.text("SELECT md5(string_agg(b::text, '' ORDER BY agent_id)) FROM am_balance b")
    ).scalar()
    result = call(sql, function, key or agent["agent_id"], amount)
    assert result["vo_status"] == status and result["vo_statusdesc"]
    assert (
        sql.execute(
            sa.text("SELECT md5(string_agg(b::text, '' ORDER BY agent_id)) FROM am_balance b")
        ).scalar()
        == before
    )


def test_points_are_credited_and_spent_but_never_below_zero(sql, agent):
    credited = call(sql, "am_receivepoinproc", agent["agent_id"], 50)
    assert credited["vo_status"] == "00" and credited["vo_curr"] == agent["poin_bal"] + 50
    spent = call(sql, "am_setpoinproc", agent["agent_id"], 20)
    assert spent["vo_status"] == "00" and spent["vo_curr"] == agent["poin_bal"] + 30
    too_many = call(sql, "am_setpoinproc", agent["agent_id"], int(agent["poin_bal"]) + 1000)
    assert too_many["vo_status"] == "51"
    assert balance(sql, agent["agent_id"], "poin_bal") == agent["poin_bal"] + 30


def test_daily_limit_is_used_returned_and_never_exceeded(sql, agent):
    used = call(sql, "am_setlimitproc", agent["agent_id"], 100000)
    assert used["vo_status"] == "00" and used["vo_curr"] == agent["used_bal_day"] + 100000
    over = call(sql, "am_setlimitproc", agent["agent_id"], int(agent["max_bal_day"]))
    assert over["vo_status"] == "61"
    back = call(sql, "am_revlimitproc", agent["agent_id"], 100000)
    assert back["vo_status"] == "00" and back["vo_curr"] == agent["used_bal_day"]
    too_much = int(agent["used_bal_day"]) + 1
    assert call(sql, "am_revlimitproc", agent["agent_id"], too_much)["vo_status"] == "13"


def test_biller_deposit_and_correction(sql):
    before = sql.scalar(sa.text("SELECT curr_bal FROM balance_us WHERE billercode = 'DGF'"))
    deposit = sql.execute(sa.text("SELECT * FROM setbalanceusproc('DGF', 5000000)")).mappings().one()
    assert deposit["vo_status"] == "00" and deposit["vo_prev"] == before
    assert deposit["vo_curr"] == before + 5000000
    correction = sql.execute(sa.text("SELECT * FROM revbalanceusproc('DGF', 2000000)")).mappings().one()
    assert correction["vo_status"] == "00"
    assert sql.scalar(sa.text("SELECT curr_bal FROM balance_us WHERE billercode = 'DGF'")) == before + 3000000
    last = sql.execute(
        sa.text(
            "SELECT amount, before_balance, current_balance, keterangan FROM "
            "biller_update_balance ORDER BY id DESC LIMIT 1"
        )
    ).one()
    assert tuple(last) == (-2000000, before + 5000000, before + 3000000, "KOREKSI")


@pytest.mark.parametrize(
    "query, status",
    [
        ("SELECT * FROM setbalanceusproc('NOPE', 1000)", "14"),
        ("SELECT * FROM setbalanceusproc('DGF', 0)", "13"),
        ("SELECT * FROM revbalanceusproc('NOPE', 1000)", "14"),
        ("SELECT * FROM revbalanceusproc('DGF', 2000000000)", "51"),
    ],
)
def test_biller_functions_refuse_bad_input_and_change_nothing(sql, query, status):
    before = sql.scalar(sa.text("SELECT md5(string_agg(b::text, '' ORDER BY billercode)) FROM balance_us b"))
    mutations = count(sql, "biller_update_balance")
    assert sql.execute(sa.text(query)).mappings().one()["vo_status"] == status
    assert (
        sql.scalar(sa.text("SELECT md5(string_agg(b::text, '' ORDER BY billercode)) FROM balance_us b"))
        == before
    )
    assert count(sql, "biller_update_balance") == mutations


@pytest.mark.parametrize("login, status", [("admin", "00"), ("joko.ops", "05"), ("nobody", "14")])
def test_checkid(sql, login, status):
    assert (
        sql.execute(sa.text("SELECT * FROM checkid(:u)"), {"u": login}).mappings().one()["vo_status"]
        == status
    )
