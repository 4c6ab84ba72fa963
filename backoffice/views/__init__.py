"""The admin site: a view per reflected table, the panel's own views, grouped in menus."""

from dataclasses import dataclass

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from ..catalogue import Catalogue
from ..models.reflection import ReflectedTable
from ..permissions import PermissionMatrix
from ..report import ReportMapping, TransactionReport
from ..security import csp_nonce
from .audit import AuditTrailView
from .base import HomeView
from .generated import build_view
from .panel_users import PanelUserView
from .report import ReportView

#: Menu group of tables the declarative file does not place.
OTHER_GROUP = "other"


@dataclass
class BackOffice:
    """What the running application knows: the file, the matrix, the reflected tables."""

    catalogue: Catalogue
    matrix: PermissionMatrix
    tables: dict[str, ReflectedTable]


def init_admin(app: Flask, catalogue: Catalogue, tables: dict[str, ReflectedTable]) -> Admin:
    """Build the admin site for ``app``: one view per table, menus in the file's group order."""
    view_grants = {name: settings.permissions for name, settings in catalogue.tables.items()}
    matrix = PermissionMatrix(catalogue.roles, view_grants)
    app.extensions["backoffice"] = BackOffice(catalogue, matrix, tables)

    admin = Admin(
        app,
        name=catalogue.title,
        theme=Bootstrap4Theme(swatch="default", fluid=True),
        csp_nonce_generator=csp_nonce,
        index_view=HomeView(name="Dashboard", url="/admin"),
    )
    groups = {**catalogue.groups, OTHER_GROUP: catalogue.groups.get(OTHER_GROUP, "Other")}
    ordered = sorted(tables.values(), key=lambda t: _menu_position(catalogue, groups, t.name))
    for reflected in ordered:
        settings = catalogue.table(reflected.name)
        group = settings.group or OTHER_GROUP
        matrix.register_view(reflected.name, group)
        admin.add_view(
            build_view(
                reflected,
                settings,
                catalogue,
                groups[group],
                large_rows=app.config["BACKOFFICE_LARGE_TABLE_ROWS"],
            )
        )
    report = transaction_report(catalogue, tables)
    if report is not None:
        matrix.register_view("report", "transactions")
        admin.add_view(ReportView(report, category=groups.get("transactions", "Transactions")))
    matrix.register_view("audit_log", "activity")
    admin.add_view(AuditTrailView(category=groups.get("activity", "Activity")))
    matrix.register_view("panel_users", "panel")
    admin.add_view(PanelUserView(category=catalogue.groups.get("panel", "Panel")))
    return admin


def transaction_report(catalogue: Catalogue, tables: dict[str, ReflectedTable]) -> TransactionReport | None:
    """The report over this database: checked strictly when the file declares ``[report]``;
    otherwise offered only when the default (PPOB) tables are there."""
    mapping = ReportMapping.from_file(catalogue.report)
    if not catalogue.report and not all(name in tables for name in mapping.tables):
        return None
    mapping.check(tables)
    return TransactionReport(mapping, tables)


def _menu_position(catalogue: Catalogue, groups: dict[str, str], name: str) -> tuple[int, str]:
    group = catalogue.table(name).group or OTHER_GROUP
    return list(groups).index(group), catalogue.table(name).label or name
