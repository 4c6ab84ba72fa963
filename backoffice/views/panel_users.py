"""Administration of the panel's own users (schema ``backoffice``)."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import PasswordField, SelectField, validators

from ..approvals import AccountRequests, Refused, is_last_administrator
from ..extensions import db
from ..inputs import typed
from ..models.panel import MIN_PASSWORD_LENGTH, PanelUser
from ..permissions import ACCOUNTS_VIEW
from .base import GatedModelView
from .gate import matrix


class PanelUserView(GatedModelView):
    """Panel users and their roles; the password is set through a hashed field, never shown.

    A role is given with four eyes: a changed role waits for a second administrator (the approval
    queue), and a new account starts with a role that can neither move money nor change accounts.
    So does the reset of a lost second factor. Every write steps up first (``gate``).
    """

    step_up_writes = True
    endpoint_capabilities = {**GatedModelView.endpoint_capabilities, "reset_second_factor": "edit"}
    edit_template = "backoffice/panel_user_edit.html"

    column_list = ("username", "full_name", "role", "active", "last_login_at", "created_at")
    column_details_list = column_list
    column_export_list = column_list
    column_searchable_list = ("username", "full_name")
    column_filters = ("role", "active")
    column_labels = {
        "username": lazy_gettext("Username"),
        "full_name": lazy_gettext("Full name"),
        "role": lazy_gettext("Role"),
        "active": lazy_gettext("Active"),
        "last_login_at": lazy_gettext("Last login"),
        "created_at": lazy_gettext("Created"),
        "language": lazy_gettext("Language"),
    }
    column_default_sort = ("username", False)
    form_columns = ("username", "full_name", "role", "active", "new_password")
    form_extra_fields = {
        "new_password": PasswordField(
            lazy_gettext("New password"),
            validators=[validators.Optional(), validators.Length(min=MIN_PASSWORD_LENGTH)],
            description=lazy_gettext("Leave empty to keep the current password."),
        )
    }
    form_overrides = {"role": SelectField}
    readonly_columns = frozenset({"new_password"})
    audited_columns = (
        "username",
        "full_name",
        "role",
        "active",
        "session_version",
    )  # hashed in on_model_change, never stored as given

    def __init__(self, accounts: AccountRequests, **kwargs):
        super().__init__(PanelUser, db, name=lazy_gettext("Panel users"), endpoint=ACCOUNTS_VIEW, **kwargs)
        self.accounts = accounts

    def create_form(self, obj=None):
        form = self._with_roles(super().create_form(obj))
        form.new_password.description = ""  # "leave empty to keep" is for an edit: a new user needs one
        return form

    def edit_form(self, obj=None):
        return self._with_roles(super().edit_form(obj))

    def _with_roles(self, form):
        roles = current_app.extensions["backoffice"].matrix.roles
        form.role.choices = [(role, role) for role in roles]
        return form

    def on_model_change(self, form, model, is_created):
        if is_created and matrix().is_privileged(model.role):
            raise validators.ValidationError(
                gettext(
                    "A new account starts with a role that can neither move money nor change accounts; "
                    "then change its role, which a second administrator approves."
                )
            )
        # The password first: the checks below query, and a query flushes the new account.
        if form.new_password.data:
            model.set_password(form.new_password.data)
            model.session_version = (model.session_version or 1) + 1
        elif is_created:
            raise validators.ValidationError(gettext("A new user needs a password."))
        asked = None if is_created else self._asked_role(model)
        self._keep_an_administrator(model, remains=(asked or model.role) == "administrator" and model.active)
        if asked is not None:
            try:
                self.accounts.ask(AccountRequests.ROLE, model, current_user, role=asked)
            except Refused as exc:
                raise validators.ValidationError(str(exc)) from None
            flash(gettext("The new role waits for a second administrator (Approvals)."), "info")

    def _asked_role(self, model: PanelUser) -> str | None:
        """A changed role is not saved but asked for: the role kept back, or None when unchanged."""
        history = sa.inspect(model).attrs.role.history
        if not history.has_changes():
            return None
        model.role = history.deleted[0]
        return history.added[0]

    @expose("/reset-second-factor/", methods=("POST",))
    def reset_second_factor(self):
        """Ask for the reset of a user's lost second factor (a second administrator decides)."""
        key = typed(PanelUser.__table__.c.id, request.form.get("id"))
        user = (db.session.get(PanelUser, key) if key is not None else None) or abort(404)
        try:
            self.accounts.ask(AccountRequests.RESET, user, current_user)
            db.session.commit()
            flash(gettext("The reset waits for a second administrator (Approvals)."), "info")
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        return redirect(url_for(".edit_view", id=user.id))

    def on_model_delete(self, model):
        self._keep_an_administrator(model, remains=False)
        super().on_model_delete(model)

    def _keep_an_administrator(self, model: PanelUser, remains: bool) -> None:
        """Refuse a change after which no active administrator would be left."""
        if not remains and is_last_administrator(model):
            raise validators.ValidationError(
                gettext("The last active administrator cannot be removed, demoted or deactivated.")
            )
