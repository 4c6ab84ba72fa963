"""The permission matrix: role x view x capability, as data, in one place.

A grant is looked up from the most specific key to the least: the view's own name (a table, or a
custom view), then ``@group`` (the view's menu group), then ``*``. The declarative file adds
per-table grants (``[tables.X.permissions]``) and custom roles (``[roles.NAME]``); both use the
same keys. Every view asks :meth:`PermissionMatrix.allows` through the gate in ``views.base``.
"""

from collections.abc import Mapping

# "topup" asks for deposits and corrections at billers; "approve" decides what waits for a second
# person. Both change money, so only roles that name them (administrators: everything) have them.
CAPABILITIES = ("list", "details", "create", "edit", "delete", "export", "actions", "topup", "approve")
WRITE_CAPABILITIES = frozenset({"create", "edit", "delete", "actions", "topup", "approve"})
READ_CAPABILITIES = frozenset({"list", "details", "export"})
MONEY_CAPABILITIES = frozenset({"topup", "approve"})
#: The view of the panel's own accounts.
ACCOUNTS_VIEW = "panel_users"

# The panel's own administration (users, roles) is the "panel" group; the application's activity
# logs and the panel's change history are the "activity" group; the dashboard and the search box
# are the "home" group, which every role may list (what each shows follows the role).
HOME = "home"
BUILTIN_ROLES: dict[str, dict[str, frozenset[str]]] = {
    "administrator": {"*": frozenset(CAPABILITIES)},
    # "margin" is a figure of the dashboard, not a page: staff see sales, not what the company earns.
    "staff": {"*": READ_CAPABILITIES, "@panel": frozenset(), "@activity": frozenset(), "margin": frozenset()},
    "auditor": {"@activity": READ_CAPABILITIES},
}


class PermissionMatrix:
    """Answers "may this role do this on that view?" for every view of one application."""

    def __init__(
        self,
        custom_roles: Mapping[str, Mapping[str, frozenset[str]]] = (),
        view_grants: Mapping[str, Mapping[str, frozenset[str]]] = (),
    ) -> None:
        """``custom_roles``: role -> key -> capabilities; ``view_grants``: view -> role -> capabilities."""
        self._roles = {role: dict(grants) for role, grants in BUILTIN_ROLES.items()}
        for role, grants in dict(custom_roles).items():
            self._roles.setdefault(role, {}).update(grants)
        for view, by_role in dict(view_grants).items():
            for role, capabilities in by_role.items():
                self._roles.setdefault(role, {})[view] = capabilities
        for grants in self._roles.values():
            grants.setdefault(f"@{HOME}", frozenset({"list"}))
        self._groups: dict[str, str] = {}

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(self._roles)

    def register_view(self, view: str, group: str) -> None:
        """Tell the matrix which menu group ``view`` belongs to (for ``@group`` grants)."""
        self._groups[view] = group

    def capabilities(self, role: str, view: str) -> frozenset[str]:
        """Everything ``role`` may do on ``view``; nothing for an unknown role, and for a view that
        was never given a group, nothing but to administrators (fail closed)."""
        grants = self._roles.get(role, {})
        if view not in self._groups:
            return grants.get("*", frozenset()) if role == "administrator" else frozenset()
        for key in (view, f"@{self._groups[view]}", "*"):
            if key in grants:
                return grants[key]
        return frozenset()

    def allows(self, role: str, capability: str, view: str) -> bool:
        return capability in self.capabilities(role, view)

    def may_write(self, role: str, view: str) -> bool:
        return bool(self.capabilities(role, view) & WRITE_CAPABILITIES)

    def is_privileged(self, role: str) -> bool:
        """May ``role`` move money (top up, approve) anywhere, or change the panel's accounts?
        Such a role is given only with four eyes, and needs a second factor in production."""
        grants = self._roles.get(role, {}).values()
        return any(capabilities & MONEY_CAPABILITIES for capabilities in grants) or self.may_write(
            role, ACCOUNTS_VIEW
        )
