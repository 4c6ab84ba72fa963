"""Reflection of the application's existing tables into mapped classes, without relationships.

Nothing here alters the database. Deliberately not automap: automap skips tables without a
primary key and generates relationships whose cascades delete child rows when a form is saved
(``FLASK_ADMIN_NOTES.md``). Each table is mapped on its own:

- a table with a primary key is mapped on it;
- a table without one is mapped on PostgreSQL's ``ctid`` (unique per row version), read-only;
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


def reflect_tables(engine: sa.Engine, schema: str = "public") -> dict[str, ReflectedTable]:
    """Reflect every table of ``schema`` and map each to a class of its own."""
    metadata = sa.MetaData()
    metadata.reflect(bind=engine, schema=None if schema == "public" else schema, resolve_fks=False)
    mapper_registry = registry(metadata=metadata)
    estimates = _estimated_rows(engine, schema)
    tables = {}
    for table in metadata.sorted_tables:
        reflected = _map_table(mapper_registry, table)
        reflected.estimated_rows = estimates.get(table.name, -1)
        tables[table.name] = reflected
    return dict(sorted(tables.items()))


def _map_table(mapper_registry: registry, table: sa.Table) -> ReflectedTable:
    pseudo_key = not table.primary_key.columns
    if pseudo_key:
        table.append_column(sa.Column(PSEUDO_KEY, sa.String, system=True))
    else:
        table.append_column(
            sa.Column(
                ROW_VERSION,
                sa.String,
                system=True,
                server_default=sa.FetchedValue(),
                server_onupdate=sa.FetchedValue(),
            )
        )
    attributes = {c.name: attribute_name(c.name) for c in table.columns}
    class_name = "".join(part.capitalize() for part in re.split(r"\W|_", table.name) if part) or "Table"
    model = type(class_name, (), {"__doc__": f"Row of {table.fullname} (reflected)."})
    properties = {attributes[c.name]: c for c in table.columns}
    # With a key, every UPDATE and DELETE also names the row version it read (and fails when
    # someone changed the row since); PostgreSQL sets the new version itself.
    mapper_args = (
        {"primary_key": [table.c[PSEUDO_KEY]]}
        if pseudo_key
        else {"version_id_col": table.c[ROW_VERSION], "version_id_generator": False}
    )
    mapper_registry.map_imperatively(model, table, properties=properties, **mapper_args)
    return ReflectedTable(
        name=table.name, table=table, model=model, attributes=attributes, pseudo_key=pseudo_key
    )


def _estimated_rows(engine: sa.Engine, schema: str) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT c.relname, c.reltuples::bigint FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p')"
            ),
            {"schema": schema},
        )
        return dict(rows.all())
