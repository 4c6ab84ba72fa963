"""The admin site: a view per reflected table, the panel's own views, grouped in menus."""

import logging
from dataclasses import dataclass, field

from flask import Flask, current_app
from flask_admin import Admin
from flask_admin.menu import MenuLink
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext
from flask_login import current_user
from markupsafe import Markup

from ..agents import AgentDesk
from ..approvals import AccountRequests, BalanceRequests, RedeemRequests
from ..billers import Billers
from ..catalogue import Catalogue
from ..i18n import TRANSLATIONS, current_language
from ..masking import secret_reason
from ..models.names import TableName
from ..models.reflection import ReflectedTable
from ..naming import OTHER as OTHER_GROUP
from ..naming import guess_groups, humanise
from ..permissions import HOME, PermissionMatrix
from ..report import ReportMapping, TransactionReport
from ..second_factor import Policy
from ..security import csp_nonce
from ..transactions import TransactionDesk
from .agents import AgentDeskView
from .approvals import ApprovalView
from .audit import AuditTrailView
from .billers import BillerView
from .dashboard import DashboardView
from .gate import may
from .generated import build_view
from .panel_users import PanelUserView
from .reconciliation import ReconciliationView
from .report import ReportView
from .search import SearchTarget, SearchView
from .transactions import TransactionDeskView
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
    #: The money pages' parts: biller balances, their requests, the approval queues.
    money: "Money | None" = None
    #: Table key -> its generated view.
    views: dict = field(default_factory=dict)
    #: Endpoint -> the name of every view of the site.
    pages: dict = field(default_factory=dict)
    #: Who must log in with a second factor.
    second_factor: Policy = field(default_factory=Policy)


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


#: Menu labels of the panel's own groups, unless the file names them.
OPERATIONS = "operations"
BUILTIN_GROUPS = {
    # The operator's daily pages, first in the menu; the tables follow in their groups.
    "operations": lazy_gettext("Operations"),
    "transactions": lazy_gettext("Transactions"),
    "billers": lazy_gettext("Billers"),
    "approvals": lazy_gettext("Approvals"),
    "activity": lazy_gettext("Activity"),
    "panel": lazy_gettext("Panel"),
}


@dataclass
class Site:
    """The admin site being built. Every view joins it through :meth:`add`, which gives the view
    its menu group and its permission group from one argument: the permission matrix refuses a
    view that never joined to everyone but administrators."""

    admin: Admin
    matrix: PermissionMatrix
    #: Group -> its menu label.
    groups: dict
    #: Endpoint -> the view's name, for pages that name other pages (the audit trail).
    pages: dict

    def add(self, view, group: str) -> None:
        self.matrix.register_view(view.endpoint, group)
        for operation in getattr(view, "endpoint_views", {}).values():  # granted on their own
            self.matrix.register_view(operation, group)
        self.pages[view.endpoint] = view.name
        view.category = None if group == HOME else self.groups[group]
        self.admin.add_view(view)

    def link(self, name, endpoint: str, group: str) -> None:
        """A menu entry for one page of a view already added (``endpoint``: ``view.method``)."""
        self.admin.add_link(PageLink(name, endpoint, self.groups[group]))


class PageLink(MenuLink):
    """A menu entry for a page of a view (the daily recap, the book): shown to those who may list
    that view, as the view's own entry is."""

    def __init__(self, name, endpoint: str, category):
        super().__init__(name=name, endpoint=endpoint, category=category)
        self.view = endpoint.partition(".")[0]

    def is_accessible(self) -> bool:
        return may("list", self.view)


def init_admin(app: Flask, catalogue: Catalogue, tables: dict[str, ReflectedTable]) -> Admin:
    """Build the admin site for ``app``: one view per table, menus in the file's group order."""
    view_grants = {TableName.parse(name).endpoint: t.permissions for name, t in catalogue.tables.items()}
    matrix = PermissionMatrix(catalogue.roles, view_grants)
    backoffice = app.extensions["backoffice"] = BackOffice(catalogue, matrix, tables)
    backoffice.secrets = hidden_secrets(catalogue, tables)
    app.jinja_env.globals["cached_menu"] = cached_menu
    app.jinja_env.globals["may"] = may  # links from one page to another, for whoever may follow them

    report = transaction_report(catalogue, tables)
    money = Money.over(tables, report, app.config)
    backoffice.money = money
    agents = tables.get(report.mapping.agents["table"]) if report else None
    dashboard = DashboardView(
        report, money.billers, money.queues, agents, name=lazy_gettext("Dashboard"), url="/admin"
    )
    matrix.register_view(dashboard.endpoint, HOME)
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
    site = Site(admin, matrix, {**BUILTIN_GROUPS, **groups}, backoffice.pages)
    add_operations(site, report, money)
    ordered = sorted(tables.values(), key=lambda t: _menu_position(catalogue, groups, placed, t.name))
    for reflected in ordered:
        try:
            view = build_view(reflected, catalogue.table(reflected.name), catalogue, app.config, tables)
        except Exception as exc:  # a shape this panel cannot serve: list it, serve the rest
            # (a wrong entry of the operator's file is a ConfigError, which is no Exception: it
            # stops start-up with its message)
            log.warning("table %s not served: %s", reflected.name, exc)
            backoffice.unserved[reflected.name] = f"{type(exc).__name__}: {exc}"
            continue
        site.add(view, placed[reflected.name])
        backoffice.views[reflected.name] = view
    large = app.config["BACKOFFICE_LARGE_TABLE_ROWS"]
    targets = [
        SearchTarget.over(tables[name], catalogue.table(name), view.name, large)
        for name, view in backoffice.views.items()
    ]
    search = SearchView(report, [target for target in targets if target is not None])
    site.add(search, HOME)
    app.jinja_env.globals["search_offered"] = search.offered
    site.add(AuditTrailView(), "activity")
    site.add(PanelUserView(money.accounts), "panel")
    backoffice.second_factor = Policy.over(catalogue.second_factor, matrix, app.config["BACKOFFICE_MODE"])
    site.add(UnservedView(backoffice.unserved, backoffice.secrets), "panel")
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
    """The approval machinery (every database: the panel's accounts), and the billers' where the
    PPOB tables are."""

    accounts: AccountRequests
    billers: Billers | None = None
    requests: BalanceRequests | None = None
    agents: AgentDesk | None = None
    transactions: TransactionDesk | None = None
    queues: list = field(default_factory=list)

    @classmethod
    def over(cls, tables: dict[str, ReflectedTable], report: TransactionReport | None, config) -> "Money":
        accounts = AccountRequests(config)
        redeem = [RedeemRequests(tables)] if RedeemRequests.available(tables) else []
        money = cls(accounts, queues=[*redeem, accounts])
        if report is not None and Billers.available(tables):
            money.billers = Billers(tables, report)
            money.requests = BalanceRequests(money.billers, config)
            money.queues.insert(0, money.requests)
        if AgentDesk.available(tables):
            money.agents = AgentDesk(tables, config)
            money.queues.insert(0, money.agents)
            if report is not None:  # a refund is a deposit to the agent: the agent desk's function
                money.transactions = TransactionDesk(report, tables, config)
                money.queues.insert(0, money.transactions)
        return money


def add_operations(site: Site, report: TransactionReport | None, money: Money) -> None:
    """The operator's daily pages, first in the menu: the live report and its recap, the agent
    desk, biller balances and the book, the H+1 reconciliation, the approval queue."""
    if report is not None:
        site.add(ReportView(report), OPERATIONS)
        site.link(lazy_gettext("Daily recap"), "report.recap", OPERATIONS)
    if money.agents is not None:
        site.add(AgentDeskView(money.agents, report), OPERATIONS)
    if money.transactions is not None:
        site.add(TransactionDeskView(money.transactions), OPERATIONS)
    if money.billers is not None:
        site.add(BillerView(money.billers, money.requests), OPERATIONS)
        site.link(lazy_gettext("Book versus biller"), "billers.book", OPERATIONS)
        site.add(ReconciliationView(money.billers), OPERATIONS)
    site.add(ApprovalView(money.queues), OPERATIONS)


def transaction_report(catalogue: Catalogue, tables: dict[str, ReflectedTable]) -> TransactionReport | None:
    """The report over this database: where the file declares ``[report]``, or where the default
    (PPOB) tables are there."""
    mapping = ReportMapping.from_file(catalogue.report)
    if not catalogue.report and not all(name in tables for name in mapping.tables):
        return None
    return TransactionReport(mapping, tables)  # its mapping was checked at start-up (checks.py)


def menu_groups(catalogue: Catalogue, names: list[str]) -> dict[str, str]:
    """Table -> its menu group: the file's; without any group in the file, one guessed from
    schemas and shared name prefixes (as ``config-scaffold`` writes them)."""
    guessed = {} if catalogue.groups else guess_groups(names)
    return {name: catalogue.table(name).group or guessed.get(name, OTHER_GROUP) for name in names}


def _menu_position(catalogue: Catalogue, groups: dict, placed: dict[str, str], name: str) -> tuple[int, str]:
    """Groups in the file's order (guessed ones after, then "other"), tables by label within."""
    label = catalogue.table(name).label or humanise(name.rpartition(".")[2])
    return list(groups).index(placed[name]), str(label)
