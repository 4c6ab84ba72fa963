"""Start-up checks of the declarative file against the database, in the manner of Django's system
checks: each problem has a stable id and names the entry of the file it is about.

- BO-E010 a table the file names is not in the database; BO-E011 a column it names is not there;
- BO-E012 a group no ``[groups]`` declares; BO-E013 a role nobody defines;
- BO-E014 a secret column named in a list, search, filter, sort or mask entry;
- BO-E015 a value map read from a table names a table or column that is not there;
- BO-E020 to BO-E023 the ``[report]`` mapping (its live table, its statuses, tables, columns).

(BO-E001 to BO-E007, the file's own shape, are found while it is read: ``catalogue.load``.)
:func:`problems` finds them all; start-up stops with every one of them, one line each, and
``flask check`` runs the same checks without serving.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .catalogue import COLUMN_LIST_KEYS, Catalogue, ConfigError
from .masking import is_secret
from .models.reflection import ReflectedTable
from .report import STATUSES, ReportMapping
from .value_maps import TableMap

#: The entries that may never name a secret column.
NEVER_SECRET = ("list_columns", "search", "filters", "sortable", "mask")


@dataclass(frozen=True)
class Problem:
    """One wrong entry: its stable id, where it is, and what is wrong."""

    id: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.id} {self.where}: {self.message}"


def problems(catalogue: Catalogue, tables: Mapping[str, ReflectedTable]) -> list[Problem]:
    """Every problem of ``catalogue`` over ``tables`` (none for a database without tables yet)."""
    if not tables:
        return []
    return [
        *_tables(catalogue, tables),
        *_value_maps(catalogue, tables),
        *_report(catalogue, tables),
        *_second_factor(catalogue),
    ]


def require_none(catalogue: Catalogue, tables: Mapping[str, ReflectedTable]) -> None:
    """Stop start-up with every problem found, one line each."""
    found = problems(catalogue, tables)
    if found:
        raise ConfigError("\n".join(str(problem) for problem in found))


def _tables(catalogue: Catalogue, tables: Mapping[str, ReflectedTable]) -> Iterator[Problem]:
    for name, settings in catalogue.tables.items():
        where = f"{catalogue.source}: [tables.{name}]"
        if name not in tables:
            yield Problem("BO-E010", where, f"there is no table {name!r} in the database")
            continue
        known = {c.name for c in tables[name].columns}
        missing = f"which {name} does not have"
        for key in (*COLUMN_LIST_KEYS, "values"):
            for column in sorted(set(getattr(settings, key) or ()) - known):
                yield Problem("BO-E011", where, f"{key} names column {column!r}, {missing}")
        sort = [settings.default_sort[0]] if settings.default_sort else []
        for column in [*settings.labels, *settings.mask, *sort]:
            if column not in known:
                yield Problem("BO-E011", where, f"names column {column!r}, {missing}")
        if settings.group is not None and settings.group not in catalogue.groups:
            yield Problem("BO-E012", where, f"group {settings.group!r} is not declared in [groups]")
        for role in settings.permissions:
            if role not in catalogue.role_names:
                yield Problem("BO-E013", f"{where}.permissions", f"unknown role {role!r}")
        for column, roles in settings.mask.items():
            for role in sorted(roles - set(catalogue.role_names)):
                yield Problem("BO-E013", f"{where}.mask", f"unknown role {role!r} for column {column!r}")
        yield from _secrets_named(where, tables[name], settings)


def _value_maps(catalogue: Catalogue, tables: Mapping[str, ReflectedTable]) -> Iterator[Problem]:
    for value_map in catalogue.value_maps.values():
        if isinstance(value_map, TableMap):
            where = f"{catalogue.source}: [value_maps.{value_map.name}] from"
            yield from _required(
                tables, value_map.table, (value_map.code_column, value_map.word_column), where, "BO-E015"
            )


def _second_factor(catalogue: Catalogue) -> Iterator[Problem]:
    for role in catalogue.second_factor.get("roles", ()):
        if role not in catalogue.role_names:
            yield Problem("BO-E013", f"{catalogue.source}: [second_factor] roles", f"unknown role {role!r}")


def _secrets_named(where: str, reflected: ReflectedTable, settings) -> Iterator[Problem]:
    secrets = {c.name for c in reflected.columns if is_secret(c, settings)}
    for key in NEVER_SECRET:
        for column in sorted(secrets.intersection(getattr(settings, key) or ())):
            yield Problem(
                "BO-E014",
                where,
                f"{key} names secret column {column!r}, which is never shown, searched, filtered, "
                "sorted on or exported",
            )


def _report(catalogue: Catalogue, tables: Mapping[str, ReflectedTable]) -> Iterator[Problem]:
    """The ``[report]`` mapping, when the file declares one or the default (PPOB) tables are there."""
    mapping = ReportMapping.from_file(catalogue.report)
    if not catalogue.report and not all(name in tables for name in mapping.tables):
        return
    where = f"{catalogue.source}: [report]"
    for name in mapping.tables:
        yield from _required(tables, name, mapping.columns.values(), f"{where} columns")
    if mapping.live_table not in mapping.tables:
        yield Problem("BO-E020", where, f"live_table {mapping.live_table!r} is not one of tables")
    for role in ("agents", "products"):
        entry = getattr(mapping, role)
        columns = [v for k, v in entry.items() if k != "table"]
        yield from _required(tables, entry["table"], columns, f"{catalogue.source}: [report.{role}]")
    for status in sorted(set(mapping.status_values) - set(STATUSES)):
        yield Problem("BO-E021", f"{catalogue.source}: [report.status_values]", f"unknown status {status!r}")


def _required(
    tables: Mapping[str, ReflectedTable], table: str, columns, where: str, problem_id: str | None = None
) -> Iterator[Problem]:
    """The table and the columns an entry reads; ``problem_id`` names what is missing (the
    report's two ids when not given)."""
    missing_table, missing_column = (problem_id, problem_id) if problem_id else ("BO-E022", "BO-E023")
    if table not in tables:
        yield Problem(missing_table, where, f"there is no table {table!r} in the database")
        return
    for column in columns:
        if column not in tables[table].table.c:
            yield Problem(missing_column, where, f"table {table!r} has no column {column!r}")
