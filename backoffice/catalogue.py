"""The declarative file (``backoffice.toml``): what it may say, and its check against the database.

Defaults come from the schema; the file overrides them per table and column. Every entry is
checked at start-up against the reflected tables and the known roles, and a wrong one stops the
panel with a message naming the entry and a stable id (``BO-E...``), in the manner of Django's
admin checks.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import LazyString, lazy_gettext

from . import value_maps
from .i18n import LANGUAGES, current_language
from .permissions import BUILTIN_ROLES, CAPABILITIES
from .settings import StartupError
from .value_maps import ValueMap

COLUMN_LIST_KEYS = (
    "list_columns",
    "search",
    "filters",
    "sortable",
    "readonly",
    "hidden",
    "secret",
    "not_secret",
)
TABLE_KEYS = {
    *COLUMN_LIST_KEYS,
    "group",
    "label",
    "labels",
    "default_sort",
    "permissions",
    "page_size",
    "mask",
    "read_only",
    "values",
}


#: The source named in messages when no file is chosen.
NO_FILE = "no configuration file"


class ConfigError(StartupError):
    """An entry of the declarative file is wrong; the message names it."""


@dataclass(frozen=True)
class TableSettings:
    """What the file says about one table; ``None`` means "use the schema's default"."""

    name: str
    group: str | None = None
    label: str | None = None
    list_columns: tuple[str, ...] | None = None
    search: tuple[str, ...] | None = None
    filters: tuple[str, ...] | None = None
    sortable: tuple[str, ...] | None = None
    readonly: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    secret: tuple[str, ...] = ()
    #: Columns whose name looks like a secret's but that hold none (``session_start``).
    not_secret: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    default_sort: tuple[str, bool] | None = None
    permissions: dict[str, frozenset[str]] = field(default_factory=dict)
    page_size: int | None = None
    #: column -> roles that see it masked (``0812****5678``) in lists, details and exports.
    mask: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Why no one may create, edit or delete its rows here (the file's ``read_only``), or None.
    read_only: object = None
    #: column -> the name of its value map (over ``[column_values]``).
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalogue:
    """The whole file: panel title, menu groups in order, tables, custom roles, column labels."""

    source: str
    title: str = "Back Office"
    groups: dict[str, str] = field(default_factory=dict)
    tables: dict[str, TableSettings] = field(default_factory=dict)
    roles: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    #: The ``[report]`` table as written (see ``report.ReportMapping.from_file``).
    report: dict = field(default_factory=dict)
    #: ``[second_factor]``: ``roles`` (absent: the production default) and ``users`` that must
    #: log in with one (see ``second_factor.Policy``).
    second_factor: dict = field(default_factory=dict)
    #: ``[value_maps]``: name -> its codes and words; ``[column_values]``: column name -> map name.
    value_maps: dict[str, ValueMap] = field(default_factory=dict)
    column_values: dict[str, str] = field(default_factory=dict)

    def table(self, name: str) -> TableSettings:
        """The settings of ``name``, or the defaults when the file does not mention it."""
        return self.tables.get(name) or TableSettings(name=name)

    def value_map(self, settings: TableSettings, column: str) -> ValueMap | None:
        """The value map of a table's column: the table's own, else the one for its name."""
        name = settings.values.get(column) or self.column_values.get(column)
        return self.value_maps.get(name) if name else None

    @property
    def role_names(self) -> tuple[str, ...]:
        return tuple(BUILTIN_ROLES) + tuple(r for r in self.roles if r not in BUILTIN_ROLES)


def load(path: str | Path | None) -> Catalogue:
    """Read and parse the file; raise :class:`ConfigError` naming the first wrong entry. Without a
    file, the defaults: every table as the schema has it."""
    if path is None:
        return Catalogue(source=NO_FILE)
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"BO-E001 {path}: the configuration file does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"BO-E002 {path}: not valid TOML ({exc})") from None
    source = path.name
    panel = raw.get("panel", {})
    roles = {
        name: _grants(f"{source}: [roles.{name}]", grants) for name, grants in raw.get("roles", {}).items()
    }
    tables = {name: _table(source, name, entry) for name, entry in raw.get("tables", {}).items()}
    try:
        maps = value_maps.parse(source, raw.get("value_maps", {}), text)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    column_values = dict(raw.get("column_values", {}))
    named = [(f"{source}: [column_values]", column_values)]
    named += [(f"{source}: [tables.{t.name}] values", t.values) for t in tables.values()]
    for where, entries in named:
        for column, name in entries.items():
            if name not in maps:
                raise ConfigError(f"BO-E008 {where}: {column} names no value map {name!r}")
    return Catalogue(
        source=source,
        title=text(panel.get("title", "Back Office"), f"{source}: [panel] title"),
        groups=_texts(raw.get("groups", {}), f"{source}: [groups]"),
        tables=tables,
        roles=roles,
        column_labels=_texts(raw.get("column_labels", {}), f"{source}: [column_labels]"),
        report=dict(raw.get("report", {})),
        second_factor=_second_factor(f"{source}: [second_factor]", raw.get("second_factor", {})),
        value_maps=maps,
        column_values=column_values,
    )


def _second_factor(where: str, entry: dict) -> dict:
    unknown = set(entry) - {"roles", "users"}
    if unknown:
        raise ConfigError(f"BO-E003 {where}: unknown key {sorted(unknown)[0]!r} (known: roles, users)")
    for key, names in entry.items():
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ConfigError(f"BO-E004 {where}: {key} must be a list of names")
    return {key: tuple(names) for key, names in entry.items()}


def text(value, where: str):
    """A label as the file writes it: one text for every language, or one per language
    (``{ id = "Pelanggan", en = "Customer" }``), shown in the reader's language (the panel's
    default when the reader's is missing)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value and set(value) <= set(LANGUAGES):
        if all(isinstance(v, str) for v in value.values()):
            return LazyString(lambda: _in_language(value))
    raise ConfigError(f'BO-E007 {where}: a label is a text or {{ id = "...", en = "..." }}, got {value!r}')


def _texts(entries: dict, where: str) -> dict:
    return {key: text(value, f"{where} {key}") for key, value in entries.items()}


def _in_language(texts: dict[str, str]) -> str:
    for language in (current_language(), current_app.config["BACKOFFICE_LANGUAGE"]):
        if language in texts:
            return texts[language]
    return next(iter(texts.values()))


def _table(source: str, name: str, entry: dict) -> TableSettings:
    where = f"{source}: [tables.{name}]"
    unknown = set(entry) - TABLE_KEYS
    if unknown:
        raise ConfigError(f"BO-E003 {where}: unknown key {sorted(unknown)[0]!r}")
    values = {key: tuple(entry[key]) for key in COLUMN_LIST_KEYS if key in entry}
    for key, columns in values.items():
        if not all(isinstance(c, str) for c in columns):
            raise ConfigError(f"BO-E004 {where}: {key} must be a list of column names")
    sort = entry.get("default_sort")
    if sort is not None:
        column, _, direction = sort.partition(" ")
        if direction.lower() not in ("", "asc", "desc"):
            raise ConfigError(f"BO-E005 {where}: default_sort must be 'column [asc|desc]'")
        values["default_sort"] = (column, direction.lower() == "desc")
    label = entry.get("label")
    return TableSettings(
        name=name,
        group=entry.get("group"),
        label=None if label is None else text(label, f"{where} label"),
        labels=_texts(entry.get("labels", {}), f"{where} labels"),
        permissions=_grants(f"{where}.permissions", entry.get("permissions", {})),
        page_size=entry.get("page_size"),
        mask={column: frozenset(roles) for column, roles in entry.get("mask", {}).items()},
        read_only=_read_only(entry.get("read_only", False), f"{where} read_only"),
        values=dict(entry.get("values", {})),
        **values,
    )


def _read_only(value, where: str):
    """``read_only = true``, or the reason as a label, shown on the table's pages."""
    if value is False:
        return None
    if value is True:
        return lazy_gettext("The configuration file makes this table read-only in the panel.")
    return text(value, where)


def _grants(where: str, grants: dict) -> dict[str, frozenset[str]]:
    result = {}
    for key, capabilities in grants.items():
        unknown = set(capabilities) - set(CAPABILITIES)
        if unknown:
            raise ConfigError(
                f"BO-E006 {where}: unknown capability {sorted(unknown)[0]!r} for {key!r}"
                f" (known: {', '.join(CAPABILITIES)})"
            )
        result[key] = frozenset(capabilities)
    return result
