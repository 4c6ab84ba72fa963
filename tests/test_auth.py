"""Login and logout of panel users."""

from tests.conftest import PASSWORDS
from tests.helpers import csrf_token


def test_pages_need_a_login(client):
    response = client.get("/admin/am_user/")
    assert response.status_code == 302 and "/login" in response.location
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login" in response.location


def test_wrong_password_fails_with_a_message_and_no_session(client):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"username": "administrator", "password": "wrong-password", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Invalid username or password." in response.get_data(as_text=True)
    assert client.get("/admin/am_user/").status_code == 302


def test_unknown_user_gets_the_same_message(client):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"username": "nobody", "password": "whatever-pass", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Invalid username or password." in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client):
    response = client.post(
        "/login", data={"username": "administrator", "password": PASSWORDS["administrator"]}
    )
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_login_does_not_redirect_to_another_site(client):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=https://evil.example/",
        data={"username": "staff", "password": PASSWORDS["staff"], "csrf_token": token},
    )
    assert response.status_code == 302 and response.location == "/admin/"


def test_logout_ends_the_session_and_voids_copies_of_its_cookie(login_as):
    client = login_as("staff")
    assert client.get("/admin/tempmsg_backup/").status_code == 200
    stolen = client.get_cookie("session").value
    token = csrf_token(client, "/admin/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/tempmsg_backup/").status_code == 302
    client.set_cookie("session", stolen)
    assert client.get("/admin/tempmsg_backup/").status_code == 302


def test_logout_needs_post_and_csrf(login_as):
    client = login_as("staff")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/admin/tempmsg_backup/").status_code == 200


def test_staff_cannot_open_write_endpoints(login_as, sql):
    import sqlalchemy as sa

    client = login_as("staff")
    assert client.get("/admin/trancode/").status_code == 200
    assert client.get("/admin/trancode/new/").status_code == 403
    assert client.get("/admin/trancode/edit/?id=TSEL10").status_code == 403
    token = csrf_token(client, "/admin/trancode/")
    assert (
        client.post("/admin/trancode/delete/", data={"id": "TSEL10", "csrf_token": token}).status_code == 403
    )
    assert sql.scalar(sa.text("SELECT count(*) FROM trancode WHERE trancodeid = 'TSEL10'")) == 1
    assert client.get("/admin/panel_users/").status_code == 403
