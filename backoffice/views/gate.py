"""The permission gate that every view of the panel passes through.

Flask-Admin calls ``_handle_view(name)`` before every exposed method of a view, with the method's
name. The gate maps that name to a capability of the permission matrix and refuses anything it
does not know, so an endpoint added later is closed until someone grants it; a view that was
never given a menu group is closed to everyone but administrators (``permissions``). Flask-Admin's
own ``can_*`` flags only hide buttons; here they are answers of the same matrix, and the server
never relies on them. A money operation (and any change to an account) also asks for a recent
proof of who the user is: step-up.
"""

import sqlalchemy as sa
from flask import abort, current_app, flash, g, has_request_context, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView
from flask_login import current_user

from .. import second_factor
from ..exports import TooManyRows
from ..permissions import MONEY_CAPABILITIES, WRITE_CAPABILITIES, PermissionMatrix
from .errors import refused


def matrix() -> PermissionMatrix:
    """The permission matrix of the running application."""
    return current_app.extensions["backoffice"].matrix


def may(capability: str, view: str) -> bool:
    """May the logged-in user use ``capability`` on ``view`` (for links and figures to other views)?"""
    return current_user.is_authenticated and matrix().allows(current_user.role, capability, view)


def opens(capability: str, endpoint: str) -> bool:
    """Is there a page ``endpoint`` (``view.method``) that the logged-in user may use with
    ``capability``: may a link to it be drawn?"""
    return endpoint in current_app.view_functions and may(capability, endpoint.partition(".")[0])


class GateMixin:
    """Enforces the permission matrix on every endpoint a view serves.

    ``endpoint_capabilities`` maps each exposed method name to the capability it needs; a name
    missing from it is refused (fail closed).
    """

    #: Exposed method name -> capability of the permission matrix.
    endpoint_capabilities: dict[str, str] = {}
    #: Exposed method name -> the view of the matrix it is asked of, where that is not this view
    #: (an operation the file may grant on its own).
    endpoint_views: dict[str, str] = {}
    #: Every write here asks for a fresh proof of who the user is, as money operations do
    #: (``second_factor.step_up``): the panel's accounts.
    step_up_writes = False

    def allows(self, capability: str, view: str | None = None) -> bool:
        """May the current user use ``capability`` on this view (or on ``view`` of the matrix)?"""
        if not has_request_context() or not current_user.is_authenticated:
            return False
        return matrix().allows(current_user.role, capability, view or self.endpoint)

    def is_accessible(self) -> bool:
        return self.allows("list")

    def _handle_view(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        capability = self.endpoint_capabilities.get(name)
        if capability is None or not self.allows(capability, self.endpoint_views.get(name)):
            abort(403)
        g.read_only = not matrix().may_write(current_user.role, self.endpoint)
        if request.method == "POST" and self._steps_up(capability):
            return second_factor.step_up()  # None once proved: the view runs
        return None

    def _steps_up(self, capability: str) -> bool:
        return capability in MONEY_CAPABILITIES or (self.step_up_writes and capability in WRITE_CAPABILITIES)

    def safely(self, load, empty):
        """``load()``, or ``empty`` with a plain message when the database refuses (a timeout, say);
        the page still renders and the log has the detail."""
        try:
            return load()
        except sa.exc.DBAPIError as exc:
            refused(self.endpoint, exc)
            return empty

    def download(self, build, back: str):
        """The download ``build()`` makes, or a redirect to ``back`` with a plain message when it
        would exceed its format's limit or the database refuses it: every export endpoint's way out."""
        try:
            return build()
        except TooManyRows as exc:
            flash(exc.message, "error")
        except sa.exc.DBAPIError as exc:
            refused(self.endpoint, exc)
        return redirect(back)


class GatedBaseView(GateMixin, BaseView):
    """Base of hand-written (non-model) views: declare ``endpoint_capabilities``."""


class HomeView(GateMixin, AdminIndexView):
    """The landing page, in the "home" group that every role may list (Flask-Admin leaves it public)."""

    endpoint_capabilities = {"index": "list"}
