"""The admin site: a view per reflected table, the panel's own views, grouped in menus."""

import logging
from dataclasses import dataclass, field

from flask import Flask, current_app
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext
from flask_login import current_user
from markupsafe import Markup

from ..approvals import BalanceRequests, RedeemRequests
from ..billers import Billers
from ..catalogue import Catalogue
from ..i18n import TRANSLATIONS, current_language
from ..masking import secret_reason
from ..models.reflection import ReflectedTable, endpoint_for
from ..naming import OTHER as OTHER_GROUP
from ..naming import guess_groups, humanise
from ..permissions import PermissionMatrix
from ..report import ReportMapping, TransactionReport
from ..security import csp_nonce
from .approvals import ApprovalView
from .audit import AuditTrailView
from .billers import BillerView
from .dashboard import DashboardView
from .generated import build_view
from .panel_users import PanelUserView
from .reconciliation import ReconciliationView
from .report import ReportView
from .search import SearchTarget, SearchView
from .unserved import UnservedView

log = logging.getLogger(__name__)


@dataclass
class BackOffice:
    """What the running application knows: the file, the matrix, the reflected tables."""

    catalogue: Catalogue
    matrix: PermissionMatrix
    tables: dict[str, ReflectedTable]
    #: Tables that could not be given a view, and why (shown on the "Not shown" page).
    unserved: dict[str, str] = field(default_factory=dict)
    #: Table -> its columns hidden as secrets -> why (shown on the same page).
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The main menu as rendered, by (role, language, current view): see :func:`cached_menu`.
    menus: dict[tuple, Markup] = field(default_factory=dict)


def cached_menu(view, render) -> Markup:
    """The main menu for ``view``, rendered by ``render`` (Flask-Admin's menu macro) once per role,
    language and current view.

    It depends on nothing else: the views and the permission matrix are fixed at start-up. Drawing
    it (an access check and a URL per entry) was most of the time of a page with a short body.
    """
    role = current_user.role if current_user.is_authenticated else None
    key = (role, current_language(), view.endpoint)
    menus = current_app.extensions["backoffice"].menus
    if key not in menus:
        menus[key] = Markup(render())
    return menus[key]


def init_admin(app: Flask, catalogue: Catalogue, tables: dict[str, ReflectedTable]) -> Admin:
    """Build the admin site for ``app``: one view per table, menus in the file's group order."""
    view_grants = {endpoint_for(name): settings.permissions for name, settings in catalogue.tables.items()}
    matrix = PermissionMatrix(catalogue.roles, view_grants)
    backoffice = app.extensions["backoffice"] = BackOffice(catalogue, matrix, tables)
    backoffice.secrets = hidden_secrets(catalogue, tables)
    app.jinja_env.globals["cached_menu"] = cached_menu

    report = transaction_report(catalogue, tables)
    money = Money.over(tables, report, app.config)
    agents = tables.get(report.mapping.agents["table"]) if report else None
    dashboard = DashboardView(
        report, money.billers, money.queues, agents, name=lazy_gettext("Dashboard"), url="/admin"
    )
    matrix.register_view("margin", "money")  # a figure, not a page: see BUILTIN_ROLES
    admin = Admin(
        app,
        name=catalogue.title,
        theme=Bootstrap4Theme(swatch="default", fluid=True),
        csp_nonce_generator=csp_nonce,
        translations_path=str(TRANSLATIONS),
        index_view=dashboard,
    )
    placed = menu_groups(catalogue, list(tables))
    groups = {**catalogue.groups, **{g: humanise(g) for g in placed.values() if g not in catalogue.groups}}
    groups[OTHER_GROUP] = catalogue.groups.get(OTHER_GROUP, lazy_gettext("Other"))
    ordered = sorted(tables.values(), key=lambda t: _menu_position(catalogue, groups, placed, t.name))
    generated = {}
    for reflected in ordered:
        settings = catalogue.table(reflected.name)
        group = placed[reflected.name]
        try:
            view = build_view(reflected, settings, catalogue, groups[group], app.config, tables)
        except Exception as exc:  # a shape this panel cannot serve: list it, serve the rest
            # (a wrong entry of the operator's file is a ConfigError, which is no Exception: it
            # stops start-up with its message)
            log.warning("table %s not served: %s", reflected.name, exc)
            backoffice.unserved[reflected.name] = f"{type(exc).__name__}: {exc}"
            continue
        matrix.register_view(reflected.endpoint, group)
        admin.add_view(view)
        generated[reflected.name] = view
    if report is not None:
        matrix.register_view("report", "transactions")
        admin.add_view(ReportView(report, category=groups.get("transactions", "Transactions")))
    add_money_views(admin, matrix, groups, money)
    targets = [
        SearchTarget.over(
            tables[name], catalogue.table(name), view.name, app.config["BACKOFFICE_LARGE_TABLE_ROWS"]
        )
        for name, view in generated.items()
    ]
    admin.add_view(SearchView(report, [target for target in targets if target is not None]))
    matrix.register_view("audit_log", "activity")
    admin.add_view(AuditTrailView(category=groups.get("activity", "Activity")))
    matrix.register_view("panel_users", "panel")
    admin.add_view(PanelUserView(category=catalogue.groups.get("panel", "Panel")))
    matrix.register_view("unserved", "panel")
    admin.add_view(
        UnservedView(backoffice.unserved, backoffice.secrets, category=catalogue.groups.get("panel", "Panel"))
    )
    return admin


def hidden_secrets(catalogue: Catalogue, tables: dict[str, ReflectedTable]) -> dict[str, dict[str, str]]:
    """Table -> column -> why it is hidden as a secret, for every table that has one."""
    found = {}
    for name, reflected in tables.items():
        settings = catalogue.table(name)
        reasons = {c.name: secret_reason(c, settings) for c in reflected.columns}
        if any(reasons.values()):
            found[name] = {column: reason for column, reason in reasons.items() if reason}
    return found


@dataclass
class Money:
    """The biller and approval machinery, where the PPOB tables are."""

    billers: Billers | None = None
    requests: BalanceRequests | None = None
    queues: list = field(default_factory=list)

    @classmethod
    def over(cls, tables: dict[str, ReflectedTable], report: TransactionReport | None, config) -> "Money":
        money = cls(queues=[RedeemRequests(tables)] if RedeemRequests.available(tables) else [])
        if report is not None and Billers.available(tables):
            money.billers = Billers(tables, report)
            money.requests = BalanceRequests(money.billers, config)
            money.queues.insert(0, money.requests)
        return money


def add_money_views(admin: Admin, matrix: PermissionMatrix, groups: dict, money: Money) -> None:
    """Biller balances, top-ups, reconciliation and the approval queue."""
    if money.billers is not None:
        category = groups.get("billers", "Billers")
        for view in (
            BillerView(money.billers, money.requests, category=category),
            ReconciliationView(money.billers, category=category),
        ):
            matrix.register_view(view.endpoint, "billers")
            admin.add_view(view)
    if money.queues:
        matrix.register_view("approvals", "approvals")
        admin.add_view(ApprovalView(money.queues, category=groups.get("approvals", "Approvals")))


def transaction_report(catalogue: Catalogue, tables: dict[str, ReflectedTable]) -> TransactionReport | None:
    """The report over this database: checked strictly when the file declares ``[report]``;
    otherwise offered only when the default (PPOB) tables are there."""
    mapping = ReportMapping.from_file(catalogue.report)
    if not catalogue.report and not all(name in tables for name in mapping.tables):
        return None
    mapping.check(tables)
    return TransactionReport(mapping, tables)


def menu_groups(catalogue: Catalogue, names: list[str]) -> dict[str, str]:
    """Table -> its menu group: the file's; without any group in the file, one guessed from
    schemas and shared name prefixes (as ``config-scaffold`` writes them)."""
    guessed = {} if catalogue.groups else guess_groups(names)
    return {name: catalogue.table(name).group or guessed.get(name, OTHER_GROUP) for name in names}


def _menu_position(catalogue: Catalogue, groups: dict, placed: dict[str, str], name: str) -> tuple[int, str]:
    """Groups in the file's order (guessed ones after, then "other"), tables by label within."""
    label = catalogue.table(name).label or humanise(name.rpartition(".")[2])
    return list(groups).index(placed[name]), str(label)
