"""The form base of every generated view: CSRF-protected, and writing back only what changed.

Flask-Admin's forms write every field on save, so a save without changes still changes data
(timestamps lose microseconds, NULL becomes False or '', server defaults are overwritten). Here a
field is written only when the user changed it: its submitted text differs from how the original
value was rendered. On create, an untouched field is not written, so the database's own default
(``now()``, ``'-'``, ``0``) applies. On an edit, an untouched field is not validated again either.
"""

from wtforms import BooleanField, Field

from ..i18n import TranslatedForm


def _render(field: Field, value) -> str:
    """The text ``field`` shows for ``value`` (what the user saw in the form)."""
    if not hasattr(field, "_value"):  # a select shows options: its value is the option's text
        return "" if value is None else str(value)
    saved = field.data, field.raw_data
    field.data, field.raw_data = value, None
    try:
        return field._value()
    finally:
        field.data, field.raw_data = saved


def is_untouched(field: Field) -> bool:
    """True when the submitted value of ``field`` is the value the form was opened with."""
    return is_untouched_against(field, field.object_data)


def is_untouched_against(field: Field, value) -> bool:
    """True when the submitted value of ``field`` is ``value`` as the form would show it."""
    if hasattr(field, "holds"):  # a field whose value is not one text (a multiple select)
        return field.holds(value)
    if field.data == value:
        return True
    if isinstance(field, BooleanField):
        # An unchecked box submits nothing: it keeps a NULL as NULL.
        return field.data == bool(value)
    submitted = field.raw_data[0] if field.raw_data else ""
    return submitted == _render(field, value)


class RoundTripForm(TranslatedForm):
    """Base form of the generated views (set as ``form_base_class``)."""

    #: Fields never written from a submission, whatever it contains (set per form class by the view).
    readonly_fields: frozenset[str] = frozenset()

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        # Flask-Admin's Unique validator recognises the row being edited by this attribute,
        # which its own BaseForm sets and FlaskForm does not.
        self._obj = obj

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self._obj is None:
            return valid
        # On an edit, a field left as it was holds what the database holds: judging it again
        # could only refuse a row the database accepted ('' in a NOT NULL column, a value beyond
        # a select's first page, a SET of several members). It is not written either.
        for name, field in self._fields.items():
            if name != "csrf_token" and field.errors and is_untouched(field):
                field.errors = []
        return not any(field.errors for field in self._fields.values())

    def populate_obj(self, obj) -> None:
        for name, field in self._fields.items():
            if name in self.readonly_fields or is_untouched(field):
                continue
            field.populate_obj(obj, name)
