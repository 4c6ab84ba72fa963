"""The dashboard (today beside yesterday, per role) and the search box on every page."""

import html
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from backoffice.extensions import db
from backoffice.masking import mask_value
from backoffice.settings import PPOB_CONFIG_FILE
from tests.conftest import PASSWORDS, PPOB_SETTINGS
from tests.helpers import csrf_token, log_in

TODAY = "date_trunc('day', now() AT TIME ZONE 'Asia/Jakarta')"
NOW = "(now() AT TIME ZONE 'Asia/Jakarta')"
COLUMNS = "requesttime, fromagent, productcode, billercode, hargajual, hargabeli, statusreply"
UNION = f"(SELECT {COLUMNS} FROM tempmsg UNION ALL SELECT {COLUMNS} FROM tempmsg_backup) t"


def kpi(html: str, key: str) -> tuple[str, str]:
    block = html[html.index(f'data-kpi="{key}"') :]
    today = re.search(r'data-field="today">([^<]*)<', block).group(1)
    yesterday = re.search(r'data-field="yesterday">([^<]*)<', block).group(1)
    return today, yesterday


def dots(value) -> str:
    return f"{value:,.0f}".replace(",", ".")


def test_today_and_yesterday_match_the_database(login_as, sql):
    html = login_as("administrator").get("/admin/").get_data(as_text=True)
    today = sql.execute(
        sa.text(
            f"SELECT count(*), count(*) FILTER (WHERE statusreply = 'SUKSES'), "
            f"coalesce(sum(hargajual) FILTER (WHERE statusreply = 'SUKSES'), 0), "
            f"coalesce(sum(hargajual - hargabeli) FILTER (WHERE statusreply = 'SUKSES'), 0), "
            f"count(DISTINCT fromagent) FROM {UNION} WHERE requesttime >= {TODAY} AND requesttime <= {NOW}"
        )
    ).one()
    yesterday = sql.scalar(
        sa.text(
            f"SELECT count(*) FROM {UNION} WHERE requesttime >= {TODAY} - interval '1 day' "
            f"AND requesttime <= {NOW} - interval '1 day'"
        )
    )
    assert kpi(html, "transactions") == (dots(today[0]), dots(yesterday))
    assert kpi(html, "sales")[0] == "Rp " + dots(today[2])
    assert kpi(html, "margin")[0] == "Rp " + dots(today[3])
    assert kpi(html, "agents")[0] == dots(today[4])


def test_the_hourly_chart_counts_todays_transactions(login_as, sql):
    html = login_as("staff").get("/admin/").get_data(as_text=True)
    hour = datetime.now(ZoneInfo("Asia/Jakarta")).hour
    count = sql.scalar(
        sa.text(
            f"SELECT count(*) FROM {UNION} WHERE requesttime >= {TODAY} + make_interval(hours => :h) "
            f"AND requesttime < {TODAY} + make_interval(hours => :h + 1)"
        ),
        {"h": hour},
    )
    assert f'data-hour="{hour}" data-count="{count}"' in html


def test_staff_see_sales_but_not_the_margin(login_as):
    html = login_as("staff").get("/admin/").get_data(as_text=True)
    assert 'data-kpi="sales"' in html and 'data-kpi="margin"' not in html


def test_auditors_see_panel_activity_and_no_transactions(login_as):
    html = login_as("auditor").get("/admin/").get_data(as_text=True)
    assert 'id="panel-activity"' in html and "login: " in html
    assert 'data-kpi="transactions"' not in html and 'id="low-billers"' not in html


def test_low_billers_and_pending_approvals_are_counted(login_as, sql):
    sql.execute(
        sa.text("INSERT INTO backoffice.biller_setting (billercode, low_balance) VALUES ('NRS', 999999999)")
    )
    waiting = sql.scalar(sa.text("SELECT count(*) FROM redeem_approval WHERE status = '0'"))
    html = login_as("administrator").get("/admin/").get_data(as_text=True)
    low = html[html.index('id="low-billers"') :]
    assert "NRS: Rp" in low[: low.index("</div></div>")]
    assert f'data-field="pending">{waiting}<' in html


@pytest.mark.parametrize(
    "query_sql, target",
    [
        ("SELECT agent_id FROM am_user ORDER BY agent_id LIMIT 1", "/admin/am_user/details/?id={}"),
        ("SELECT trancodeid FROM trancode WHERE trancodeid = 'TSEL10'", "/admin/trancode/details/?id={}"),
    ],
)
def test_one_hit_opens_the_record(login_as, sql, query_sql, target):
    value = sql.scalar(sa.text(query_sql))
    response = login_as("staff").get(f"/admin/search/?q={value}")
    assert response.status_code == 302
    assert response.headers["Location"] == target.format(value)


def test_a_transaction_is_found_by_noref(login_as, sql):
    noref = sql.scalar(
        sa.text(f"SELECT noref FROM tempmsg_backup WHERE requesttime >= {TODAY} - interval '5 days' LIMIT 1")
    )
    response = login_as("staff").get(f"/admin/search/?q={noref}", follow_redirects=True)
    assert noref in response.get_data(as_text=True)


def test_search_follows_the_role_and_escapes_the_query(login_as):
    client = login_as("auditor")
    html = client.get("/admin/search/?q=%3Cscript%3ETSEL10").get_data(as_text=True)
    assert "Nothing found for &lt;script&gt;TSEL10." in html
    assert client.get("/admin/search/?q=TSEL10").status_code == 200  # auditors do not see products


def test_the_dashboard_is_indonesian_by_default(database_url):
    from app import create_app

    settings = {"BACKOFFICE_MODE": "test", "BACKOFFICE_CONFIG_FILE": PPOB_CONFIG_FILE}
    client = create_app({**settings, "SQLALCHEMY_DATABASE_URI": database_url}).test_client()
    token = csrf_token(client, "/login")
    client.post("/login", data={"username": "staff", "password": PASSWORDS["staff"], "csrf_token": token})
    html = client.get("/admin/").get_data(as_text=True)
    assert "Tingkat sukses" in html and "Transaksi per jam" in html


def test_top_agents_follow_the_masking_of_the_agents_table(database_url, tmp_path, sql):
    from app import create_app

    masks = 'mask = { no_ktp = ["staff"], phonenumber = ["staff"] }'
    config = tmp_path / "backoffice.toml"
    shipped = Path(PPOB_CONFIG_FILE).read_text()
    assert masks in shipped
    config.write_text(shipped.replace(masks, masks[:-2] + ', agent_name = ["staff"] }', 1))
    app = create_app(
        {**PPOB_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, "BACKOFFICE_CONFIG_FILE": str(config)}
    )
    try:
        admin = log_in(app.test_client(), "administrator", PASSWORDS["administrator"]).get("/admin/")
        staff = log_in(app.test_client(), "staff", PASSWORDS["staff"]).get("/admin/")
        top = re.compile(r'<table class="table table-sm mb-0" id="top-agents">(.*?)</table>', re.S)
        seen_by_admin = top.search(admin.get_data(as_text=True)).group(1)
        seen_by_staff = top.search(staff.get_data(as_text=True)).group(1)
        name = re.search(r'<span class="small">([^<]+)</span>', seen_by_admin).group(1)
        assert "*" not in name and name not in seen_by_staff
        assert mask_value(html.unescape(name)) in html.unescape(seen_by_staff)
    finally:
        with app.app_context():
            db.engine.dispose()


def test_the_search_box_is_offered_only_where_it_can_find_something_and_says_when_it_cuts(app, login_as):
    auditor = app.test_client()
    log_in(auditor, "auditor", PASSWORDS["auditor"])
    assert 'id="global-search"' not in auditor.get("/admin/").get_data(as_text=True)
    staff = login_as("staff")
    assert 'id="global-search"' in staff.get("/admin/").get_data(as_text=True)
    many = staff.get("/admin/search/?q=08").get_data(as_text=True)  # every agent's id starts so
    assert 'id="search-cut"' in many
    assert 'id="search-cut"' not in staff.get("/admin/search/?q=zzzz").get_data(as_text=True)
