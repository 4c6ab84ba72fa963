"""Administration of the panel's own users (schema ``backoffice``)."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext, lazy_gettext
from wtforms import PasswordField, SelectField, validators

from ..extensions import db
from ..models.panel import MIN_PASSWORD_LENGTH, PanelUser
from .base import GatedModelView


class PanelUserView(GatedModelView):
    """Panel users and their roles; the password is set through a hashed field, never shown."""

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

    def __init__(self, **kwargs):
        super().__init__(PanelUser, db, name=lazy_gettext("Panel users"), endpoint="panel_users", **kwargs)

    def create_form(self, obj=None):
        return self._with_roles(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._with_roles(super().edit_form(obj))

    def _with_roles(self, form):
        roles = current_app.extensions["backoffice"].matrix.roles
        form.role.choices = [(role, role) for role in roles]
        return form

    def on_model_change(self, form, model, is_created):
        self._keep_an_administrator(model, remains=model.role == "administrator" and model.active)
        if not is_created and sa.inspect(model).attrs.role.history.has_changes():
            model.role_since = datetime.now(UTC)  # four eyes: not an approver of what was asked before
        if form.new_password.data:
            model.set_password(form.new_password.data)
            model.session_version = (model.session_version or 1) + 1
        elif is_created:
            raise validators.ValidationError(gettext("A new user needs a password."))

    def on_model_delete(self, model):
        self._keep_an_administrator(model, remains=False)
        super().on_model_delete(model)

    def _keep_an_administrator(self, model: PanelUser, remains: bool) -> None:
        """Refuse a change after which no active administrator would be left."""
        if remains:
            return
        others = db.session.scalar(
            sa.select(sa.func.count()).where(
                PanelUser.role == "administrator", PanelUser.active, PanelUser.id != model.id
            )
        )
        if others == 0:
            raise validators.ValidationError(
                gettext("The last active administrator cannot be removed, demoted or deactivated.")
            )
