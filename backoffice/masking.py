"""Which columns hold secrets, and how masked columns are shown: one rule for every view and export.

A column is secret when a word of its name says so (``password``, ``agent_pin``, ``otp_pure``,
``token``...) and it holds text, or when the declarative file lists it under ``secret``.
Secret columns never leave the database through the panel, for any role.
"""

import sqlalchemy as sa

SECRET_WORDS = frozenset(
    {"password", "passwd", "pass", "pwd", "pin", "otp", "token", "secret", "apikey", "salt", "hash"}
)


def name_says_secret(name: str) -> bool:
    """True for ``password``, ``agent_pin``, ``history_pin``, ``otp_pure``, ``userpass``, ``token``..."""
    words = name.lower().split("_")
    return any(w in SECRET_WORDS or w.endswith(("password", "pass")) for w in words)


def is_secret(column: sa.Column, declared: tuple[str, ...] = ()) -> bool:
    """True when ``column`` must never be shown, searched, filtered, sorted on or exported."""
    if column.name in declared:
        return True
    holds_text = isinstance(column.type, sa.String | sa.LargeBinary)
    return holds_text and name_says_secret(column.name)


def mask_value(value):
    """``081219720457`` -> ``0812****0457``; ``3171000000000001`` -> ``3171********0001``.

    The first and last four characters stay, so a person can still tell records apart; a value of
    eight characters or fewer is starred whole. ``None`` stays ``None``.
    """
    if value is None:
        return None
    text = str(value)
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]
