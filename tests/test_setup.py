"""Settings, the declarative file, and the flask commands."""

import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from backoffice.catalogue import ConfigError
from backoffice.extensions import db
from backoffice.settings import SettingsError
from tests.corpus import schema_dump


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="SECRET_KEY is not set"):
        create_app({"BACKOFFICE_MODE": "production", "SQLALCHEMY_DATABASE_URI": "postgresql://x/y"})


@pytest.mark.parametrize(
    "entry, message",
    [
        ('[tables.am_usr]\nlabel = "x"', r"BO-E010 .*\[tables.am_usr\]: there is no table 'am_usr'"),
        (
            '[tables.am_user]\nlist_columns = ["agent_nama"]',
            r"BO-E011 .*list_columns names column 'agent_nama'",
        ),
        ('[tables.am_user]\ngroup = "nowhere"', r"BO-E012 .*group 'nowhere'"),
        ('[tables.am_user.permissions]\nkasir = ["list"]', r"BO-E013 .*unknown role 'kasir'"),
        ('[tables.am_user.permissions]\nstaff = ["fly"]', r"BO-E006 .*unknown capability 'fly'"),
        ('[tables.am_user]\ncolour = "red"', r"BO-E003 .*unknown key 'colour'"),
        ("[tables.am_user\n", r"BO-E002 .*not valid TOML"),
    ],
)
def test_a_wrong_entry_stops_start_up_naming_it(tmp_path, database_url, entry, message):
    config = tmp_path / "backoffice.toml"
    config.write_text(entry)
    with pytest.raises(ConfigError, match=message):
        create_app(
            {
                "BACKOFFICE_MODE": "test",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "BACKOFFICE_CONFIG_FILE": str(config),
            }
        )


def test_a_custom_role_from_the_file_gets_its_grants(tmp_path, database_url):
    config = tmp_path / "backoffice.toml"
    config.write_text(
        '[groups]\nproducts = "Produk"\n[roles.pricing]\n"@products" = ["list", "edit"]\n'
        '[tables.trancode]\ngroup = "products"\n'
    )
    app = create_app(
        {
            "BACKOFFICE_MODE": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BACKOFFICE_CONFIG_FILE": str(config),
        }
    )
    matrix = app.extensions["backoffice"].matrix
    assert matrix.allows("pricing", "edit", "trancode")
    assert not matrix.allows("pricing", "edit", "am_user")
    assert not matrix.allows("pricing", "delete", "trancode")


def test_init_db_is_idempotent_and_never_writes_into_an_application_database(runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db", "--with-ppob-schema"])
    assert first.exit_code == second.exit_code == 0
    assert "the application's objects are left as they are" in first.output
    assert "the PPOB schema was not created: the database already holds" in second.output


def test_create_user_refuses_unknown_role_and_short_password(runner):
    result = runner.invoke(args=["create-user", "kasir", "--role", "kasir", "--password", "long-enough-1"])
    assert result.exit_code != 0 and "unknown role 'kasir'" in result.output
    result = runner.invoke(args=["create-user", "kasir", "--role", "staff", "--password", "short"])
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    result = runner.invoke(args=["create-user", "kasir", "--role", "staff", "--password", "long-enough-1"])
    assert result.exit_code == 0, result.output


def test_demo_data_refuses_a_database_that_has_agents(runner):
    result = runner.invoke(args=["demo-data", "--transactions", "10"])
    assert result.exit_code != 0 and "already has agents" in result.output


@pytest.fixture
def new_database(server_url):
    """A new, empty database on the suite's server: its URL."""
    from backoffice.database import ensure_database
    from tests.conftest import _drop, _url

    name = f"bo_new_{uuid.uuid4().hex[:8]}"
    ensure_database(server_url, name)
    yield _url(server_url, name)
    _drop(server_url, name)


def _init_db(database_url: str, *args: str) -> str:
    app = create_app({"BACKOFFICE_MODE": "test", "SQLALCHEMY_DATABASE_URI": database_url})
    result = app.test_cli_runner().invoke(args=["init-db", *args])
    with app.app_context():
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    return result.output


def _objects(database_url: str) -> tuple[int, int]:
    """(tables in public, functions in public)."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        tables = conn.scalar(
            sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        )
        functions = conn.scalar(
            sa.text(
                "SELECT count(*) FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
            )
        )
    engine.dispose()
    return tables, functions


def test_init_db_creates_the_ppob_schema_only_when_asked_and_the_database_is_empty(new_database):
    assert "nothing else was created" in _init_db(new_database)
    assert _objects(new_database) == (0, 0)
    assert "the PPOB schema and its functions were created" in _init_db(new_database, "--with-ppob-schema")
    assert _objects(new_database) == (50, 8)


@pytest.mark.parametrize(
    "existing",
    [
        "CREATE SCHEMA billing; CREATE TABLE billing.invoice (id serial PRIMARY KEY, total numeric)",
        "CREATE FUNCTION public.answer() RETURNS int LANGUAGE sql AS 'SELECT 42'",
        "CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('ok')",
    ],
    ids=["tables outside public", "a function only", "a type only"],
)
def test_init_db_creates_nothing_outside_its_schema_in_a_database_that_holds_anything(new_database, existing):
    engine = sa.create_engine(new_database)
    with engine.begin() as conn:
        conn.exec_driver_sql(existing)
    engine.dispose()
    before = schema_dump(new_database)
    output = _init_db(new_database, "--with-ppob-schema")
    assert "the PPOB schema was not created" in output
    assert schema_dump(new_database) == before


def _flask(*args: str, **environment: str) -> subprocess.CompletedProcess:
    """``flask --app app ARGS`` in a process of its own, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BACKOFFICE_", "DATABASE_URL"))}
    env.update(BACKOFFICE_MODE="test", **environment)
    flask = Path(sys.executable).with_name("flask")
    return subprocess.run(
        [flask, "--app", "app", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_a_chosen_file_that_names_an_absent_table_stops_with_one_line(new_database, tmp_path):
    config = tmp_path / "mine.toml"
    config.write_text('[tables.am_user]\nlabel = "Agen"\n')
    engine = sa.create_engine(new_database)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE pelanggan (id serial PRIMARY KEY)")
    engine.dispose()
    result = _flask("init-db", DATABASE_URL=new_database, BACKOFFICE_CONFIG_FILE=str(config))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "BO-E010 mine.toml: [tables.am_user]: there is no table 'am_user' in the database"
    )
    assert "Traceback" not in result.stderr + result.stdout


def test_a_database_that_does_not_answer_stops_with_one_line_without_the_password():
    result = _flask("init-db", DATABASE_URL="postgresql://panel:hunter2-secret@127.0.0.1:9/ppob")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "BO-E030 cannot read the database at postgresql+psycopg2://panel:***@127.0.0.1:9/ppob"
    )
    assert "hunter2" not in result.stderr + result.stdout and "Traceback" not in result.stderr


def test_without_a_chosen_file_any_database_starts_on_defaults(new_database, caplog):
    engine = sa.create_engine(new_database)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE pelanggan (id serial PRIMARY KEY, nama text)")
    engine.dispose()
    with caplog.at_level(logging.INFO, logger="backoffice"):
        app = create_app({"BACKOFFICE_MODE": "test", "SQLALCHEMY_DATABASE_URI": new_database})
    assert "configuration: none chosen" in caplog.text
    assert list(app.extensions["backoffice"].tables) == ["pelanggan"]
    result = app.test_cli_runner().invoke(args=["config-scaffold"])
    assert result.exit_code == 0 and "[tables.pelanggan]" in result.output
    with app.app_context():
        db.engine.dispose()


def test_flask_check_lists_every_problem_of_the_file_one_line_each(database_url, tmp_path):
    good = _flask("check", DATABASE_URL=database_url, BACKOFFICE_CONFIG_FILE="backoffice.toml")
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("no problems: backoffice.toml over 50 tables")
    config = tmp_path / "wrong.toml"
    config.write_text(
        '[tables.am_usr]\nlabel = "x"\n[tables.am_user]\ngroup = "nowhere"\nlist_columns = ["password"]\n'
    )
    wrong = _flask("check", DATABASE_URL=database_url, BACKOFFICE_CONFIG_FILE=str(config))
    lines = wrong.stderr.strip().splitlines()
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert [line.split()[0] for line in lines[-3:]] == ["BO-E010", "BO-E012", "BO-E014"]
    assert all(line.split()[1] == "wrong.toml:" for line in lines[-3:])
