"""The landing page after login: today at a glance, showing only what the user's role may see."""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_admin import expose

from ..billers import Billers
from ..dashboard import names, registrations, transaction_figures
from ..extensions import db
from ..formatting import JAKARTA, now_jakarta
from ..masking import mask_value
from ..models.panel import AuditRecord
from ..models.reflection import ReflectedTable
from ..report import TransactionReport
from .gate import HomeView, may

REFRESH_SECONDS = 60
#: The agents' registration time (PPOB); the count is left out where the table has no such column.
REGISTERED = "tgl_register"


class DashboardView(HomeView):
    """Figures per widget, each shown when the role may list the view it comes from; the margin
    only to roles granted the ``margin`` view (not staff, by default)."""

    def __init__(
        self,
        report: TransactionReport | None,
        billers: Billers | None,
        queues: list,
        agents: ReflectedTable | None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.report, self.billers, self.queues, self.agents = report, billers, queues, agents

    @expose("/")
    def index(self):
        now = now_jakarta()
        context = {"now": now, "refresh": REFRESH_SECONDS}
        if self.report is not None and may("list", "report"):
            figures = self.safely(lambda: transaction_figures(self.report, now), None)
            context["figures"] = figures
            context["show_margin"] = may("list", "margin")
            if figures is not None:
                context["product_names"] = self._names("products", [p[0] for p in figures.products])
                context["top_agents"] = self._top_agents(figures.agents)
        agents = self.agents
        if agents is not None and REGISTERED in agents.table.c and may("list", agents.endpoint):
            context["registrations"] = self.safely(
                lambda: registrations(self.agents.table, REGISTERED, now), None
            )
        if self.billers is not None and may("list", "billers"):
            context["low_billers"] = self.safely(self.billers.low, [])
        if self.queues and may("list", "approvals"):
            context["pending"] = self.safely(lambda: sum(q.waiting() for q in self.queues), None)
        if may("list", "audit_log"):
            context["activity"] = self.safely(lambda: _activity_today(now), [])
        return self.render("admin/index.html", **context)

    def _top_agents(self, agents: list[tuple]) -> list[tuple]:
        """``(agent, name, transactions, sales)`` of today's top agents, with the key and the name
        masked where the file masks those columns of the agents' table for the user's role."""
        entry = self.report.mapping.agents
        names = self._names("agents", [agent for agent, _, _ in agents])
        view = current_app.extensions["backoffice"].views.get(entry["table"])

        def shown(column: str, value):
            return mask_value(value) if view is not None and view.masks(column) else value

        return [
            (shown(entry["key"], agent), shown(entry["name"], names.get(agent, "")), count, sales)
            for agent, count, sales in agents
        ]

    def _names(self, role: str, keys) -> dict:
        entry = getattr(self.report.mapping, role)
        table = self.report.agents_table if role == "agents" else self.report.products_table
        return self.safely(lambda: names(table, entry["key"], entry["name"], keys), {})


def _activity_today(now: datetime) -> list[tuple[str, int]]:
    """What was done through the panel today (Jakarta), per action."""
    midnight = now.replace(hour=0, minute=0, second=0, tzinfo=JAKARTA)
    return db.session.execute(
        sa.select(AuditRecord.action, sa.func.count())
        .where(AuditRecord.occurred_at >= midnight)
        .group_by(AuditRecord.action)
        .order_by(sa.func.count().desc())
    ).all()
