"""The second factor (TOTP and recovery codes), step-up before money and account changes, and four
eyes on roles and second-factor resets."""

import html
import re
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa

from backoffice.catalogue import ConfigError
from backoffice.permissions import PermissionMatrix
from backoffice.second_factor import Policy
from backoffice.settings import PPOB_CONFIG_FILE
from tests.conftest import PPOB_SETTINGS
from tests.helpers import csrf_token, form_values, fresh_code, log_in
from tests.test_billers import SECOND_ADMIN, asked_correction, decide, second_admin

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
#: The user the shipped file names in [second_factor] (the demo's supervisor).
NAMED = ("supervisor", "supervisor-test-pass")


def create(app, username: str, password: str, role: str = "administrator", secret: str | None = None):
    from backoffice.cli import create_user
    from backoffice.extensions import db

    with app.app_context():
        create_user(username, role, password, totp_secret=secret)
        db.session.remove()


def last_step(sql, username: str) -> int | None:
    query = "SELECT totp_last_step FROM backoffice.panel_user WHERE username = :u"
    return sql.scalar(sa.text(query), {"u": username})


def password_step(client, username: str, password: str):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def give_code(client, code: str):
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login/code")})


def enrolled(app, sql, role: str = "administrator"):
    """A client logged in, password and code, as ``ani``, a ``role`` enrolled with SECRET."""
    create(app, "ani", "ani-test-password", role=role, secret=SECRET)
    client = app.test_client()
    password_step(client, "ani", "ani-test-password")
    assert give_code(client, fresh_code(SECRET, last_step(sql, "ani"))).status_code == 302
    return client


def actions(sql, action: str) -> int:
    return sql.scalar(sa.text("SELECT count(*) FROM backoffice.audit_log WHERE action = :a"), {"a": action})


def test_production_asks_it_of_administrators_and_of_roles_that_move_money():
    matrix = PermissionMatrix(
        {"finance": {"billers": frozenset({"list", "topup"})}, "viewer": {"*": {"list"}}}
    )
    policy = Policy.over({}, matrix, "production")
    assert policy.roles == {"administrator", "finance"}
    assert Policy.over({"roles": ["staff"], "users": ["ani"]}, matrix, "production").roles == {"staff"}
    demo = Policy.over({"roles": ["staff"], "users": ["ani"]}, matrix, "demo")
    assert demo.roles == frozenset() and demo.users == {"ani"}


def test_a_wrong_second_factor_entry_stops_start_up_with_one_line(database_url, tmp_path):
    from app import create_app

    config = tmp_path / "backoffice.toml"
    shipped = Path(PPOB_CONFIG_FILE).read_text()
    for wrong, message in (
        (
            'users = ["supervisor"]\nroles = ["boss"]',
            "BO-E013 backoffice.toml: [second_factor] roles: unknown role 'boss'",
        ),
        (
            'users = ["supervisor"]\ngroups = ["x"]',
            "BO-E003 backoffice.toml: [second_factor]: unknown key 'groups'",
        ),
    ):
        config.write_text(shipped.replace('users = ["supervisor"]', wrong))
        with pytest.raises(ConfigError) as raised:
            create_app(
                {
                    **PPOB_SETTINGS,
                    "SQLALCHEMY_DATABASE_URI": database_url,
                    "BACKOFFICE_CONFIG_FILE": str(config),
                }
            )
        assert str(raised.value).startswith(message)


def test_an_enrolled_user_logs_in_with_the_password_then_a_code_good_once(app, client, sql):
    create(app, "ani", "ani-test-password", secret=SECRET)
    assert password_step(client, "ani", "ani-test-password").headers["Location"] == "/login/code"
    assert client.get("/admin/").status_code == 302  # not logged in before the code
    assert give_code(client, "000000").status_code == 401
    assert actions(sql, "second_factor_failed") == 1
    code = fresh_code(SECRET, last_step(sql, "ani"))
    assert give_code(client, code).status_code == 302
    assert client.get("/admin/").status_code == 200
    detail = sql.scalar(sa.text("SELECT detail FROM backoffice.audit_log WHERE action = 'login'"))
    assert detail == {"with": "code"}
    other = app.test_client()
    password_step(other, "ani", "ani-test-password")
    assert give_code(other, code).status_code == 401  # the same code, a second time


def test_wrong_codes_lock_the_account_like_wrong_passwords(app, client, sql):
    create(app, "ani", "ani-test-password", secret=SECRET)
    password_step(client, "ani", "ani-test-password")
    for _ in range(app.config["BACKOFFICE_LOGIN_MAX_FAILURES"]):
        give_code(client, "000000")
    assert give_code(client, fresh_code(SECRET, last_step(sql, "ani"))).status_code == 429
    assert last_step(sql, "ani") is None  # the right code was not even tried


def test_a_named_user_enrols_first_and_gets_recovery_codes_good_once(app, client, sql):
    create(app, *NAMED, role="staff")
    log_in(client, *NAMED)
    assert client.get("/admin/am_user/").headers["Location"] == "/account/second-factor"
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert "<svg" in page  # the QR code, drawn by the panel
    secret = re.search(r'id="enrol-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    token = csrf_token(client, "/account/second-factor")
    wrong = client.post("/account/second-factor", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 400 and last_step(sql, NAMED[0]) is None
    shown = client.post(
        "/account/second-factor", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token}
    ).get_data(as_text=True)
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", shown)
    assert len(codes) == 10 and actions(sql, "second_factor_enrolled") == 1
    stored = sql.scalar(
        sa.text("SELECT recovery_codes FROM backoffice.panel_user WHERE username = 'supervisor'")
    )
    assert all(code not in stored for code in codes)  # digests only
    assert client.get("/admin/am_user/").status_code == 200
    for attempt in ("first", "second"):
        fresh = app.test_client()
        password_step(fresh, *NAMED)
        status = give_code(fresh, codes[0].upper()).status_code
        assert status == (302 if attempt == "first" else 401)


def confirmation_fields(page: str) -> dict[str, str]:
    """What the confirmation page sends again (its hidden inputs)."""
    form = page[page.index('id="step-up"') : page.index("</form>")]
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    return {name: html.unescape(value) for name, value in found}


def step_up_at_once(app):
    app.config["BACKOFFICE_STEP_UP_MINUTES"] = 0  # every proof is old at once


def test_approving_asks_for_the_password_again_and_keeps_the_request(app, login_as, sql):
    approver = second_admin(app)
    key = asked_correction(login_as("administrator"), sql)
    step_up_at_once(app)
    page = decide(approver, "balance", key, "approve").get_data(as_text=True)
    assert 'id="step-up"' in page and 'type="password"' in page
    proof = {**confirmation_fields(page), "step_up_proof": "not-the-password"}
    url = f"/admin/approvals/balance/{key}/approve/"
    assert approver.post(url, data=proof).status_code == 401
    assert sql.scalar(sa.text("SELECT status FROM backoffice.balance_request")) == "pending"
    done = approver.post(url, data={**proof, "step_up_proof": SECOND_ADMIN[1]}, follow_redirects=True)
    assert "Approved and carried out" in done.get_data(as_text=True)
    assert sql.scalar(sa.text("SELECT status FROM backoffice.balance_request")) == "done"
    assert actions(sql, "step_up_failed") == 1 and actions(sql, "step_up") == 1


def test_an_enrolled_approver_steps_up_with_a_code(app, login_as, sql):
    approver = enrolled(app, sql)
    key = asked_correction(login_as("administrator"), sql)
    step_up_at_once(app)
    page = decide(approver, "balance", key, "approve").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page
    proof = {**confirmation_fields(page), "step_up_proof": fresh_code(SECRET, last_step(sql, "ani"))}
    approver.post(f"/admin/approvals/balance/{key}/approve/", data=proof)
    assert sql.scalar(sa.text("SELECT status FROM backoffice.balance_request")) == "done"


def role_of(sql, username: str) -> str:
    return sql.scalar(sa.text("SELECT role FROM backoffice.panel_user WHERE username = :u"), {"u": username})


def account_request(sql) -> int:
    return sql.scalar(sa.text("SELECT max(id) FROM backoffice.account_request WHERE status = 'pending'"))


def test_a_role_is_given_by_a_second_administrator(app, login_as, sql):
    approver = second_admin(app)
    admin = login_as("administrator")
    staff_id = sql.scalar(sa.text("SELECT id FROM backoffice.panel_user WHERE username = 'staff'"))
    url = f"/admin/panel_users/edit/?id={staff_id}"
    values = form_values(admin.get(url).get_data(as_text=True))
    page = admin.post(url, data={**values, "role": "administrator"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "The new role waits for a second administrator" in page
    assert role_of(sql, "staff") == "staff"
    key = account_request(sql)
    own = decide(admin, "account", key, "approve").get_data(as_text=True)
    assert "You asked for this yourself" in own and role_of(sql, "staff") == "staff"
    listed = approver.get("/admin/approvals/").get_data(as_text=True)
    assert "Role: staff to administrator" in listed
    assert "Approved and carried out" in decide(approver, "account", key, "approve").get_data(as_text=True)
    assert role_of(sql, "staff") == "administrator" and actions(sql, "role_changed") == 1


def test_a_new_account_cannot_start_with_a_role_that_moves_money(login_as, sql):
    admin = login_as("administrator")
    values = {
        **form_values(admin.get("/admin/panel_users/new/").get_data(as_text=True)),
        "username": "sock-puppet",
        "role": "administrator",
        "active": "y",
        "new_password": "puppet-password-1",
    }
    page = admin.post("/admin/panel_users/new/", data=values, follow_redirects=True).get_data(as_text=True)
    assert "A new account starts with a role that can neither move money nor change accounts" in page
    assert role_of(sql, "sock-puppet") is None
    created = admin.post("/admin/panel_users/new/", data={**values, "role": "staff"}, follow_redirects=True)
    assert role_of(sql, "sock-puppet") == "staff", created.get_data(as_text=True)[-3000:]
    assert role_of(sql, "sock-puppet") == "staff"


def test_a_lost_second_factor_is_reset_by_another_administrator(app, login_as, sql):
    ani = enrolled(app, sql)
    admin = login_as("administrator")
    ani_id = sql.scalar(sa.text("SELECT id FROM backoffice.panel_user WHERE username = 'ani'"))
    edit = admin.get(f"/admin/panel_users/edit/?id={ani_id}").get_data(as_text=True)
    assert 'id="reset-second-factor"' in edit
    token = csrf_token(admin, "/admin/panel_users/")
    admin.post("/admin/panel_users/reset-second-factor/", data={"id": ani_id, "csrf_token": token})
    key = account_request(sql)
    own = decide(ani, "account", key, "approve").get_data(as_text=True)
    assert "This is about your own account" in own
    assert sql.scalar(sa.text("SELECT totp_secret FROM backoffice.panel_user WHERE id = :i"), {"i": ani_id})
    late = decide(second_admin(app), "account", key, "approve").get_data(as_text=True)
    assert "This was asked for before you had your role" in late
    assert "You asked for this yourself" in decide(admin, "account", key, "approve").get_data(as_text=True)
    assert account_request(sql) == key and actions(sql, "second_factor_reset") == 0


def test_a_reset_by_an_earlier_administrator_ends_the_sessions(app, login_as, sql):
    approver = second_admin(app)
    ani = enrolled(app, sql, role="staff")
    assert ani.get("/admin/").status_code == 200
    admin = login_as("administrator")
    ani_id = sql.scalar(sa.text("SELECT id FROM backoffice.panel_user WHERE username = 'ani'"))
    token = csrf_token(admin, "/admin/panel_users/")
    admin.post("/admin/panel_users/reset-second-factor/", data={"id": ani_id, "csrf_token": token})
    assert "Approved and carried out" in decide(
        approver, "account", account_request(sql), "approve"
    ).get_data(as_text=True)
    assert (
        sql.scalar(sa.text("SELECT totp_secret FROM backoffice.panel_user WHERE id = :i"), {"i": ani_id})
        is None
    )
    assert ani.get("/admin/").status_code == 302  # the session that had it is over
    assert actions(sql, "second_factor_reset") == 1
