"""Speed of the transaction report on a generated database (issue: 10 million transactions).

    .venv/bin/python bench/report.py --database-url postgresql://...ppob_bench_10000000 [--runs 7]

Prints, for the first page of today's report, a one-day range a week ago and a noref search, the
median time of the panel's page (through Flask's test client, rendering included) and of the same
SQL run directly, and their ratio. Then the CSV export of about a million rows, against
PostgreSQL's own COPY (same query) TO STDOUT WITH CSV, with the peak memory of the process that
streamed it (a child process, so that nothing else inflates it).
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_USER, BENCH_PASSWORD = "bench", "bench-user-password"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--export-days", type=int, default=3, help="days of history in the CSV export")
    parser.add_argument("--child", choices=("panel-export",), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(panel_export(args.database_url, args.export_days)))
        return
    app, client = logged_in(args.database_url)
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    week_ago = (today - timedelta(days=7)).isoformat()
    with app.app_context():
        noref = sample_noref(app, week_ago)
    cases = {
        "first page of today": "",
        "one day a week ago": f"from={week_ago}&to={week_ago}",
        "noref search (7 days)": f"from={week_ago}&to={today.isoformat()}&q={noref}",
    }
    print(f"{'case':<26}{'panel ms':>10}{'raw SQL ms':>12}{'ratio':>8}")
    for name, query in cases.items():
        panel = median_ms(lambda q=query: check(client.get(f"/admin/report/?{q}")), args.runs)
        raw = median_ms(lambda q=query: run_raw(app, q), args.runs)
        print(f"{name:<26}{panel:>10.1f}{raw:>12.1f}{panel / raw:>8.2f}")
    export_case(args)


def logged_in(url: str, role: str = "staff"):
    """An application on ``url`` and a test client logged in as a bench user of ``role``."""
    from app import create_app
    from backoffice.cli import create_user
    from backoffice.extensions import db
    from backoffice.models.panel import PanelUser
    from backoffice.schema import init_database
    from backoffice.settings import PPOB_CONFIG_FILE

    app = create_app(
        {
            "BACKOFFICE_MODE": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "BACKOFFICE_CONFIG_FILE": PPOB_CONFIG_FILE,
            "WTF_CSRF_ENABLED": False,
            "BACKOFFICE_STATEMENT_TIMEOUT_MS": 600_000,
        }
    )
    with app.app_context():
        init_database(db.engine)  # idempotent: brings the panel's own schema up to date
        if db.session.scalar(db.select(PanelUser).filter_by(username=f"{BENCH_USER}-{role}")) is None:
            create_user(f"{BENCH_USER}-{role}", role, BENCH_PASSWORD)
    client = app.test_client()
    check(client.post("/login", data={"username": f"{BENCH_USER}-{role}", "password": BENCH_PASSWORD}), 302)
    return app, client


def sample_noref(app, day: str) -> str:
    from backoffice.extensions import db

    return db.session.scalar(
        db.text("SELECT noref FROM tempmsg_backup WHERE requesttime >= :d ORDER BY requesttime LIMIT 1"),
        {"d": day},
    )


def run_raw(app, query: str) -> None:
    """The page's two statements (rows and totals), compiled and run straight on psycopg2."""
    from werkzeug.datastructures import MultiDict

    from backoffice.views.report import PAGE_SIZE, parse_filter

    report = report_of(app)
    args = MultiDict([pair.split("=", 1) for pair in query.split("&") if pair])
    flt, _ = parse_filter(args)
    with app.app_context():
        from backoffice.extensions import db

        raw = db.engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                for statement in (report.rows(flt, PAGE_SIZE + 1), report.totals(flt)):
                    cursor.execute(compiled(statement, db.engine))
                    cursor.fetchall()
        finally:
            raw.close()


def report_of(app):
    return next(view for view in app.extensions["admin"][0]._views if view.endpoint == "report").report


def compiled(statement, engine) -> str:
    return str(statement.compile(engine, compile_kwargs={"literal_binds": True}))


def export_case(args) -> None:
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--database-url",
            args.database_url,
            "--child",
            "panel-export",
            "--export-days",
            str(args.export_days),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    panel = json.loads(child.stdout.strip().splitlines()[-1])
    copy_s = copy_seconds(args.database_url, panel["sql"])
    print(f"\nCSV export of {panel['rows']:,} rows ({args.export_days} days):")
    print(
        f"  panel: {panel['seconds']:.1f} s, first byte after {panel['first_byte_ms']:.0f} ms, "
        f"peak memory {panel['peak_mb']:.0f} MB (whole process: app, reflection and the stream)"
    )
    print(f"  COPY (same query) TO STDOUT WITH CSV: {copy_s:.1f} s; ratio {panel['seconds'] / copy_s:.2f}")


def panel_export(url: str, days: int) -> dict:
    app, client = logged_in(url)
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    start = (today - timedelta(days=days + 1)).isoformat()
    end = (today - timedelta(days=2)).isoformat()
    began = time.perf_counter()
    response = client.get(f"/admin/report/export/csv/?from={start}&to={end}", buffered=False)
    first_byte, size, lines = None, 0, 0
    for chunk in response.response:
        first_byte = first_byte or time.perf_counter()
        size += len(chunk)
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    seconds = time.perf_counter() - began
    response.close()
    report = report_of(app)
    from werkzeug.datastructures import MultiDict

    from backoffice.report import EXPORT_FIELDS
    from backoffice.views.report import parse_filter

    flt, _ = parse_filter(MultiDict({"from": start, "to": end}))
    with app.app_context():
        from backoffice.extensions import db

        sql = compiled(report.rows(flt, 0, fields=EXPORT_FIELDS), db.engine)
    return {
        "rows": lines - 1,
        "seconds": seconds,
        "first_byte_ms": (first_byte - began) * 1000,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "sql": sql,
    }


def copy_seconds(url: str, sql: str) -> float:
    import psycopg2
    from sqlalchemy.engine import make_url

    from backoffice.database import normalise_url

    dsn = make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        sink = _Sink()
        began = time.perf_counter()
        cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH CSV", sink)
        return time.perf_counter() - began


class _Sink:
    def write(self, data) -> int:
        return len(data)


def median_ms(action, runs: int) -> float:
    action()  # warm the caches once
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def check(response, status: int = 200):
    if response.status_code != status:
        raise SystemExit(f"unexpected {response.status_code} from {response.request.path}")
    return response


if __name__ == "__main__":
    main()
