"""The search box on every page: straight to the record.

Over the PPOB database it finds an agent, a transaction or a product. Over any other database it
looks in the served tables: a row by its key, or by the start of a name-like column (or of the
columns the file declares as its search), in at most :data:`MAX_TABLES` tables per query. Each
table is searched only for roles that may list it, and a large one only by exact values (what an
index answers), so the box stays quick on a large database.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import redirect, request, url_for
from flask_admin import expose
from flask_babel import lazy_gettext

from ..catalogue import TableSettings
from ..extensions import db
from ..formatting import now_jakarta
from ..inputs import clean_text, typed
from ..masking import is_secret
from ..models.reflection import ReflectedTable
from ..naming import LOOKUP_PARTS, says
from ..report import ReportFilter, TransactionReport
from .gate import GatedBaseView, may
from .lookups import text_anyone_sees

LIMIT = 10
#: How far back a transaction is looked for by noref or customer id.
TRANSACTION_DAYS = 62
MAX_QUERY = 60
#: The most tables one query of the box looks in, and the most hits it takes from each.
MAX_TABLES = 12
PER_TABLE = 5


@dataclass(frozen=True)
class SearchTarget:
    """A table the box looks in: by its key, and by the start of its name-like columns."""

    endpoint: str
    label: object
    key: sa.Column
    names: tuple[sa.Column, ...]
    #: A large table: exact values only.
    exact: bool

    def hits(self, query: str) -> list[tuple]:
        """(kind, text, url) of the rows matching ``query``."""
        key = typed(self.key, query)
        matches = [self.key == key] if key is not None else []
        if not self.exact:
            if isinstance(self.key.type, sa.String):
                matches.append(self.key.istartswith(query, autoescape=True))
            matches += [name.istartswith(query, autoescape=True) for name in self.names]
        else:
            matches += [name == query for name in self.names]
        if not matches:
            return []
        statement = sa.select(self.key, *self.names).where(sa.or_(*matches)).order_by(self.key)
        return [
            (self.label, " - ".join(str(v) for v in row if v is not None), self._url(row[0]))
            for row in db.session.execute(statement.limit(PER_TABLE + 1))  # one more: were there more?
        ]

    @classmethod
    def over(cls, reflected: ReflectedTable, settings: TableSettings, label, large_rows: int):
        """The target of a served table, or None when it has no key of one column to open a row by."""
        keys = list(reflected.table.primary_key.columns)
        if len(keys) != 1 or reflected.value_identified or is_secret(keys[0], settings):
            return None
        large = reflected.estimated_rows > large_rows
        shown = [
            c
            for c in text_anyone_sees(reflected, settings)
            if not large or c.name in reflected.indexed_columns
        ]
        declared = set(settings.search or ())
        names = (
            [c for c in shown if c.name in declared]
            if declared
            else [c for c in shown if says(c.name, LOOKUP_PARTS)]
        )
        return cls(reflected.endpoint, label, keys[0], tuple(names[:3]), large)

    def _url(self, key) -> str:
        return url_for(f"{self.endpoint}.details_view", id=key)


class SearchView(GatedBaseView):
    """``/admin/search/?q=``: one hit opens it, several are listed."""

    endpoint_capabilities = {"index": "list"}

    def __init__(self, report: TransactionReport | None, targets: list[SearchTarget] = (), **kwargs):
        super().__init__(name=lazy_gettext("Search"), endpoint="search", url="/admin/search", **kwargs)
        self.report = report
        self.targets = list(targets)

    def is_visible(self) -> bool:
        return False  # reached from the box in the menu bar, not from a menu entry

    def offered(self) -> bool:
        """Can the box find anything for the current user? (The menu bar shows it only then.)"""
        if self.report is not None:
            return any(may("list", v) for v in (self.report.agents_view, "report", self.report.products_view))
        return any(may("list", target.endpoint) for target in self.targets)

    @expose("/")
    def index(self):
        query = clean_text(request.args.get("q"), MAX_QUERY)
        groups = self.safely(lambda: self._groups(query), []) if query else []
        hits = [hit for group, limit in groups for hit in group[:limit]]
        cut = any(len(group) > limit for group, limit in groups)
        if len(hits) == 1 and not cut:
            return redirect(hits[0][2])
        return self.render("backoffice/search.html", query=query, hits=hits, cut=cut)

    def _groups(self, query: str) -> list[tuple[list, int]]:
        """(hits, how many are shown) per kind of record matching ``query``: a group holding more
        hits than it shows was cut, and the page says so. A hit is (kind, text, url)."""
        if self.report is None:
            allowed = [target for target in self.targets if may("list", target.endpoint)]
            return [(target.hits(query), PER_TABLE) for target in allowed[:MAX_TABLES]]
        kinds = (
            (self.report.agents_view, self._agents),
            ("report", self._transactions),
            (self.report.products_view, self._products),
        )
        return [(find(query), LIMIT) for view, find in kinds if may("list", view)]

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
            .limit(LIMIT + 1)
        )
        view = self.report.agents_view
        return [
            (lazy_gettext("Agent"), f"{k} - {n or ''}", url_for(f"{view}.details_view", id=k))
            for k, n in rows
        ]

    def _transactions(self, query: str) -> list:
        now = now_jakarta()
        flt = ReportFilter(
            start=now - timedelta(days=TRANSACTION_DAYS), end=now + timedelta(days=1), search=query
        )
        rows = db.session.execute(self.report.rows(flt, LIMIT + 1)).all()
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
            .limit(LIMIT + 1)
        )
        view = self.report.products_view
        return [
            (lazy_gettext("Product"), f"{k} - {n}", url_for(f"{view}.details_view", id=k)) for k, n in rows
        ]
