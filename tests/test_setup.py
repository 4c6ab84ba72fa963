"""Settings, the declarative file, and the flask commands."""

import pytest

from app import create_app
from backoffice.catalogue import ConfigError
from backoffice.settings import SettingsError


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


def test_init_db_is_idempotent_and_leaves_existing_tables(runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == second.exit_code == 0
    assert "existing application tables left as they are" in second.output


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


def test_init_db_creates_the_ppob_schema_on_an_empty_database(server_url):
    import uuid

    import sqlalchemy as sa

    from backoffice.database import ensure_database
    from tests.conftest import _drop, _url

    name = f"bo_empty_{uuid.uuid4().hex[:8]}"
    ensure_database(server_url, name)
    try:
        app = create_app({"BACKOFFICE_MODE": "test", "SQLALCHEMY_DATABASE_URI": _url(server_url, name)})
        result = app.test_cli_runner().invoke(args=["init-db"])
        assert result.exit_code == 0 and "PPOB schema and functions created" in result.output
        from backoffice.extensions import db

        with app.app_context():
            tables = db.session.scalar(
                sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            )
            functions = db.session.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_proc p JOIN pg_namespace n "
                    "ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
                )
            )
            db.session.remove()
            db.engine.dispose()
        assert (tables, functions) == (50, 8)
    finally:
        _drop(server_url, name)
