"""A second factor for panel users, and step-up before money moves or an account changes.

The factor is a TOTP code (RFC 6238: six digits, a new one every 30 seconds) from an authenticator
app, or, once each, one of ten recovery codes shown at enrolment and stored as digests. Who must
have one is declared in the configuration file (``[second_factor]``, :class:`Policy`); whoever has
enrolled logs in with it. A code is good for one use: the time step it was made for is kept, and
only a later step is accepted after it.

Step-up: approving or carrying out a money operation and changing an account ask for a fresh
proof (the code, or the password for a user without a second factor) when the last one is older
than ``BACKOFFICE_STEP_UP_MINUTES``. The request that needs it is answered with a confirmation page
that sends the same form again with the proof, so nothing typed is lost.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from wtforms import StringField, validators

from . import auth
from .audit import record
from .extensions import db
from .i18n import TranslatedForm
from .models.panel import PanelUser
from .permissions import PermissionMatrix

bp = Blueprint("second_factor", __name__)

STEP_SECONDS = 30
#: Codes of the step before and after the current one are accepted too (clocks drift).
DRIFT_STEPS = 1
RECOVERY_CODES = 10
#: The session key of the secret being enrolled, until a code made with it is typed.
ENROLLING = "second_factor_enrolling"
#: The form field that carries a step-up proof along with the request that needed it.
PROOF_FIELD = "step_up_proof"
#: Audit actions.
CODE_FAILED = "second_factor_failed"
STEP_UP_FAILED = "step_up_failed"
#: Where an unenrolled user who must enrol may still go.
OPEN_TO_UNENROLLED = frozenset({"second_factor.enrol", "auth.logout", "auth.set_language", "static"})


@dataclass(frozen=True)
class Policy:
    """Who must log in with a second factor: these roles, and these user names."""

    roles: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()

    def required(self, user: PanelUser) -> bool:
        return user.username in self.users or user.role in self.roles

    @classmethod
    def over(cls, declared: dict, matrix: PermissionMatrix, mode: str) -> "Policy":
        """From the file's ``[second_factor]`` (``roles``, ``users``). In production the roles
        default to those that may move money or manage accounts; in demo and test mode only the
        named users must enrol, so that a demo and a test log in with a password alone."""
        users = frozenset(declared.get("users", ()))
        if mode != "production":
            return cls(users=users)
        roles = declared.get("roles")
        if roles is None:
            roles = [role for role in matrix.roles if matrix.is_privileged(role)]
        return cls(roles=frozenset(roles), users=users)


def policy() -> Policy:
    return current_app.extensions["backoffice"].second_factor


class CodeForm(TranslatedForm):
    code = StringField(
        lazy_gettext("Code"), validators=[validators.InputRequired(), validators.Length(max=40)]
    )


def init_second_factor(app) -> None:
    """Wire the code, enrolment and step-up routes, and the rule that who must enrol does first."""
    app.register_blueprint(bp)
    app.before_request(_enrol_first)


def _enrol_first():
    """A user who must have a second factor and has none goes to enrolment before anything else."""
    if (
        current_user.is_authenticated
        and current_user.totp_secret is None
        and request.endpoint not in OPEN_TO_UNENROLLED
        and not (request.endpoint or "").endswith(".static")
        and policy().required(current_user)
    ):
        return redirect(url_for("second_factor.enrol"))
    return None


@bp.route("/login/code", methods=("GET", "POST"))
def code():
    """The second step of a login: the code of a user who passed the password a moment ago."""
    user = auth.pending_user()
    if user is None:
        flash(gettext("Log in again: the code was not given in time."), "error")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form), 200 if request.method == "GET" else 400
    if (
        auth.recent_failures(user.username, CODE_FAILED)
        >= current_app.config["BACKOFFICE_LOGIN_MAX_FAILURES"]
    ):
        flash(auth.locked_message(), "error")
        return render_template("auth/code.html", form=form), 429
    how = proves(user, form.code.data)
    if how is None:
        record(CODE_FAILED, actor=user.username, actor_id=user.id)
        db.session.commit()
        form.code.errors.append(gettext("The code is not correct, or was used already."))
        return render_template("auth/code.html", form=form), 401
    return auth.sign_in(user, how, session.get(auth.PENDING_NEXT) or url_for("admin.index"))


@bp.route("/account/second-factor", methods=("GET", "POST"))
@login_required
def enrol():
    """Enrol an authenticator app: scan the QR code, type one code it shows; the recovery codes
    are then shown once. An enrolled user sees since when (a lost device: another administrator
    resets it, with four eyes)."""
    user = current_user._get_current_object()
    if user.totp_secret is not None:
        return render_template("auth/enrolled.html", user=user)
    secret = session.get(ENROLLING) or pyotp.random_base32()
    session[ENROLLING] = secret
    form = CodeForm()
    if form.validate_on_submit():
        step = _totp_step(secret, form.code.data, after=None)
        if step is not None:
            return render_template("auth/recovery_codes.html", codes=_enrol(user, secret, step))
        record(CODE_FAILED, detail={"during": "enrolment"})
        db.session.commit()
        form.code.errors.append(gettext("The code is not correct: check the phone's clock and try again."))
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=_issuer())
    qr = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    status = 400 if form.errors else 200
    return render_template("auth/enrol.html", form=form, qr=qr, secret=_grouped(secret)), status


def _enrol(user: PanelUser, secret: str, step: int) -> list[str]:
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    user.totp_secret, user.totp_last_step = secret, step
    user.totp_enrolled_at = datetime.now(UTC)
    user.recovery_codes = " ".join(_digest(code) for code in codes)
    session.pop(ENROLLING, None)
    session[auth.PROVED_AT] = int(time.time())
    record("second_factor_enrolled", table_name="backoffice.panel_user", record_key=str(user.id))
    db.session.commit()
    return codes


def enrol_with(user: PanelUser, secret: str) -> None:
    """Enrol ``user`` with a given base32 ``secret`` (``flask create-user --totp-secret``, so that
    tests and benchmarks can make codes); no recovery codes."""
    if not 16 <= len(secret) <= 64:
        raise ValueError("a second factor's secret has 16 to 64 base32 characters")
    pyotp.TOTP(secret).now()  # refuses what is not base32
    user.totp_secret, user.totp_enrolled_at = secret, datetime.now(UTC)


def proves(user: PanelUser, typed: str) -> str | None:
    """How ``typed`` proves ``user`` (``"code"``, ``"recovery_code"``), spending what it used, or
    None. The user's row is locked first, so one code cannot be used twice at once."""
    user = db.session.get(PanelUser, user.id, with_for_update=True, populate_existing=True)
    step = _totp_step(user.totp_secret, typed, after=user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return "code"
    digests = (user.recovery_codes or "").split()
    digest = _digest(typed)
    if digest in digests:
        digests.remove(digest)
        user.recovery_codes = " ".join(digests)
        return "recovery_code"
    return None


def _totp_step(secret: str | None, typed: str, after: int | None) -> int | None:
    """The time step (near now, later than ``after``) that ``typed`` is the code of, or None."""
    typed = "".join(typed.split())
    if secret is None or len(typed) != 6 or not typed.isascii() or not typed.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // STEP_SECONDS
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), typed):
            return step
    return None


def _new_recovery_code() -> str:
    raw = secrets.token_hex(5)
    return f"{raw[:5]}-{raw[5:]}"


def _digest(code: str) -> str:
    """Recovery codes are random (40 bits), so an unsalted digest keeps them as safe as a password
    hash would, and can be looked up."""
    normal = "".join(ch for ch in code.lower() if ch.isascii() and ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def _grouped(secret: str) -> str:
    """The secret as a person types it into an app by hand: groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _issuer() -> str:
    return str(current_app.extensions["backoffice"].catalogue.title)


def recently_proved() -> bool:
    minutes = current_app.config["BACKOFFICE_STEP_UP_MINUTES"]
    return time.time() - session.get(auth.PROVED_AT, 0) <= minutes * 60


def step_up():
    """None when the current user proved who they are recently, or proves it with this request's
    ``step_up_proof``; otherwise the confirmation page, which sends this request's form again with
    the proof typed there (the response the gate returns instead of running the view)."""
    if recently_proved():
        return None
    user = current_user._get_current_object()
    proof = request.form.get(PROOF_FIELD, "")[:200]
    status = 200
    if proof:
        limit = current_app.config["BACKOFFICE_LOGIN_MAX_FAILURES"]
        if auth.recent_failures(user.username, STEP_UP_FAILED) >= limit:
            flash(auth.locked_message(), "error")
            return _confirmation(user), 429
        if _step_up_proves(user, proof):
            session[auth.PROVED_AT] = int(time.time())
            record("step_up", view=request.endpoint)
            db.session.commit()  # the proof stands even if what follows is refused
            return None
        record(STEP_UP_FAILED, view=request.endpoint)
        db.session.commit()
        flash(gettext("That did not prove it: try again."), "error")
        status = 401
    return _confirmation(user), status


def _step_up_proves(user: PanelUser, proof: str) -> bool:
    if user.totp_secret is not None:
        return proves(user, proof) is not None
    try:
        return auth.password_matches(user, proof)
    except auth.LoginsBusy:
        return False


def _confirmation(user: PanelUser) -> str:
    fields = [
        (name, value) for name, values in request.form.lists() if name != PROOF_FIELD for value in values
    ]
    return render_template(
        "auth/confirm.html",
        fields=fields,
        action=request.full_path.rstrip("?"),
        with_code=user.totp_secret is not None,
        proof_field=PROOF_FIELD,
    )
