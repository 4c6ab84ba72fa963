"""One name for a table, everywhere in the panel.

A table has a key (``am_user`` in the default schema, ``pdam.pelanggan`` in another): the key of the
declarative file, of the reflected tables and of audit records. Its admin view has an endpoint
(``pdam_pelanggan``): the name of its URLs and of its permissions. Both come from here, so no part
of the panel derives one from the other its own way.
"""

import re
from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class TableName:
    """A table's schema (None: the database's default) and name, and what the panel calls it."""

    schema: str | None
    name: str

    @classmethod
    def of(cls, table: sa.Table) -> "TableName":
        """The name of a table as SQLAlchemy has it (the default schema has no schema)."""
        return cls(table.schema, table.name)

    @classmethod
    def parse(cls, key: str) -> "TableName":
        """``pdam.pelanggan`` -> schema ``pdam``, name ``pelanggan``; ``am_user`` -> no schema."""
        schema, _, name = key.rpartition(".")
        return cls(schema or None, name)

    @property
    def key(self) -> str:
        """``name`` in the default schema, ``schema.name`` elsewhere."""
        return f"{self.schema}.{self.name}" if self.schema else self.name

    @property
    def endpoint(self) -> str:
        """The name of the table's admin view: its key with anything but letters, digits and _
        replaced (a URL part and a Python identifier's friend)."""
        return re.sub(r"\W", "_", self.key)

    def __str__(self) -> str:
        return self.key
