"""The landing page's figures: today beside yesterday, per hour, top products and agents, success
per biller.

Everything comes from two grouped passes over the transaction tables, bounded to yesterday and
today on the time index (hash aggregates: sorting two days of text keys is what makes a
dashboard slow). Yesterday's totals are taken up to the same time of day as now, so the two
columns compare like with like; the hourly chart shows yesterday whole.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from .extensions import db
from .report import ReportFilter, TransactionReport

TOP = 5


@dataclass
class Day:
    """One day's totals (yesterday's up to the time of day it is now)."""

    transactions: int = 0
    success: int = 0
    sales: Decimal = Decimal(0)
    margin: Decimal = Decimal(0)
    agents: int = 0

    @property
    def success_rate(self) -> float | None:
        return 100 * self.success / self.transactions if self.transactions else None


@dataclass
class Figures:
    """What the dashboard shows about transactions."""

    today: Day = field(default_factory=Day)
    yesterday: Day = field(default_factory=Day)
    #: hour -> [today, yesterday] transactions
    hourly: dict[int, list[int]] = field(default_factory=lambda: {h: [0, 0] for h in range(24)})
    #: (product, transactions, sales) today, most sold first
    products: list[tuple] = field(default_factory=list)
    #: (agent, transactions, sales) today
    agents: list[tuple] = field(default_factory=list)
    #: (biller, transactions, success, rate) today
    billers: list[tuple] = field(default_factory=list)

    @property
    def busiest_hour(self) -> int:
        return max(max(pair) for pair in self.hourly.values()) or 1


def transaction_figures(report: TransactionReport, now: datetime) -> Figures:
    """Today and yesterday, from two hash-grouped passes over two days of transactions."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    trx = report.transactions(ReportFilter(start=today - timedelta(days=1), end=now + timedelta(minutes=1)))
    success = trx.c.status.in_(report.mapping.status_values["success"])
    day = sa.func.date_trunc("day", trx.c.time).label("day")
    # Yesterday counts up to the time of day it is now; today up to now anyway.
    so_far = (trx.c.time - sa.func.date_trunc("day", trx.c.time)) <= (now - today)
    measures = (
        sa.func.count().filter(so_far).label("count"),
        sa.func.coalesce(sa.func.sum(trx.c.price).filter(so_far & success), 0).label("sales"),
    )
    # Products lead to their biller, so (day, hour, product, biller) stays a few thousand groups,
    # from which the day, hour, product and biller figures are summed here.
    detail = db.session.execute(
        sa.select(
            day,
            sa.extract("hour", trx.c.time).label("hour"),
            trx.c.product,
            trx.c.biller,
            sa.func.count().label("all_day"),
            *measures,
            sa.func.count().filter(so_far & success).label("success"),
            sa.func.coalesce(sa.func.sum(trx.c.price - trx.c.cost).filter(so_far & success), 0).label(
                "margin"
            ),
        ).group_by(day, sa.text("hour"), trx.c.product, trx.c.biller)
    ).all()
    agents = db.session.execute(sa.select(day, trx.c.agent, *measures).group_by(day, trx.c.agent)).all()
    return _collect(detail, agents, today)


def _collect(detail, agents, today: datetime) -> Figures:
    figures = Figures()
    products, billers = defaultdict(lambda: [0, Decimal(0)]), defaultdict(lambda: [0, 0])
    for row in detail:
        is_today = row.day == today
        totals = figures.today if is_today else figures.yesterday
        totals.transactions += row.count
        totals.success += row.success
        totals.sales += row.sales
        totals.margin += row.margin
        figures.hourly[int(row.hour)][0 if is_today else 1] += row.all_day
        if is_today:
            products[row.product][0] += row.count
            products[row.product][1] += row.sales
            billers[row.biller][0] += row.count
            billers[row.biller][1] += row.success
    for row in agents:
        if row.count:
            (figures.today if row.day == today else figures.yesterday).agents += 1
    figures.products = sorted(
        ((p, c, s) for p, (c, s) in products.items()), key=lambda p: (-p[1], p[0] or "")
    )[:TOP]
    todays = [(a.agent, a.count, a.sales) for a in agents if a.day == today and a.count]
    figures.agents = sorted(todays, key=lambda a: (-a[2], a[0] or ""))[:TOP]
    figures.billers = [
        (code, count, ok, 100 * ok / count if count else None)
        for code, (count, ok) in sorted(billers.items(), key=lambda b: b[0] or "")
    ]
    return figures


def registrations(agents: sa.Table, registered: str, now: datetime) -> tuple[int, int]:
    """New agents today and yesterday up to the same time (on the registration time's index)."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    column = agents.c[registered]

    def between(start, end):
        return db.session.scalar(sa.select(sa.func.count()).where(column >= start, column <= end))

    return between(today, now), between(today - timedelta(days=1), now - timedelta(days=1))


def names(table: sa.Table, key: str, name: str, keys) -> dict:
    """``key -> name`` for a handful of keys (the top products and agents)."""
    keys = [k for k in keys if k is not None]
    if not keys:
        return {}
    rows = db.session.execute(sa.select(table.c[key], table.c[name]).where(table.c[key].in_(keys)))
    return dict(rows.all())
