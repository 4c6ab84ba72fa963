"""Settings from the environment, parsed by type.

Production has no default for the secret key or the database: a wrong deploy stops at boot with
one line naming what is missing. Demo and test mode fill those in (an embedded PostgreSQL under
``instance/`` and a random key), and say so.
"""

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The shipped configuration of the PPOB database: applied when chosen (the demo chooses it).
PPOB_CONFIG_FILE = str(PROJECT_ROOT / "backoffice.toml")
MODES = ("production", "demo", "test")
#: The largest amount the balance functions accept (their parameter is a PostgreSQL integer).
INTEGER_MAX = 2_147_483_647


class StartupError(SystemExit):
    """The panel cannot start as configured. The message is one line naming what is wrong; as a
    ``SystemExit`` it ends ``flask`` commands and servers with that line, not a traceback."""


class SettingsError(StartupError):
    """A setting is missing or malformed; the message names it."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def from_environment() -> dict:
    """Read the panel's settings from ``BACKOFFICE_*`` variables, ``DATABASE_URL`` and ``SECRET_KEY``."""
    mode = os.environ.get("BACKOFFICE_MODE", "production")
    if mode not in MODES:
        raise SettingsError(f"BACKOFFICE_MODE must be one of {', '.join(MODES)}, got {mode!r}")
    return {
        "BACKOFFICE_MODE": mode,
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or None,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        # The declarative file, when one is chosen; without one every database starts on defaults.
        "BACKOFFICE_CONFIG_FILE": os.environ.get("BACKOFFICE_CONFIG_FILE") or None,
        # MySQL/MariaDB: the database of the panel's own tables (default: <application>_backoffice).
        "BACKOFFICE_OWN_DATABASE": os.environ.get("BACKOFFICE_OWN_DATABASE") or None,
        "BACKOFFICE_STATEMENT_TIMEOUT_MS": _int("BACKOFFICE_STATEMENT_TIMEOUT_MS", 15000),
        # Connections per process: size the pool to the threads of a worker (see the README's
        # production section); overflow covers streamed exports, which hold a connection each.
        "BACKOFFICE_DB_POOL_SIZE": _int("BACKOFFICE_DB_POOL_SIZE", 5),
        "BACKOFFICE_DB_MAX_OVERFLOW": _int("BACKOFFICE_DB_MAX_OVERFLOW", 5),
        # The schemas whose tables get views: comma-separated, or * for every schema but the
        # system's and the panel's own.
        "BACKOFFICE_APP_SCHEMA": os.environ.get("BACKOFFICE_APP_SCHEMA", "*"),
        "BACKOFFICE_IDLE_MINUTES": _int("BACKOFFICE_IDLE_MINUTES", 30),
        # However active, a session ends this long after its login (a page that refreshes itself
        # does not count as activity at all).
        "BACKOFFICE_SESSION_MAX_HOURS": _int("BACKOFFICE_SESSION_MAX_HOURS", 12),
        # The interface language of users who have not chosen one: Indonesian unless set to "en".
        "BACKOFFICE_LANGUAGE": os.environ.get("BACKOFFICE_LANGUAGE", "id"),
        # Secure cookies need HTTPS: on by default in production, off for the local demo and tests.
        "BACKOFFICE_SECURE_COOKIES": _bool("BACKOFFICE_SECURE_COOKIES", mode == "production"),
        # How many proxies (a load balancer, nginx) stand in front of the panel and add to
        # X-Forwarded-For and X-Forwarded-Proto: the client's address is taken from what they
        # report. 0 (the default) trusts no such header: anyone could write one.
        "BACKOFFICE_TRUSTED_PROXIES": _int("BACKOFFICE_TRUSTED_PROXIES", 0),
        "BACKOFFICE_LOGIN_MAX_FAILURES": _int("BACKOFFICE_LOGIN_MAX_FAILURES", 5),
        # Approving or carrying out a money operation, and changing an account, ask for the code
        # (or the password) again when the last proof is older than this.
        "BACKOFFICE_STEP_UP_MINUTES": _int("BACKOFFICE_STEP_UP_MINUTES", 5),
        "BACKOFFICE_LOGIN_LOCK_MINUTES": _int("BACKOFFICE_LOGIN_LOCK_MINUTES", 15),
        # Password checks at once per process (each about 65 ms of a core and 32 MiB), and how long
        # a login waits for one before it is told to try again in a moment (auth._hashing_slot).
        "BACKOFFICE_LOGIN_HASHES_AT_ONCE": _int("BACKOFFICE_LOGIN_HASHES_AT_ONCE", 1),
        "BACKOFFICE_LOGIN_HASH_WAIT_SECONDS": _int("BACKOFFICE_LOGIN_HASH_WAIT_SECONDS", 3),
        "BACKOFFICE_EXPORT_MAX_ROWS": _int("BACKOFFICE_EXPORT_MAX_ROWS", 50_000),
        "BACKOFFICE_PDF_MAX_ROWS": _int("BACKOFFICE_PDF_MAX_ROWS", 3_000),
        # What tablib writes within about three seconds on two cores (bench/export_formats.py:
        # some 1,500 ODS and 6,000 xlsx rows a second); beyond it the page points at CSV.
        "BACKOFFICE_ODS_MAX_ROWS": _int("BACKOFFICE_ODS_MAX_ROWS", 4_500),
        "BACKOFFICE_XLSX_MAX_ROWS": _int("BACKOFFICE_XLSX_MAX_ROWS", 18_000),
        # Exports stream for as long as they need, up to this (their own, longer statement timeout).
        "BACKOFFICE_EXPORT_TIMEOUT_MS": _int("BACKOFFICE_EXPORT_TIMEOUT_MS", 600_000),
        "BACKOFFICE_AUDIT_RETENTION_DAYS": _int("BACKOFFICE_AUDIT_RETENTION_DAYS", 730),
        # Above this many rows (the planner's estimate) a list is never counted, sorts and filters
        # default to indexed columns, and search matches exact values.
        "BACKOFFICE_LARGE_TABLE_ROWS": _int("BACKOFFICE_LARGE_TABLE_ROWS", 100_000),
        # A foreign key to a table up to this many rows is a select in forms; to a larger one, a
        # search-as-you-type field (a form never loads a large table).
        "BACKOFFICE_SELECT_ROWS": _int("BACKOFFICE_SELECT_ROWS", 500),
        # How long a value map read from a table keeps its rows before reading them again.
        "BACKOFFICE_VALUE_MAP_SECONDS": _int("BACKOFFICE_VALUE_MAP_SECONDS", 60),
        "BACKOFFICE_MAX_UPLOAD_MB": _int("BACKOFFICE_MAX_UPLOAD_MB", 16),
        "BACKOFFICE_MAX_QUERY_STRING": _int("BACKOFFICE_MAX_QUERY_STRING", 8192),
        # Biller deposits: the largest amount one request may carry (the functions take an integer),
        # the amount above which a second person must approve, and how long a request waits.
        "BACKOFFICE_TOPUP_MAX": _int("BACKOFFICE_TOPUP_MAX", 1_000_000_000),
        "BACKOFFICE_APPROVAL_ABOVE": _int("BACKOFFICE_APPROVAL_ABOVE", 50_000_000),
        # ... and above which a biller's deposits of one day (Jakarta) make every further one wait.
        "BACKOFFICE_APPROVAL_DAILY_ABOVE": _int("BACKOFFICE_APPROVAL_DAILY_ABOVE", 100_000_000),
        # The agent desk: a deposit above this amount, or one that takes an agent's deposits of the
        # day above the daily total, and points above their amount, wait for a second person.
        "BACKOFFICE_AGENT_APPROVAL_ABOVE": _int("BACKOFFICE_AGENT_APPROVAL_ABOVE", 5_000_000),
        "BACKOFFICE_AGENT_APPROVAL_DAILY_ABOVE": _int("BACKOFFICE_AGENT_APPROVAL_DAILY_ABOVE", 20_000_000),
        "BACKOFFICE_POINTS_APPROVAL_ABOVE": _int("BACKOFFICE_POINTS_APPROVAL_ABOVE", 1_000),
        # Where the agents' KTP and selfie images are read from (their file names are in am_user):
        # a folder, or an http(s) base URL; without one the agent page shows none.
        "BACKOFFICE_AGENT_IMAGES": os.environ.get("BACKOFFICE_AGENT_IMAGES") or None,
        "BACKOFFICE_APPROVAL_HOURS": _int("BACKOFFICE_APPROVAL_HOURS", 24),
    }


def complete(config: dict) -> None:
    """Fill in what demo and test mode may default, and refuse what production must be given."""
    mode = config["BACKOFFICE_MODE"]
    if not config.get("SECRET_KEY"):
        if mode == "production":
            raise SettingsError(
                "SECRET_KEY is not set: refusing to start in production without one "
                "(set BACKOFFICE_MODE=demo to try the panel)"
            )
        config["SECRET_KEY"] = secrets.token_hex(32)
    if not config.get("SQLALCHEMY_DATABASE_URI") and mode == "production":
        raise SettingsError("DATABASE_URL is not set: point the panel at the PPOB database")
    if config["BACKOFFICE_LANGUAGE"] not in ("id", "en"):
        raise SettingsError(f"BACKOFFICE_LANGUAGE must be id or en, got {config['BACKOFFICE_LANGUAGE']!r}")
    if not 0 < config["BACKOFFICE_TOPUP_MAX"] <= INTEGER_MAX:
        raise SettingsError(
            f"BACKOFFICE_TOPUP_MAX must be between 1 and {INTEGER_MAX} (the functions take an integer)"
        )
