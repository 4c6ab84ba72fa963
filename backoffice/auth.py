"""Login, logout and password change of panel users (Flask-Login, signed-cookie sessions).

A user with a second factor passes the password here, then the code (``second_factor.py``),
within a few minutes, before the session is theirs.

Repeated failures slow down and then lock logins of an account name, counted from the audit trail
(so every worker and host sees the same count), one attempt per name at a time; an address that
fails many times within a minute is told to wait a moment, and locks no one else's account. The
answer never tells whether an account exists: unknown names get the same message, the same delay,
the same lock and the same password-hashing work, and are recorded by a digest, not as typed. The
client's address is the one a configured number of trusted proxies report (``security.py``).
"""

import hashlib
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, StringField, validators

from .audit import record
from .database import one_at_a_time
from .extensions import db, login_manager
from .i18n import LANGUAGES, TranslatedForm
from .models.panel import MIN_PASSWORD_LENGTH, AuditRecord, PanelUser

bp = Blueprint("auth", __name__)

#: Failures from one address within ADDRESS_WINDOW_SECONDS may be this many times the per-account
#: limit (shared offices, NAT) before that address is slowed down.
ADDRESS_FACTOR = 4
ADDRESS_WINDOW_SECONDS = 60
#: The session key of when its user logged in.
SIGNED_IN_AT = "signed_in_at"
#: The audit actions of a wrong password at login and of a wrong current password on change.
LOGIN_FAILED = "login_failed"
PASSWORD_CHECK_FAILED = "password_check_failed"
#: How a name that is no account is recorded: this prefix and a digest, never the typed text.
UNKNOWN_NAME = "unknown:"
#: From this many failures on, each further attempt waits (0.5 s, 1 s, 2 s... at most 4 s).
SLOW_AFTER = 3
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")
#: The session keys of a login that passed the password and owes the second factor, of where it
#: goes then, and of when the user last proved who they are (login or step-up, epoch seconds).
PENDING = "login_pending"
PENDING_NEXT = "login_next"
PROVED_AT = "proved_at"
#: How long the code may take after the password.
PENDING_SECONDS = 300
#: Where each app keeps its password-check slots (see _hashing_slot).
HASHING_SLOTS = "backoffice_login_hashing"


class LoginsBusy(Exception):
    """Every password-check slot of this process stayed taken for the whole wait."""


class LoginForm(TranslatedForm):
    username = StringField(
        lazy_gettext("Username"), validators=[validators.InputRequired(), validators.Length(max=60)]
    )
    password = PasswordField(
        lazy_gettext("Password"), validators=[validators.InputRequired(), validators.Length(max=200)]
    )


class PasswordForm(TranslatedForm):
    current = PasswordField(lazy_gettext("Current password"), validators=[validators.InputRequired()])
    new = PasswordField(
        lazy_gettext("New password"),
        validators=[validators.InputRequired(), validators.Length(min=MIN_PASSWORD_LENGTH, max=200)],
    )
    confirm = PasswordField(
        lazy_gettext("Repeat the new password"),
        validators=[validators.EqualTo("new", message=lazy_gettext("The passwords do not match."))],
    )


def init_auth(app: Flask) -> None:
    """Wire Flask-Login and the login, logout and password routes into ``app``."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    app.extensions[HASHING_SLOTS] = threading.BoundedSemaphore(app.config["BACKOFFICE_LOGIN_HASHES_AT_ONCE"])
    app.register_blueprint(bp)


@login_manager.user_loader
def load_user(user_id: str) -> PanelUser | None:
    """Load the user of a session; a session signed before the user's last logout, or signed in
    longer ago than ``BACKOFFICE_SESSION_MAX_HOURS`` however active it has been, is void."""
    id_part, _, version = user_id.partition(":")
    if not id_part.isdigit() or not version.isdigit():
        return None
    max_age = current_app.config["BACKOFFICE_SESSION_MAX_HOURS"] * 3600
    if time.time() - session.get(SIGNED_IN_AT, 0) > max_age:
        return None
    user = db.session.get(PanelUser, int(id_part))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@bp.route("/login", methods=("GET", "POST"))
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400
    user = db.session.scalar(db.select(PanelUser).filter_by(username=form.username.data))
    username = _recorded_name(form.username.data, user)
    limit = current_app.config["BACKOFFICE_LOGIN_MAX_FAILURES"]
    if _address_failures(request.remote_addr) >= ADDRESS_FACTOR * limit:
        flash(gettext("Too many attempts from this address. Try again in a moment."), "error")
        return render_template("auth/login.html", form=form), 429
    one_at_a_time(f"login:{username}")  # parallel attempts cannot race past the limit
    failures = recent_failures(username)
    if failures >= limit:
        flash(locked_message(), "error")
        return render_template("auth/login.html", form=form), 429
    if failures >= SLOW_AFTER:
        time.sleep(min(0.5 * 2 ** (failures - SLOW_AFTER), 4.0))
    try:
        matches = password_matches(user, form.password.data)
    except LoginsBusy:
        flash(gettext("Many people are logging in at once. Try again in a moment."), "error")
        return render_template("auth/login.html", form=form), 503
    if matches and user.totp_secret is not None:
        _fresh_session(user)
        session[PENDING] = {"id": user.id, "version": user.session_version, "at": int(time.time())}
        session[PENDING_NEXT] = _safe_next(request.args.get("next"))
        return redirect(url_for("second_factor.code"))
    if matches:
        return sign_in(user, "password", _safe_next(request.args.get("next")))
    account = {"actor": username, "actor_id": user.id if user else None}
    record(LOGIN_FAILED, **account)
    if failures + 1 >= limit:
        record("login_locked", **account)
    db.session.commit()
    flash(gettext("Invalid username or password."), "error")
    return render_template("auth/login.html", form=form), 401


def sign_in(user: PanelUser, how: str, target: str):
    """Log ``user`` in (``how``: password, code, recovery_code) in a fresh session, record it,
    and go to ``target``, a path of this site."""
    _fresh_session(user)
    now = int(time.time())
    session[SIGNED_IN_AT] = now  # for the absolute lifetime (load_user)
    session[PROVED_AT] = now  # a login is a proof (step-up)
    session.permanent = True  # so the idle timeout applies (see security.py)
    login_user(user)
    user.last_login_at = datetime.now(UTC)
    record("login", detail={"with": how})
    db.session.commit()
    if how == "recovery_code":
        left = len((user.recovery_codes or "").split())
        flash(gettext("You logged in with a recovery code: %(left)s are left.", left=left), "warning")
    return redirect(target)


def pending_user() -> PanelUser | None:
    """The user who passed the password for a login a moment ago and owes the code, or None
    (``PENDING_NEXT`` in the session: where the login goes then)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(PanelUser, pending.get("id"))
    if user is None or not user.active or user.session_version != pending.get("version"):
        return None
    return user


def _fresh_session(user: PanelUser) -> None:
    """Nothing from before a login survives it but the language."""
    chosen = session.get("language")
    session.clear()
    session["language"] = user.language or chosen


@bp.route("/logout", methods=("POST",))
@login_required
def logout():
    # Bumping the version voids every copy of this user's signed session cookie.
    current_user.session_version += 1
    record("logout")
    db.session.commit()
    language = session.get("language")
    logout_user()
    session.clear()
    session["language"] = language  # the login page stays in the user's language
    flash(gettext("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=("POST",))
def set_language():
    """Switch the interface language: for this session, and for the user's later logins."""
    language = request.form.get("language")
    if language in LANGUAGES:
        session["language"] = language
        if current_user.is_authenticated:
            current_user.language = language
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/account/password", methods=("GET", "POST"))
@login_required
def change_password():
    """A user changes their own password; their other sessions end, this one goes on."""
    form = PasswordForm()
    if form.validate_on_submit():
        name = current_user.username
        one_at_a_time(f"password:{name}")
        if (
            recent_failures(name, PASSWORD_CHECK_FAILED)
            >= current_app.config["BACKOFFICE_LOGIN_MAX_FAILURES"]
        ):
            flash(locked_message(), "error")
            return render_template("auth/password.html", form=form), 429
        if not current_user.check_password(form.current.data):
            record(PASSWORD_CHECK_FAILED)  # guessed passwords are throttled here as at login
            db.session.commit()
            form.current.errors.append(gettext("The current password is not correct."))
        else:
            user = current_user._get_current_object()
            user.set_password(form.new.data)
            user.session_version += 1
            record("password_changed", table_name="backoffice.panel_user", record_key=str(user.id))
            db.session.commit()
            login_user(user)
            flash(gettext("Your password has been changed."), "success")
            return redirect(url_for("admin.index"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


def password_matches(user: PanelUser | None, password: str) -> bool:
    """Check ``password`` in one of this process's hashing slots (raise :class:`LoginsBusy` when
    none frees up in time); a name that is no account gets the same work, so timing tells nothing."""
    with _hashing_slot():
        if user is None or not user.active:
            check_password_hash(_DUMMY_HASH, password)
            return False
        return user.check_password(password)


@contextmanager
def _hashing_slot():
    """One of ``BACKOFFICE_LOGIN_HASHES_AT_ONCE`` password checks at a time per process. A check is
    scrypt (N=2^15, r=8, p=1: 32 MiB and about 65 ms of one core on the two-core reference
    machine); a login storm that hashed without a bound would take every core from every other
    page. Beyond the bound a login waits up to ``BACKOFFICE_LOGIN_HASH_WAIT_SECONDS``, then is
    told to try again in a moment."""
    slots = current_app.extensions[HASHING_SLOTS]
    if not slots.acquire(timeout=current_app.config["BACKOFFICE_LOGIN_HASH_WAIT_SECONDS"]):
        raise LoginsBusy
    try:
        yield
    finally:
        slots.release()


def _recorded_name(typed: str, user: PanelUser | None) -> str:
    """The name a login attempt is recorded and counted under: an account's own name, or for a
    name that is no account (perhaps a password typed in the wrong field) a digest of it."""
    if user is not None:
        return user.username
    return UNKNOWN_NAME + hashlib.sha256(typed.encode()).hexdigest()[:16]


def locked_message() -> str:
    minutes = current_app.config["BACKOFFICE_LOGIN_LOCK_MINUTES"]
    return gettext("Too many failed attempts. Try again in %(minutes)s minutes.", minutes=minutes)


def _failed_since(since: datetime, action: str = LOGIN_FAILED):
    return sa.select(sa.func.count()).where(AuditRecord.action == action, AuditRecord.occurred_at >= since)


def recent_failures(username: str, action: str = LOGIN_FAILED) -> int:
    """Failures (``action``) of this account name within the lock window, since its last login."""
    since = datetime.now(UTC) - timedelta(minutes=current_app.config["BACKOFFICE_LOGIN_LOCK_MINUTES"])
    last_success = (
        sa.select(sa.func.max(AuditRecord.occurred_at))
        .where(AuditRecord.action == "login", AuditRecord.actor == username)
        .scalar_subquery()
    )
    return db.session.scalar(
        _failed_since(since, action).where(
            AuditRecord.actor == username, AuditRecord.occurred_at > sa.func.coalesce(last_success, since)
        )
    )


def _address_failures(address: str | None) -> int:
    """Failed logins from this address within the last minute: beyond a few times the per-account
    limit the address waits a moment; it never locks the accounts of others who share it."""
    since = datetime.now(UTC) - timedelta(seconds=ADDRESS_WINDOW_SECONDS)
    return db.session.scalar(_failed_since(since).where(AuditRecord.source_ip == address))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("admin.index")
