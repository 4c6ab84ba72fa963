"""CSV exports written by PostgreSQL itself: ``COPY (query) TO STDOUT``, streamed to the client.

Formatting a million rows in Python costs ten times what COPY does, so PostgreSQL writes the CSV
and the panel only forwards it. What the Python path does to each value is done in the query
instead: text that a spreadsheet would run as a formula gets an apostrophe (``spreadsheet.py``'s
rule, as SQL), and times with a zone are shown in Jakarta time.

COPY blocks its connection until it is done, so it runs in a worker thread that hands chunks
through a small queue: memory stays constant, and a client that goes away makes the worker stop
and drop its connection, which cancels the query in the database.
"""

import queue
import threading
from collections.abc import Callable, Iterator, Sequence

import psycopg2
import sqlalchemy as sa
from flask import current_app

from .extensions import db
from .spreadsheet import neutralised

CHUNK_BYTES = 256 * 1024
_DONE = object()


class _Cancelled(Exception):
    """The client went away: the worker stops writing."""


def copy_csv(
    statement: sa.Select, headers: Sequence[str], on_finish: Callable[[int, bool], None] | None
) -> Iterator[bytes]:
    """The CSV bytes of ``statement`` (UTF-8 with a byte-order mark, a header row of ``headers``)."""
    sql = _compile(spreadsheet_safe(statement, headers))
    timeout_ms = int(current_app.config["BACKOFFICE_EXPORT_TIMEOUT_MS"])
    chunks: queue.Queue = queue.Queue(maxsize=8)
    cancelled = threading.Event()
    outcome: dict = {}
    worker = threading.Thread(
        target=_copy, daemon=True, args=(db.engine, sql, timeout_ms, chunks, cancelled, outcome)
    )
    worker.start()
    complete = False
    try:
        # The byte-order mark goes with the first chunk: a query the database refuses at once
        # fails before anything is sent (see exports.started).
        prefix = "\ufeff".encode()
        while (chunk := chunks.get()) is not _DONE:
            yield prefix + chunk
            prefix = b""
        if "error" in outcome:
            raise outcome["error"]
        if prefix:
            yield prefix
        complete = True
    finally:
        cancelled.set()
        while worker.is_alive():  # unblock a worker waiting to hand over a chunk
            try:
                chunks.get(timeout=0.05)
            except queue.Empty:
                pass
        if on_finish:
            on_finish(outcome.get("rows", 0), complete)


def spreadsheet_safe(statement: sa.Select, headers: Sequence[str]) -> sa.Select:
    """``statement`` with its columns named ``headers``, formulas neutralised, zoned times in Jakarta."""
    inner = statement.subquery("export")
    columns = []
    for column, header in zip(inner.c, headers, strict=True):
        expression = column
        if isinstance(column.type, sa.DateTime) and column.type.timezone:
            expression = sa.func.timezone("Asia/Jakarta", column)
        elif isinstance(column.type, sa.String):  # enums too, hence the cast
            expression = neutralised(sa.cast(column, sa.Text))
        columns.append(expression.label(header))
    return sa.select(*columns)


def _compile(statement: sa.Select) -> str:
    # COPY takes no parameters: the values (dates, filter text) are rendered as SQL literals,
    # quoted by SQLAlchemy's PostgreSQL dialect.
    return str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))


def _copy(
    engine: sa.Engine,
    sql: str,
    timeout_ms: int,
    chunks: queue.Queue,
    cancelled: threading.Event,
    outcome: dict,
) -> None:
    connection = engine.raw_connection()
    writer = _QueueWriter(chunks, cancelled)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
            cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", writer)
            writer.flush()
            outcome["rows"] = cursor.rowcount
        connection.rollback()  # read-only: nothing to keep
    except _Cancelled:
        outcome["rows"] = max(writer.rows - 1, 0)  # read before the client left (less the header)
        connection.invalidate()  # the server ends the COPY when its connection goes
    except Exception as exc:  # handed to the response's generator, which re-raises it
        outcome["error"] = (
            sa.exc.DBAPIError.instance(sql, None, exc, psycopg2.Error)
            if isinstance(exc, psycopg2.Error)
            else exc
        )
        connection.invalidate()
    finally:
        connection.close()
        chunks.put(_DONE)


class _QueueWriter:
    """The file psycopg2 writes COPY data to, a row at a time: batches rows into chunks for the queue."""

    def __init__(self, chunks: queue.Queue, cancelled: threading.Event):
        self._chunks, self._cancelled = chunks, cancelled
        self._buffer: list[bytes] = []
        self._size = 0
        self.rows = 0

    def write(self, data) -> int:
        if self._cancelled.is_set():
            raise _Cancelled
        data = data.encode() if isinstance(data, str) else bytes(data)
        self.rows += 1
        self._buffer.append(data)
        self._size += len(data)
        if self._size >= CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._chunks.put(b"".join(self._buffer))
            self._buffer, self._size = [], 0
