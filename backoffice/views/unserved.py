"""What the panel found but does not show, with the reason: tables it could not serve (start-up
never stops for one), columns hidden as secrets, and what works differently when the database is
not PostgreSQL."""

from flask_admin import expose
from flask_babel import lazy_gettext

from ..extensions import db
from .gate import GatedBaseView

#: What works differently on a database that is not PostgreSQL, said where administrators look.
WITHOUT_POSTGRESQL = (
    lazy_gettext(
        "Edits are not checked against a colleague's later change (no row version): the last save wins."
    ),
    lazy_gettext("Tables without a primary key are told apart by all their columns and are read-only."),
    lazy_gettext("Row counts of large tables are the storage engine's estimates."),
    lazy_gettext("Users who may not write are stopped by the panel, not also by a read-only transaction."),
    lazy_gettext("The change history is not chained by hash; audit-verify needs PostgreSQL."),
    lazy_gettext("The transaction report, biller and approval pages need the PPOB database on PostgreSQL."),
)


class UnservedView(GatedBaseView):
    """Administrators see which tables have no view and which columns are hidden as secrets, and
    why, to fix the file or the table (``not_secret`` for a column hidden by its name alone)."""

    endpoint_capabilities = {"index": "list"}

    def __init__(self, unserved: dict[str, str], secrets: dict[str, dict[str, str]], **kwargs):
        super().__init__(name=lazy_gettext("Not shown"), endpoint="unserved", url="/admin/unserved", **kwargs)
        self.unserved, self.secrets = unserved, secrets

    @expose("/")
    def index(self):
        notes = [] if db.engine.dialect.name == "postgresql" else [str(note) for note in WITHOUT_POSTGRESQL]
        return self.render(
            "backoffice/unserved.html", unserved=self.unserved, secrets=self.secrets, notes=notes
        )
