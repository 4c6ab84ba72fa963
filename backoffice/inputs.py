"""What the panel accepts from a request, made harmless before it reaches SQL: text without the NUL
character PostgreSQL refuses, within a length; a typed value for a column from the text a person
typed or a link carried."""

import uuid
from datetime import date, datetime, time

import sqlalchemy as sa


def clean_text(raw, limit: int | None = None) -> str:
    """``raw`` as text without NUL characters and surrounding blanks, at most ``limit`` long."""
    text = str(raw or "").replace("\x00", "").strip()
    return text[:limit] if limit is not None else text


def clean(value):
    """NUL characters dropped from a value, or from each value of a list (a filter's values)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


#: How text becomes a value of a Python type that ``python_type(text)`` does not build.
_PARSERS = {
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
    time: time.fromisoformat,
    uuid.UUID: uuid.UUID,
    bool: lambda text: {"true": True, "1": True, "false": False, "0": False}[text.lower()],
}


def day(text: str) -> date:
    """A day as an operator types it, ``03-12-2026`` or ``03/12/2026``, or as a link carries it,
    ``2026-12-03``; raises ValueError for anything else."""
    text = text.strip()
    if len(text) == 10 and text[2] in "-/" and text[5] == text[2]:
        return datetime.strptime(text.replace("/", "-"), "%d-%m-%Y").date()
    return date.fromisoformat(text)


def column_value(column: sa.Column, text):
    """``text`` as a value of ``column``'s type; empty is None; anything else keeps its type.
    Raises ValueError when the text is not a value of that type."""
    if text in ("", None):
        return None
    try:
        python_type = column.type.python_type
    except NotImplementedError:  # the database's own text form, or a type without one
        return text
    if isinstance(text, python_type) or isinstance(column.type, sa.String):
        return text
    try:
        return _PARSERS.get(python_type, python_type)(text)
    except (TypeError, ArithmeticError, KeyError) as exc:
        raise ValueError(f"not a value of {column.name}") from exc


def typed(column: sa.Column, text):
    """``text`` as a value of ``column``'s type, or None when it is not one (a name typed where a
    number is)."""
    try:
        return column_value(column, text)
    except ValueError:
        return None
