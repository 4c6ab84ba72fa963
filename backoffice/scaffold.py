"""A starting declarative file for a database the panel has not seen: ``flask config-scaffold``.

Groups are guessed from name prefixes (``am_user``, ``am_balance`` -> ``am``; a schema's tables ->
the schema), labels from names, secret columns are named in a comment (the panel hides them
anyway), and large tables are marked, so the operator starts from the database as it is.
"""

import json
import re
from collections import Counter
from datetime import date

from .masking import is_secret
from .models.reflection import ReflectedTable

OTHER = "other"


def scaffold(tables: dict[str, ReflectedTable], large_rows: int, title: str = "Back Office") -> str:
    """The TOML text of a starting configuration for ``tables``."""
    groups = _groups(tables)
    lines = [
        f"# Written by `flask config-scaffold` on {date.today().isoformat()}: a start to edit, then point",
        "# BACKOFFICE_CONFIG_FILE at it. The keys are explained at the top of the shipped backoffice.toml.",
        "",
        "[panel]",
        f"title = {_string(title)}",
        "",
        "# Menu groups, in menu order (guessed from name prefixes and schemas).",
        "[groups]",
        *(f"{_key(g)} = {_string(_label(g))}" for g in sorted(set(groups.values()) - {OTHER})),
        f"{OTHER} = {_string('Other')}",
    ]
    for name, reflected in tables.items():
        lines += ["", f"[tables.{_key(name)}]", f"group = {_string(groups[name])}"]
        lines.append(f"label = {_string(_label(name.rpartition('.')[2]))}")
        secrets = [c.name for c in reflected.columns if is_secret(c, ())]
        if secrets:
            lines.append(f"# secret, never shown or exported: {', '.join(secrets)}")
        if reflected.estimated_rows > large_rows:
            lines.append(
                f"# large (about {reflected.estimated_rows:,} rows): exact search, sorts and filters on "
                "indexed columns only; list them here to widen"
            )
        if reflected.kind != "table":
            lines.append(f"# a {reflected.kind}: read-only")
    return "\n".join(lines) + "\n"


def _groups(tables: dict[str, ReflectedTable]) -> dict[str, str]:
    """Table -> group: its schema (outside public), else its name's prefix when two tables share it."""
    prefixes = {name: _prefix(name) for name in tables}
    shared = Counter(prefixes.values())
    return {name: prefix if shared[prefix] > 1 else OTHER for name, prefix in prefixes.items()}


def _prefix(name: str) -> str:
    schema, _, table = name.rpartition(".")
    return schema or re.split(r"[_\W]", table, maxsplit=1)[0].lower()


def _label(name: str) -> str:
    return re.sub(r"[_\s]+", " ", name).strip().capitalize()


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _string(name)
