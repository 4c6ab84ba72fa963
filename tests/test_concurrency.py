"""No lost update: two people editing one row."""

import re

import sqlalchemy as sa

from tests.conftest import PASSWORDS
from tests.helpers import csrf_token, form_values

URL = "/admin/trancode/edit/?id=TSEL10"


def second_session(app):
    other = app.test_client()
    token = csrf_token(other, "/login")
    other.post(
        "/login",
        data={"username": "administrator", "password": PASSWORDS["administrator"], "csrf_token": token},
    )
    return other


def product(sql):
    return sql.execute(
        sa.text("SELECT trancodename, hargajual FROM trancode WHERE trancodeid = 'TSEL10'")
    ).one()


def test_a_save_over_someone_elses_change_is_refused_and_shows_it(app, login_as, sql):
    alice, bob = login_as("administrator"), second_session(app)
    alice_form = form_values(alice.get(URL).get_data(as_text=True))
    bob_form = form_values(bob.get(URL).get_data(as_text=True))
    assert alice_form["row_version"] and alice_form["row_version"] == bob_form["row_version"]

    assert bob.post(URL, data={**bob_form, "trancodename": "DARI BOB"}).status_code == 302
    refused = alice.post(URL, data={**alice_form, "hargajual": "12000.00"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Someone changed this record after you opened it, so nothing was saved." in html
    assert "DARI BOB" in html
    assert tuple(product(sql)) == ("DARI BOB", 11500)

    # Having seen it, Alice saves again: now she overwrites knowingly.
    again = alice.post(URL, data=form_values(html))
    assert again.status_code == 302
    assert product(sql).hargajual == 12000


def test_editing_a_row_someone_deleted_says_so(app, login_as, sql):
    alice = login_as("administrator")
    sql.execute(sa.text("INSERT INTO trancode (trancodeid, trancodename) VALUES ('HILANG', 'Akan dihapus')"))
    url = "/admin/trancode/edit/?id=HILANG"
    form = form_values(alice.get(url).get_data(as_text=True))
    sql.execute(sa.text("DELETE FROM trancode WHERE trancodeid = 'HILANG'"))
    response = alice.post(url, data={**form, "trancodename": "Masih ada?"}, follow_redirects=True)
    assert "Record does not exist." in response.get_data(as_text=True)
    assert sql.scalar(sa.text("SELECT count(*) FROM trancode WHERE trancodeid = 'HILANG'")) == 0


def delete_form(html: str, key: str) -> dict[str, str]:
    """The fields of the list's delete button for the row ``key``."""
    start = html.index(f'name="id" type="hidden" value="{key}"')
    form = html[html.rindex("<form", 0, start) : html.index("</form>", start)]
    return dict(re.findall(r'name="([\w]+)"[^>]*value="([^"]*)"', form))


def test_a_delete_from_the_list_after_someone_changed_the_row_is_refused(app, login_as, sql):
    sql.execute(sa.text("INSERT INTO trancode (trancodeid, trancodename) VALUES ('HAPUS1', 'Akan dihapus')"))
    alice, bob = login_as("administrator"), second_session(app)
    fields = delete_form(alice.get("/admin/trancode/?search=HAPUS1").get_data(as_text=True), "HAPUS1")
    assert fields["row_version"]

    bob_form = form_values(bob.get("/admin/trancode/edit/?id=HAPUS1").get_data(as_text=True))
    bob.post("/admin/trancode/edit/?id=HAPUS1", data={**bob_form, "trancodename": "Diubah Bob"})
    refused = alice.post("/admin/trancode/delete/", data=fields, follow_redirects=True)
    assert "Someone changed this record after the list was shown, so it was not deleted." in refused.get_data(
        as_text=True
    )
    assert (
        sql.scalar(sa.text("SELECT trancodename FROM trancode WHERE trancodeid = 'HAPUS1'")) == "Diubah Bob"
    )

    fresh = delete_form(alice.get("/admin/trancode/?search=HAPUS1").get_data(as_text=True), "HAPUS1")
    alice.post("/admin/trancode/delete/", data=fresh)
    assert sql.scalar(sa.text("SELECT count(*) FROM trancode WHERE trancodeid = 'HAPUS1'")) == 0
