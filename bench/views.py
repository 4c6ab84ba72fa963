"""Generated list views on a generated database (issue: 10 million transactions), against raw SQL
and against stock Flask-Admin, measured in the same run.

    .venv/bin/python bench/views.py --database-url postgresql://...ppob_bench_10000000 [--runs 5]

For tempmsg_backup and am_update_balance: the first list page, page 1000, a one-day filter and an
exact reference search. Each case is timed as the median of --runs for
  (a) the raw SQL of that page: the panel's own query, compiled and run straight on psycopg2;
  (b) this panel, through Flask's test client (gate, query, rendering), and apart from that the
      time its statements took (all of them: the session's user, the row estimate, the page);
  (c) stock Flask-Admin: a plain ModelView over automap-reflected tables, set up here, given the
      same filter and search columns (stock has none by default). automap skips tables without a
      primary key, so for tempmsg_backup stock gets the least it needs to exist: msgid as its key.
The same first page of a small table (trancode) is measured too: what a rendered list page costs
whatever the table's size, beside which the large tables' pages can be read.
It also prints the panel's start-up time and its process memory before and after the pages.
"""

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import check, logged_in, median_ms  # noqa: E402

TABLES = {
    # table: (time column, the query of a reference value to search for)
    "tempmsg_backup": ("requesttime", "SELECT noref FROM tempmsg_backup WHERE requesttime >= :d LIMIT 1"),
    "am_update_balance": ("update_date", "SELECT agent_id FROM am_update_balance LIMIT 1"),
}
#: The columns the panel's file searches on these tables; stock gets the same.
STOCK_SEARCH = {"tempmsg_backup": ["noref", "custno"], "am_update_balance": ["agent_id"]}
#: A small table: its first page is the cost of a list page apart from the table's size.
REFERENCE = "trancode"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    began = time.perf_counter()
    app, client = logged_in(args.database_url)
    print(
        f"panel start-up (create_app, reflecting {len(app.extensions['backoffice'].tables)} tables): "
        f"{time.perf_counter() - began:.2f} s"
    )
    stock = stock_client(args.database_url)
    rss_before = rss_mb()
    day = (datetime.now(ZoneInfo("Asia/Jakarta")) - timedelta(days=7)).date()
    header = (
        "table / case",
        "raw ms",
        "panel ms",
        "its SQL",
        "stock ms",
        "panel/raw",
        "SQL/raw",
        "stock/panel",
    )
    print("\n{:<40}{:>9}{:>10}{:>9}{:>10}{:>11}{:>9}{:>12}".format(*header))
    for table, (time_column, sample) in TABLES.items():
        with app.app_context():
            from backoffice.extensions import db

            value = db.session.scalar(sa.text(sample), {"d": day})
        one_day = f"{day} 00:00:00 to {day} 23:59:59"
        cases = {
            "first page": {},
            "page 1000": {"page": "1000"},
            "one-day filter": {"filter": (time_column, one_day)},
            "exact reference search": {"search": value},
        }
        for name, case in cases.items():
            report_row(app, client, stock, table, name, case, args.runs)
    report_row(app, client, stock, REFERENCE, "first page (small table)", {}, args.runs)
    print(f"\npanel process memory: {rss_before:.0f} MB before the pages, {rss_mb():.0f} MB after")


def report_row(app, client, stock, table: str, name: str, case: dict, runs: int) -> None:
    raw, panel, sql_ms, stock_ms = measure(app, client, stock, table, case, runs)
    print(
        f"{table + ' / ' + name:<40}{raw:>9.1f}{panel:>10.1f}{sql_ms:>9.1f}{stock_ms:>10.1f}"
        f"{panel / raw:>11.2f}{sql_ms / raw:>9.2f}{stock_ms / panel:>12.1f}"
    )


def measure(app, client, stock, table: str, case: dict, runs: int) -> tuple[float, float, float, float]:
    """Medians (ms) of the raw SQL, the panel (whole request, then only the SQL it ran: every
    statement of the request, the session's user and the row estimate included) and stock."""
    raw = median_ms(lambda: run_raw(app, table, case), runs)
    panel = median_ms(lambda: check(client.get(url(app, table, case))), runs)
    with sql_timer(app) as spent:
        for _ in range(runs + 1):
            spent.request(lambda: check(client.get(url(app, table, case))))
    stock_ms = median_ms(lambda: check(stock.get(url(stock.application, table, case))), runs)
    return raw, panel, spent.median(), stock_ms


class _SqlTime:
    """Time spent in statements (cursor execute to fetch), summed per request."""

    def __init__(self):
        self.current, self.totals, self.started = 0.0, [], {}

    def request(self, action):
        self.current = 0.0
        action()
        self.totals.append(self.current)

    def median(self) -> float:
        return statistics.median(self.totals[1:] or self.totals)  # the first run warms the caches


@contextlib.contextmanager
def sql_timer(app):
    from backoffice.extensions import db

    spent = _SqlTime()
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        spent.started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        spent.current += (time.perf_counter() - spent.started.pop(id(cursor), time.perf_counter())) * 1000

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield spent
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


def url(app, table: str, case: dict) -> str:
    query = {k: v for k, v in case.items() if k in ("page", "search")}
    if "filter" in case:
        column, value = case["filter"]
        query[f"flt0_{filter_index(app, table, column)}"] = value
    return f"/admin/{table}/?" + "&".join(f"{k}={v}" for k, v in query.items())


def filter_index(app, table: str, column: str) -> int:
    view = admin_view(app, table)
    for index, flt in enumerate(view._filters):
        if getattr(flt.column, "key", None) == column and "between" in str(flt.operation()):
            return index
    raise SystemExit(f"{table} has no 'between' filter on {column}")


def admin_view(app, endpoint: str):
    return next(view for view in app.extensions["admin"][0]._views if view.endpoint == endpoint)


def run_raw(app, table: str, case: dict) -> None:
    """The panel's own list query for this page, compiled and run on psycopg2."""
    from backoffice.extensions import db

    view = admin_view(app, table)
    with app.test_request_context(url(app, table, case)):
        view_args = view._get_list_extra_args()
        sort = view._get_column_by_idx(view_args.sort)
        _, query = view.get_list(
            view_args.page,
            sort[0] if sort else None,
            view_args.sort_desc,
            view_args.search,
            view_args.filters,
            execute=False,
        )
        sql = str(query.statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
        raw = db.engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                cursor.execute(sql)
                cursor.fetchall()
        finally:
            raw.close()


def stock_client(database_url: str):
    """Stock Flask-Admin: automap, plain ModelViews, the same filter and search columns."""
    from flask import Flask
    from flask_admin import Admin
    from flask_admin.contrib.sqla import ModelView
    from flask_admin.theme import Bootstrap4Theme
    from flask_babel import Babel
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy.ext.automap import automap_base

    from backoffice.database import normalise_url

    app = Flask("stock", root_path=tempfile.mkdtemp())  # not this project's templates: stock ones
    app.config.update(SQLALCHEMY_DATABASE_URI=normalise_url(database_url), SECRET_KEY="bench")
    stock_db = SQLAlchemy()
    stock_db.init_app(app)
    Babel(app)  # Flask-Admin translates through Flask-Babel whenever it is installed
    with app.app_context():
        metadata = sa.MetaData()
        metadata.reflect(stock_db.engine, only=[*TABLES, REFERENCE])
        metadata.tables["tempmsg_backup"].append_constraint(sa.PrimaryKeyConstraint("msgid"))
        base = automap_base(metadata=metadata)
        base.prepare()
    admin = Admin(app, theme=Bootstrap4Theme())
    for table, (time_column, _) in TABLES.items():
        settings = {"column_filters": [time_column], "column_searchable_list": STOCK_SEARCH[table]}
        view = type(f"Stock{table}", (ModelView,), settings)
        admin.add_view(view(getattr(base.classes, table), stock_db, endpoint=table))
    admin.add_view(ModelView(getattr(base.classes, REFERENCE), stock_db, endpoint=REFERENCE))
    return app.test_client()


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1024 / 1024


if __name__ == "__main__":
    main()
