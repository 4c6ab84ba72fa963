"""A working day's load: concurrent logged-in users against gunicorn, with the documented settings.

    .venv/bin/python bench/load.py --database-url postgresql://...ppob_bench_10000000 \\
        [--users 50] [--duration 300] [--workers 3] [--threads 4]

Starts gunicorn (gthread workers, ``--workers`` x ``--threads``, a database pool of ``--threads``
connections plus as many overflow per worker, as the README's production section says) on the
given database in production mode, creates one staff user per simulated user, and lets each user
log in and then, with 1 to 3 seconds of thinking between steps, pick from a day's mix:

    list      a first page of a generated list (transactions, agents, products, agent mutations)
    filter    tempmsg_backup filtered to one day, or am_update_balance to one agent
    report    the live report, then its live refresh twice, 5 seconds apart
    balance   the biller balance page
    export    a small export: one agent's transactions today as CSV, or the product list as Excel

It prints, per page type, requests, errors (any status >= 400 or failed request), p50 and p95 in
ms; the database connections in use at peak (pg_stat_activity, sampled every second); and the
memory (RSS) of gunicorn and its workers at start and end.
"""

import argparse
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from datetime import datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backoffice.settings import PPOB_CONFIG_FILE  # noqa: E402
from bench.views import url as list_url  # noqa: E402

PASSWORD = "load-test-password"
THINK_SECONDS = (1.0, 3.0)
WEIGHTS = {"list": 30, "filter": 20, "report": 25, "balance": 15, "export": 10}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=300, help="seconds of load")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    urls = prepare(args.database_url, args.users)
    server = start_gunicorn(args)
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_until_up(base)
        memory_start = rss_mb(server.pid)
        stats = Stats()
        stop = time.monotonic() + args.duration
        peak = PeakConnections(args.database_url)
        peak.start()
        users = [
            threading.Thread(target=User(base, f"load-{n:02d}", urls, stats).run, args=(stop,), daemon=True)
            for n in range(1, args.users + 1)
        ]
        for user in users:
            user.start()
            time.sleep(0.05)  # people do not all log in in the same millisecond
        for user in users:
            user.join()
        peak.stop()
        memory_end = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    report(args, stats, peak.peak, memory_start, memory_end)


def prepare(database_url: str, users: int) -> dict[str, list[str]]:
    """Create the load users and work out the URLs of the mix (filters need the view's indices)."""
    from app import create_app
    from backoffice.cli import create_user
    from backoffice.extensions import db
    from backoffice.models.panel import PanelUser
    from backoffice.schema import init_database

    app = create_app(
        {
            "BACKOFFICE_MODE": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BACKOFFICE_CONFIG_FILE": PPOB_CONFIG_FILE,
        }
    )
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    day = today - timedelta(days=3)
    with app.app_context():
        init_database(db.engine)
        for n in range(1, users + 1):
            if db.session.scalar(sa.select(PanelUser).filter_by(username=f"load-{n:02d}")) is None:
                create_user(f"load-{n:02d}", "staff", PASSWORD)
        agents = db.session.scalars(sa.text("SELECT agent_id FROM am_user ORDER BY agent_id LIMIT 200")).all()
        db.engine.dispose()
    one_day = f"{day} 00:00:00 to {day} 23:59:59"
    return {
        "list": [
            "/admin/tempmsg_backup/",
            "/admin/am_user/",
            "/admin/trancode/",
            "/admin/am_update_balance/",
        ],
        "filter": [
            urllib.parse.quote(list_url(app, "tempmsg_backup", {"filter": ("requesttime", one_day)}), "/?=&")
        ]
        + [f"/admin/am_update_balance/?search={agent}" for agent in agents[:50]],
        "export": [f"/admin/report/export/csv/?agent={agent}" for agent in agents]
        + ["/admin/trancode/export/xlsx/"],
    }


def start_gunicorn(args) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "BACKOFFICE_CONFIG_FILE": PPOB_CONFIG_FILE,
        "SECRET_KEY": secrets.token_hex(32),
        "BACKOFFICE_MODE": "production",
        "BACKOFFICE_SECURE_COOKIES": "false",  # plain HTTP on localhost
        "BACKOFFICE_DB_POOL_SIZE": str(args.threads),
        "BACKOFFICE_DB_MAX_OVERFLOW": str(args.threads),
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers", str(args.workers),
        "--worker-class", "gthread",
        "--threads", str(args.threads),
        "--bind", f"127.0.0.1:{args.port}",
        "--timeout", "120",
        "wsgi:app",
    ]  # fmt: skip
    print("gunicorn:", " ".join(command[1:]))
    log = open(ROOT / "instance" / "load-gunicorn.log", "w")  # noqa: SIM115 (kept open for the child)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(base: str) -> None:
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz within a minute (see instance/load-gunicorn.log)")


class Stats:
    """Latencies and errors per page type, shared by the users' threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_examples: list[str] = []

    def add(self, kind: str, ms: float, error: str | None) -> None:
        with self.lock:
            self.samples[kind].append(ms)
            if error:
                self.errors[kind] += 1
                if len(self.error_examples) < 10:
                    self.error_examples.append(f"{kind}: {error}")


class User:
    """One person: logs in, then works through the mix until the time is up."""

    def __init__(self, base: str, username: str, urls: dict, stats: Stats):
        self.base, self.username, self.urls, self.stats = base, username, urls, stats
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.random = random.Random(username)

    def run(self, stop: float) -> None:
        self.login()
        kinds, weights = zip(*WEIGHTS.items(), strict=True)
        while time.monotonic() < stop:
            kind = self.random.choices(kinds, weights)[0]
            getattr(self, kind)()
            time.sleep(self.random.uniform(*THINK_SECONDS))

    def login(self) -> None:
        page = self.get("login", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        form = {
            "username": self.username,
            "password": PASSWORD,
            "csrf_token": token.group(1) if token else "",
        }
        self.get("login", "/login", form)

    def list(self) -> None:
        self.get("list", self.random.choice(self.urls["list"]))

    def filter(self) -> None:
        self.get("filter", self.random.choice(self.urls["filter"]))

    def report(self) -> None:
        self.get("report", "/admin/report/")
        for _ in range(2):
            time.sleep(5)
            since = (datetime.now(ZoneInfo("Asia/Jakarta")) - timedelta(seconds=35)).strftime(
                "%Y-%m-%dT%H:%M:%S"
            )
            self.get("report live", f"/admin/report/live?since={since}")

    def balance(self) -> None:
        self.get("balance", "/admin/billers/")

    def export(self) -> None:
        self.get("export", self.random.choice(self.urls["export"]))

    def get(self, kind: str, path: str, form: dict | None = None) -> str:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        began = time.perf_counter()
        error, body = None, ""
        try:
            with self.opener.open(self.base + path, data=data, timeout=120) as response:
                body = response.read().decode("utf-8", "replace")
                if "/login" in response.url and kind != "login":
                    error = "sent back to the login page"
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code} on {path}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            error = f"{type(exc).__name__} on {path}"
        self.stats.add(kind, (time.perf_counter() - began) * 1000, error)
        return body


class PeakConnections(threading.Thread):
    """Samples the client connections to the database every second; keeps the highest count."""

    def __init__(self, database_url: str):
        super().__init__(daemon=True)
        self.engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg2://", 1))
        self.peak = 0
        self.running = threading.Event()

    def run(self) -> None:
        self.running.set()
        with self.engine.connect() as conn:
            while self.running.is_set():
                count = conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                    )
                )
                conn.rollback()
                self.peak = max(self.peak, count)
                time.sleep(1)

    def stop(self) -> None:
        self.running.clear()
        self.join()
        self.engine.dispose()


def rss_mb(pid: int) -> tuple[float, list[float]]:
    """Resident memory of gunicorn's master and of each worker, in MB."""
    master = psutil.Process(pid)
    workers = [child.memory_info().rss / 2**20 for child in master.children()]
    return master.memory_info().rss / 2**20, workers


def report(args, stats: Stats, peak: int, memory_start, memory_end) -> None:
    total = sum(len(v) for v in stats.samples.values())
    errors = sum(stats.errors.values())
    print(f"\n{args.users} users for {args.duration} s: {total:,} requests ({total / args.duration:.1f}/s), "
          f"{errors} errors")  # fmt: skip
    print(f"{'page type':<14}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for kind, samples in sorted(stats.samples.items()):
        p50 = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20, method="inclusive")[-1] if len(samples) > 1 else samples[0]
        print(
            f"{kind:<14}{len(samples):>10,}{stats.errors[kind]:>8}{p50:>9.0f}{p95:>9.0f}{max(samples):>9.0f}"
        )
    for example in stats.error_examples:
        print("  error:", example)
    allowed = args.workers * args.threads * 2
    print(f"database connections in use at peak: {peak} (the pools allow {allowed})")
    for label, (master, workers) in (("start", memory_start), ("end", memory_end)):
        print(
            f"memory at {label}: master {master:.0f} MB, workers "
            + ", ".join(f"{w:.0f}" for w in workers)
            + " MB"
        )


if __name__ == "__main__":
    main()
