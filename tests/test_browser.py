"""What a person sees, in a real headless Chromium (Debian's package, driven by Playwright).

Screenshots of the pages go to tests/artifacts/ for a reviewer to look at.
"""

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORDS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = [
    pytest.mark.browser,
    # Werkzeug's development server leaves a response it could not finish (a page closed while
    # its scripts were still being sent) to the garbage collector, which then warns of the open
    # file in whichever browser test runs at that moment. The panel's own resources are checked
    # by the rest of the suite, where every warning is an error.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-sync",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page_as(browser, live_server):
    """A fresh browser page logged in as ``role``; JavaScript errors fail the test."""
    pages = []

    def open_as(role: str):
        page = browser.new_page(viewport={"width": 1366, "height": 800})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server}/login")
        page.fill("#username", role)
        page.fill("#password", PASSWORDS[role])
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/admin/")
        page.base = live_server
        pages.append((page, errors))
        return page

    yield open_as
    for page, errors in pages:
        page.close()
        assert errors == []


def phone_page(browser, live_server: str, role: str):
    """A phone-sized page (390 x 844, touch) logged in as ``role``."""
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(f"{live_server}/login")
    page.fill("#username", role)
    page.fill("#password", PASSWORDS[role])
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")
    return page


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    "role, visible, hidden",
    [
        ("administrator", ["Agents", "Transactions", "Activity", "Panel"], []),
        ("staff", ["Agents", "Transactions", "Billers"], ["Activity", "Panel"]),
        ("auditor", ["Agents", "Activity"], ["Transactions", "Products", "Panel"]),
    ],
)
def test_each_role_sees_only_its_menus(page_as, role, visible, hidden):
    page = page_as(role)
    menu = page.locator("#admin-navbar-collapse ul.navbar-nav").first
    labels = [text.strip() for text in menu.locator("a.nav-link").all_inner_texts()]
    for label in visible:
        assert label in labels
    for label in hidden:
        assert label not in labels
    shoot(page, f"home_{role}")


def test_staff_find_no_edit_control(page_as):
    page = page_as("staff")
    page.goto(f"{page.base}/admin/trancode/")
    assert page.locator("table.model-list tbody tr").count() > 0
    for control in (
        "a[href*='/new/']",
        "a[href*='/edit/']",
        "form[action*='/delete/']",
        "input.action-checkbox",
        "text=With selected",
    ):
        assert page.locator(control).count() == 0, control
    shoot(page, "trancode_as_staff")


def test_row_delete_asks_first_under_the_content_security_policy(page_as, sql):
    import sqlalchemy as sa

    page = page_as("administrator")
    before = sql.scalar(sa.text("SELECT count(*) FROM am_user_trash"))
    page.goto(f"{page.base}/admin/am_user_trash/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("table.model-list tbody tr").first.locator("form.icon button").click()
    page.wait_for_timeout(300)
    assert asked == ["Are you sure you want to delete this record?"]
    assert sql.scalar(sa.text("SELECT count(*) FROM am_user_trash")) == before
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("input.action-checkbox").first.check()
    page.click("text=With selected")
    page.click("a.dropdown-item:text-is('Delete')")
    page.wait_for_selector(".alert-success")
    assert sql.scalar(sa.text("SELECT count(*) FROM am_user_trash")) == before - 1
    shoot(page, "am_user_trash_after_delete")


def test_list_filters_work_under_the_content_security_policy(page_as):
    page = page_as("staff")
    page.goto(f"{page.base}/admin/tempmsg_backup/")
    page.click("text=Add Filter")
    page.click("a.filter:text-is('Status')")
    page.locator("#filter_form select.filter-val").first.select_option(
        "SUKSES", force=True
    )  # a select2 of the words
    page.click("#filter_form button[type=submit]")
    page.wait_for_url("**/admin/tempmsg_backup/?flt*")
    statuses = set(page.locator("td.col-statusreply").all_inner_texts())
    assert statuses == {"Success"}
    shoot(page, "tempmsg_backup_filtered")


@pytest.mark.parametrize("app", [{"BACKOFFICE_SELECT_ROWS": 10}], indirect=True)  # agents: searched
def test_a_foreign_key_to_a_large_table_is_chosen_by_searching(page_as, sql):
    import sqlalchemy as sa

    token_id, agent = sql.execute(sa.text("SELECT token_id, agent_id FROM am_user_token LIMIT 1")).one()
    other, name = sql.execute(
        sa.text("SELECT agent_id, agent_name FROM am_user WHERE agent_id <> :a ORDER BY agent_id LIMIT 1"),
        {"a": agent},
    ).one()
    page = page_as("administrator")
    page.goto(f"{page.base}/admin/am_user_token/edit/?id={token_id}")
    page.click("#s2id_agent_id")
    page.keyboard.type(other[:6])
    page.locator(".select2-result-label", has_text=f"{other} - {name}").click()
    shoot(page, "am_user_token_agent_lookup")
    page.click("input[type=submit][value=Save]")
    page.wait_for_selector(".alert-success")
    assert (
        sql.scalar(sa.text("SELECT agent_id FROM am_user_token WHERE token_id = :t"), {"t": token_id})
        == other
    )


def test_new_transactions_appear_live_and_pause_stops_them(page_as, sql):
    from tests.test_report import add_transactions

    page = page_as("staff")
    page.goto(f"{page.base}/admin/report/")
    first = add_transactions(sql, 3, start_key=910_000_000)
    page.wait_for_selector(f'tr[data-key="{first[-1]}"].live-new', timeout=12_000)
    assert page.locator("tr.live-new").count() == 3  # each once
    assert page.locator("tbody tr").first.get_attribute("data-key") == str(first[-1])
    newest = page.locator(f'tr[data-key="{first[-1]}"]')  # its reference and agent open their pages
    assert newest.locator("a[href^='/admin/transactions/']").inner_text() == f"LIVE{first[-1]}"
    assert newest.locator("a[href^='/admin/agents/']").count() == 1
    shoot(page, "report_live")
    page.click("#live-toggle")
    later = add_transactions(sql, 1, start_key=920_000_000)
    page.wait_for_timeout(7_000)
    assert page.locator(f'tr[data-key="{later[0]}"]').count() == 0
    page.click("#live-toggle")
    page.wait_for_selector(f'tr[data-key="{later[0]}"]', timeout=12_000)


def test_an_administrator_tops_up_a_biller_and_sees_the_new_balance(page_as, sql):
    import sqlalchemy as sa

    before = sql.scalar(sa.text("SELECT curr_bal FROM balance_us WHERE billercode = 'DGF'"))
    page = page_as("administrator")
    page.goto(f"{page.base}/admin/billers/")
    shoot(page, "billers")
    page.locator('tr[data-biller="DGF"] a:text-is("Top up")').click()
    page.fill("#amount", "1.500.000")
    page.click("#topup-form button[type=submit]")
    expected = "Rp " + f"{before + 1_500_000:,.0f}".replace(",", ".")
    assert page.locator('#topup-confirm [data-field="after"]').inner_text() == expected
    shoot(page, "topup_confirm")
    page.click("#topup-confirm button[type=submit]")
    assert page.locator('#topup-result [data-field="after"]').inner_text() == expected
    page.click("text=Back to balances")
    assert page.locator('tr[data-biller="DGF"] [data-field="balance"]').inner_text() == expected


def test_the_balance_page_refreshes_itself(page_as, sql, monkeypatch):
    import sqlalchemy as sa

    from backoffice.views import billers

    monkeypatch.setattr(billers, "REFRESH_SECONDS", 5)
    page = page_as("staff")
    page.goto(f"{page.base}/admin/billers/")
    sql.execute(sa.text("UPDATE balance_us SET curr_bal = 123456 WHERE billercode = 'NRS'"))
    cell = page.locator('tr[data-biller="NRS"] [data-field="balance"]')
    cell.filter(has_text="Rp 123.456").wait_for(timeout=12_000)


def test_a_statement_is_reconciled_in_the_browser(page_as, app, sql, tmp_path):
    import sqlalchemy as sa

    from backoffice import reconciliation as recon

    day = sql.scalar(sa.text("SELECT max(requesttime)::date FROM tempmsg_backup WHERE billercode = 'BMS'"))
    with app.test_request_context():
        view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "reconciliation")
        content, planted = recon.sample_statement(
            recon.our_lines(view.billers.report, "BMS", day), view.billers.unanswered("BMS", day)
        )
    statement = tmp_path / "statement.csv"
    statement.write_bytes(content)
    page = page_as("administrator")
    page.goto(f"{page.base}/admin/reconciliation/")
    page.select_option("#biller", "BMS")
    page.fill("#day", str(day))
    page.set_input_files("#statement", str(statement))
    page.click("#statement-form button[type=submit]")
    page.wait_for_url("**/admin/reconciliation/*/")
    assert page.locator('[data-total="only_theirs"]').inner_text() == str(len(planted["only_theirs"]))
    assert page.locator('[data-total="mismatch"]').inner_text() == str(len(planted["mismatch"]))
    shoot(page, "reconciliation_result")


def test_a_filtered_report_downloads_an_export_with_the_filtered_rows(page_as, sql, tmp_path):
    import csv

    import sqlalchemy as sa

    agent = sql.scalar(
        sa.text("SELECT fromagent FROM tempmsg_backup GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    )
    page = page_as("staff")
    page.goto(f"{page.base}/admin/report/")
    page.fill("#from", "2000-01-01")  # the report keeps at most 62 days and says so
    page.fill("#agent", agent)
    page.click("#report-filter button[type=submit]")
    page.wait_for_url("**agent=*")
    shoot(page, "report_filtered")
    with page.expect_download() as download:
        page.click("a.btn:text-is('CSV')")
    path = tmp_path / "export.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows and {row["User ID"] for row in rows} == {agent}


def test_the_language_switch_changes_the_interface_and_is_remembered(page_as):
    page = page_as("staff")
    page.click(".language-switch button[value='id']")
    page.wait_for_selector("text=Dasbor")
    page.goto(f"{page.base}/admin/report/")
    assert page.locator("button:text-is('Tampilkan')").count() == 1
    shoot(page, "report_indonesian")
    page.click(".language-switch button[value='en']")
    page.wait_for_selector("button:text-is('Show')")


@pytest.mark.parametrize("path", ["/admin/report/", "/admin/billers/", "/admin/"])
def test_the_main_pages_fit_a_phone(browser, live_server, path):
    page = phone_page(browser, live_server, "administrator")
    page.goto(f"{live_server}{path}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shoot(page, "phone" + path.strip("/").replace("/", "_").replace("admin", "") or "phone_dashboard")
    page.close()
    assert overflow <= 0  # wide tables scroll inside their own box, the page does not


@pytest.mark.parametrize(
    "path, name",
    [
        ("/admin/", "dashboard"),
        ("/admin/approvals/", "approvals"),
        ("/admin/reconciliation/", "reconciliation"),
        ("/admin/billers/book/", "book_versus_biller"),
        ("/admin/billers/", "biller_balances"),
        ("/admin/report/", "report"),
        ("/admin/report/recap", "recap"),
        ("/admin/am_user/", "agents"),
        ("/admin/tempmsg_backup/", "transaction_history"),
        ("/admin/audit_log/", "change_history"),
        ("/admin/panel_users/", "panel_users"),
        ("/admin/agents/{agent}/", "agent_page"),
        ("/admin/transactions/", "stuck_transactions"),
        ("/admin/transactions/{noref}/", "transaction_page"),
    ],
)
@pytest.mark.parametrize("width", [1366, 390])
def test_main_pages_render_for_a_reviewer(page_as, sql, path, name, width):
    import sqlalchemy as sa

    agent = sql.scalar(sa.text("SELECT min(agent_id) FROM am_balance"))
    noref = sql.scalar(sa.text("SELECT noref FROM tempmsg ORDER BY requesttime DESC LIMIT 1"))
    page = page_as("administrator")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{page.base}{path.format(agent=agent, noref=noref)}")
    assert page.locator(".alert-danger").count() == 0
    shoot(page, f"{name}_{width}")


def test_on_a_phone_the_report_is_cards_with_its_filters_folded(browser, live_server):
    page = phone_page(browser, live_server, "staff")
    page.goto(f"{live_server}/admin/report/")
    assert page.locator("#report-filters").get_attribute("open") is None
    assert not page.locator("#report thead").is_visible()
    row = page.locator("#report tbody tr").first
    shown = [cell.is_visible() for cell in row.locator("td").all()]
    assert [i + 1 for i, visible in enumerate(shown) if visible] == [
        1,
        6,
        8,
        9,
    ]  # time, product, status, amount
    assert row.get_attribute("data-outcome") in ("success", "failed", "pending")
    page.close()


def test_a_second_factor_is_enrolled_used_at_login_and_asked_again_to_approve(
    browser, live_server, app, login_as, sql
):
    import pyotp
    import sqlalchemy as sa

    from backoffice.cli import create_user
    from backoffice.extensions import db
    from tests.helpers import fresh_code
    from tests.test_billers import asked_correction

    name, password = "supervisor", "supervisor-test-pass"  # named in the shipped [second_factor]
    with app.app_context():
        create_user(name, "administrator", password)
        db.session.remove()
    key = asked_correction(login_as("administrator"), sql)
    page = browser.new_page(viewport={"width": 1366, "height": 800})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def log_in():
        page.goto(f"{live_server}/login")
        page.fill("#username", name)
        page.fill("#password", password)
        page.click("button[type=submit]")

    log_in()
    page.wait_for_url(f"{live_server}/account/second-factor")
    assert page.locator("#enrol-qr svg").is_visible()
    shoot(page, "second_factor_enrol")
    secret = page.locator("#enrol-secret").inner_text().replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button:text-is('Turn on')")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.click("text=I have kept them")
    page.wait_for_url(f"{live_server}/admin/")
    page.click("form[action='/logout'] button")
    log_in()
    page.wait_for_url(f"{live_server}/login/code")
    step = sql.scalar(
        sa.text("SELECT totp_last_step FROM backoffice.panel_user WHERE username = :u"), {"u": name}
    )
    page.fill("#code", fresh_code(secret, step))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")

    app.config["BACKOFFICE_STEP_UP_MINUTES"] = 0  # the login's proof is old at once
    page.goto(f"{live_server}/admin/approvals/")
    page.locator(f'#queue-balance tr[data-key="{key}"] button:text-is("Approve")').click()
    page.wait_for_selector("#step-up")
    shoot(page, "step_up")
    page.fill("#step_up_proof", codes[0])  # a recovery code proves it too, once
    page.click("#step-up button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert (
        sql.scalar(sa.text("SELECT status FROM backoffice.balance_request WHERE id = :k"), {"k": key})
        == "done"
    )
    page.close()
    assert errors == []


def test_the_menu_bar_fits_one_row_and_forms_keep_their_width_under_the_csp(page_as):
    page = page_as("administrator")
    page.goto(f"{page.base}/admin/billers/topup/?biller=DGF&kind=deposit")
    shoot(page, "topup_1366")
    navbar = page.locator("nav.navbar").first.bounding_box()
    assert navbar["height"] < 70, navbar  # one row of links at 1366 px (two rows are over 100)
    assert page.locator("#topup-form").bounding_box()["width"] <= 32 * 16 + 1
    page.goto(f"{page.base}/admin/billers/")
    cell = page.locator('tr[data-biller="DGF"] [data-field="balance"]')
    assert cell.evaluate("element => getComputedStyle(element).whiteSpace") == "nowrap"
    page.goto(f"{page.base}/admin/report/")
    assert page.locator("#from").get_attribute("placeholder") == "dd-mm-yyyy"
    shoot(page, "report_1366")


#: Seed 000's test table (PT XYZ's acceptance test): user, product, connection and user login are
#: listed, added, updated and deleted in the browser. (Its report row is listed and downloaded:
#: transactions are written by the PPOB application and are read-only here by design.)
SEED_000 = [
    ("am_user", "agent_id", "089900000001", {"#agent_name": "Uji Browser"}, "#agent_name", "Uji Diubah"),
    (
        "trancode",
        "trancodeid",
        "UJI10",
        {"#trancodename": "PULSA UJI 10K"},
        "#trancodename",
        "PULSA UJI 10K BARU",
    ),
    ("socketconn", "conname", "UJI-H2H", {"#typeconn": "TCP"}, "#typeconn", "HTTP"),
    ("am_user_token", "agent_id", "089900000001", {"#ip_address": "10.0.0.1"}, "#ip_address", "10.0.0.9"),
]


def test_seed_000s_acceptance_table_passes_in_the_browser(page_as, sql, tmp_path):
    import sqlalchemy as sa

    page = page_as("administrator")
    base = page.base
    for table, key, value, fields, changed, new_value in SEED_000:
        page.goto(f"{base}/admin/{table}/")
        page.click(f"a[href^='/admin/{table}/new/']")
        if table == "am_user_token":
            page.select_option("#agent_id", value)
        else:
            page.fill(f"#{key}", value)
        for selector, text in fields.items():
            page.fill(selector, text)
        page.click("input[type=submit][value=Save]")
        page.wait_for_selector(".alert-success")
        column = changed.lstrip("#")
        where = f"SELECT {column} FROM {table} WHERE {key} = :v"
        assert sql.scalar(sa.text(where), {"v": value}) == fields[changed]
        page.goto(f"{base}/admin/{table}/?search={value}")
        shoot(page, f"seed000_{table}")
        page.locator("table.model-list tbody tr").first.locator("a[href*='/edit/']").click()
        page.fill(changed, new_value)
        page.click("input[type=submit][value=Save]")
        page.wait_for_selector(".alert-success")
        assert sql.scalar(sa.text(where), {"v": value}) == new_value
    for table, key, value, *_ in reversed(SEED_000):  # the login before its agent
        page.goto(f"{base}/admin/{table}/?search={value}")
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("table.model-list tbody tr").first.locator("form.icon button").click()
        page.wait_for_selector(".alert-success")
        assert sql.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE {key} = :v"), {"v": value}) == 0
    page.goto(f"{base}/admin/report/")
    assert page.locator("#report-rows tr, table tbody tr").count() > 0
    for fmt in ("csv", "xlsx", "pdf"):
        with page.expect_download() as download:
            page.click(f"a[href*='/admin/report/export/{fmt}/']")
        saved = tmp_path / f"report.{fmt}"
        download.value.save_as(saved)
        assert saved.stat().st_size > 100
    page.click("form[action='/logout'] button")
    page.wait_for_url(f"{base}/login")
    assert page.goto(f"{base}/admin/").url.startswith(f"{base}/login")  # the session is gone


def test_an_operator_confirms_a_deposit_resolves_stuck_transactions_and_follows_a_report_row(
    browser, live_server, app, page_as, sql
):
    import sqlalchemy as sa

    from tests.test_billers import SECOND_ADMIN, second_admin

    second_admin(app)  # the approver, who had the role before anything was asked
    operator = page_as("administrator")
    base = operator.base
    approver = browser.new_page(viewport={"width": 1366, "height": 800})
    approver.goto(f"{base}/login")
    approver.fill("#username", SECOND_ADMIN[0])
    approver.fill("#password", SECOND_ADMIN[1])
    approver.click("button[type=submit]")
    approver.wait_for_url(f"{base}/admin/")

    # An agent's deposit from a bank transfer, above the amount that waits for a second person.
    agent = sql.scalar(sa.text("SELECT min(agent_id) FROM am_balance"))
    before = sql.scalar(sa.text("SELECT curr_bal FROM am_balance WHERE agent_id = :a"), {"a": agent})
    operator.goto(f"{base}/admin/agents/")
    operator.fill("#q", agent)
    operator.click("#agent-search button")
    operator.wait_for_selector("#agent-profile")
    shoot(operator, "agent_desk")
    operator.click("text=Confirm a deposit")
    operator.fill("#amount", "7.500.000")
    operator.fill("#bank", "BCA")
    operator.fill("#account_no", "8730123456")
    operator.fill("#transfer_ref", "BCA-20261203-0001")
    operator.click("#agent-operation button[type=submit]")
    operator.wait_for_selector("#agent-confirm")
    assert "This request waits for approval" in operator.inner_text("#agent-confirm")
    shoot(operator, "agent_deposit_confirm")
    operator.click("#agent-confirm button[type=submit]")
    operator.wait_for_selector('#agent-result[data-status="pending"]')
    approver.goto(f"{base}/admin/approvals/")
    approver.locator("#queue-agent tbody tr").first.locator("button:text-is('Approve')").click()
    approver.wait_for_selector(".alert-success")
    after = sql.scalar(sa.text("SELECT curr_bal FROM am_balance WHERE agent_id = :a"), {"a": agent})
    assert after == before + 7_500_000

    # Two pending transactions: one failed and refunded, one the application settles first.
    sql.execute(  # the small test day has one pending: the latest success is still waiting too
        sa.text(
            "UPDATE tempmsg SET statusreply = 'PENDING', responsecode = '68', respbiller = '-' WHERE msgid ="
            " (SELECT max(msgid) FROM tempmsg WHERE statusreply = 'SUKSES')"
        )
    )
    pending = sql.execute(
        sa.text(
            "SELECT noref, fromagent, hargajual FROM tempmsg WHERE statusreply = 'PENDING'"
            " ORDER BY requesttime DESC LIMIT 2"
        )
    ).all()
    operator.goto(f"{base}/admin/transactions/")
    for noref, *_ in pending:
        operator.check(f'#stuck input[name="noref"][value="{noref}"]')
    operator.select_option("#outcome", "refund")
    shoot(operator, "stuck_transactions")
    operator.click("#stuck-form button[type=submit]")
    operator.wait_for_selector(".alert-success")
    settled_first, refunded = pending
    sql.execute(
        sa.text("UPDATE tempmsg SET statusreply = 'SUKSES', responsecode = '00' WHERE noref = :n"),
        {"n": settled_first.noref},
    )
    balance = sql.scalar(
        sa.text("SELECT curr_bal FROM am_balance WHERE agent_id = :a"), {"a": refunded.fromagent}
    )
    approver.goto(f"{base}/admin/approvals/")
    shoot(approver, "approvals_transactions")
    for noref, *_ in pending:
        row = approver.locator("#queue-transaction tbody tr", has_text=noref)
        with approver.expect_navigation():
            row.locator("button:text-is('Approve')").click()
        if noref == settled_first.noref:
            assert "settled it first" in approver.inner_text(".alert-danger, .alert-error")
    status = sql.scalar(sa.text("SELECT statusreply FROM tempmsg WHERE noref = :n"), {"n": refunded.noref})
    assert status == "GAGAL"
    refund = sql.scalar(
        sa.text("SELECT curr_bal FROM am_balance WHERE agent_id = :a"), {"a": refunded.fromagent}
    )
    assert refund == balance + refunded.hargajual

    # From a report row to its transaction and the H2H messages of its reference.
    operator.goto(f"{base}/admin/report/")
    link = operator.locator("#report tbody tr a[href^='/admin/transactions/']").first
    noref = link.inner_text()
    link.click()
    operator.wait_for_selector("#transaction-messages")
    assert noref in operator.inner_text("#transaction-messages")
    shoot(operator, "transaction_drill_down")
    approver.close()
