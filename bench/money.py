"""The money pages on a generated database: the biller balance page, book versus biller, and the
H+1 reconciliation of a 200,000-row biller statement (issue: under 30 seconds).

    .venv/bin/python bench/money.py --database-url postgresql://...ppob_bench_10000000 [--rows 200000]

The balance page and the book page are timed (median of --runs) through Flask's test client; the
book page without checkpoints (it counts every transaction since the first deposit) and with a
checkpoint a day ago at every biller (what an operator sets after a reconciliation).

For the reconciliation, it takes the biller and day (before today) with the most successful
transactions, writes the biller's statement from them with the demo generator's planted
differences, and, when the day has fewer transactions than --rows, pads it with the biller's own
rows we do not have (they end "only the biller's"), so the file holds exactly --rows rows. Then it
uploads it through the panel (Flask's test client, as an administrator: parse, our side's query,
matching, saving every row, commit), once as CSV and once as Excel, and prints the time of each
step and of the whole request.
"""

import argparse
import csv
import io
import sys
import time
from pathlib import Path

import openpyxl
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import check, logged_in, median_ms  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app, client = logged_in(args.database_url, role="administrator")
    pages(app, client, args.runs)
    reconcile(app, client, args.rows)


def pages(app, client, runs: int) -> None:
    from backoffice.extensions import db

    print(f"balance page: {median_ms(lambda: check(client.get('/admin/billers/')), runs):.0f} ms")
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM backoffice.biller_setting"))
        db.session.commit()
    took = median_ms(lambda: check(client.get("/admin/billers/book/")), runs)
    print(f"book page, no checkpoint: {took:.0f} ms")
    with app.app_context():
        db.session.execute(
            sa.text(
                "INSERT INTO backoffice.biller_setting (billercode, checkpoint_at, checkpoint_balance) "
                "SELECT billercode, (now() AT TIME ZONE 'Asia/Jakarta') - interval '1 day', curr_bal "
                "FROM balance_us"
            )
        )
        db.session.commit()
    took = median_ms(lambda: check(client.get("/admin/billers/book/")), runs)
    print(f"book page, checkpoints a day ago: {took:.0f} ms")
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM backoffice.biller_setting"))
        db.session.commit()


def reconcile(app, client, rows: int) -> None:
    from backoffice import reconciliation as recon
    from backoffice.extensions import db

    with app.test_request_context():
        view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "reconciliation")
        code, day, count = busiest_day(db)
        started = time.perf_counter()
        ours = recon.our_lines(view.billers.report, code, day)
        ours_s = time.perf_counter() - started
        content, planted = recon.sample_statement(ours, view.billers.unanswered(code, day))
    content = padded(content, rows, day)
    print(f"biller {code}, day {day}: {count:,} successful transactions of ours (read in {ours_s:.2f} s)")
    print(f"statement: {rows:,} rows, {len(content) / 1e6:.1f} MB CSV")
    with app.test_request_context():
        started = time.perf_counter()
        theirs = recon.read_statement(content, "statement.csv", day)
        parse_s = time.perf_counter() - started
        started = time.perf_counter()
        result = recon.match(ours, theirs)
        match_s = time.perf_counter() - started
    print(f"steps: parse CSV {parse_s:.2f} s, match {match_s:.2f} s")
    print("outcomes: " + ", ".join(f"{k} {len(v):,}" for k, v in result.rows.items()))
    for name, body in (("statement.csv", content), ("statement.xlsx", as_xlsx(content))):
        started = time.perf_counter()
        response = client.post(
            "/admin/reconciliation/upload/",
            data={"biller": code, "day": str(day), "statement": (io.BytesIO(body), name)},
            content_type="multipart/form-data",
        )
        check(response, 302)
        print(f"whole upload request, {name}: {time.perf_counter() - started:.2f} s (goal < 30 s)")


def busiest_day(db):
    """(biller, day, successful transactions) of the busiest biller-day before today."""
    return db.session.execute(
        sa.text(
            "SELECT billercode, requesttime::date AS day, count(*) FROM tempmsg_backup "
            "WHERE responsecode = '00' AND requesttime >= (now() AT TIME ZONE 'Asia/Jakarta')::date - 7 "
            "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1"
        )
    ).one()


def padded(content: bytes, rows: int, day) -> bytes:
    lines = content.decode().splitlines()
    missing = rows - (len(lines) - 1)
    extra = [f"{day:%d-%b-%Y} 12:00:00,PAD{n:09d},25000" for n in range(max(missing, 0))]
    return ("\n".join(lines[: rows + 1] + extra) + "\n").encode()


def as_xlsx(content: bytes) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in csv.reader(io.StringIO(content.decode())):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    main()
