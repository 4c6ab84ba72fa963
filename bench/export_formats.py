"""How many rows each export format that cannot stream writes per second, and so how many fit in
the few seconds a download may hold a worker (the settings BACKOFFICE_XLSX_MAX_ROWS and
BACKOFFICE_ODS_MAX_ROWS are set from it).

    .venv/bin/python bench/export_formats.py [--seconds 3] [--rows 10000]

Rows are shaped like the transaction list's (text, money, a time, codes), written through the
panel's own cell conversion and tablib, as the export pipeline does; CSV is not measured here, it
streams (bench/report.py compares it with COPY).
"""

import argparse
import statistics
import sys
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import tablib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backoffice.exports import cell  # noqa: E402

ROW = (
    "081234567890",
    "Konter Pulsa Berkah Jaya",
    "TSEL10",
    Decimal("10250.00"),
    datetime(2026, 12, 1, 10, 0, 5),
    "SUKSES",
    "1234567890123456",
    1,
    "DGF",
    "=catatan agen",
)


def rows_per_second(fmt: str, rows: int, runs: int) -> float:
    data = [[cell(value) for value in ROW] for _ in range(rows)]
    times = []
    for _ in range(runs):
        dataset = tablib.Dataset(*data, headers=[f"kolom_{i}" for i in range(len(ROW))])
        start = time.perf_counter()
        dataset.export(fmt)
        times.append(time.perf_counter() - start)
    return rows / statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="what a download may take")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'format':<6} {'rows/s':>10} {'rows in ' + str(args.seconds) + ' s':>14}")
    for fmt in ("xlsx", "ods", "json"):
        speed = rows_per_second(fmt, args.rows, args.runs)
        print(f"{fmt:<6} {speed:>10,.0f} {speed * args.seconds:>14,.0f}")


if __name__ == "__main__":
    main()
