"""Column types the panel handles in the database's own text form.

Some PostgreSQL types have no faithful Python value: SQLAlchemy does not know ``point``, ``xml`` or
an extension's types at all, an ``interval`` of "1 mon" becomes 30 days, a range becomes an object
whose text is not PostgreSQL's. For those the panel reads the column as PostgreSQL writes it
(``CAST(col AS text)``) and writes what the user typed back through PostgreSQL's own parser
(``CAST(:value AS point)``), so what is listed, exported, audited and edited is exactly the
database's value, and a typing mistake is refused by the database's own rule for that type.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

#: Types read and written as text.
TEXT_FORM_TYPES = (
    sa.types.NullType,
    postgresql.INTERVAL,
    postgresql.MONEY,
    postgresql.BIT,
    postgresql.ranges.AbstractRange,
    postgresql.INET,
    postgresql.CIDR,
    postgresql.MACADDR,
    postgresql.MACADDR8,
    postgresql.TSVECTOR,
    postgresql.OID,
    postgresql.REGCLASS,
)


class SqlName(sa.types.UserDefinedType):
    """A type known only by its SQL name, for ``CAST(... AS name)``."""

    cache_ok = True

    def __init__(self, name: str):
        self.name = name

    def get_col_spec(self, **kw) -> str:
        return self.name


class DatabaseText(sa.types.TypeDecorator):
    """A column read as PostgreSQL's text of its value and written through PostgreSQL's parser of
    its type (``sql_type``, as ``format_type`` writes it)."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, sql_type: str):
        super().__init__()
        self.sql_type = sql_type

    def column_expression(self, column):
        return sa.cast(column, sa.Text)

    def bind_expression(self, value):
        return sa.cast(value, SqlName(self.sql_type))


def needs_text_form(type_: sa.types.TypeEngine) -> bool:
    """True for a type without a faithful Python value (see the module's docstring)."""
    return isinstance(type_, TEXT_FORM_TYPES)
