"""What only the demo does: a new transaction every few seconds while it runs, so that the live
report, the dashboard and the balances move as they do in a real day, and a deposit waiting for a
second person, so that four eyes can be tried at once. Never in production: the ``demo`` command
starts it, and the trickle refuses any other mode."""

import logging
import threading
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask_login import login_user

from .extensions import db
from .formatting import now_jakarta
from .models.panel import BalanceRequest, BillerSetting, PanelUser

log = logging.getLogger(__name__)

#: Seconds between two new transactions of the demo.
TRICKLE_SECONDS = 4
#: The low-balance threshold the demo watches every biller with (NRS, kept low, is below it).
LOW_BALANCE = 10_000_000
#: The deposit left waiting: at the biller below its threshold, above the approval amount.
WAITING_DEPOSIT = ("NRS", 75_000_000, "Deposit mingguan Narindo, transfer BCA (contoh demo)")


def add_transaction(tables) -> str | None:
    """One new transaction like today's others (a copy of a random one of them, its status
    included, at the current Jakarta time with a new noref), charged as the application would: a
    success takes its selling price from the agent's balance and its cost from the biller's
    deposit. Its noref, or None when there is nothing to copy yet."""
    live, balances, billers = (tables[name].table for name in ("tempmsg", "am_balance", "balance_us"))
    now = now_jakarta()
    noref = f"{time.time_ns() // 1000 % 10**11:011d}"
    copied = [c for c in tables["tempmsg"].columns if c.name != "msgid"]  # the table's own, no xmin
    fresh = {"requesttime": sa.literal(now), "responsetime": sa.literal(now + timedelta(seconds=2))}
    fresh |= {"noref": sa.literal(noref), "transactionid": sa.literal(noref)}
    model = (
        sa.select(*(fresh.get(c.name, c) for c in copied))
        .where(live.c.requesttime >= now.replace(hour=0, minute=0, second=0))
        .order_by(sa.func.random())
        .limit(1)
    )
    charged = (live.c.statusreply, live.c.fromagent, live.c.hargajual, live.c.billercode, live.c.hargabeli)
    row = db.session.execute(
        sa.insert(live).from_select([c.name for c in copied], model).returning(*charged)
    ).first()
    if row is None:
        return None
    if row.statusreply == "SUKSES":
        db.session.execute(
            sa.update(balances)
            .where(balances.c.agent_id == row.fromagent)
            .values(curr_bal=balances.c.curr_bal - row.hargajual)
        )
        db.session.execute(
            sa.update(billers)
            .where(billers.c.billercode == row.billercode)
            .values(curr_bal=billers.c.curr_bal - row.hargabeli)
        )
    db.session.commit()
    return noref


def watch_billers(tables) -> None:
    """Give every biller without one the demo's low-balance threshold."""
    codes = db.session.scalars(sa.select(tables["balance_us"].table.c.billercode)).all()
    known = set(db.session.scalars(sa.select(BillerSetting.billercode)).all())
    db.session.add_all(
        BillerSetting(billercode=code, low_balance=LOW_BALANCE, updated_by="demo")
        for code in codes
        if code not in known
    )
    db.session.commit()


def leave_a_deposit_waiting(app: Flask, asker: str) -> BalanceRequest | None:
    """Ask for :data:`WAITING_DEPOSIT` as ``asker`` would on the top-up page (audited, waiting for
    a second person), once per database: the demo's other administrator approves or rejects it."""
    requests = app.extensions["backoffice"].money.requests
    if requests is None or db.session.scalar(sa.select(BalanceRequest.id).limit(1)) is not None:
        return None
    user = db.session.scalar(sa.select(PanelUser).filter_by(username=asker))
    code, amount, note = WAITING_DEPOSIT
    with app.test_request_context():  # the request is recorded as the asker's, as from their page
        login_user(user)
        asked = requests.submit(uuid.uuid4(), "deposit", code, amount, note, user)
        db.session.commit()
    return asked


def start_trickle(app: Flask, every: float = TRICKLE_SECONDS) -> threading.Event:
    """Add a transaction every ``every`` seconds in a thread of its own until the returned event
    is set (the demo sets it when it stops)."""
    if app.config["BACKOFFICE_MODE"] != "demo":
        raise RuntimeError("new demo transactions are made in demo mode only")
    stop = threading.Event()
    tables = app.extensions["backoffice"].tables

    def trickle():
        while not stop.wait(every):
            with app.app_context():
                try:
                    add_transaction(tables)
                except sa.exc.DBAPIError as exc:  # the database went away: the demo is ending
                    log.warning("demo transaction not added: %s", exc)
                    db.session.rollback()

    threading.Thread(target=trickle, name="demo-transactions", daemon=True).start()
    return stop
