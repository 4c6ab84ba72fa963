"""The search box on every page: an agent, a transaction or a product, straight to the record.

Each kind is searched only for roles that may list its view, and only on what an index answers
(exact keys, prefixes of names), so the box stays quick on a large database.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import redirect, request, url_for
from flask_admin import expose
from flask_babel import lazy_gettext
from flask_login import current_user

from ..extensions import db
from ..formatting import now_jakarta
from ..report import ReportFilter, TransactionReport
from .base import GatedBaseView, may

LIMIT = 10
#: How far back a transaction is looked for by noref or customer id.
TRANSACTION_DAYS = 62
MAX_QUERY = 60


class SearchView(GatedBaseView):
    """``/admin/search/?q=``: one hit opens it, several are listed."""

    endpoint_capabilities = {"index": "list"}

    def __init__(self, report: TransactionReport | None, **kwargs):
        super().__init__(name=lazy_gettext("Search"), endpoint="search", url="/admin/search", **kwargs)
        self.report = report

    def allows(self, capability: str) -> bool:
        # Everyone logged in may search; each kind of result is filtered by the role below.
        return capability == "list" and current_user.is_authenticated

    def is_visible(self) -> bool:
        return False  # reached from the box in the menu bar, not from a menu entry

    @expose("/")
    def index(self):
        query = (request.args.get("q") or "").replace("\x00", "").strip()[:MAX_QUERY]
        hits = self.safely(lambda: self._hits(query), []) if query else []
        if len(hits) == 1:
            return redirect(hits[0][2])
        return self.render("backoffice/search.html", query=query, hits=hits)

    def _hits(self, query: str) -> list[tuple[str, str, str]]:
        """(kind, text, url) of what matches ``query``."""
        hits = []
        if self.report is not None and may("list", self.report.mapping.agents["table"]):
            hits += self._agents(query)
        if self.report is not None and may("list", "report"):
            hits += self._transactions(query)
        if self.report is not None and may("list", self.report.mapping.products["table"]):
            hits += self._products(query)
        return hits

    def _agents(self, query: str) -> list:
        entry, table = self.report.mapping.agents, self.report.agents_table
        key, name = table.c[entry["key"]], table.c[entry["name"]]
        rows = db.session.execute(
            sa.select(key, name)
            .where(
                sa.or_(
                    key == query,
                    key.startswith(query, autoescape=True),
                    name.istartswith(query, autoescape=True),
                )
            )
            .order_by(key)
            .limit(LIMIT)
        )
        view = entry["table"]
        return [
            (lazy_gettext("Agent"), f"{k} - {n or ''}", url_for(f"{view}.details_view", id=k))
            for k, n in rows
        ]

    def _transactions(self, query: str) -> list:
        now = now_jakarta()
        flt = ReportFilter(
            start=now - timedelta(days=TRANSACTION_DAYS), end=now + timedelta(days=1), search=query
        )
        rows = db.session.execute(self.report.rows(flt, LIMIT)).all()
        first = (now - timedelta(days=TRANSACTION_DAYS - 1)).date().isoformat()
        return [
            (
                lazy_gettext("Transaction"),
                f"{r.noref} - {r.customer} - {r.product_name or r.product} ({r.status})",
                url_for("report.index", q=query, **{"from": first, "to": now.date().isoformat()}),
            )
            for r in rows
        ]

    def _products(self, query: str) -> list:
        entry, table = self.report.mapping.products, self.report.products_table
        key, name = table.c[entry["key"]], table.c[entry["name"]]
        rows = db.session.execute(
            sa.select(key, name)
            .where(sa.or_(sa.func.upper(key) == query.upper(), name.icontains(query, autoescape=True)))
            .order_by(key)
            .limit(LIMIT)
        )
        view = entry["table"]
        return [
            (lazy_gettext("Product"), f"{k} - {n}", url_for(f"{view}.details_view", id=k)) for k, n in rows
        ]
