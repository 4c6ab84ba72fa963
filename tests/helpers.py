"""Small helpers to read what the panel rendered."""

import re
import time
from html.parser import HTMLParser

from flask.testing import FlaskClient

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


class ClosingClient(FlaskClient):
    """Flask's test client reading and closing every response, as a WSGI server does: a streamed
    download a test does not read would otherwise keep its request's context pushed, so the next
    request would run inside it. ``buffered=False`` still gives the stream itself."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form served at ``url``."""
    html = client.get(url).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token in {url}"
    return match.group(1) or match.group(2)


class _FormReader(HTMLParser):
    """Collects what a browser would submit for the first form with an ``id`` of ``model_form``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str | list[str]] = {}
        self._in_form = False
        self._select = None
        self._multiple = False
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("class", "").find("admin-form") >= 0:
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.values[name] = a.get("value", "y")
            elif kind not in ("submit", "button"):
                self.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._multiple = name, "multiple" in a
            self.values.setdefault(name, [] if self._multiple else "")
        elif tag == "option" and self._select and "selected" in a:
            if self._multiple:
                self.values[self._select].append(a.get("value", ""))
            else:
                self.values[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                # Browsers drop the first newline after <textarea>.
                self.values[self._textarea] = (
                    self.values[self._textarea].removeprefix("\r\n").removeprefix("\n")
                )
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def form_values(html: str) -> dict[str, str | list[str]]:
    """The values a browser would submit, unchanged, from the admin form in ``html`` (a list for a
    multiple select)."""
    reader = _FormReader()
    reader.feed(html)
    return reader.values


def log_in(client, username: str, password: str):
    """Log ``client`` in through the login form; returns the client."""
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, f"{username} could not log in"
    return client


def panel_without_configuration(database_url: str, tmp_path, settings: dict, admin: tuple[str, str]):
    """The panel over a database it was given nothing about but a title (a generator for a fixture):
    its own tables created beside the application's, and an administrator ``admin`` (name, password)."""
    import sqlalchemy as sa

    from app import create_app
    from backoffice.cli import create_user
    from backoffice.extensions import db
    from backoffice.models.panel import PanelUser
    from backoffice.schema import init_database

    config = tmp_path / "panel.toml"
    config.write_text('[panel]\ntitle = "Telemedicine"\n')
    app = create_app(
        {**settings, "SQLALCHEMY_DATABASE_URI": database_url, "BACKOFFICE_CONFIG_FILE": str(config)}
    )
    with app.app_context():
        init_database(db.engine)
        if db.session.scalar(sa.select(PanelUser).filter_by(username=admin[0])) is None:
            create_user(admin[0], "administrator", admin[1])
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def autocommit_connection(database_url: str):
    """A connection of its own to ``database_url``, in autocommit (a generator for a fixture): to
    set up data and check what the panel did."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        yield conn
    engine.dispose()


_FIELD_ERRORS = re.compile(r'<div class="invalid-feedback">(.*?)</div>', re.S)
_FLASHED = re.compile(r'<div class="alert alert-danger[^"]*"[^>]*>(.*?)</div>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def form_errors(html: str) -> list[str]:
    """The messages a form page shows: its fields' errors, then the flashed ones."""
    found = []
    for block in _FIELD_ERRORS.findall(html) + _FLASHED.findall(html):
        found += [
            line.strip()
            for line in _TAGS.sub("\n", block).splitlines()
            if line.strip() and line.strip() != "×"
        ]
    return found


def fresh_code(secret: str, last_step: int | None) -> str:
    """A TOTP code of ``secret`` the panel accepts now: for the current time step, or the next one
    when that is used already (each code is good once), waiting when both are."""
    import pyotp

    from backoffice.second_factor import DRIFT_STEPS, STEP_SECONDS

    while True:
        now = int(time.time()) // STEP_SECONDS
        step = now if last_step is None else max(now, last_step + 1)
        if step <= now + DRIFT_STEPS:
            return pyotp.TOTP(secret).generate_otp(step)
        time.sleep(1)
