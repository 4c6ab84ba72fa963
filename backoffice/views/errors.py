"""Database errors turned into plain messages for people; the detail goes to the log.

A failed statement's text carries its parameters (a password among them), so neither the SQL nor
the parameters ever reach a page.
"""

import logging
import re

import sqlalchemy as sa
from flask import flash
from flask_babel import gettext
from psycopg2 import errorcodes

from ..extensions import db

log = logging.getLogger(__name__)

_KEY_DETAIL = re.compile(r"Key \(([^)]*)\)=")
_VALUES = re.compile(r"=\(.*?\)(?= already| is not| is still|$|\.)")
_FAILING_ROW = re.compile(r"Failing row contains \(.*\)", re.S)


#: MySQL/MariaDB error numbers as the SQLSTATE the same refusal has on PostgreSQL.
MYSQL_ERRORS = {
    1062: errorcodes.UNIQUE_VIOLATION,
    1048: errorcodes.NOT_NULL_VIOLATION,
    1364: errorcodes.NOT_NULL_VIOLATION,  # a NOT NULL column without a default was not given
    1451: errorcodes.FOREIGN_KEY_VIOLATION,
    1452: errorcodes.FOREIGN_KEY_VIOLATION,
    1406: errorcodes.STRING_DATA_RIGHT_TRUNCATION,
    1264: errorcodes.NUMERIC_VALUE_OUT_OF_RANGE,
    1366: errorcodes.INVALID_TEXT_REPRESENTATION,
    1292: errorcodes.INVALID_DATETIME_FORMAT,
    3819: errorcodes.CHECK_VIOLATION,
    4025: errorcodes.CHECK_VIOLATION,
    1969: errorcodes.QUERY_CANCELED,  # max_statement_time
    1792: errorcodes.READ_ONLY_SQL_TRANSACTION,
}
_MYSQL_COLUMN = re.compile(r"(?:Column|Field) '([^']+)'")
_MYSQL_VALUE = re.compile(r"entry '.*' for key")


def _reason(exc: sa.exc.DBAPIError) -> tuple[str | None, str | None, str | None]:
    """(SQLSTATE, column, key columns) of a refusal, from PostgreSQL's diagnostics or from a
    MySQL/MariaDB error number and its message."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None or getattr(exc.orig, "pgcode", None):
        key = _KEY_DETAIL.search(getattr(diag, "message_detail", None) or "")
        column = getattr(diag, "column_name", None)
        return exc.orig.pgcode, column, key.group(1) if key else column
    number, message = _mysql_args(exc.orig)
    column = _MYSQL_COLUMN.search(message)
    return MYSQL_ERRORS.get(number), column.group(1) if column else None, column.group(1) if column else None


def _mysql_args(orig) -> tuple[int | None, str]:
    args = getattr(orig, "args", ())
    if len(args) >= 2 and isinstance(args[0], int):
        return args[0], str(args[1])
    return None, ""


def plain_message(exc: sa.exc.DBAPIError) -> str:
    """A sentence for the user that names the field, never the statement or its values."""
    code, column, fields = _reason(exc)
    if code == errorcodes.UNIQUE_VIOLATION:
        return gettext("Another record already has this %(field)s.", field=fields or "key")
    if code == errorcodes.FOREIGN_KEY_VIOLATION:
        return gettext(
            "%(field)s refers to a record that does not exist, or the record is still used elsewhere.",
            field=fields or "A field",
        )
    if code == errorcodes.NOT_NULL_VIOLATION:
        return gettext("%(field)s is required.", field=column or "A field")
    if code == errorcodes.STRING_DATA_RIGHT_TRUNCATION:
        return gettext("A value is longer than its column allows.")
    if code == errorcodes.NUMERIC_VALUE_OUT_OF_RANGE:
        return gettext("A number is too large for its column.")
    if code == errorcodes.CHECK_VIOLATION:
        return gettext("A value is not allowed by the database's rules.")
    if code == errorcodes.QUERY_CANCELED:
        return gettext("The query took too long and was stopped. Narrow the filter and try again.")
    if code == errorcodes.READ_ONLY_SQL_TRANSACTION:
        return gettext("You are not allowed to change data here.")
    if code in (
        errorcodes.INVALID_TEXT_REPRESENTATION,
        errorcodes.INVALID_DATETIME_FORMAT,
        errorcodes.DATETIME_FIELD_OVERFLOW,
    ):
        return gettext("A value is not in a valid format.")
    if code == errorcodes.OBJECT_NOT_IN_PREREQUISITE_STATE:
        return gettext(
            "The database cannot read this yet (a materialized view that was never filled, for example)."
        )
    if isinstance(exc, sa.exc.OperationalError):
        return gettext("The database is not available right now. Try again in a moment.")
    if code and code.startswith("22"):  # a data exception: division by zero, a bad cast...
        return gettext("The database cannot work with a value here.")
    return gettext("The database refused this.")


def refused(where: str, exc: sa.exc.DBAPIError) -> str:
    """The database refused what a request asked: the transaction is undone, the log gets the
    detail, the user a plain message (returned too)."""
    db.session.rollback()
    log_database_error(where, exc)
    message = plain_message(exc)
    flash(message, "error")
    return message


def log_database_error(where: str, exc: sa.exc.DBAPIError) -> None:
    """Log what failed with the database's own message, without the statement or any value."""
    diag = getattr(exc.orig, "diag", None)
    if diag is None and not getattr(exc.orig, "pgcode", None):
        number, message = _mysql_args(exc.orig)
        log.warning(
            "database error in %s: %s %s", where, number, _MYSQL_VALUE.sub("entry '...' for key", message)
        )
        return
    log.warning(
        "database error in %s: %s %s (detail: %s, constraint: %s)",
        where,
        getattr(exc.orig, "pgcode", None),
        getattr(diag, "message_primary", None) or type(exc.orig).__name__,
        redact(getattr(diag, "message_detail", None)),
        getattr(diag, "constraint_name", None),
    )


def redact(detail: str | None) -> str | None:
    """``Key (agent_id)=(0812...) already exists`` -> ``Key (agent_id)=(...) already exists``.

    PostgreSQL's details quote values (a failing row quotes all of them, secrets included).
    """
    if detail is None:
        return None
    detail = _VALUES.sub("=(...)", detail)
    return _FAILING_ROW.sub("Failing row contains (...)", detail)
