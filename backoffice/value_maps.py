"""Value maps: a column's stored codes shown as the business's words (``1`` -> Aktif, ``68`` ->
Pending), as coloured badges in lists and details, as a select in filters and forms, and as the
word beside the code in exports. Declared in the file:

    [value_maps.active]
    "1" = { label = { id = "Aktif", en = "Active" }, badge = "success" }
    "0" = { label = { id = "Nonaktif", en = "Inactive" }, badge = "secondary" }

    [column_values]            # every table's column of this name
    status = "active"

    [tables.redeem_approval]   # one table's, over the one above
    values = { status = "redeem_status" }

A map can also read its codes from a table of the database (a product's code -> its name), kept
for ``BACKOFFICE_VALUE_MAP_SECONDS`` and bounded by ``BACKOFFICE_SELECT_ROWS`` (a larger table is a
foreign key's job, not a select's):

    [value_maps.product]
    from = { table = "trancode", code = "trancodeid", label = "trancodename", badge = "info" }

A stored code the map does not know is shown as itself, and kept by a form saved unchanged.
"""

import logging
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup, escape

from .extensions import db
from .models.names import TableName

log = logging.getLogger(__name__)

#: Bootstrap's badge colours a value may take.
BADGES = ("primary", "secondary", "success", "danger", "warning", "info", "light", "dark")


@dataclass(frozen=True)
class Value:
    """What one code is called, and its badge colour (None: plain text)."""

    label: object
    badge: str | None = None


@dataclass(frozen=True)
class ValueMap:
    """The codes of a kind of value, in the file's order."""

    name: str
    fixed: dict[str, Value]

    @property
    def values(self) -> dict[str, Value]:
        """code -> its word and badge."""
        return self.fixed

    def label(self, code) -> str:
        """The word for ``code``, or the code itself when the map does not know it."""
        known = self.values.get(str(code))
        return str(known.label) if known is not None else str(code)

    def badge(self, code) -> Markup:
        """``code`` as its badge (escaped; an unknown code as plain text)."""
        if code is None:
            return Markup("")
        known = self.values.get(str(code))
        if known is None or known.badge is None:
            return escape(self.label(code))
        return Markup('<span class="badge badge-{}" title="{}">{}</span>').format(
            known.badge, str(code), self.label(code)
        )

    def choices(self, current=None) -> list[tuple[str, str]]:
        """(code, word) of every known code, and ``current`` as itself when it is not one of them
        (a legacy code survives a form saved unchanged)."""
        choices = [(code, str(value.label)) for code, value in self.values.items()]
        if current not in (None, "") and str(current) not in self.values:
            choices.append((str(current), str(current)))
        return choices

    def words(self, column: sa.ColumnElement) -> sa.ColumnElement:
        """SQL giving the word for ``column``'s code (an unknown code as itself), in the current
        language: what an export writes beside the code."""
        code = sa.cast(column, sa.String)
        return sa.case({c: str(v.label) for c, v in self.values.items()}, value=code, else_=code)


def parse(source: str, raw: dict, text) -> dict[str, ValueMap]:
    """The file's ``[value_maps]``; ``text`` reads a label (one text, or one per language).
    Raises ValueError naming a wrong entry (the catalogue stops start-up with it)."""
    maps = {}
    for name, codes in raw.items():
        where = f"{source}: [value_maps.{name}]"
        if isinstance(codes, dict) and set(codes) == {"from"}:
            maps[name] = _from_table(where, name, codes["from"])
            continue
        if not isinstance(codes, dict) or not codes:
            raise ValueError(f'BO-E008 {where}: a value map lists codes: "1" = {{ label = ... }}')
        values = {}
        for code, entry in codes.items():
            if not isinstance(entry, dict) or "label" not in entry or set(entry) - {"label", "badge"}:
                raise ValueError(f"BO-E008 {where} {code!r}: give a label and, if wanted, a badge")
            badge = entry.get("badge")
            if badge is not None and badge not in BADGES:
                raise ValueError(f"BO-E008 {where} {code!r}: badge is one of {', '.join(BADGES)}")
            values[str(code)] = Value(text(entry["label"], f"{where} {code!r}"), badge)
        maps[name] = ValueMap(name, values)
    return maps


@dataclass(frozen=True)
class TableMap(ValueMap):
    """A value map whose codes and words are rows of a table, read again when they are older than
    ``BACKOFFICE_VALUE_MAP_SECONDS`` (a product added this morning is named this morning)."""

    table: str = ""
    code_column: str = ""
    word_column: str = ""
    #: The badge colour of every code (None: plain text).
    colour: str | None = None
    #: (when the rows were read, code -> Value); replaced whole, so a reader never sees half.
    _read: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def values(self) -> dict[str, Value]:
        read_at, values = self._read.get("rows", (None, {}))
        if (
            read_at is None
            or time.monotonic() - read_at >= current_app.config["BACKOFFICE_VALUE_MAP_SECONDS"]
        ):
            values = self._rows()
            self._read["rows"] = (time.monotonic(), values)
        return values

    def _rows(self) -> dict[str, Value]:
        name = TableName.parse(self.table)
        columns = sa.column(self.code_column), sa.column(self.word_column)
        code, word = sa.table(name.name, *columns, schema=name.schema).columns
        limit = current_app.config["BACKOFFICE_SELECT_ROWS"]
        query = sa.select(code, word).order_by(code)
        try:  # its own connection: a failed read must not end the request's transaction
            with db.engine.connect() as connection:
                rows = connection.execute(query.limit(limit + 1)).all()
        except sa.exc.SQLAlchemyError:
            log.warning("value map %s: cannot read %s; codes are shown as stored", self.name, self.table)
            return {}
        if len(rows) > limit:
            log.warning(
                "value map %s: %s has over %d rows; only the first are named", self.name, self.table, limit
            )
        return {
            str(code): Value(str(word) if word is not None else str(code), self.colour)
            for code, word in rows[:limit]
        }


def _from_table(where: str, name: str, source) -> TableMap:
    keys = {"table", "code", "label"}
    if not isinstance(source, dict) or not keys <= set(source) <= keys | {"badge"}:
        raise ValueError(f'BO-E008 {where}: from = {{ table = "...", code = "column", label = "column" }}')
    if not all(isinstance(source[key], str) for key in keys):
        raise ValueError(f"BO-E008 {where}: table, code and label are names")
    badge = source.get("badge")
    if badge is not None and badge not in BADGES:
        raise ValueError(f"BO-E008 {where}: badge is one of {', '.join(BADGES)}")
    return TableMap(
        name, {}, table=source["table"], code_column=source["code"], word_column=source["label"], colour=badge
    )
