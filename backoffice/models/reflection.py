"""Reflection of the application's existing tables into mapped classes, without relationships.

Nothing here alters the database. Deliberately not automap: automap skips tables without a
primary key and generates relationships whose cascades delete child rows when a form is saved
(``FLASK_ADMIN_NOTES.md``). Each table is mapped on its own:

- a table with a primary key is mapped on it;
- a table without one is mapped on PostgreSQL's ``ctid`` (unique per row version), read-only (on
  MySQL/MariaDB, which have no ``ctid``, on all its columns);
- a SQL view is mapped on all its columns and a materialized view on ``ctid``, both read-only;
- a column whose name clashes with SQLAlchemy or WTForms (``metadata``, ``meta``...) or is not
  a Python identifier gets an attribute name of its own; the column keeps its name.
"""

import keyword
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import registry

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
    #: The planner's estimate of the row count (``pg_class.reltuples``); -1 when unknown.
    estimated_rows: int = -1
    #: "table", "view" or "materialized view".
    kind: str = "table"

    @property
    def endpoint(self) -> str:
        return endpoint_for(self.name)

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


def endpoint_for(key: str) -> str:
    """The name of a table's admin view: its key with anything but letters, digits and _ replaced."""
    return re.sub(r"\W", "_", key)


def attribute_name(column_name: str) -> str:
    """A safe Python attribute name for a column."""
    name = re.sub(r"\W", "_", column_name)
    if name in RESERVED_ATTRIBUTES or keyword.iskeyword(name) or not name.isidentifier():
        name = f"{name}_"
    return name


def reflect_tables(engine: sa.Engine, schemas: str = "*") -> dict[str, ReflectedTable]:
    """Reflect every table and view of ``schemas`` (comma-separated; ``*``: every schema but the
    system's and the panel's own on PostgreSQL, the URL's database on MySQL/MariaDB) and map each
    to a class of its own.

    Tables of the default schema (``public``; the URL's database) are known by their name, the
    others by ``schema.name``.
    """
    inspector = sa.inspect(engine)
    default = inspector.default_schema_name
    postgres = engine.dialect.name == "postgresql"
    names = _schemas(inspector, schemas, postgres)
    metadata = sa.MetaData()
    kinds = {}
    for schema in names:
        target = None if schema == default else schema
        metadata.reflect(bind=engine, schema=target, views=True, resolve_fks=False)
        kinds.update({(schema, v): "view" for v in inspector.get_view_names(schema=target)})
        for view in inspector.get_materialized_view_names(schema=target) if postgres else ():
            sa.Table(view, metadata, schema=target, autoload_with=engine, resolve_fks=False)
            kinds[(schema, view)] = "materialized view"
    mapper_registry = registry(metadata=metadata)
    estimates = _estimated_rows(engine, names)
    tables = {}
    for table in metadata.sorted_tables:
        schema = table.schema or default
        key = table.name if schema == default else f"{schema}.{table.name}"
        kind = kinds.get((schema, table.name), "table")
        reflected = _map_table(mapper_registry, table, key, kind, postgres)
        reflected.estimated_rows = estimates.get((schema, table.name), -1)
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
    mapper_registry: registry, table: sa.Table, key: str, kind: str, postgres: bool
) -> ReflectedTable:
    pseudo_key = not table.primary_key.columns
    if kind == "view" or (pseudo_key and not postgres):
        # No ctid, no key: the row is told apart by all its columns (read-only anyway).
        mapper_args = {"primary_key": [c for c in table.columns]}
        pseudo_key = True
    elif pseudo_key:
        table.append_column(sa.Column(PSEUDO_KEY, sa.String, system=True))
        mapper_args = {"primary_key": [table.c[PSEUDO_KEY]]}
    elif not postgres:
        mapper_args = {}  # MySQL/MariaDB have no row version: edits are last-writer-wins there
    else:
        # With a key, every UPDATE and DELETE also names the row version it read (and fails when
        # someone changed the row since); PostgreSQL sets the new version itself.
        table.append_column(
            sa.Column(
                ROW_VERSION,
                sa.String,
                system=True,
                server_default=sa.FetchedValue(),
                server_onupdate=sa.FetchedValue(),
            )
        )
        mapper_args = {"version_id_col": table.c[ROW_VERSION], "version_id_generator": False}
    attributes = {c.name: attribute_name(c.name) for c in table.columns}
    class_name = "".join(part.capitalize() for part in re.split(r"\W|_", key) if part) or "Table"
    model = type(class_name, (), {"__doc__": f"Row of {table.fullname} (reflected)."})
    properties = {attributes[c.name]: c for c in table.columns}
    mapper_registry.map_imperatively(model, table, properties=properties, **mapper_args)
    return ReflectedTable(
        name=key, table=table, model=model, attributes=attributes, pseudo_key=pseudo_key, kind=kind
    )


def _estimated_rows(engine: sa.Engine, schemas: list[str]) -> dict[tuple[str, str], int]:
    """The planner's (PostgreSQL) or the storage engine's (MySQL, approximate) row counts."""
    if engine.dialect.name == "postgresql":
        query = (
            "SELECT n.nspname, c.relname, c.reltuples::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = ANY(:schemas) AND c.relkind IN ('r', 'p', 'm')"
        )
    else:
        query = (
            "SELECT table_schema, table_name, coalesce(table_rows, -1) FROM information_schema.tables "
            "WHERE table_schema IN :schemas"
        )
    statement = sa.text(query)
    if engine.dialect.name != "postgresql":
        statement = statement.bindparams(sa.bindparam("schemas", expanding=True))
    with engine.connect() as conn:
        rows = conn.execute(statement, {"schemas": schemas})
        return {(schema, name): int(count) for schema, name, count in rows}
