"""The export pipeline: one way out for every view's rows, in CSV, Excel, ODS, JSON and PDF.

CSV streams from a server-side cursor in constant memory, with a byte-order mark so that Excel on
Windows reads UTF-8. Formats that must be built whole (ods and json through tablib, xlsx through
openpyxl, pdf through fpdf2 for the reports) stop at a row limit with a message pointing at CSV.
Spreadsheet formats keep numbers and dates typed and neutralise text that would run as a formula;
the PDF is for people, so it carries the report's header and formatted values.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import openpyxl
import sqlalchemy as sa
import tablib
from flask import Response, current_app, stream_with_context
from flask_babel import gettext
from fpdf import FPDF
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .copy_stream import copy_csv
from .extensions import db
from .formatting import JAKARTA, rupiah
from .spreadsheet import neutralise

MIMETYPES = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8"
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "json": "application/json",
}
MIMETYPES["pdf"] = "application/pdf"
#: What every list offers; PDF is offered by the reports, which give it a header.
FORMATS = ("csv", "xlsx", "ods", "json")
STREAM_BATCH = 2000
#: The PDF's font, kept in the project with its licence (DejaVu's allows it).
FONTS = Path(__file__).resolve().parent / "fonts"
PDF_FONT = "DejaVu"
#: How Excel shows money and times: "Rp 25.000" (in the reader's separators), "03-12-2026 13:48:00".
MONEY_FORMAT = '"Rp" #,##0'
TIME_FORMAT = "dd-mm-yyyy hh:mm:ss"
#: What a download's plain file name may not hold: anything but letters, digits, "-", "_" and ".".
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass
class Document:
    """The header of a report's download (its PDF and its Excel sheet), and how each column's
    values are written for people: a column formatted as rupiah is money, which Excel shows as
    money and totals at the foot."""

    title: str
    lines: Sequence[str] = ()
    formats: Sequence[Callable | None] = ()

    def money(self, columns: int) -> list[bool]:
        return [fmt is rupiah for fmt in self.formats] if self.formats else [False] * columns


class TooManyRows(Exception):
    """A format that cannot stream was asked for more rows than the configured limit."""

    def __init__(self, limit: int, fmt: str):
        super().__init__(limit, fmt)
        self.limit, self.format = limit, fmt

    @property
    def message(self) -> str:
        """What the user is told: the limit, and that CSV has none."""
        return gettext(
            "More than %(limit)s rows: %(format)s cannot hold them. Narrow the filter, "
            "or download CSV, which has no limit.",
            limit=self.limit,
            format=self.format.upper(),
        )


def cell(value):
    """A value as a spreadsheet should receive it: typed, zone-less (Jakarta time), neutralised."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(JAKARTA).replace(tzinfo=None)
    if isinstance(value, bool | int | float | Decimal | datetime) or value is None:
        return value
    return neutralise(value if isinstance(value, str) else str(value))


def export_response(
    fmt: str,
    stem: str,
    headers: Sequence[str],
    statement: sa.Select,
    maskers: Sequence[Callable | None] = (),
    on_finish: Callable[[int, bool], None] | None = None,
    document: Document | None = None,
) -> Response:
    """The download of ``statement``'s rows as ``fmt``, named ``{stem}_{today}.{fmt}``.

    ``maskers`` holds, per column, the function that masks it for the current user, or None.
    CSV is written by PostgreSQL's COPY (``copy_stream``) unless a column is masked or the database
    is not PostgreSQL; then rows are formatted here, one by one.
    ``on_finish(rows, complete)`` is called once the rows are sent, or when the client goes away.

    Raises :class:`TooManyRows` before sending anything when a non-streaming format would exceed
    its :func:`row_limit`.
    """
    disposition = {"Content-Disposition": attachment(f"{stem}_{datetime.now(JAKARTA):%Y-%m-%d}.{fmt}")}
    headers = [str(header) for header in headers]  # labels may be lazy translations (JSON keys)
    if fmt == "csv":
        if db.engine.dialect.name == "postgresql" and not any(maskers):
            body = copy_csv(statement, headers, on_finish)  # PostgreSQL writes the CSV itself
        else:
            body = _csv_lines(headers, _counted(_rows(statement, maskers), on_finish))
        return Response(stream_with_context(started(body)), mimetype=MIMETYPES[fmt], headers=disposition)
    limit = row_limit(fmt)
    rows = list(_rows(statement.limit(limit + 1), maskers))
    if len(rows) > limit:
        if on_finish:
            on_finish(0, False)  # recorded as begun: it ends here, with nothing sent
        raise TooManyRows(limit, fmt)
    if on_finish:
        on_finish(len(rows), True)
    if fmt == "pdf":
        body = _pdf(headers, rows, document or Document(title=stem))
    elif fmt == "xlsx":
        body = _xlsx(headers, rows, document, stem)
    else:
        dataset = tablib.Dataset(*([cell(v) for v in row] for row in rows), headers=list(headers))
        dataset.title = _sheet_title(document.title if document else stem)
        body = dataset.export(fmt)
    return Response(body, mimetype=MIMETYPES[fmt], headers=disposition)


#: The setting of each format's own row limit: what it writes within about three seconds on two
#: cores (bench/export_formats.py measures it), so a download never holds a worker for long.
FORMAT_LIMITS = {
    "ods": "BACKOFFICE_ODS_MAX_ROWS",
    "xlsx": "BACKOFFICE_XLSX_MAX_ROWS",
    "pdf": "BACKOFFICE_PDF_MAX_ROWS",
}


def row_limit(fmt: str) -> int:
    """The most rows a download in ``fmt`` (one that cannot stream) may hold: its own limit, within
    ``BACKOFFICE_EXPORT_MAX_ROWS``."""
    config = current_app.config
    ceiling = int(config["BACKOFFICE_EXPORT_MAX_ROWS"])
    return min(int(config[FORMAT_LIMITS[fmt]]), ceiling) if fmt in FORMAT_LIMITS else ceiling


def attachment(filename: str) -> str:
    """A Content-Disposition header downloading ``filename``, which may carry text from the URL (a
    biller code): the plain name keeps safe characters only, and RFC 5987's ``filename*`` the
    rest percent-encoded, so nothing typed can add a parameter or a header."""
    plain = _UNSAFE_IN_NAME.sub("_", filename)
    encoded = quote("".join(c for c in filename if c.isprintable()), safe="")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}"


def started(body: Iterator) -> Iterator:
    """``body`` with its first piece read already, inside the request: a query the database
    refuses at once raises here (and the view says so plainly) instead of cutting off a download
    that has begun. The result is a generator, so closing the response closes ``body`` too."""
    first = next(body)
    return _resumed(first, body)


def _resumed(first, body: Iterator) -> Iterator:
    yield first
    yield from body


def _counted(rows: Iterable[tuple], on_finish: Callable[[int, bool], None] | None) -> Iterator[tuple]:
    count, complete = 0, False
    try:
        for row in rows:
            count += 1
            yield row
        complete = True
    finally:
        if on_finish:
            on_finish(count, complete)


def _rows(statement: sa.Select, maskers: Sequence[Callable | None]) -> Iterator[tuple]:
    if not any(maskers):
        return _stream(statement)
    return (
        tuple(mask(v) if mask else v for mask, v in zip(maskers, row, strict=True))
        for row in _stream(statement)
    )


def _stream(statement: sa.Select) -> Iterator[tuple]:
    """Rows of ``statement`` from a server-side cursor, in a read-only transaction of their own."""
    timeout_ms = int(current_app.config["BACKOFFICE_EXPORT_TIMEOUT_MS"])
    with db.engine.connect() as conn:
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {timeout_ms}")
            result = conn.execution_options(stream_results=True, yield_per=STREAM_BATCH).execute(statement)
            yield from result


def _csv_lines(headers: Sequence[str], rows: Iterable[tuple]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    rows = iter(rows)
    first = next(rows, None)  # the query runs before the header is sent
    if first is not None:
        writer.writerow([_csv_value(v) for v in first])
    yield "\ufeff" + _drain(buffer)
    for count, row in enumerate(rows, 2):
        writer.writerow([_csv_value(v) for v in row])
        if count % STREAM_BATCH == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _csv_value(value):
    value = cell(value)
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else value


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _xlsx(headers: Sequence[str], rows: Sequence[tuple], document: Document | None, stem: str) -> bytes:
    """An Excel sheet named for what it holds, written row by row (openpyxl's write-only mode:
    tablib can give cells no number format). A report's sheet starts with its title and header
    lines, shows money as money and ends with a total row; a list's starts with its header row, so
    that it reads back as it was written."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(document.title if document else stem))
    bold = Font(bold=True)
    money = document.money(len(headers)) if document else [False] * len(headers)
    if document:
        sheet.append([_styled(sheet, document.title, font=Font(bold=True, size=13))])
        for line in document.lines:
            sheet.append([neutralise(str(line))])
        sheet.append([])
    sheet.append([_styled(sheet, neutralise(str(header)), font=bold) for header in headers])
    totals = [Decimal(0) if is_money else None for is_money in money]
    for row in rows:
        sheet.append(
            [_xlsx_cell(sheet, cell(value), is_money) for value, is_money in zip(row, money, strict=True)]
        )
        for index, value in enumerate(row):
            if totals[index] is not None and isinstance(value, int | Decimal):
                totals[index] += value
    if document and any(money):
        label = [_styled(sheet, gettext("Total"), font=bold)]
        sheet.append(label + [_xlsx_cell(sheet, total, True, bold) for total in totals[1:]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value, is_money: bool, font: Font | None = None):
    if value is None:
        return None
    if is_money and isinstance(value, int | float | Decimal):
        return _styled(sheet, value, number_format=MONEY_FORMAT, font=font)
    if isinstance(value, datetime):
        return _styled(sheet, value, number_format=TIME_FORMAT)
    return value


def _styled(sheet, value, number_format: str | None = None, font: Font | None = None) -> WriteOnlyCell:
    styled = WriteOnlyCell(sheet, value=value)
    if number_format:
        styled.number_format = number_format
    if font:
        styled.font = font
    return styled


def _sheet_title(title) -> str:
    """A sheet's name as Excel takes it: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:31] or "Data"


class _Pages(FPDF):
    """A landscape A4 document whose every page says its number and how many there are."""

    def footer(self):
        self.set_y(-8)
        self.set_font(PDF_FONT, size=7)
        self.cell(0, 4, gettext("Page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}"), align="R")


def _pdf(headers: Sequence[str], rows: Sequence[tuple], document: Document) -> bytes:
    """A landscape A4 table with the document's header lines on top, in DejaVu Sans (kept in the
    project: it writes any name, where the PDF core fonts stop at Latin-1), each column as wide as
    what it holds."""
    pdf = _Pages(orientation="L", unit="mm", format="A4")
    pdf.add_font(PDF_FONT, "", FONTS / "DejaVuSansCondensed.ttf")
    pdf.add_font(PDF_FONT, "B", FONTS / "DejaVuSansCondensed-Bold.ttf")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(8, 8)
    pdf.add_page()
    pdf.set_font(PDF_FONT, "B", 12)
    pdf.cell(0, 7, str(document.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(PDF_FONT, size=8)
    for line in document.lines:
        pdf.cell(0, 4.5, str(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(PDF_FONT, size=6.5)
    formats = list(document.formats) or [None] * len(headers)
    texts = [[_pdf_text(v, f) for v, f in zip(row, formats, strict=True)] for row in rows]
    with pdf.table(
        first_row_as_headings=True, line_height=3.6, padding=0.8, col_widths=_widths(headers, texts)
    ) as table:
        table.row([str(h) for h in headers])
        for row in texts:
            table.row(row)
    return bytes(pdf.output())


def _widths(headers: Sequence[str], texts: Sequence[Sequence[str]]) -> tuple[float, ...]:
    """Each column's share of the page: its longest text among the header and the first rows,
    between a narrow and a wide column."""
    sample = [list(map(str, headers)), *texts[:200]]
    longest = [max(len(row[i]) for row in sample) for i in range(len(headers))]
    return tuple(min(max(n, 4), 40) for n in longest)


def _pdf_text(value, fmt: Callable | None) -> str:
    if value is None:
        return ""
    return fmt(value) if fmt else str(value)
