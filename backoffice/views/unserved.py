"""The tables the panel found but could not serve, with the reason (start-up never stops for one)."""

from flask_admin import expose
from flask_babel import lazy_gettext

from .base import GatedBaseView


class UnservedView(GatedBaseView):
    """Administrators see which tables have no view and why, to fix the file or the table."""

    endpoint_capabilities = {"index": "list"}

    def __init__(self, unserved: dict[str, str], **kwargs):
        super().__init__(
            name=lazy_gettext("Unserved tables"), endpoint="unserved", url="/admin/unserved", **kwargs
        )
        self.unserved = unserved

    @expose("/")
    def index(self):
        return self.render("backoffice/unserved.html", unserved=self.unserved)
