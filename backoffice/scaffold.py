"""A starting declarative file for a database the panel has not seen: ``flask config-scaffold``.

Groups are guessed from name prefixes (``am_user``, ``am_balance`` -> ``am``; a schema's tables ->
the schema), labels from names, secret columns are named in a comment (the panel hides them
anyway), and large tables are marked, so the operator starts from the database as it is.
"""

import json
import re
from datetime import date

from .masking import is_secret
from .models.reflection import ReflectedTable
from .naming import OTHER, guess_groups, humanise


def scaffold(tables: dict[str, ReflectedTable], large_rows: int, title: str = "Back Office") -> str:
    """The TOML text of a starting configuration for ``tables``."""
    groups = guess_groups(list(tables))
    lines = [
        f"# Written by `flask config-scaffold` on {date.today().isoformat()}: a start to edit, then point",
        "# BACKOFFICE_CONFIG_FILE at it. The keys are explained at the top of the shipped backoffice.toml.",
        "",
        "[panel]",
        f"title = {_string(title)}",
        "",
        "# Menu groups, in menu order (guessed from name prefixes and schemas).",
        "[groups]",
        *(f"{_key(g)} = {_string(humanise(g))}" for g in sorted(set(groups.values()) - {OTHER})),
        f"{OTHER} = {_string('Other')}",
    ]
    for name, reflected in tables.items():
        lines += ["", f"[tables.{_key(name)}]", f"group = {_string(groups[name])}"]
        lines.append(f"label = {_string(humanise(name.rpartition('.')[2]))}")
        secrets = [c.name for c in reflected.columns if is_secret(c)]
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


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _string(name)
