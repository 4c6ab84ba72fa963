"""The one reader of uploaded tables, shared by the H+1 reconciliation and the transaction desk's
resolutions: CSV (comma, semicolon, tab or bar; UTF-8 with or without a BOM) or Excel (.xlsx), read
with tablib, its columns found by the names people give them. A file that cannot be read is
refused whole with sentences for people (:class:`BadUpload`); the size is capped by Flask
(``MAX_CONTENT_LENGTH``) before any of this runs.
"""

import io
from collections.abc import Mapping

import tablib
from flask_babel import gettext

#: The most problems one refusal lists.
MAX_PROBLEMS = 20


class BadUpload(Exception):
    """The file cannot be used; ``problems`` says why, row by row."""

    def __init__(self, problems: list[str]):
        super().__init__(problems)
        self.problems = problems


def read_table(content: bytes, filename: str) -> tablib.Dataset:
    """The rows of an uploaded CSV or .xlsx file, its first row the headers."""
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            return tablib.Dataset().load(io.BytesIO(content), format="xlsx")
        if name.endswith((".csv", ".txt")):
            text = _decode(content)
            return tablib.Dataset().load(text, format="csv", delimiter=_delimiter(text))
    except BadUpload:
        raise
    except Exception as exc:  # a damaged file: the reader's own exception types vary
        raise BadUpload(
            [gettext("The file could not be read (%(error)s).", error=type(exc).__name__)]
        ) from exc
    raise BadUpload([gettext("Upload a CSV or Excel (.xlsx) file.")])


def find_columns(
    headers: list, columns: Mapping[str, tuple[str, ...]], optional: tuple[str, ...] = ()
) -> dict[str, int]:
    """Field -> the index of its column, by the names ``columns`` accepts for each field
    (compared in lower case); refused naming every missing field not in ``optional``."""
    lowered = [str(h or "").strip().lower() for h in headers]
    found, missing = {}, []
    for name, aliases in columns.items():
        index = next((i for i, header in enumerate(lowered) if header in aliases), None)
        if index is None and name in optional:
            continue
        if index is None:
            missing.append(
                gettext(
                    "Missing column %(name)s (accepted: %(aliases)s).", name=name, aliases=", ".join(aliases)
                )
            )
        else:
            found[name] = index
    if missing:
        raise BadUpload(missing)
    return found


def rows_of(dataset: tablib.Dataset, read_row) -> list:
    """``read_row(row)`` of every row; a ValueError it raises is a problem named by its row
    number, and any problem refuses the whole file (after at most :data:`MAX_PROBLEMS`)."""
    read, problems = [], []
    for number, row in enumerate(dataset, start=2):  # row 1 is the header
        try:
            read.append(read_row(row))
        except ValueError as exc:
            problems.append(gettext("Row %(row)s: %(problem)s", row=number, problem=str(exc)))
        if len(problems) >= MAX_PROBLEMS:
            problems.append(gettext("Stopped after %(n)s problems.", n=MAX_PROBLEMS))
            break
    if problems:
        raise BadUpload(problems)
    if not read:
        raise BadUpload([gettext("The file has no rows.")])
    return read


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadUpload([gettext("The CSV file is not UTF-8 text.")]) from None


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return max(",;\t|", key=header.count)
