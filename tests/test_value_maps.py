"""Value maps: stored codes shown as the business's words, in every place a column appears."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from backoffice.catalogue import ConfigError
from backoffice.settings import PPOB_CONFIG_FILE
from tests.conftest import PPOB_SETTINGS
from tests.helpers import form_values


def first_agent(sql) -> str:
    return sql.scalar(sa.text("SELECT min(agent_id) FROM am_user"))


def test_lists_and_details_show_the_word_in_its_badge(login_as, sql):
    agent = first_agent(sql)
    sql.execute(sa.text("UPDATE am_user SET status = '1' WHERE agent_id = :a"), {"a": agent})
    client = login_as("staff")
    listed = client.get(f"/admin/am_user/?search={agent}").get_data(as_text=True)
    cell = re.search(r'class="col-status">\s*(.*?)\s*</td>', listed, re.S).group(1)
    assert cell == '<span class="badge badge-success" title="1">Active</span>'
    details = client.get(f"/admin/am_user/details/?id={agent}").get_data(as_text=True)
    assert 'badge-success" title="1">Active<' in details


def test_a_filter_offers_the_words_and_filters_by_the_code(login_as, sql):
    client = login_as("staff")
    page = client.get("/admin/tempmsg_backup/").get_data(as_text=True)
    groups = json.loads(re.search(r'id="filter-groups-data" class="d-none">(.*?)</div>', page).group(1))
    options = groups["Status"][0]["options"]
    assert ["GAGAL", "Failed"] in options and ["SUKSES", "Success"] in options
    arg = groups["Status"][0]["arg"]
    failed = client.get(f"/admin/tempmsg_backup/?flt0_{arg}=GAGAL").get_data(as_text=True)
    shown = set(re.findall(r'class="col-statusreply">\s*(.*?)\s*</td>', failed, re.S))
    assert shown == {'<span class="badge badge-danger" title="GAGAL">Failed</span>'}


def test_a_form_offers_the_known_codes_and_keeps_a_legacy_one_on_an_unchanged_save(login_as, sql):
    agent = first_agent(sql)
    sql.execute(sa.text("UPDATE am_user SET status = '9' WHERE agent_id = :a"), {"a": agent})
    client = login_as("administrator")
    url = f"/admin/am_user/edit/?id={agent}"
    page = client.get(url).get_data(as_text=True)
    select = page[page.index('id="status"') : page.index("</select>", page.index('id="status"'))]
    assert '<option value="1">Active</option>' in select and '<option selected value="9">9</option>' in select
    assert client.post(url, data=form_values(page)).status_code == 302
    assert sql.scalar(sa.text("SELECT status FROM am_user WHERE agent_id = :a"), {"a": agent}) == "9"


def test_an_export_writes_the_word_then_the_code(login_as, sql):
    agent = first_agent(sql)
    sql.execute(sa.text("UPDATE am_user SET status = '0' WHERE agent_id = :a"), {"a": agent})
    text = login_as("staff").get(f"/admin/am_user/export/csv/?search={agent}").get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert (row["Status"], row["Status (code)"]) == ("Inactive", "0")


@pytest.mark.parametrize(
    "wrong, message",
    [
        (
            '[column_values]\nstatusreply = "nowhere"',
            "BO-E008 backoffice.toml: [column_values]: statusreply names no value map 'nowhere'",
        ),
        (
            '[value_maps.odd]\n"1" = { label = "x", badge = "pink" }',
            "BO-E008 backoffice.toml: [value_maps.odd] '1': badge is one of",
        ),
    ],
)
def test_a_wrong_value_map_stops_start_up_with_one_line(database_url, tmp_path, wrong, message):
    config = tmp_path / "backoffice.toml"
    shipped = Path(PPOB_CONFIG_FILE).read_text()
    config.write_text(shipped.replace("[column_values]\n", "[old_column_values]\n") + "\n" + wrong + "\n")
    settings = {
        **PPOB_SETTINGS,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BACKOFFICE_CONFIG_FILE": str(config),
    }
    with pytest.raises(ConfigError) as raised:
        create_app(settings)
    assert str(raised.value).startswith(message)


def newest_transaction(sql):
    return sql.execute(
        sa.text(
            "SELECT t.noref, t.productcode, p.trancodename FROM tempmsg_backup t"
            " JOIN trancode p ON p.trancodeid = t.productcode ORDER BY t.requesttime DESC LIMIT 1"
        )
    ).one()


def test_a_map_read_from_a_table_names_the_code_in_lists_filters_and_exports(login_as, sql):
    noref, code, name = newest_transaction(sql)
    client = login_as("staff")
    listed = client.get(f"/admin/tempmsg_backup/?search={noref}").get_data(as_text=True)
    assert re.search(r'class="col-productcode">\s*(.*?)\s*</td>', listed, re.S).group(1) == name
    live = client.get("/admin/tempmsg/").get_data(as_text=True)  # the history has no index to filter by
    groups = json.loads(re.search(r'id="filter-groups-data" class="d-none">(.*?)</div>', live).group(1))
    assert [code, name] in groups["Product"][0]["options"]
    text = client.get(f"/admin/tempmsg_backup/export/csv/?search={noref}").get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert (row["Product"], row["Product (code)"]) == (name, code)


def test_a_map_read_from_a_table_follows_the_table_and_shows_an_unknown_code_as_itself(app, login_as, sql):
    noref, code, _ = newest_transaction(sql)
    app.config["BACKOFFICE_VALUE_MAP_SECONDS"] = 0  # read again at once, as after a minute
    client = login_as("staff")
    sql.execute(sa.text("UPDATE trancode SET trancodename = 'Pulsa Baru' WHERE trancodeid = :c"), {"c": code})
    listed = client.get(f"/admin/tempmsg_backup/?search={noref}").get_data(as_text=True)
    assert re.search(r'class="col-productcode">\s*(.*?)\s*</td>', listed, re.S).group(1) == "Pulsa Baru"
    sql.execute(sa.text("UPDATE tempmsg_backup SET productcode = 'LAMA1' WHERE noref = :n"), {"n": noref})
    listed = client.get(f"/admin/tempmsg_backup/?search={noref}").get_data(as_text=True)
    assert re.search(r'class="col-productcode">\s*(.*?)\s*</td>', listed, re.S).group(1) == "LAMA1"


def test_a_map_read_from_a_missing_table_stops_start_up_with_one_line(database_url, tmp_path):
    config = tmp_path / "backoffice.toml"
    shipped = Path(PPOB_CONFIG_FILE).read_text()
    config.write_text(
        shipped.replace('table = "trancode", code = "trancodeid"', 'table = "produk", code = "kode"')
    )
    settings = {
        **PPOB_SETTINGS,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BACKOFFICE_CONFIG_FILE": str(config),
    }
    with pytest.raises(ConfigError) as raised:
        create_app(settings)
    assert str(raised.value) == (
        "BO-E015 backoffice.toml: [value_maps.product] from: there is no table 'produk' in the database"
    )
