"""Malformed and hostile list parameters: never a 500, never a change in the database."""

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import BuildError

from tests.helpers import csrf_token
from tests.test_views import PPOB_TABLES, database_checksum

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "-1",
        "0",
        "99999999999999999999",
        "1e309",
        "NaN",
        "'",
        '"',
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "\x00",
        "a\x00b",
        "2026-13-45",
        "2026-02-30 25:61:61",
        "31/12/2026",
        "<script>alert(1)</script>",
        '=HYPERLINK("x")',
        "\u202e",
        "\ud7ff",
        "😀",
        "a" * 5000,
        "1,2",
        "true",
        "null",
        "[]",
        "{}",
    ]
)
VALUES = st.one_of(HOSTILE, st.text(max_size=40), st.integers().map(str))
KEYS = st.one_of(
    st.sampled_from(
        [
            "page",
            "sort",
            "desc",
            "search",
            "page_size",
            "flt0_0",
            "flt1_1",
            "flt2_5",
            "flt0_999",
            "flt99_0",
            "fltx_y",
            "id",
            "url",
        ]
    ),
    st.from_regex(r"flt[0-9]{1,3}_[0-9]{1,3}", fullmatch=True),
)


@pytest.fixture
def admin_client(login_as):
    return login_as("administrator")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(PPOB_TABLES), params=st.dictionaries(KEYS, VALUES, max_size=5))
def test_list_views_answer_hostile_parameters_without_a_500(admin_client, table, params):
    response = admin_client.get(f"/admin/{table}/", query_string=params)
    assert response.status_code < 500, (table, params)


def test_hostile_parameters_change_nothing(login_as, sql):
    client = login_as("staff")
    before = database_checksum(sql)
    for table in PPOB_TABLES:
        for params in (
            {"search": "'; DROP TABLE am_user; --"},
            {"flt0_0": "x'); DELETE FROM trancode; --"},
            {"sort": "1; DELETE FROM trancode"},
            {"page": "-5"},
        ):
            assert client.get(f"/admin/{table}/", query_string=params).status_code < 500
    assert database_checksum(sql) == before


#: Path segments, query and form values beyond the list's own: ids of the wrong type, dates at the
#: edges of the calendar, unicode digits, control characters and line separators.
ANY_VALUE = st.one_of(
    HOSTILE,
    st.sampled_from(
        ["0001-01-01", "9999-12-31", "2026-02-29", "٢٥٠٠٠", "２５０００", "a\u2028b", "\r\n", "\x1b[31m"]
    ),
    st.text(max_size=30),
)
ANY_KEY = st.one_of(
    KEYS,
    st.sampled_from(
        ["q", "next", "from", "to", "biller", "kind", "before", "after", "since", "table", "key", "by"]
    ),
)


def _routes(app):
    """(rule, method) for every admin and login route, with the names of its path arguments."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "admin.static", "auth.logout"):  # logout would end the walk
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule, method


# About 30 s: every route of the URL map, its path segments, query and form values.
@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_route_answers_hostile_input_without_a_500(app, admin_client, data):
    rule, method = data.draw(st.sampled_from(sorted(_routes(app), key=lambda r: (r[0].rule, r[1]))))
    segments = {name: data.draw(ANY_VALUE.filter(lambda v: v and "/" not in v)) for name in rule.arguments}
    with app.test_request_context():
        try:
            url = url_for(rule.endpoint, **segments)
        except (ValueError, BuildError):  # a value the route's converter does not take (an int)
            return
    values = data.draw(st.dictionaries(ANY_KEY, ANY_VALUE, max_size=4))
    if method == "GET":
        response = admin_client.get(url, query_string=values)
    else:
        response = admin_client.post(url, data={**values, "csrf_token": csrf_token(admin_client, "/admin/")})
    assert response.status_code < 500, (method, url, values)


def test_what_the_route_fuzz_found_stays_fixed(admin_client):
    edge = admin_client.get("/admin/billers/DGF/history/?from=9999-12-31&to=0001-01-01")
    assert edge.status_code == 200 and "outside the dates a report covers" in edge.get_data(as_text=True)
    assert admin_client.get("/admin/billers/%00/history/").status_code == 404
    assert admin_client.get("/admin/trancode/details/?id=1,2").status_code == 302  # no such record
    assert admin_client.post("/admin/trancode/delete/", data={"url": "\n"}).status_code == 400
    token = csrf_token(admin_client, "/admin/")
    deleted = admin_client.post("/admin/am_user_trash/delete/", data={"id": "\x00", "csrf_token": token})
    assert deleted.status_code == 302  # a NUL in a key finds no record (PostgreSQL refuses it)
