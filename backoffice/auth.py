"""Login and logout of panel users (Flask-Login, signed-cookie sessions)."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_admin.babel import gettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, validators

from .extensions import db, login_manager
from .models.panel import PanelUser

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[validators.InputRequired(), validators.Length(max=60)])
    password = PasswordField("Password", validators=[validators.InputRequired(), validators.Length(max=200)])


def init_auth(app: Flask) -> None:
    """Wire Flask-Login and the login/logout routes into ``app``."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    app.register_blueprint(bp)


@login_manager.user_loader
def load_user(user_id: str) -> PanelUser | None:
    """Load the user of a session; a session signed before the user's last logout is void."""
    id_part, _, version = user_id.partition(":")
    if not id_part.isdigit() or not version.isdigit():
        return None
    user = db.session.get(PanelUser, int(id_part))
    if user is None or user.session_version != int(version):
        return None
    return user


@bp.route("/login", methods=("GET", "POST"))
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(db.select(PanelUser).filter_by(username=form.username.data))
        if user is not None and user.active and user.check_password(form.password.data):
            session.clear()  # a fresh session on login: nothing from before survives
            login_user(user)
            user.last_login_at = datetime.now(UTC)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        flash(gettext("Invalid username or password."), "error")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 401


@bp.route("/logout", methods=("POST",))
@login_required
def logout():
    # Bumping the version voids every copy of this user's signed session cookie.
    current_user.session_version += 1
    db.session.commit()
    logout_user()
    session.clear()
    flash(gettext("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("admin.index")
