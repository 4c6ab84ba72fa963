"""The spreadsheet guard: text a spreadsheet would run as a formula is written with a leading
apostrophe, by one rule for every writer of the panel (the rows formatted here for Excel, ODS,
JSON and CSV, and PostgreSQL's own COPY, which gets the same rule as SQL).

A formula is text that starts with ``=``, ``+``, ``-`` or ``@`` (or their fullwidth forms, which
spreadsheets also accept), possibly after blanks: spaces, line breaks, a non-breaking or an
ideographic space; or text that starts with a tab or a carriage return. A bare ``-``, the legacy
applications' empty value, is data and is written as it is.
"""

import re

import sqlalchemy as sa

#: What may come before a formula's first character and still leave it a formula.
BLANKS = " \t\r\n\u00a0\u3000"
#: The characters a formula begins with ("-" last: literal in a bracket, in Python and in SQL).
STARTS = "=+@\uff1d\uff0b\uff20\uff0d-"
#: The rule, written once for Python's ``re`` and PostgreSQL's regular expressions alike.
PATTERN = f"^([{BLANKS}]*[{STARTS}]|[\t\r])"
#: Data, though it begins like a formula.
EMPTY_VALUE = "-"

_FORMULA = re.compile(PATTERN)


def is_formula(text: str) -> bool:
    """Would a spreadsheet run ``text`` as a formula?"""
    return text != EMPTY_VALUE and _FORMULA.match(text) is not None


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; other values are kept."""
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


def neutralised(text: sa.ColumnElement) -> sa.ColumnElement:
    """The SQL of :func:`neutralise` for a text expression (the COPY path)."""
    formula = sa.and_(text.regexp_match(PATTERN), text != EMPTY_VALUE)
    return sa.case((formula, sa.literal("'") + text), else_=text)
