"""Indonesian first: every message translated, Indonesian by default, English per user; Jakarta
dates and Indonesian numbers in the lists."""

import gettext
import io
import re

import pytest
import sqlalchemy as sa
from babel.messages import mofile
from flask_babel import force_locale, ngettext

from app import create_app
from backoffice.i18n import LANGUAGES, catalogue_path, message_template, read_catalogue, translated
from backoffice.settings import PPOB_CONFIG_FILE
from tests.conftest import PASSWORDS
from tests.helpers import csrf_token

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def _strings(value) -> tuple:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def test_every_message_has_an_indonesian_translation():
    catalogue = read_catalogue("id")
    untranslated, broken, countless = [], [], []
    for message in message_template():
        if not message.id:
            continue
        found = catalogue.get(message.id, context=message.context)
        if found is None or found.fuzzy or not all(_strings(found.string)):
            untranslated.append(message.id)
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(_strings(message.id))))
        if any(set(PLACEHOLDER.findall(s)) - wanted for s in _strings(found.string)):
            broken.append(message.id)
        if message.pluralizable:  # Indonesian has one form: it must say the number the plural says
            plural = set(PLACEHOLDER.findall(message.id[1]))
            if any(plural - set(PLACEHOLDER.findall(s)) for s in _strings(found.string)):
                countless.append(message.id)
    assert untranslated == []
    assert broken == []  # a translation may not invent a placeholder the code does not fill
    assert countless == []


def _seen(translations: gettext.GNUTranslations, message) -> str | tuple[str, str]:
    """What a user reads for ``message``: its text, or for a plural message the texts chosen for
    one and for five."""
    if message.pluralizable:
        singular, plural = message.id[:2]
        return tuple(translations.ngettext(singular, plural, n) for n in (1, 5))
    if message.context:
        return translations.pgettext(message.context, message.id)
    return translations.gettext(message.id)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogues_show_what_the_sources_say(language):
    compiled = io.BytesIO()
    mofile.write_mo(compiled, translated(read_catalogue(language)))
    compiled.seek(0)
    from_source = gettext.GNUTranslations(compiled)
    with open(catalogue_path(language).with_suffix(".mo"), "rb") as committed:
        shipped = gettext.GNUTranslations(committed)
    messages = [m for m in message_template() if m.id]
    stale = [m.id for m in messages if _seen(shipped, m) != _seen(from_source, m)]
    assert stale == [], "run: python -m backoffice.i18n compile"


@pytest.mark.parametrize(
    "language, one, five",
    [
        ("en", "Record was successfully deleted.", "5 records were successfully deleted."),
        ("id", "1 data berhasil dihapus.", "5 data berhasil dihapus."),
    ],
)
def test_a_plural_message_reads_right_for_one_and_for_five(app, language, one, five):
    singular, plural = "Record was successfully deleted.", "%(count)s records were successfully deleted."
    with app.test_request_context(), force_locale(language):
        assert ngettext(singular, plural, 1, count=1) == one
        assert ngettext(singular, plural, 5, count=5) == five


@pytest.fixture
def indonesian(database_url):
    """The panel with its default language (the rest of the suite reads it in English)."""
    app = create_app(
        {
            "BACKOFFICE_MODE": "test",
            "TESTING": True,
            "BACKOFFICE_CONFIG_FILE": PPOB_CONFIG_FILE,
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )
    return app.test_client()


def login(client, role: str):
    token = csrf_token(client, "/login")
    client.post("/login", data={"username": role, "password": PASSWORDS[role], "csrf_token": token})
    return client


def test_indonesian_is_the_default_for_the_panel_and_flask_admin(indonesian):
    page = indonesian.get("/login").get_data(as_text=True)
    assert '<html lang="id">' in page and ">Masuk</button>" in page and "Nama pengguna" in page
    client = login(indonesian, "administrator")
    home = client.get("/admin/").get_data(as_text=True)
    assert "Dasbor" in home and "Keluar" in home
    listing = client.get("/admin/trancode/").get_data(as_text=True)
    assert "Buat" in listing and "Tambah Filter" in listing  # Flask-Admin's own strings
    form = client.post(
        "/admin/billers/topup/",
        data={"csrf_token": csrf_token(client, "/admin/billers/topup/"), "amount": ""},
    ).get_data(as_text=True)
    assert "Kolom ini wajib diisi." in form  # WTForms' message


def test_a_user_switches_to_english_and_it_is_remembered(indonesian, sql):
    client = login(indonesian, "staff")
    assert re.search(r'href="/admin/">\s*Dasbor</a>', client.get("/admin/report/").get_data(as_text=True))
    token = csrf_token(client, "/admin/")
    response = client.post(
        "/language", data={"language": "en", "next": "/admin/report/", "csrf_token": token}
    )
    assert response.headers["Location"] == "/admin/report/"
    report = client.get("/admin/report/").get_data(as_text=True)
    assert "Transaction report" in report and re.search(
        r'href="/admin/">\s*Dashboard</a>', report
    )  # menu too
    assert sql.scalar(sa.text("SELECT language FROM backoffice.panel_user WHERE username = 'staff'")) == "en"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert ">Log in</button>" in client.get("/login").get_data(as_text=True)
    fresh = login(indonesian.application.test_client(), "staff")
    assert "Log out" in fresh.get("/admin/").get_data(as_text=True)


def test_the_report_has_the_source_documents_headings_in_indonesian(indonesian):
    client = login(indonesian, "staff")
    headings = re.findall(
        r'<th class="col-\w+"[^>]*>(.*?)</th>', client.get("/admin/report/").get_data(as_text=True)
    )
    assert headings[:7] == [
        "Waktu Transaksi",
        "User ID",
        "Nama",
        "Noref",
        "ID Pelanggan",
        "Nama Produk",
        "Akun Asal",
    ]
    assert headings[7:] == ["Status", "Nominal", "Harga Jual", "Harga Beli", "Biller", "Kode Respon"]
    exported = client.get("/admin/report/export/csv/").get_data(as_text=True).lstrip("\ufeff")
    assert exported.startswith("Waktu Transaksi,User ID,Nama,Noref,ID Pelanggan,Nama Produk")


def test_an_unknown_language_or_a_foreign_next_changes_nothing(indonesian):
    token = csrf_token(indonesian, "/login")
    response = indonesian.post(
        "/language", data={"language": "xx", "next": "https://evil.example/", "csrf_token": token}
    )
    assert response.headers["Location"] == "/admin/"
    assert '<html lang="id">' in indonesian.get("/login").get_data(as_text=True)


def test_lists_show_jakarta_times_and_indonesian_numbers(login_as, sql):
    row = sql.execute(
        sa.text("SELECT trancodeid, hargajual FROM trancode WHERE hargajual >= 10000 LIMIT 1")
    ).one()
    client = login_as("staff")
    html = client.get(f"/admin/trancode/?search={row.trancodeid}").get_data(as_text=True)
    assert f"{row.hargajual:,.0f}".replace(",", ".") in html
    html = client.get("/admin/tempmsg_backup/").get_data(as_text=True)
    assert re.search(r">\s*\d\d-[A-Z][a-z]{2}-20\d\d \d\d:\d\d:\d\d\s*<", html)


def test_a_word_of_two_meanings_is_translated_by_its_context(indonesian, sql):
    login(indonesian, "administrator")
    agent = sql.scalar(sa.text("SELECT min(agent_id) FROM am_user"))
    form = indonesian.get(f"/admin/am_user/edit/?id={agent}").get_data(as_text=True)
    label = re.search(r'<label for="address"[^>]*>\s*([^<&]*?)\s*[<&]', form).group(1)
    assert label == "Alamat"  # the agent's street address
    assert "Alamat IP" not in form and "Alamat IP" in indonesian.get("/admin/audit_log/").get_data(
        as_text=True
    )


def test_the_shipped_file_labels_every_ppob_table_column_and_group_in_both_languages(app):
    import tomllib
    from pathlib import Path

    shipped = tomllib.loads(Path(PPOB_CONFIG_FILE).read_text())
    both = {"id", "en"}
    columns = {c.name for t in app.extensions["backoffice"].tables.values() for c in t.columns}
    unlabelled = sorted(
        name
        for name in columns
        if set(shipped["column_labels"].get(name) or {}) != both  # a text alone is one language
    )
    assert unlabelled == []
    tables = {name: entry.get("label") for name, entry in shipped["tables"].items()}
    assert [name for name, label in tables.items() if set(label or {}) != both] == []
    assert all(set(label) == both for label in shipped["groups"].values())
