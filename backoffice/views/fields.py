"""Form fields for every column type a database brings, and why a column has none.

Flask-Admin's converter knows SQLAlchemy's common types; it silently drops the rest from forms
(``float`` and ``double`` since SQLAlchemy 2.1's ``Float`` left ``Numeric``, MySQL's ``YEAR``,
``SET`` and ``BIT``; domains are reflected as their base type, unknown types as their text form).
:class:`PanelModelConverter` gives each a fitting field, and every column that still has none is
named on the form with the reason (:func:`no_field_reason`).
"""

import sqlalchemy as sa
from flask_admin.contrib.sqla.filters import FilterConverter
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_babel import gettext, lazy_gettext
from sqlalchemy.dialects import mysql
from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    validators,
)

from ..extensions import db
from ..models.types import DatabaseText, SqlName

#: Types no form field edits: shown in lists and details, and named on the form with the reason.
NOT_EDITABLE = (sa.LargeBinary, sa.types.NullType)
#: MySQL's YEAR holds 1901 to 2155 (and 0000).
YEAR_RANGE = (1901, 2155)


class SetField(SelectMultipleField):
    """MySQL's ``SET``: any combination of its members, stored as a Python set."""

    def process_data(self, value):
        self.data = sorted(value) if value else []

    def populate_obj(self, obj, name):
        setattr(obj, name, set(self.data or ()))

    def holds(self, value) -> bool:
        """Does the submission say ``value`` (a set), as the form showed it?"""
        return set(self.data or ()) == set(value or ())


class ParsedByDatabase:
    """Validator of a text-form column (``DatabaseText``): PostgreSQL's own parser of the type
    decides, so the rule is exactly the database's."""

    def __init__(self, sql_type: str):
        self.sql_type = sql_type

    def __call__(self, form, field):
        if not field.data:
            return
        cast = sa.cast(sa.literal(field.data, sa.Text), SqlName(self.sql_type))
        try:
            with db.session.begin_nested():
                db.session.execute(sa.select(cast))
        except sa.exc.DBAPIError:
            raise validators.ValidationError(
                gettext("The database does not read this as a value of type %(type)s.", type=self.sql_type)
            ) from None


class PanelModelConverter(AdminModelConverter):
    """Flask-Admin's converter, with fields for the types it leaves out."""

    def _get_label(self, name: str, field_args: dict):
        # A form labels a column as its list and details do. (Flask-Admin gives None for a column
        # the view's labels leave out, and WTForms then looks its title-cased name up in the
        # catalogue, where "Address" meant something else.)
        return field_args["label"] if "label" in field_args else self.view.get_column_name(name)

    def get_converter(self, column: sa.Column):
        type_ = column.type
        if isinstance(type_, DatabaseText):
            return self.conv_database_text
        for kind, converter in (
            (mysql.SET, self.conv_set),
            (mysql.YEAR, self.conv_year),
            (mysql.BIT, self.conv_bit),
            (sa.Float, self.conv_float),
        ):
            if isinstance(type_, kind):
                return converter
        return super().get_converter(column)

    def conv_database_text(self, column: sa.Column, field_args: dict, **extra):
        self._nullable_common(column, field_args)
        field_args["validators"].append(ParsedByDatabase(column.type.sql_type))
        return StringField(**field_args)

    def conv_float(self, field_args: dict, **extra):
        return FloatField(**field_args)

    def conv_set(self, column: sa.Column, field_args: dict, **extra):
        # No member at all is a value of its own (''), not a missing one.
        field_args["validators"] = _without_required(field_args["validators"])
        return SetField(choices=[SelectChoice(m, m) for m in column.type.values], **field_args)

    def conv_year(self, field_args: dict, **extra):
        field_args["validators"].append(validators.NumberRange(*YEAR_RANGE))
        return IntegerField(**field_args)

    def conv_bit(self, column: sa.Column, field_args: dict, **extra):
        bits = column.type.length or 1
        if bits == 1:  # a flag: unticked is a value (0), never a missing one
            field_args["validators"] = _without_required(field_args["validators"])
            return BooleanField(**field_args)
        field_args["validators"].append(validators.NumberRange(0, 2**bits - 1))
        return IntegerField(**field_args)


def _without_required(checks: list) -> list:
    return [check for check in checks if not isinstance(check, validators.InputRequired)]


class PanelFilterConverter(FilterConverter):
    """Flask-Admin's filters by type name, with the panel's own types filtered as what they
    store: a UTC time as a time. A text-form column gets none: its text is not its value."""

    def convert(self, type_name: str, column: sa.Column, name: str, **kwargs):
        if isinstance(column.type, DatabaseText):
            return None
        if isinstance(column.type, sa.types.TypeDecorator):
            type_name = type(column.type.impl_instance).__name__
        return super().convert(type_name, column, name, **kwargs)


def no_field_reason(column: sa.Column):
    """Why ``column`` has no form field, or None when it has one (the converter decides the rest)."""
    if column.computed is not None:
        return lazy_gettext("computed by the database from other columns")
    if isinstance(column.type, sa.LargeBinary):
        return lazy_gettext("binary data: shown by its size, not edited here")
    if isinstance(column.type, NOT_EDITABLE):
        return type_reason(column)
    return None


def type_reason(column: sa.Column):
    """The reason of a column whose type no field edits."""
    return lazy_gettext("its type (%(type)s) has no form field", type=str(column.type))
