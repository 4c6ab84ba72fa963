"""Which columns hold secrets, and how masked columns are shown: one rule for every view and export.

A column is secret when a word of its name says so and it holds text, or when the declarative
file lists it under ``secret``. Names are split into words at ``_``, ``-``, spaces, digits and
camelCase (``apiKey``, ``APIKey``, ``api_key``, ``kata_sandi`` are all secrets), and a word or a
pair of words is looked up in English and Indonesian. Where the rule hides an ordinary column
(``session_start``, ``kunci_jawaban``), the file declares it ``not_secret``. Secret columns never
leave the database through the panel, for any role.
"""

import secrets
from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import lazy_gettext

from .naming import words

#: Words that make a column secret wherever they stand in its name.
SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "pwd",
        "pin",
        "otp",
        "token",
        "secret",
        "apikey",
        "salt",
        "hash",
        "session",
        "credential",
        "credentials",
        "sandi",  # kata sandi: password
        "kunci",  # key
    }
)
#: Pairs of words that make a column secret together (neither alone does).
SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("secret", "key"), ("access", "key")})


def secret_word(name: str) -> str | None:
    """The word (or pair) of ``name`` that makes it a secret's name, or None."""
    split = [word.lower() for word in words(name)]
    for word in split:
        if word in SECRET_WORDS or word.endswith(("password", "pass")):
            return word
    for pair in zip(split, split[1:], strict=False):
        if pair in SECRET_PAIRS:
            return " ".join(pair)
    return None


def name_says_secret(name: str) -> bool:
    """True for ``password``, ``agent_pin``, ``otp_pure``, ``userpass``, ``apiKey``, ``kata_sandi``..."""
    return secret_word(name) is not None


def secret_reason(column: sa.Column, settings=None) -> str | None:
    """Why ``column`` is a secret (``settings``: the table's :class:`~.catalogue.TableSettings`),
    or None when it is not one."""
    if settings is not None and column.name in settings.secret:
        return lazy_gettext("declared secret in the configuration file")
    if settings is not None and column.name in settings.not_secret:
        return None
    word = secret_word(column.name)
    if word is None or not isinstance(column.type, sa.String | sa.LargeBinary):
        return None
    return lazy_gettext("its name contains the word %(word)s", word=word)


def is_secret(column: sa.Column, settings=None) -> bool:
    """True when ``column`` must never be shown, searched, filtered, sorted on or exported."""
    return secret_reason(column, settings) is not None


#: Secret words whose values are random by nature: the panel can make a fresh one for a new row
#: (it can make no password, PIN, OTP or hash that anyone could use).
RANDOM_WORDS = frozenset({"token", "secret", "salt", "apikey", "api key", "secret key", "access key"})
#: The shortest random value worth making (hexadecimal characters).
MIN_RANDOM_LENGTH = 16


def random_secret(column: sa.Column) -> str | None:
    """A fresh random value for a secret ``column`` whose values are random by nature (a token,
    a salt, an API key), as long as the column holds, up to 64 hexadecimal characters; None where
    the panel cannot make one (a password, a PIN, a hash, a column too short)."""
    if secret_word(column.name) not in RANDOM_WORDS or not isinstance(column.type, sa.String):
        return None
    length = min(column.type.length or 64, 64)
    return secrets.token_hex(length // 2) if length >= MIN_RANDOM_LENGTH else None


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


def masked_for(masked_columns: Mapping[str, frozenset[str]], role: str, may_open: bool) -> frozenset[str]:
    """The columns of a table that ``role`` sees masked: those the file masks for the role, and,
    where the role may not open the table's records (an auditor in the change history), every
    column the file masks for anyone."""
    if not may_open:
        return frozenset(masked_columns)
    return frozenset(column for column, roles in masked_columns.items() if role in roles)


def mask_fields(values: dict | None, fields: frozenset[str]) -> dict | None:
    """A record's before or after values with ``fields`` masked (what the audit trail shows)."""
    if not values:
        return values
    return {name: mask_value(value) if name in fields else value for name, value in values.items()}
