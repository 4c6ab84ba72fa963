"""Lists that stay cheap on large tables: no exact count, indexed sorts and filters, exact search."""

import json
import re

import pytest
import sqlalchemy as sa

from tests.helpers import form_values

# The test data is small: call a table large above 500 rows, as ppob_user_activity (2,400),
# tempmsg_backup (2,700) and messagein_backup (about 650) are, and refer to am_user (40) by search.
pytestmark = pytest.mark.parametrize(
    "app", [{"BACKOFFICE_LARGE_TABLE_ROWS": 500, "BACKOFFICE_SELECT_ROWS": 10}], indirect=True
)


def view(app, endpoint):
    return next(v for v in app.extensions["admin"][0]._views if v.endpoint == endpoint)


def test_a_large_list_shows_the_planners_estimate_not_a_count(login_as, sql):
    html = login_as("staff").get("/admin/tempmsg_backup/").get_data(as_text=True)
    rows = sql.scalar(sa.text("SELECT reltuples::bigint FROM pg_class WHERE relname = 'tempmsg_backup'"))
    assert re.search(r'row-estimate">about [\d.]+ rows<', html)
    assert f"about {rows:,} rows".replace(",", ".") in html
    assert not re.search(r"List \(\d+\)", html)


def test_small_tables_keep_exact_counts(login_as, sql):
    html = login_as("staff").get("/admin/trancode/").get_data(as_text=True)
    count = sql.scalar(sa.text("SELECT count(*) FROM trancode"))
    assert f"List ({count})" in html and "row-estimate" not in html


def test_large_tables_sort_and_filter_only_by_indexed_columns_unless_the_file_says(app):
    activity = view(app, "ppob_user_activity")  # the file names its filters, not its sorts
    indexed = app.extensions["backoffice"].tables["ppob_user_activity"].indexed_columns
    assert set(activity.column_sortable_list) == {"id", "activitytime"} <= indexed
    messages = view(app, "messagein_backup")  # the file says nothing: no index, nothing to sort or filter by
    assert list(messages.column_sortable_list) == [] and list(messages.column_filters) == []
    backup = view(app, "tempmsg_backup")  # the file widens the filters on purpose
    assert "statusreply" in backup.column_filters


def test_search_on_a_large_table_is_exact(login_as, sql):
    client = login_as("staff")
    noref = sql.scalar(sa.text("SELECT noref FROM tempmsg_backup ORDER BY requesttime DESC LIMIT 1"))
    found = client.get(f"/admin/tempmsg_backup/?search={noref}").get_data(as_text=True)
    assert re.search(r'class="col-noref">\s*' + noref, found)
    partial = client.get(f"/admin/tempmsg_backup/?search={noref[:6]}").get_data(as_text=True)
    assert "There are no items in the table." in partial


def test_index_advice_names_the_unindexed_filters_of_large_tables_only(runner):
    result = runner.invoke(args=["index-advice"])
    assert result.exit_code == 0
    assert (
        'CREATE INDEX CONCURRENTLY "tempmsg_backup_statusreply_bo_idx" '
        'ON "public"."tempmsg_backup" ("statusreply");' in result.output
    )
    # The transaction desk finds a reference's messages by their time: the large backup needs it.
    assert '"messagein_backup_waktu_bo_idx" ON "public"."messagein_backup" ("waktu");' in result.output
    assert "trancode" not in result.output.replace("tempmsg", "")  # small tables need no advice
    assert "requesttime" not in result.output  # already indexed


def test_deep_pages_of_a_large_table_go_by_key(login_as, sql):
    import html as markup

    client = login_as("staff")
    url, shown = "/admin/tempmsg_backup/", []
    for _ in range(3):
        page = client.get(url).get_data(as_text=True)
        shown += [key.replace(".,", ",") for key in re.findall(r'details/\?id=([^&"]+)', page)]
        url = markup.unescape(re.search(r'rel="next" href="([^"]+)"', page).group(1))
        assert "after=" in url and "page=" not in url
    expected = (
        sql.execute(
            sa.text("SELECT ctid::text FROM tempmsg_backup ORDER BY requesttime DESC, ctid DESC LIMIT 75")
        )
        .scalars()
        .all()
    )
    assert shown == expected


def test_a_cursor_that_does_not_fit_shows_the_first_page(login_as):
    client = login_as("staff")
    first = client.get("/admin/tempmsg_backup/").get_data(as_text=True)
    for cursor in ("not-json", '["x", "y"]', '["2026-01-01T00:00:00"]', "[1, 2]"):
        page = client.get("/admin/tempmsg_backup/", query_string={"after": cursor})
        assert page.status_code == 200
        assert re.findall(r"details/\?id=([^&\"]+)", page.get_data(as_text=True)) == re.findall(
            r"details/\?id=([^&\"]+)", first
        )


def test_a_foreign_key_to_a_large_table_is_searched_not_loaded(login_as, sql):
    sql.execute(sa.text("UPDATE am_user SET password = 'SECRET-' || agent_id"))
    token_id, agent = sql.execute(sa.text("SELECT token_id, agent_id FROM am_user_token LIMIT 1")).one()
    name = sql.scalar(sa.text("SELECT agent_name FROM am_user WHERE agent_id = :a"), {"a": agent})
    client = login_as("administrator")
    form = client.get(f"/admin/am_user_token/edit/?id={token_id}").get_data(as_text=True)
    assert 'data-role="select2-ajax"' in form and "/admin/am_user_token/ajax/lookup/?name=agent_id" in form
    assert json.dumps([agent, f"{agent} - {name}"]).replace('"', "&#34;") in form  # the current agent
    assert "<option" not in form.split('name="agent_id"')[0].rsplit("<label", 1)[-1]
    lookup = "/admin/am_user_token/ajax/lookup/?name=agent_id&limit=500&query="
    by_key = client.get(lookup + agent[:5]).get_json()
    expected = sql.scalars(
        sa.text("SELECT agent_id FROM am_user WHERE agent_id LIKE :p ORDER BY agent_id LIMIT 20"),
        {"p": agent[:5] + "%"},
    ).all()
    assert [key for key, _ in by_key] == expected and expected
    by_name = client.get(lookup + name.split()[0].lower()).get_json()
    assert agent in [key for key, _ in by_name]
    assert all(text.split(" - ", 1)[1].lower().startswith(name.split()[0].lower()) for _, text in by_name)
    assert "SECRET-" not in json.dumps(by_key + by_name)
    assert client.get(lookup + "%").get_json() == []  # a LIKE wildcard is a character, not "anything"


def test_a_searched_foreign_key_saves_a_referred_row_and_refuses_any_other(login_as, sql):
    token_id, agent = sql.execute(sa.text("SELECT token_id, agent_id FROM am_user_token LIMIT 1")).one()
    other = sql.scalar(sa.text("SELECT agent_id FROM am_user WHERE agent_id <> :a LIMIT 1"), {"a": agent})
    client = login_as("administrator")
    url = f"/admin/am_user_token/edit/?id={token_id}"
    refused = client.post(
        url, data={**form_values(client.get(url).get_data(as_text=True)), "agent_id": "0800"}
    )
    assert "Not a valid choice" in refused.get_data(as_text=True)
    current = "SELECT agent_id FROM am_user_token WHERE token_id = :t"
    assert sql.scalar(sa.text(current), {"t": token_id}) == agent
    values = {**form_values(client.get(url).get_data(as_text=True)), "agent_id": other}
    assert client.post(url, data=values).status_code == 302
    assert sql.scalar(sa.text(current), {"t": token_id}) == other


def test_only_those_who_may_list_the_referred_table_see_its_rows(client, login_as):
    lookup = "/admin/am_user_token/ajax/lookup/?name=agent_id&query=08"
    assert client.get(lookup).status_code == 302  # not logged in: to the login page
    auditor = login_as("auditor")  # may list login tokens (activity), not agents
    assert auditor.get(lookup).status_code == 200 and auditor.get(lookup).get_json() == []
    assert auditor.get("/admin/am_user_token/ajax/lookup/?name=token&query=a").status_code == 404


def test_a_lookup_the_database_refuses_answers_no_matches_and_logs_why(login_as, sql, caplog):
    client = login_as("administrator")
    sql.execute(sa.text("ALTER TABLE am_user RENAME COLUMN agent_name TO agent_name_renamed"))
    response = client.get("/admin/am_user_token/ajax/lookup/?name=agent_id&query=08")
    assert response.status_code == 200 and response.get_json() == []
    assert "am_user" in caplog.text and "agent_name" in caplog.text
