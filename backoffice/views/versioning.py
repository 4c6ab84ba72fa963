"""No lost update: an edit form and a list's delete button carry the row version they were shown
at (PostgreSQL's ``xmin``, no schema change), and a save or delete over a later change is refused
with the current values, so that saving again overwrites knowingly."""

import sqlalchemy as sa
from flask import flash, request
from flask_admin.model.template import DeleteRowAction, TemplateLinkRowAction
from flask_babel import gettext
from wtforms import HiddenField

from ..models.reflection import ROW_VERSION
from .forms import is_untouched_against

#: The hidden field of edit forms (and of the list's delete buttons) that carries the row version.
VERSION_FIELD = "row_version"


class VersionedDeleteRowAction(TemplateLinkRowAction):
    """The list's delete button, with the version of the row as listed."""

    def __init__(self) -> None:
        super().__init__("backoffice_row_actions.versioned_delete_row", gettext("Delete Record"))


class RowVersionMixin:
    """Row versions on the edit form, the update and the delete of a model view."""

    def version_column(self):
        """The row version (PostgreSQL's xmin), or None on a database without one."""
        mapper = sa.inspect(self.model)
        return mapper.version_id_col if mapper.version_id_col is not None else mapper.columns.get(ROW_VERSION)

    def version_of(self, model) -> str:
        """The row version a form or a list shows a row at (empty for tables without one)."""
        column = self.version_column()
        return str(getattr(model, column.key)) if column is not None else ""

    def get_edit_form(self):
        form_class = super().get_edit_form()
        if self.version_column() is not None:
            setattr(form_class, VERSION_FIELD, HiddenField())
        return form_class

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        version = getattr(form, VERSION_FIELD, None)
        if version is not None and not version.data and obj is not None:
            version.data = self.version_of(obj)  # the version this form is opened on
        return form

    def update_model(self, form, model):
        # Refuse to save over a change made after the form was opened; the form then carries the
        # new version, so saving again overwrites knowingly.
        opened = getattr(form, VERSION_FIELD, None)
        if opened is not None and opened.data and opened.data != self.version_of(model):
            flash(self._conflict_message(form, model), "error")
            opened.data = self.version_of(model)
            return False
        return super().update_model(form, model)

    def get_list_row_actions(self):
        # The row's delete button carries the row's version, like an edit form.
        return [
            VersionedDeleteRowAction() if isinstance(action, DeleteRowAction) else action
            for action in super().get_list_row_actions()
        ]

    def delete_model(self, model) -> bool:
        listed = request.form.get(VERSION_FIELD)
        if listed and self.version_column() is not None and listed != self.version_of(model):
            flash(
                gettext(
                    "Someone changed this record after the list was shown, so it was not deleted. "
                    "Check it and delete again."
                ),
                "error",
            )
            return False
        return super().delete_model(model)

    def _conflict_message(self, form, model) -> str:
        differences = [
            f"{self.column_labels.get(name, name) if self.column_labels else name} = {getattr(model, name)}"
            for name, field in form._fields.items()
            if name not in form.readonly_fields
            and name != "csrf_token"
            and not is_untouched_against(field, getattr(model, name, None))
        ]
        return gettext(
            "Someone changed this record after you opened it, so nothing was saved. Now: %(now)s. "
            "Check your changes and save again to overwrite.",
            now="; ".join(differences[:6]) or "-",
        )
