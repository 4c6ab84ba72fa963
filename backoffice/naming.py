"""How database names become words a person reads: labels, menu groups, and the words the
secret rule looks for.

Without a configuration file a database still reads well: ``InvoiceLine`` is "Invoice Line",
``no_sambungan`` is "No Sambungan", and tables are grouped in the menu by their schema or by a
name prefix that two or more of them share (``am_user`` and ``am_balance`` under "Am").
"""

import re
from collections import Counter

#: The group of tables that share no schema or prefix with another.
OTHER = "other"
#: Parts of a column name that say it names the row to a person ("nama" is Indonesian).
NAME_PARTS = ("name", "nama")
#: Parts of a column name that say a person looks a row up by it: searched by default.
LOOKUP_PARTS = (*NAME_PARTS, "title", "judul", "email", "phone", "telepon", "noref", "custno", "url")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def words(name: str) -> list[str]:
    """The words of a name, as written: ``apiKey2`` -> ``['api', 'Key', '2']``; ``APIKey`` ->
    ``['API', 'Key']``; split at ``_``, ``-``, spaces, digits and camelCase."""
    return _WORDS.findall(name)


def humanise(name: str) -> str:
    """``InvoiceLine`` -> ``Invoice Line``; ``no_ktp`` -> ``No Ktp``; ``APIKey`` -> ``API Key``."""
    split = words(name)
    return " ".join(w if w.isupper() or w.isdigit() else w.capitalize() for w in split) or name


def guess_groups(names: list[str]) -> dict[str, str]:
    """Table key -> menu group: its schema (``schema.name``), else its name's first word when
    another table shares it, else :data:`OTHER`."""
    prefixes = {name: _prefix(name) for name in names}
    shared = Counter(prefixes.values())
    return {name: prefix if "." in name or shared[prefix] > 1 else OTHER for name, prefix in prefixes.items()}


def _prefix(name: str) -> str:
    schema, _, table = name.rpartition(".")
    return schema or (words(table) or [table])[0].lower()


def says(name: str, parts: tuple[str, ...]) -> bool:
    """Does a column's name contain one of ``parts`` (``agent_name``, ``NamaPelanggan``)?"""
    lowered = name.lower()
    return any(part in lowered for part in parts)
