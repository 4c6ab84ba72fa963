"""A list as one request asks for it: read once, built once, then paged, counted, estimated or
exported (what Django's admin calls the ChangeList).

:class:`ListRequest` holds the list's state: page, page size, sort, search, filters and, for a
large table paged by key, the cursor of an "Older" page. It is read from the query string once per
request and view, cleaned before anything reaches SQL, and nothing else reads the list's
arguments. :class:`Listing` builds the filtered, searched, sorted query from it once; the page
takes it with the cursor (or an OFFSET), the count and the row estimate take it as it is, and an
export takes it without ever the cursor, so a download holds the whole list the page promises.
"""

import json
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, g
from flask_admin import expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.tools import parse_like_term
from flask_admin.model.base import ViewArgs
from flask_babel import gettext

from .. import audit
from ..exports import export_response
from ..extensions import db
from ..inputs import clean, column_value
from .errors import refused

#: Deepest list page and longest search accepted from a query string.
MAX_PAGE = 100_000
MAX_SEARCH = 200
#: The query-string argument of the keyset cursor.
CURSOR = "after"


@dataclass(frozen=True)
class ListRequest:
    """The state of one list in one request (see the module's docstring)."""

    #: Flask-Admin's own arguments (page, page_size, sort, desc, search, filters), cleaned.
    args: ViewArgs
    #: The last row of the page before, in the list's key order ("Older"), or None.
    cursor: tuple[str, ...] | None = None

    @classmethod
    def of(cls, view: "ListingMixin") -> "ListRequest":
        """This request's list of ``view``, read from the query string on first use."""
        known = g.setdefault("list_requests", {})
        if view.endpoint not in known:
            known[view.endpoint] = cls.read(view)
        return known[view.endpoint]

    @classmethod
    def read(cls, view: "ListingMixin") -> "ListRequest":
        # Flask-Admin's parser: an invalid filter value is flashed here, before the page is drawn.
        args = ModelView._get_list_extra_args(view)
        args.page = min(max(args.page or 0, 0), MAX_PAGE)
        if args.page_size not in view.page_size_options:
            args.page_size = None
        args.search = clean(args.search)[:MAX_SEARCH] if args.search else None
        # A column the user sees masked is never filtered or sorted by: either would tell its
        # values apart (a masked phone number, digit by digit).
        args.filters = [
            (index, name, clean(value))
            for index, name, value in args.filters or ()
            if not view.filters_masked(index)
        ]
        sort = view._get_column_by_idx(args.sort)
        if sort is None or not view.is_sortable(sort[0]):
            args.sort = None
        args.extra_args = {name: clean(value) for name, value in args.extra_args.items()}
        cursor = _strings(args.extra_args.pop(CURSOR, None))
        return cls(args, tuple(cursor) if cursor else None)

    def extra(self, name: str) -> str | None:
        """A view's own argument of the list (kept in its links and exports), cleaned."""
        return self.args.extra_args.get(name) or None


@dataclass
class Listing:
    """The query of one :class:`ListRequest`, built once (search, filters, sort; no paging)."""

    view: "ListingMixin"
    request: ListRequest
    query: object = None
    count_query: object = None
    #: The key order this list pages by, when it pages by key (a large table in its default order).
    keyset: list[tuple[str, bool]] | None = None

    def __post_init__(self):
        view, args = self.view, self.request.args
        joins, count_joins = {}, {}
        query = view.get_query()
        count_query = view.get_count_query() if not view.simple_list_pager else None
        if view._search_supported and args.search:
            query, count_query, joins, count_joins = view._apply_search(
                query, count_query, joins, count_joins, args.search
            )
        if args.filters and view._filters:
            query, count_query, joins, count_joins = view._apply_filters(
                query, count_query, joins, count_joins, args.filters
            )
        sort = view._get_column_by_idx(args.sort)
        self.query, _ = view._apply_sorting(query, joins, sort[0] if sort else None, args.sort_desc)
        self.count_query = count_query
        self.keyset = view.keyset_order(self.request)

    def count(self) -> int | None:
        """The exact number of rows, or None for a table too large to count."""
        return self.count_query.scalar() if self.count_query is not None else None

    def page(self, page_size: int):
        """The query of the page asked for: past the cursor by key, else by OFFSET."""
        beyond = self._beyond_cursor()
        if beyond is not None:
            return self.view._apply_pagination(self.query.filter(beyond), 0, page_size)
        return self.view._apply_pagination(self.query, self.request.args.page, page_size)

    def _beyond_cursor(self):
        """``(key columns) < (cursor)`` (or ``>`` in ascending order), an index's range; None when
        there is no cursor or it does not fit the columns (the first page is shown then)."""
        cursor = self.request.cursor
        if self.keyset is None or cursor is None or len(cursor) != len(self.keyset):
            return None
        columns = [getattr(self.view.model, name) for name, _ in self.keyset]
        try:
            values = [column_value(column, text) for column, text in zip(columns, cursor, strict=True)]
        except ValueError:
            return None
        row = sa.tuple_(*(sa.literal(v, c.type) for v, c in zip(values, columns, strict=True)))
        return sa.tuple_(*columns) < row if self.keyset[0][1] else sa.tuple_(*columns) > row

    def estimate(self) -> int | None:
        """The planner's estimate of the list's rows (filters and search included): ``EXPLAIN``
        of the query already built costs a plan, never a scan."""
        try:
            compiled = self.query.order_by(None).statement.compile(
                db.engine, compile_kwargs={"literal_binds": True}
            )
            with db.session.begin_nested():
                plan = db.session.scalar(sa.text(f"EXPLAIN (FORMAT JSON) {compiled}"))
        except (sa.exc.DBAPIError, sa.exc.CompileError, NotImplementedError):
            return None
        return int(plan[0]["Plan"]["Plan Rows"])


class ListingMixin:
    """The list, its estimate and its export, for a model view (see the module's docstring)."""

    #: Search by exact value (an index can answer it) instead of ILIKE '%term%': on for large tables.
    exact_search: bool = False
    #: False for a materialized view never refreshed: nothing can be read from it.
    populated: bool = True

    def list_request(self) -> ListRequest:
        return ListRequest.of(self)

    def listing(self) -> Listing:
        """This request's list, built once however many parts of the page ask for it."""
        built = g.setdefault("listings", {})
        if self.endpoint not in built:
            built[self.endpoint] = Listing(self, self.list_request())
        return built[self.endpoint]

    def _get_list_extra_args(self):
        # Flask-Admin's index view and its URL helpers take the list's arguments from here.
        return self.list_request().args

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        """The count and rows of this request's list (Flask-Admin's index view passes the arguments
        of :meth:`_get_list_extra_args`, which are those of the request's :class:`ListRequest`).

        A list that fails in the database (a statement timeout, a value the column refuses) still
        renders: empty, with a plain message and the detail in the log.
        """
        if not self.populated:
            return 0, []
        try:
            listing = self.listing()
            query = listing.page(page_size)
            return listing.count(), self.rows_of(query) if self.value_identified else query.all()
        except sa.exc.DBAPIError as exc:
            refused(self.endpoint, exc)
            return 0, []

    def _apply_search(self, query, count_query, joins, count_joins, search):
        """Search the columns the user sees in full: by exact value on a large table (an index
        can answer it), else each word anywhere in any of them (Flask-Admin's rule). The panel's
        views have no relationships, so no search needs a join."""
        columns = [c for c, _ in self._search_fields if not self.masks(self.attribute_of(c))]
        if self.exact_search:
            term = search.strip()
            conditions = [sa.or_(*(column == term for column in columns))]
        else:
            conditions = [
                sa.or_(*(sa.cast(column, sa.Unicode).ilike(parse_like_term(word)) for column in columns))
                for word in search.split()
            ]
        if not columns:  # nothing the user may search by
            conditions = [sa.false()]
        if count_query is not None:
            count_query = count_query.filter(*conditions)
        return query.filter(*conditions), count_query, joins, count_joins

    def attribute_of(self, column: sa.Column) -> str:
        """The model's attribute of a table column (the name ``masks`` and the file use)."""
        return sa.inspect(self.model).get_property_by_column(column).key

    def filters_masked(self, index: int) -> bool:
        """Does filter ``index`` compare a column the user sees masked?"""
        return self.masks(self.attribute_of(self._filters[index].column))

    def is_sortable(self, name: str) -> bool:
        return super().is_sortable(name) and not self.masks(name)

    def _get_filter_groups(self):
        # Flask-Admin's filter menu, without the filters of columns the user sees masked.
        groups = super()._get_filter_groups()
        if groups is None:
            return None
        shown = {
            label: [item for item in items if not self.filters_masked(item["index"])]
            for label, items in groups.items()
        }
        return {label: items for label, items in shown.items() if items}

    def keyset_order(self, list_request: ListRequest) -> list[tuple[str, bool]] | None:
        """The default order, when this list pages by key: a large table in its default order,
        all in one direction (a row comparison serves only one direction)."""
        if not self.simple_list_pager or list_request.args.sort is not None:
            return None
        order = _sort_list(self.column_default_sort)
        return order if order and len({descending for _, descending in order}) == 1 else None

    def keyset_columns(self) -> list[tuple[str, bool]] | None:
        """The key order of this request's list, when it pages by key (for the template)."""
        return self.listing().keyset

    def keyset_url(self, row=None) -> str:
        """This list (filters and search kept) from the row after ``row``, or from the newest."""
        args = self.list_request().args.clone(page=None)
        if row is not None:
            cursor = json.dumps([str(getattr(row, name)) for name, _ in self.keyset_columns()])
            args.extra_args[CURSOR] = cursor
        return self._get_list_url(args)

    def row_estimate(self) -> int | None:
        """The planner's estimate of the rows this list shows (for tables too large to count)."""
        return self.listing().estimate() if self.populated else None

    @expose("/export/<export_type>/")
    def export(self, export_type: str):
        """Download the filtered, searched, sorted list through the shared export pipeline: the
        whole list, never from a page's cursor."""
        if export_type not in self.export_types:
            abort(404)
        back = self._get_list_url(self.list_request().args)
        return self.download(lambda: self._export(export_type), back)

    def _export(self, export_type: str):
        listing = self.listing()
        query = listing.query if self.populated else self.get_query().filter(sa.false())
        columns, headers, maskers = [], [], []
        for name, label in self._export_columns:
            column, mask = getattr(self.model, name), self.export_masker(name)
            value_map = self.value_maps.get(name)
            if value_map is not None:  # the word, then the code it stands for
                columns.append(value_map.words(column).label(f"{name}_word"))
                headers.append(label)
                maskers.append(None)
                label = gettext("%(column)s (code)", column=label)
            columns.append(column)
            headers.append(label)
            maskers.append(mask)
        return export_response(
            export_type,
            self.endpoint,
            headers,
            query.with_entities(*columns).statement,
            maskers,
            on_finish=audit.export_recorder(self.endpoint, self.table_name.key, export_type),
        )


def _strings(raw: str | None) -> list[str] | None:
    """A list of strings from a query-string value, or None when it is not one."""
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        return None
    return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


def _sort_list(sort) -> list[tuple[str, bool]]:
    """Flask-Admin's three ways of writing a default sort ("col", ("col", True), [...]) as a list."""
    if isinstance(sort, str):
        return [(sort, False)]
    if isinstance(sort, tuple) and sort and isinstance(sort[0], str):
        return [sort]
    return list(sort or ())
