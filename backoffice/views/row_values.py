"""Rows that have no key of their own: a SQL view's, or a MySQL table's without a primary key.

Such a row is told apart only by its values. Two things then go wrong in Flask-Admin: identical
rows are merged into one in the list (the ORM keeps one object per identity), and a row is not
found again for its details when a value is NULL (``= NULL`` is never true) or computed at each
read (a view's ``now() - due_date``). Here the list keeps every row, the link carries the values
as JSON (NULL included), and the row is found again by all its values, or else by its leading
values as long as they name exactly one row.
"""

import json
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from flask import flash
from flask_admin.contrib.sqla.tools import iterdecode
from flask_babel import gettext

from ..extensions import db
from ..inputs import column_value


class RowsByValue:
    """Mixin of the model view: set ``value_identified`` for a relation mapped on its values."""

    #: True when rows are told apart by their values (the mapper's key is those columns).
    value_identified: bool = False

    def _identity_attributes(self) -> list[str]:
        mapper = sa.inspect(self.model)
        return [mapper.get_property_by_column(column).key for column in mapper.primary_key]

    def get_pk_value(self, model):
        if not self.value_identified:
            return super().get_pk_value(model)
        return json.dumps([_plain(getattr(model, name)) for name in self._identity_attributes()])

    def get_one(self, id):
        if not self.value_identified:
            return self._keyed_row(id)
        try:
            values = json.loads(id)
        except (TypeError, ValueError):
            return None
        columns = [getattr(self.model, name) for name in self._identity_attributes()]
        if not isinstance(values, list) or len(values) != len(columns):
            return None
        for length in range(len(columns), 0, -1):
            conditions = [
                column.is_(None) if value is None else column == value
                for column, value in zip(columns[:length], values[:length], strict=True)
            ]
            found = self.get_query().filter(*conditions).limit(2).all()
            if found and (length == len(columns) or len(found) == 1):
                return found[0]
        flash(
            gettext(
                "This row is no longer in the view as it was listed: its values changed since "
                "(a value computed at every read, such as the current time, or a change in the data)."
            ),
            "error",
        )
        return None

    def _keyed_row(self, id):
        """The row of a keyed table's link, or None when ``id`` names none. A word where a number
        is, a number beyond its column, or text the database does not read as the key's type (a
        ctid) finds no row, where the query would fail."""
        if not self._key_fits(id):
            return None
        try:
            return super().get_one(id)
        except sa.exc.DataError:  # a value of the database's own text form it does not read
            db.session.rollback()
            return None

    def _key_fits(self, id) -> bool:
        """Is ``id`` (Flask-Admin's escaped form of the key's values) a value of the key's columns?"""
        if "\x00" in str(id):  # no key holds a NUL: PostgreSQL refuses it in any text
            return False
        columns = sa.inspect(self.model).primary_key
        parts = list(iterdecode(str(id)))
        if len(parts) != len(columns):
            return False
        try:
            values = [column_value(column, part) for column, part in zip(columns, parts, strict=True)]
        except ValueError:
            return False
        return all(_fits(column, value) for column, value in zip(columns, values, strict=True))

    def rows_of(self, query) -> list:
        """Every row of ``query`` as an object of the model, identical rows included."""
        names = [prop.key for prop in sa.inspect(self.model).column_attrs]
        rows = []
        for values in query.with_entities(*(getattr(self.model, name) for name in names)):
            row = self.model()
            for name, value in zip(names, values, strict=True):
                setattr(row, name, value)
            rows.append(row)
        return rows


#: The largest value of each integer type (SQLAlchemy's types, as reflected from the database).
_INTEGER_MAX = {sa.SmallInteger: 2**15 - 1, sa.BigInteger: 2**63 - 1, sa.Integer: 2**31 - 1}


def _fits(column: sa.Column, value) -> bool:
    """Does ``value`` fit ``column``: within its integer type's range, or not an integer at all?"""
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    limit = next((m for kind, m in _INTEGER_MAX.items() if isinstance(column.type, kind)), None)
    if limit is None:
        return True
    if getattr(column.type, "unsigned", False):  # MySQL's UNSIGNED: twice the range, from zero
        return 0 <= value <= 2 * limit + 1
    return -limit - 1 <= value <= limit


def _plain(value):
    """A value as JSON carries it and the database compares it again: exact text for numbers,
    dates and times, ISO form; NULL stays null."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)
