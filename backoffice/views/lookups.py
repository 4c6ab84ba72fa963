"""Foreign keys in forms: the rows a key may refer to, without ever loading a large table.

A foreign key to a small table (by the planner's estimate) is a select of that table's rows; to a
large one it is a search-as-you-type field served by Flask-Admin's ``ajax_lookup`` endpoint, which
asks for at most a page of matches by key or by the start of a name. A referred row is shown as
"key - name", the name being the referred table's name-like column: never a secret, hidden or
masked one, and only to users who may list the referred table.
"""

from dataclasses import dataclass
from functools import partial

import sqlalchemy as sa
from flask_admin.model.ajax import AjaxModelLoader
from flask_babel import lazy_gettext
from wtforms import SelectChoice

from ..catalogue import TableSettings
from ..extensions import db
from ..inputs import clean_text, column_value, typed
from ..masking import is_secret
from ..models.reflection import ReflectedTable
from ..naming import NAME_PARTS, says
from .errors import log_database_error
from .gate import may

#: The most rows a select offers (the estimate may be stale).
SELECT_LIMIT = 1000
#: The most matches one ajax lookup returns.
SEARCH_LIMIT = 20


def coercion(column: sa.Column):
    """From submitted text to ``column``'s Python type (a select's ``coerce``); empty is NULL.
    Raises ValueError."""
    return partial(column_value, column)


def text_anyone_sees(table: ReflectedTable, settings: TableSettings) -> list[sa.Column]:
    """The text columns of ``table`` that may name one of its rows to anyone: not the key, and
    never a secret, hidden or masked one."""
    return [
        c
        for c in table.columns
        if isinstance(c.type, sa.String)
        and not c.primary_key
        and not is_secret(c, settings)
        and c.name not in settings.hidden
        and c.name not in settings.mask
    ]


@dataclass(frozen=True)
class Lookup:
    """The rows of ``table_key`` a foreign key can refer to by ``key``, named by ``label``."""

    table_key: str
    endpoint: str
    key: sa.Column
    label: sa.Column | None
    small: bool

    @classmethod
    def to(cls, target: ReflectedTable, column: str, settings: TableSettings, select_rows: int) -> "Lookup":
        """The lookup of ``target.column``, named by a column ``settings`` lets anyone see; a select
        when ``target`` has up to ``select_rows`` rows (planner's estimate)."""
        shown = text_anyone_sees(target, settings)
        named = [c for c in shown if says(c.name, NAME_PARTS)]
        return cls(
            table_key=target.name,
            endpoint=target.endpoint,
            key=target.table.c[column],
            label=(named or shown or [None])[0],
            # Unknown sizes (never analysed: new, so small) count as small; the select is bounded anyway.
            small=target.estimated_rows <= select_rows,
        )

    def choices(self, current=None) -> list[SelectChoice]:
        """A select's choices: every referred row (a small table), or only ``current`` for a user
        who may not list the referred table."""
        if not may("list", self.endpoint):
            return [SelectChoice("", "—")] + ([SelectChoice(current, str(current))] if current else [])
        order = self.label if self.label is not None else self.key
        rows = db.session.execute(self._select().order_by(order, self.key).limit(SELECT_LIMIT))
        return [SelectChoice("", "—")] + [SelectChoice(row[0], self._text(row)) for row in rows]

    def search(self, term: str, offset: int, limit: int) -> list[tuple[str, str]]:
        """(key, text) of rows whose key is ``term`` or starts with it, or whose name starts with it,
        in key order; nothing for a user who may not list the referred table."""
        term = clean_text(term, 100)
        if not term or not may("list", self.endpoint):
            return []
        matches = [self.key.startswith(term, autoescape=True)] if isinstance(self.key.type, sa.String) else []
        exact = typed(self.key, term)
        if exact is not None:
            matches.append(self.key == exact)
        if self.label is not None:
            matches.append(self.label.istartswith(term, autoescape=True))
        if not matches:
            return []
        statement = self._select().where(sa.or_(*matches)).order_by(self.key).offset(offset).limit(limit)
        return [(str(row[0]), self._text(row)) for row in db.session.execute(statement)]

    def find(self, value) -> tuple | None:
        """(key, text) of the referred row whose key is ``value``, or None when there is none."""
        key = typed(self.key, value)
        if key is None:
            return None
        row = db.session.execute(self._select().where(self.key == key)).first()
        if row is None:
            return None
        return row[0], (self._text(row) if may("list", self.endpoint) else str(row[0]))

    def _select(self):
        return sa.select(self.key, *([self.label] if self.label is not None else []))

    def _text(self, row) -> str:
        name = row[1] if self.label is not None else None
        return f"{row[0]} - {name}" if name else str(row[0])


class KeyLoader(AjaxModelLoader):
    """Flask-Admin's ajax loader over a :class:`Lookup`: items are (key, text) pairs, and the
    field's data is the key itself, so forms write the column as any other."""

    def __init__(self, name: str, lookup: Lookup):
        placeholder = lazy_gettext("Type the start of a code or a name")
        super().__init__(name, {"placeholder": placeholder, "minimum_input_length": 1})
        self.lookup = lookup

    def format(self, item) -> tuple[str, str] | None:
        if item is None or item == "":
            return None
        if not isinstance(item, tuple):  # a key (the field's data): name it
            item = self.lookup.find(item) or (item, str(item))
        return str(item[0]), item[1]

    def get_one(self, pk):
        found = self.lookup.find(pk)
        return found[0] if found else None

    def get_list(self, query: str, offset: int = 0, limit: int = SEARCH_LIMIT) -> list[tuple[str, str]]:
        try:
            return self.lookup.search(query or "", max(offset or 0, 0), min(max(limit, 1), SEARCH_LIMIT))
        except sa.exc.DBAPIError as exc:  # a timeout, say: no matches, and the detail in the log
            db.session.rollback()
            log_database_error(self.lookup.endpoint, exc)
            return []
