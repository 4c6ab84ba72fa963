"""Every endpoint of every view, for every role, answers as the permission matrix says.

The endpoints come from the application's URL map, so a view added later is covered without
anyone remembering to add it here. Refused writes leave every application table unchanged.
"""

import re

import pytest
import sqlalchemy as sa

from backoffice.views.base import WRITE_ENDPOINTS
from backoffice.views.gate import GateMixin
from tests.helpers import csrf_token
from tests.test_views import table_checksum

#: Endpoints outside the gate, each on purpose: assets, the redirect to the admin, the health check
#: (it says only whether the database answers). Anything else must belong to a gated view.
OUTSIDE_THE_ADMIN = {"static", "admin.static", "root", "healthz"}
ROLES = ("administrator", "staff", "auditor")


def admin_rules(app):
    """(rule, view, function name) for every URL the admin site serves."""
    views = {view.endpoint: view for view in app.extensions["admin"][0]._views}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OUTSIDE_THE_ADMIN or rule.endpoint.startswith(("auth.", "second_factor.")):
            continue
        blueprint, _, function = rule.endpoint.partition(".")
        yield rule, views[blueprint], function


def test_every_admin_endpoint_belongs_to_a_gated_view(app):
    rules = list(admin_rules(app))
    assert len(rules) > 50 * 9
    ungated = {view.endpoint for _, view, _ in rules if not isinstance(view, GateMixin)}
    assert ungated == set()


def expected(app, role, view, function) -> bool:
    if view is app.extensions["admin"][0].index_view or view.endpoint == "search":
        return True  # the dashboard and the search box: every logged-in user (results follow the role)
    capability = view.endpoint_capabilities.get(function)
    if capability is None:
        return False
    if function in WRITE_ENDPOINTS and not getattr(view, "table_writable", True):
        return False
    if function == "create_view" and getattr(view, "create_blocked_by", ()):
        return False  # a required column no form can fill: a new row could never be saved
    return app.extensions["backoffice"].matrix.allows(role, capability, view.endpoint)


def url_of(rule) -> str:
    """A URL of ``rule``: exports as CSV, numbers of records that do not exist, other parts as written."""
    url = re.sub(r"<(?:\w+:)?export_type>", "csv", rule.rule)
    return re.sub(r"<int:\w+>", "999999", url)


@pytest.mark.parametrize("role", ROLES)
def test_each_endpoint_answers_as_the_matrix_says(app, login_as, sql, role):
    client = login_as(role)
    token = csrf_token(client, "/admin/")
    tables = app.extensions["backoffice"].tables
    wrong = []
    for rule, view, function in admin_rules(app):
        allowed = expected(app, role, view, function)
        table = view.endpoint if view.endpoint in tables else None
        if "POST" in rule.methods:
            before = table_checksum(sql, table) if table and not allowed else None
            response = client.post(url_of(rule), data={"csrf_token": token})
            if before is not None and table_checksum(sql, table) != before:
                wrong.append((rule.rule, function, "changed the table"))
        else:
            response = client.get(url_of(rule))
        if (response.status_code != 403) != allowed or response.status_code >= 500:
            wrong.append((rule.rule, function, response.status_code, allowed))
    assert wrong == []


def test_refused_pages_say_so_plainly(login_as):
    response = login_as("staff").get("/admin/am_user/new/")
    assert response.status_code == 403
    assert "You are not allowed to open this page or do this action." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "role, visible, hidden",
    [
        ("staff", ["Transactions", "Agents"], ["Panel", "Activity"]),
        ("auditor", ["Activity", "Agent logins"], ["Transactions", "Products"]),
        ("administrator", ["Panel", "Transactions", "Activity"], []),
    ],
)
def test_menus_show_only_what_the_role_may_open(login_as, role, visible, hidden):
    html = login_as(role).get("/admin/").get_data(as_text=True)
    menu = html[html.index("navbar-nav") : html.index("navbar-right")]
    for label in visible:
        assert label in menu, label
    for label in hidden:
        assert f">{label}<" not in menu.replace("\n", "").replace("  ", ""), label


def test_staff_see_no_edit_controls(login_as):
    html = login_as("staff").get("/admin/trancode/").get_data(as_text=True)
    assert "/admin/trancode/new/" not in html
    assert "/admin/trancode/edit/" not in html
    assert "/admin/trancode/delete/" not in html
    assert "action_form" not in html or "Delete" not in html


def test_writes_of_non_writers_run_in_a_read_only_transaction(app):
    from flask import g

    from backoffice.extensions import db

    with app.test_request_context("/admin/trancode/"):
        g.read_only = True
        with pytest.raises(sa.exc.InternalError, match="read-only transaction"):
            db.session.execute(sa.text("UPDATE trancode SET trancodename = 'x'"))
        db.session.rollback()


def test_every_request_runs_under_a_statement_timeout(app):
    from backoffice.extensions import db

    app.config["BACKOFFICE_STATEMENT_TIMEOUT_MS"] = 200
    with app.test_request_context("/admin/trancode/"):
        assert db.session.scalar(sa.text("SHOW statement_timeout")) == "200ms"
        with pytest.raises(sa.exc.OperationalError, match="statement timeout"):
            db.session.execute(sa.text("SELECT pg_sleep(2)"))
        db.session.rollback()


def test_a_list_that_times_out_renders_with_a_plain_message(app, login_as, database_url):
    client = login_as("staff")
    app.config["BACKOFFICE_STATEMENT_TIMEOUT_MS"] = 300
    locker = sa.create_engine(database_url)
    with locker.connect() as conn, conn.begin():
        conn.exec_driver_sql("LOCK TABLE trancode IN ACCESS EXCLUSIVE MODE")
        response = client.get("/admin/trancode/")
    locker.dispose()
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The query took too long and was stopped. Narrow the filter and try again." in html
    assert client.get("/admin/trancode/").status_code == 200  # the session recovered


@pytest.mark.parametrize("role", ["administrator", "staff"])
def test_the_operators_pages_come_first_in_their_own_menu(login_as, role):
    page = login_as(role).get("/admin/").get_data(as_text=True)
    menu = page[page.index('id="admin-navbar-collapse"') :]
    first = re.search(
        r'class="dropdown-toggle nav-link"[^>]*>\s*(?:<!--.*?-->\s*)*([^<]+?)\s*<', menu, re.S
    ).group(1)
    assert first == "Operations"
    operations = menu[: menu.index("</ul>", menu.index("Operations"))]
    for page_url in ("/admin/report/", "/admin/report/recap", "/admin/billers/", "/admin/billers/book/"):
        assert f'href="{page_url}"' in operations
