"""The landing page's figures: today beside yesterday, per hour, top products and agents, success
per biller.

Everything comes from one pass over the transaction tables, bounded to yesterday and today on the
time index (GROUPING SETS give the per-day, per-hour, per-product, per-agent and per-biller
figures together). Yesterday's totals are taken up to the same time of day as now, so the two
columns compare like with like; the hourly chart shows yesterday whole.
"""

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
    """Today and yesterday in one grouped pass over the transaction tables."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    trx = report.transactions(ReportFilter(start=today - timedelta(days=1), end=now + timedelta(minutes=1)))
    success = trx.c.status.in_(report.mapping.status_values["success"])
    day = sa.func.date_trunc("day", trx.c.time).label("day")
    hour = sa.extract("hour", trx.c.time).label("hour")
    # Yesterday counts up to the time of day it is now; today up to now anyway.
    so_far = (trx.c.time - sa.func.date_trunc("day", trx.c.time)) <= (now - today)
    keys = (hour, trx.c.product, trx.c.agent, trx.c.biller)
    rows = db.session.execute(
        sa.select(
            day,
            *keys,
            sa.func.grouping(*keys).label("level"),
            sa.func.count().label("all_day"),
            sa.func.count().filter(so_far).label("count"),
            sa.func.count().filter(so_far & success).label("success"),
            sa.func.coalesce(sa.func.sum(trx.c.price).filter(so_far & success), 0).label("sales"),
            sa.func.coalesce(sa.func.sum(trx.c.price - trx.c.cost).filter(so_far & success), 0).label(
                "margin"
            ),
            sa.func.count(sa.distinct(trx.c.agent)).filter(so_far).label("agents"),
        ).group_by(
            sa.func.grouping_sets(
                sa.tuple_(day),
                sa.tuple_(day, hour),
                sa.tuple_(day, trx.c.product),
                sa.tuple_(day, trx.c.agent),
                sa.tuple_(day, trx.c.biller),
            )  # fmt: skip
        )
    ).all()
    return _collect(rows, today)


# GROUPING(hour, product, agent, biller): a bit per key left out of the row's grouping set.
_BY_DAY, _BY_HOUR, _BY_PRODUCT, _BY_AGENT, _BY_BILLER = 0b1111, 0b0111, 0b1011, 0b1101, 0b1110


def _collect(rows, today: datetime) -> Figures:
    figures = Figures()
    for row in rows:
        is_today = row.day == today
        if row.level == _BY_DAY:
            setattr(
                figures,
                "today" if is_today else "yesterday",
                Day(row.count, row.success, row.sales, row.margin, row.agents),
            )
        elif row.level == _BY_HOUR:
            figures.hourly[int(row.hour)][0 if is_today else 1] = row.all_day
        elif is_today and row.level == _BY_PRODUCT:
            figures.products.append((row.product, row.count, row.sales))
        elif is_today and row.level == _BY_AGENT:
            figures.agents.append((row.agent, row.count, row.sales))
        elif is_today and row.level == _BY_BILLER:
            rate = 100 * row.success / row.count if row.count else None
            figures.billers.append((row.biller, row.count, row.success, rate))
    figures.products = sorted(figures.products, key=lambda p: (-p[1], p[0] or ""))[:TOP]
    figures.agents = sorted(figures.agents, key=lambda a: (-a[2], a[0] or ""))[:TOP]
    figures.billers.sort(key=lambda b: b[0] or "")
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
