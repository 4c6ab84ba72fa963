"""Reflection of the application's existing tables into mapped classes, without relationships.

Nothing here alters the database. Deliberately not automap: automap skips tables without a
primary key and generates relationships whose cascades delete child rows when a form is saved
(``FLASK_ADMIN_NOTES.md``). Each table is mapped on its own:

- a table with a primary key is mapped on it;
- a table without one is mapped on PostgreSQL's ``ctid`` (unique per row version), read-only (on
  MySQL/MariaDB, which have no ``ctid``, on all its columns);
- a SQL view is mapped on all its columns that can be compared and a materialized view on
  ``ctid``, both read-only;
- a column of a domain is handled as the domain's base type; one of a type without a faithful
  Python value (``point``, ``interval``, ranges, unknown types) is read and written in
  PostgreSQL's own text form (``types.DatabaseText``);
- a column whose name clashes with SQLAlchemy or WTForms (``metadata``, ``meta``...) or is not
  a Python identifier gets an attribute name of its own; the column keeps its name.
"""

import keyword
import re
import warnings
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import registry

from .names import TableName
from .relations import Relation, read_relations
from .types import DatabaseText, needs_text_form

#: Attribute names a mapped class or a WTForms form cannot use for a column.
RESERVED_ATTRIBUTES = frozenset(
    {
        "metadata",
        "registry",
        "query",
        "query_class",
        "meta",
        "data",
        "errors",
        "populate_obj",
        "process",
        "validate",
        "csrf_token",
    }
)

PSEUDO_KEY = "ctid"
#: Schemas never served: the panel's own (its users and audit trail have views of their own).
SKIPPED_SCHEMAS = frozenset({"backoffice", "information_schema"})
#: PostgreSQL's row version: it changes whenever the row does (no schema change needed).
ROW_VERSION = "xmin"


@dataclass
class ReflectedTable:
    """One application table as the panel sees it."""

    name: str
    table: sa.Table
    model: type
    #: column name -> attribute name on ``model`` (they differ only for renamed columns).
    attributes: dict[str, str] = field(default_factory=dict)
    #: True when the table has no primary key and is mapped on ``ctid`` (otherwise it has ``xmin``).
    pseudo_key: bool = False
    #: The planner's estimate of the row count (``pg_class.reltuples``), or, for a table never
    #: analysed, its rows counted up to a bound; -1 when unknown (a view).
    estimated_rows: int = -1
    #: "table", "view" or "materialized view".
    kind: str = "table"
    #: False for a materialized view that was never refreshed: it cannot be read at all.
    populated: bool = True
    #: Columns whose type cannot be sorted or compared (json, point): never sorted on.
    unordered: frozenset[str] = frozenset()

    @property
    def table_name(self) -> TableName:
        return TableName.of(self.table)

    @property
    def endpoint(self) -> str:
        return self.table_name.endpoint

    @property
    def value_identified(self) -> bool:
        """Rows told apart by their values alone (a view; a MySQL table without a key)."""
        return self.pseudo_key and PSEUDO_KEY not in self.table.c

    @property
    def read_only(self) -> bool:
        """Rows the panel cannot write: no key to tell them apart, or not a table."""
        return self.pseudo_key or self.kind != "table"

    @property
    def columns(self) -> list[sa.Column]:
        """The table's real columns (not ``ctid``)."""
        return [c for c in self.table.columns if not c.system]

    @property
    def indexed_columns(self) -> set[str]:
        """Columns that lead an index (the primary key's included): cheap to sort and filter by."""
        leading = {list(index.columns)[0].name for index in self.table.indexes if index.columns}
        keys = list(self.table.primary_key.columns)
        return leading | ({keys[0].name} if keys else set())


def attribute_name(column_name: str) -> str:
    """A safe Python attribute name for a column."""
    name = re.sub(r"\W", "_", column_name)
    if name in RESERVED_ATTRIBUTES or keyword.iskeyword(name) or not name.isidentifier():
        name = f"{name}_"
    return name


def reflect_tables(engine: sa.Engine, schemas: str = "*", count_up_to: int = 0) -> dict[str, ReflectedTable]:
    """Reflect every table and view of ``schemas`` (comma-separated; ``*``: every schema but the
    system's and the panel's own on PostgreSQL, the URL's database on MySQL/MariaDB) and map each
    to a class of its own.

    Tables of the default schema (``public``; the URL's database) are known by their name, the
    others by ``schema.name``. A table whose size the planner does not know (never analysed) is
    counted, up to ``count_up_to`` rows: "unknown" is not "small".
    """
    inspector = sa.inspect(engine)
    default = inspector.default_schema_name
    postgres = engine.dialect.name == "postgresql"
    names = _schemas(inspector, schemas, postgres)
    metadata = sa.MetaData()
    with warnings.catch_warnings():
        # A type SQLAlchemy does not know (point, xml, an extension's) is read as text below.
        warnings.filterwarnings("ignore", "Did not recognize type", sa.exc.SAWarning)
        for schema in names:
            target = None if schema == default else schema
            metadata.reflect(bind=engine, schema=target, views=True, resolve_fks=False)
            for view in inspector.get_materialized_view_names(schema=target) if postgres else ():
                sa.Table(view, metadata, schema=target, autoload_with=engine, resolve_fks=False)
    relations = read_relations(engine, names)
    mapper_registry = registry(metadata=metadata)
    tables = {}
    for table in metadata.sorted_tables:
        schema = table.schema or default
        key = table.name if schema == default else f"{schema}.{table.name}"
        relation = relations.get((schema, table.name), Relation())
        for column in table.columns:
            column.type = _usable_type(column.type, relation.sql_types.get(column.name, ""))
            if column.name in relation.defaulted and column.server_default is None:
                column.server_default = sa.FetchedValue()  # left to the database on insert
        reflected = _map_table(mapper_registry, table, key, relation, postgres)
        if reflected.estimated_rows < 0 and reflected.kind != "view" and reflected.populated and count_up_to:
            reflected.estimated_rows = _count_up_to(engine, table, count_up_to)
        tables[key] = reflected
    return dict(sorted(tables.items()))


def _schemas(inspector, wanted: str, postgres: bool) -> list[str]:
    if wanted.strip() != "*":
        return [name.strip() for name in wanted.split(",") if name.strip()]
    if not postgres:
        return [inspector.default_schema_name]  # MySQL: the database of the URL
    names = inspector.get_schema_names()
    return [n for n in names if n not in SKIPPED_SCHEMAS and not n.startswith(("pg_", "information_schema"))]


def _map_table(
    mapper_registry: registry, table: sa.Table, key: str, relation: Relation, postgres: bool
) -> ReflectedTable:
    pseudo_key = not table.primary_key.columns
    if relation.kind == "view" or (pseudo_key and not postgres):
        # No ctid, no key: the row is told apart by all its columns that can be compared
        # (read-only anyway; point values have no equality, json and arrays none in Python).
        comparable = [c for c in table.columns if c.name not in relation.unordered and c.type.hashable]
        mapper_args = {"primary_key": comparable or list(table.columns)}
        pseudo_key = True
    elif pseudo_key:
        table.append_column(sa.Column(PSEUDO_KEY, sa.String, system=True))
        mapper_args = {"primary_key": [table.c[PSEUDO_KEY]]}
    elif not postgres:
        mapper_args = {}  # MySQL/MariaDB have no row version: edits are last-writer-wins there
    else:
        # With a key, every UPDATE and DELETE also names the row version it read (and fails when
        # someone changed the row since); PostgreSQL sets the new version itself. A partitioned
        # table cannot return it from an INSERT (0A000): there it is read after the write, and
        # the form's version is compared when the form is saved (views.base).
        table.append_column(
            sa.Column(
                ROW_VERSION,
                sa.String,
                system=True,
                server_default=sa.FetchedValue(),
                server_onupdate=sa.FetchedValue(),
            )
        )
        if relation.kind == "partitioned table":
            mapper_args = {"eager_defaults": False}
        else:
            mapper_args = {"version_id_col": table.c[ROW_VERSION], "version_id_generator": False}
    attributes = {c.name: attribute_name(c.name) for c in table.columns}
    class_name = "".join(part.capitalize() for part in re.split(r"\W|_", key) if part) or "Table"
    model = type(class_name, (), {"__doc__": f"Row of {table.fullname} (reflected)."})
    properties = {attributes[c.name]: c for c in table.columns}
    mapper_registry.map_imperatively(model, table, properties=properties, **mapper_args)
    return ReflectedTable(
        name=key,
        table=table,
        model=model,
        attributes=attributes,
        pseudo_key=pseudo_key,
        kind="table" if relation.kind == "partitioned table" else relation.kind,
        estimated_rows=relation.estimated_rows,
        populated=relation.populated,
        unordered=frozenset(relation.unordered),
    )


def _usable_type(type_: sa.types.TypeEngine, sql_type: str) -> sa.types.TypeEngine:
    """The type the panel handles a column as: a domain as its base type (its CHECK stays the
    database's to enforce), a type without a faithful Python value as its text form."""
    while isinstance(type_, postgresql.DOMAIN):
        type_ = type_.data_type
    return DatabaseText(sql_type) if needs_text_form(type_) else type_


def _count_up_to(engine: sa.Engine, table: sa.Table, bound: int) -> int:
    """The rows of ``table``, counted up to ``bound``: a bounded scan, whatever the table's size."""
    some = sa.select(sa.literal(1)).select_from(table).limit(bound).subquery()
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(some))
