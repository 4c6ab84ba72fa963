"""A generated list as one request asks for it: its arguments read once, its query built once, its
export the whole filtered list whatever page it was started from; and a view without a menu group
closed to everyone but administrators."""

import ast
import csv
import html as markup
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_admin import expose
from flask_admin.contrib.sqla.filters import FilterEqual

from app import create_app
from backoffice.extensions import db
from backoffice.views.gate import GatedBaseView
from tests.conftest import PASSWORDS, PPOB_SETTINGS
from tests.helpers import log_in

#: The test data is small: tempmsg_backup (2,700 rows) is a large table above 500 rows.
LARGE = {"BACKOFFICE_LARGE_TABLE_ROWS": 500}
BACKOFFICE = Path(__file__).resolve().parent.parent / "backoffice"


def _filter_arg(app, endpoint: str, column: str) -> str:
    """The query-string argument of the "equals" filter of ``column`` in the first filter slot."""
    view = app.extensions["backoffice"].views[endpoint]
    return next(
        f"flt0_{arg}"
        for arg, (_, flt) in view._filter_args.items()
        if isinstance(flt, FilterEqual) and flt.column.name == column
    )


def _common_status(sql) -> str:
    query = "SELECT statusreply FROM tempmsg_backup GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    return sql.scalar(sa.text(query))


@pytest.mark.parametrize("app", [LARGE], indirect=True)
def test_an_export_from_an_older_page_holds_the_whole_filtered_list(app, login_as, sql):
    client = login_as("staff")
    status = _common_status(sql)
    first = client.get(
        "/admin/tempmsg_backup/", query_string={_filter_arg(app, "tempmsg_backup", "statusreply"): status}
    )
    older = markup.unescape(re.search(r'rel="next" href="([^"]+)"', first.get_data(as_text=True)).group(1))
    page = client.get(older).get_data(as_text=True)
    assert "after=" in older and "Newest" in page
    export = markup.unescape(re.search(r'href="([^"]*/export/csv/[^"]*)"', page).group(1))
    rows = list(csv.reader(io.StringIO(client.get(export).get_data(as_text=True))))[1:]
    expected = sql.scalar(
        sa.text("SELECT count(*) FROM tempmsg_backup WHERE statusreply = :s"), {"s": status}
    )
    assert len(rows) == expected > 50  # every row of the filter, not those past the page's cursor


def _statements_of(app, client, url: str, table: str) -> list[str]:
    """The SQL statements on ``table`` that one request of ``url`` sent to the database."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if (
            f"FROM {table}" in statement
            or f'FROM "{table}"' in statement
            or f"FROM public.{table}" in statement
        ):
            sent.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return sent


def _where(statement: str) -> str:
    return statement.split("WHERE", 1)[1].split("ORDER BY", 1)[0].strip()


@pytest.mark.parametrize("app", [LARGE], indirect=True)
def test_a_large_list_page_is_built_once_for_its_rows_and_its_estimate(app, login_as, sql):
    client = login_as("staff")
    arg = _filter_arg(app, "tempmsg_backup", "statusreply")
    sent = _statements_of(
        app, client, f"/admin/tempmsg_backup/?{arg}={_common_status(sql)}", "tempmsg_backup"
    )
    explain, rows = sorted(sent, key=lambda s: not s.startswith("EXPLAIN"))
    assert len(sent) == 2 and explain.startswith("EXPLAIN") and "LIMIT" in rows
    # The estimate explains the very query of the page, filter included (literal, as EXPLAIN needs).
    assert "statusreply" in _where(explain) and "statusreply" in _where(rows)


def test_a_small_list_page_sends_one_count_and_one_select(app, login_as):
    sent = _statements_of(app, login_as("staff"), "/admin/trancode/?search=TSEL", "trancode")
    assert len(sent) == 2 and sum("count(" in s for s in sent) == 1
    assert _where(sent[0]) == _where(sent[1]).split("LIMIT")[0].strip()  # the same search


#: The modules of the generated views' list path: none may read the query string but ListRequest.
LIST_PATH = [
    "base.py",
    "listing.py",
    "gate.py",
    "versioning.py",
    "writes.py",
    "row_values.py",
    "generated.py",
    "audit.py",
]


def _uses(source: str, attribute: str, of: str | None = None) -> list[int]:
    """Lines where ``source`` uses ``attribute`` (of the name ``of``, when given)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and node.attr == attribute
        and (of is None or (isinstance(node.value, ast.Name) and node.value.id == of))
    ]


def test_only_the_list_request_reads_the_lists_arguments():
    readers = {
        name: _uses((BACKOFFICE / "views" / name).read_text(), "args", of="request") for name in LIST_PATH
    }
    assert {name: lines for name, lines in readers.items() if lines} == {}
    parsers = [
        path.name
        for path in (BACKOFFICE / "views").glob("*.py")
        for _ in _uses(path.read_text(), "_get_list_extra_args")
    ]
    # Flask-Admin's parser of the list's arguments is called once, by ListRequest.read.
    assert parsers == ["listing.py"]
    listed = (BACKOFFICE.parent / "templates" / "backoffice" / "model_list.html").read_text()
    assert "request.args" not in listed


class _Ungrouped(GatedBaseView):
    endpoint_capabilities = {"index": "list"}

    @expose("/")
    def index(self):
        return "ungrouped"


def test_a_view_added_without_a_group_is_refused_to_all_but_administrators(database_url):
    app = create_app({**PPOB_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url})
    app.extensions["admin"][0].add_view(_Ungrouped(name="Ungrouped", endpoint="ungrouped"))
    try:
        for role, status in (("staff", 403), ("auditor", 403), ("administrator", 200)):
            client = log_in(app.test_client(), role, PASSWORDS[role])
            assert client.get("/admin/ungrouped/").status_code == status, role
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
