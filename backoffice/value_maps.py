"""Value maps: a column's stored codes shown as the business's words (``1`` -> Aktif, ``68`` ->
Pending), as coloured badges in lists and details, as a select in filters and forms, and as the
word beside the code in exports. Declared in the file:

    [value_maps.active]
    "1" = { label = { id = "Aktif", en = "Active" }, badge = "success" }
    "0" = { label = { id = "Nonaktif", en = "Inactive" }, badge = "secondary" }

    [column_values]            # every table's column of this name
    status = "active"

    [tables.redeem_approval]   # one table's, over the one above
    values = { status = "redeem_status" }

A stored code the map does not know is shown as itself, and kept by a form saved unchanged.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup, escape

#: Bootstrap's badge colours a value may take.
BADGES = ("primary", "secondary", "success", "danger", "warning", "info", "light", "dark")


@dataclass(frozen=True)
class Value:
    """What one code is called, and its badge colour (None: plain text)."""

    label: object
    badge: str | None = None


@dataclass(frozen=True)
class ValueMap:
    """The codes of a kind of value, in the file's order."""

    name: str
    values: dict[str, Value]

    def label(self, code) -> str:
        """The word for ``code``, or the code itself when the map does not know it."""
        known = self.values.get(str(code))
        return str(known.label) if known is not None else str(code)

    def badge(self, code) -> Markup:
        """``code`` as its badge (escaped; an unknown code as plain text)."""
        if code is None:
            return Markup("")
        known = self.values.get(str(code))
        if known is None or known.badge is None:
            return escape(self.label(code))
        return Markup('<span class="badge badge-{}" title="{}">{}</span>').format(
            known.badge, str(code), self.label(code)
        )

    def choices(self, current=None) -> list[tuple[str, str]]:
        """(code, word) of every known code, and ``current`` as itself when it is not one of them
        (a legacy code survives a form saved unchanged)."""
        choices = [(code, str(value.label)) for code, value in self.values.items()]
        if current not in (None, "") and str(current) not in self.values:
            choices.append((str(current), str(current)))
        return choices

    def words(self, column: sa.ColumnElement) -> sa.ColumnElement:
        """SQL giving the word for ``column``'s code (an unknown code as itself), in the current
        language: what an export writes beside the code."""
        code = sa.cast(column, sa.String)
        return sa.case({c: str(v.label) for c, v in self.values.items()}, value=code, else_=code)


def parse(source: str, raw: dict, text) -> dict[str, ValueMap]:
    """The file's ``[value_maps]``; ``text`` reads a label (one text, or one per language).
    Raises ValueError naming a wrong entry (the catalogue stops start-up with it)."""
    maps = {}
    for name, codes in raw.items():
        where = f"{source}: [value_maps.{name}]"
        if not isinstance(codes, dict) or not codes:
            raise ValueError(f'BO-E008 {where}: a value map lists codes: "1" = {{ label = ... }}')
        values = {}
        for code, entry in codes.items():
            if not isinstance(entry, dict) or "label" not in entry or set(entry) - {"label", "badge"}:
                raise ValueError(f"BO-E008 {where} {code!r}: give a label and, if wanted, a badge")
            badge = entry.get("badge")
            if badge is not None and badge not in BADGES:
                raise ValueError(f"BO-E008 {where} {code!r}: badge is one of {', '.join(BADGES)}")
            values[str(code)] = Value(text(entry["label"], f"{where} {code!r}"), badge)
        maps[name] = ValueMap(name, values)
    return maps
