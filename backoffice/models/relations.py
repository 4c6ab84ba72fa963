"""What the database's own catalogue says about each table and column, read once at start-up.

SQLAlchemy's reflection gives names and types; the panel also needs what only the catalogue
knows: which relation is a partitioned table or a never-refreshed materialized view, how many rows
the planner expects, the SQL name of a type SQLAlchemy does not know (``point``, ``xml``, a
domain), and whether a column's type can be sorted and compared at all (``json`` and ``point``
cannot). One query per engine answers all of it.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

#: pg_class.relkind -> what the panel calls it.
KINDS = {"r": "table", "p": "partitioned table", "f": "table", "v": "view", "m": "materialized view"}

POSTGRES_RELATIONS = sa.text(
    """
    SELECT n.nspname, c.relname, c.relkind, c.reltuples::bigint,
           coalesce(m.ispopulated, true) AS populated
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_matviews m ON m.schemaname = n.nspname AND m.matviewname = c.relname
     WHERE n.nspname = ANY(:schemas) AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
    """
)
# A type sorts (and compares) when a default btree operator class serves it: itself (or its
# domain's base type), a type it converts to without a function (varchar is sorted as text), or
# the polymorphic class of its kind (enums, ranges, arrays).
POSTGRES_COLUMNS = sa.text(
    """
    SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
           EXISTS (
             SELECT 1 FROM pg_opclass o JOIN pg_am am ON am.oid = o.opcmethod
              WHERE am.amname = 'btree' AND o.opcdefault
                AND (o.opcintype = b.oid
                     OR o.opcintype IN (SELECT casttarget FROM pg_cast
                                         WHERE castsource = b.oid AND castmethod = 'b')
                     OR (b.typtype = 'e' AND o.opcintype = 'anyenum'::regtype)
                     OR (b.typtype = 'r' AND o.opcintype = 'anyrange'::regtype)
                     OR (b.typtype = 'm' AND o.opcintype = 'anymultirange'::regtype)
                     OR (b.typcategory = 'A' AND o.opcintype = 'anyarray'::regtype))
           ) AS orderable
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid
      JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
     WHERE n.nspname = ANY(:schemas) AND a.attnum > 0 AND NOT a.attisdropped
       AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
    """
)
# MariaDB writes a default of NULL as the text NULL; a default SQLAlchemy cannot parse (b'1' of a
# BIT column) is still here.
MYSQL_DEFAULTS = sa.text(
    """
    SELECT table_schema, table_name, column_name FROM information_schema.columns
     WHERE table_schema IN :schemas AND column_default IS NOT NULL AND column_default <> 'NULL'
    """
).bindparams(sa.bindparam("schemas", expanding=True))
MYSQL_RELATIONS = sa.text(
    """
    SELECT table_schema, table_name, table_type, coalesce(table_rows, -1)
      FROM information_schema.tables WHERE table_schema IN :schemas
    """
).bindparams(sa.bindparam("schemas", expanding=True))


@dataclass
class Relation:
    """One table or view as the catalogue describes it."""

    kind: str = "table"
    #: The planner's (PostgreSQL) or the storage engine's (MySQL, approximate) row count; -1 unknown.
    estimated_rows: int = -1
    populated: bool = True
    #: Column -> its type as SQL writes it (``point``, ``pdam.rupiah``, ``character varying(10)``).
    sql_types: dict[str, str] = field(default_factory=dict)
    #: Columns whose type has no ordering (nor equality): never sorted on, never part of a key.
    unordered: set[str] = field(default_factory=set)
    #: Columns with a default of the database's (MySQL/MariaDB: also those reflection misses).
    defaulted: set[str] = field(default_factory=set)


def read_relations(engine: sa.Engine, schemas: list[str]) -> dict[tuple[str, str], Relation]:
    """(schema, name) -> :class:`Relation` for every table and view of ``schemas``."""
    with engine.connect() as conn:
        if engine.dialect.name != "postgresql":
            relations = {
                (schema, name): Relation("view" if kind == "VIEW" else "table", int(rows))
                for schema, name, kind, rows in conn.execute(MYSQL_RELATIONS, {"schemas": schemas})
            }
            for schema, name, column in conn.execute(MYSQL_DEFAULTS, {"schemas": schemas}):
                relations[(schema, name)].defaulted.add(column)
            return relations
        relations = {
            (schema, name): Relation(KINDS[kind], int(rows), populated)
            for schema, name, kind, rows, populated in conn.execute(POSTGRES_RELATIONS, {"schemas": schemas})
        }
        for schema, name, column, sql_type, orderable in conn.execute(POSTGRES_COLUMNS, {"schemas": schemas}):
            relation = relations[(schema, name)]
            relation.sql_types[column] = sql_type
            if not orderable:
                relation.unordered.add(column)
    return relations
