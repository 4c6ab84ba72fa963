"""The transaction report: which tables and columns it reads, and the queries it runs.

The mapping defaults to the PPOB names of the domain brief and can be changed in the declarative
file (``[report]``), so the report fits a database whose names differ; a wrong name stops start-up.
Every query filters each transaction table on its own time column before the tables are joined
(UNION ALL), so PostgreSQL can walk the time indexes newest first and stop at the page size.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from .models.names import TableName
from .models.reflection import ReflectedTable

#: Report field -> PPOB column, for each transaction table.
DEFAULT_COLUMNS = {
    "time": "requesttime",
    "agent": "fromagent",
    "noref": "noref",
    "customer": "custno",
    "product": "productcode",
    "source_account": "fromaccount",
    "status": "statusreply",
    "amount": "amount",
    "price": "hargajual",
    "cost": "hargabeli",
    "biller": "billercode",
    "response_code": "responsecode",
    "biller_response": "respbiller",
    "key": "msgid",
}
STATUSES = ("success", "failed", "pending")
#: The columns of the report, in the source's order, then what the issue adds.
EXPORT_FIELDS = (
    "time",
    "agent",
    "agent_name",
    "noref",
    "customer",
    "product_name",
    "source_account",
    "status",
    "amount",
    "price",
    "cost",
    "biller",
    "response_code",
)
ROW_FIELDS = EXPORT_FIELDS + ("product", "key")


@dataclass(frozen=True)
class ReportMapping:
    """Where the report finds its data; see ``[report]`` in ``backoffice.toml``."""

    tables: tuple[str, ...] = ("tempmsg", "tempmsg_backup")
    #: The table new transactions arrive in (what the live view polls).
    live_table: str = "tempmsg"
    columns: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_COLUMNS))
    agents: Mapping[str, str] = field(
        default_factory=lambda: {"table": "am_user", "key": "agent_id", "name": "agent_name"}
    )
    products: Mapping[str, str] = field(
        default_factory=lambda: {
            "table": "trancode",
            "key": "trancodeid",
            "name": "trancodename",
            "group": "category",
        }
    )
    status_values: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {"success": ("SUKSES",), "failed": ("GAGAL",), "pending": ("PENDING",)}
    )

    @classmethod
    def from_file(cls, raw: Mapping) -> "ReportMapping":
        """The mapping from the file's ``[report]`` table (absent keys keep their defaults)."""
        default = cls()
        return cls(
            tables=tuple(raw.get("tables", default.tables)),
            live_table=raw.get("live_table", default.live_table),
            columns={**default.columns, **raw.get("columns", {})},
            agents={**default.agents, **raw.get("agents", {})},
            products={**default.products, **raw.get("products", {})},
            status_values={
                **default.status_values,
                **{k: tuple(v) for k, v in raw.get("status_values", {}).items()},
            },
        )


@dataclass
class ReportFilter:
    """What the user asked for: all optional but the time range."""

    start: datetime
    end: datetime
    status: str | None = None
    product: str | None = None
    group: str | None = None
    biller: str | None = None
    agent: str | None = None
    search: str | None = None  # an exact noref or customer id


class TransactionReport:
    """Builds the report's queries over the reflected tables, for one mapping."""

    def __init__(self, mapping: ReportMapping, tables: Mapping[str, ReflectedTable]):
        self.mapping = mapping
        self._tables = {name: tables[name].table for name in mapping.tables}
        self._agents = tables[mapping.agents["table"]].table
        self._products = tables[mapping.products["table"]].table

    @property
    def products_table(self) -> sa.Table:
        return self._products

    @property
    def products_view(self) -> str:
        """The endpoint of the products' view (and its permissions)."""
        return TableName.parse(self.mapping.products["table"]).endpoint

    @property
    def agents_view(self) -> str:
        """The endpoint of the agents' view (and its permissions)."""
        return TableName.parse(self.mapping.agents["table"]).endpoint

    @property
    def agents_table(self) -> sa.Table:
        return self._agents

    def rows(
        self,
        flt: ReportFilter,
        limit: int,
        before: tuple[datetime, int] | None = None,
        tables: tuple[str, ...] | None = None,
        fields: tuple[str, ...] = ROW_FIELDS,
    ) -> sa.Select:
        """The report's ``fields``, newest first; ``before`` continues after the last row of a page."""
        union = self._union(flt, tables or self.mapping.tables, before).subquery("trx")
        agents, products = self._agents, self._products
        a, p = self.mapping.agents, self.mapping.products
        output = {name: union.c[name] for name in DEFAULT_COLUMNS}
        output["agent_name"] = agents.c[a["name"]].label("agent_name")
        output["product_name"] = products.c[p["name"]].label("product_name")
        joined = union.outerjoin(agents, agents.c[a["key"]] == union.c.agent).outerjoin(
            products, products.c[p["key"]] == union.c.product
        )
        query = (
            sa.select(*(output[name] for name in fields))
            .select_from(joined)
            .order_by(union.c.time.desc(), union.c.key.desc())
        )
        return query.limit(limit) if limit else query

    def totals(self, flt: ReportFilter) -> sa.Select:
        """Count, amount and count per status over the whole filtered range."""
        union = self.transactions(flt)
        by_status = [
            sa.func.count().filter(union.c.status.in_(self.mapping.status_values[s])).label(s)
            for s in STATUSES
        ]
        return sa.select(
            sa.func.count().label("count"),
            sa.func.coalesce(sa.func.sum(union.c.amount), 0).label("amount"),
            *by_status,
        )

    def recap(self, flt: ReportFilter, by: str, margin: bool = False) -> sa.Select:
        """Per day and product (with its name) or biller: counts per status and money, the basis
        of H+1 settlement; with ``margin``, what the company kept (sales less cost)."""
        union = self.transactions(flt)
        day = sa.func.date_trunc("day", union.c.time).label("day")
        key = (union.c.biller if by == "biller" else union.c.product).label("key")
        success = union.c.status.in_(self.mapping.status_values["success"])
        by_status = [
            sa.func.count().filter(union.c.status.in_(self.mapping.status_values[s])).label(s)
            for s in STATUSES
        ]
        sales = sa.func.coalesce(sa.func.sum(union.c.price).filter(success), 0)
        cost = sa.func.coalesce(sa.func.sum(union.c.cost).filter(success), 0)
        products, p = self._products, self.mapping.products
        name = products.c[p["name"]] if by == "product" else sa.null()
        query = (
            sa.select(
                day,
                key,
                sa.func.max(name).label("name"),
                *by_status,
                sa.func.coalesce(sa.func.sum(union.c.amount).filter(success), 0).label("amount"),
                sales.label("sales"),
                cost.label("cost"),
                *([(sales - cost).label("margin")] if margin else []),
            )
            .group_by(day, key)
            .order_by(day.desc(), key)
        )
        if by == "product":
            query = query.select_from(union.outerjoin(products, products.c[p["key"]] == union.c.product))
        return query

    def outcome(self, status) -> str | None:
        """``success``, ``failed`` or ``pending`` for a stored status (None for one not mapped)."""
        return next((o for o, values in self.mapping.status_values.items() if status in values), None)

    def transactions(self, flt: ReportFilter) -> sa.Subquery:
        """Every transaction table's rows in ``flt``, under the report's field names (for other pages)."""
        return self._union(flt, self.mapping.tables, None).subquery("trx")

    def _union(self, flt: ReportFilter, tables: tuple[str, ...], before) -> sa.CompoundSelect:
        branches = [self._branch(self._tables[name], flt, before) for name in tables]
        return sa.union_all(*branches) if len(branches) > 1 else branches[0]

    def _branch(self, table: sa.Table, flt: ReportFilter, before) -> sa.Select:
        c = {name: table.c[column] for name, column in self.mapping.columns.items()}
        query = sa.select(*(column.label(name) for name, column in c.items()))
        query = query.where(c["time"] >= flt.start, c["time"] < flt.end)
        if before is not None:
            query = query.where(sa.tuple_(c["time"], c["key"]) < sa.tuple_(*before))
        if flt.status:
            query = query.where(c["status"].in_(self.mapping.status_values[flt.status]))
        if flt.product:
            query = query.where(c["product"] == flt.product)
        if flt.group:
            p = self.mapping.products
            in_group = sa.select(self._products.c[p["key"]]).where(self._products.c[p["group"]] == flt.group)
            query = query.where(c["product"].in_(in_group))
        if flt.biller:
            query = query.where(c["biller"] == flt.biller)
        if flt.agent:
            query = query.where(c["agent"] == flt.agent)
        if flt.search:
            query = query.where(sa.or_(c["noref"] == flt.search, c["customer"] == flt.search))
        return query
