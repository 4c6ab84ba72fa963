"""Creating what the panel needs in a database: its own schema, and (on request, into a wholly empty
PostgreSQL database) the PPOB one.

The application's database belongs to the application: nothing outside the panel's own schema
(PostgreSQL) or database (MySQL/MariaDB) is ever created in a database that holds anything.
"""

import sqlalchemy as sa

from .database import SQL_DIR, run_sql_file, run_sql_text

#: Schemas that hold no application objects: PostgreSQL's own and the panel's.
SYSTEM_SCHEMAS = "('information_schema', 'backoffice')"
#: Everything an application can own in PostgreSQL, outside the system's and the panel's schemas:
#: relations (tables, views, sequences, ...), functions, and types of their own (enums, domains,
#: composites; not the row types of tables, not arrays).
POSTGRES_OBJECTS = f"""
SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN {SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg\\_%')
     + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname NOT IN {SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg\\_%')
     + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname NOT IN {SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg\\_%'
           AND t.typtype IN ('e', 'd', 'c', 'r', 'm') AND t.typrelid = 0)
"""
#: MySQL/MariaDB: columns added to the panel's own tables after they were first created, which
#: ``CREATE TABLE IF NOT EXISTS`` does not add to an existing table (MySQL has no ADD COLUMN IF
#: NOT EXISTS). PostgreSQL adds them in its script.
MYSQL_LATER_COLUMNS = {
    "panel_user": {
        "role_since": "datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)",
        "totp_secret": "varchar(64)",
        "totp_last_step": "bigint",
        "totp_enrolled_at": "datetime(6)",
        "recovery_codes": "text",
    },
    "audit_log": {"actor_id": "int", "chain_version": "smallint NOT NULL DEFAULT 1"},
}
MYSQL_OBJECTS = """
SELECT (SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE())
     + (SELECT count(*) FROM information_schema.routines WHERE routine_schema = DATABASE())
"""


def application_objects(conn: sa.Connection) -> int:
    """How many tables, views, sequences, functions and types the application has in this database,
    in any schema."""
    query = POSTGRES_OBJECTS if conn.dialect.name == "postgresql" else MYSQL_OBJECTS
    return conn.scalar(sa.text(query))


def own_database(conn: sa.Connection) -> str:
    """MySQL/MariaDB: the database of the panel's own tables (see ``database.own_database_name``)."""
    return conn.get_execution_options()["schema_translate_map"]["backoffice"]


def init_database(engine: sa.Engine, ppob_schema: bool = False) -> list[str]:
    """Create the panel's own schema (PostgreSQL) or database (MySQL/MariaDB); with ``ppob_schema``,
    also the PPOB schema and functions, but only into a PostgreSQL database that is wholly empty.
    Idempotent; returns what was done, line by line.
    """
    with engine.begin() as conn:
        if conn.dialect.name != "postgresql":
            name = own_database(conn)
            template = (SQL_DIR / "backoffice_schema.mysql.sql").read_text(encoding="utf-8")
            run_sql_text(conn, template.replace("{own_database}", name))
            _add_later_columns(conn, name)
            done = [f"the panel's own tables are ready in the database {name}"]
            if ppob_schema:
                done.append("the PPOB schema was not created: it needs PostgreSQL")
            return done
        empty = application_objects(conn) == 0
        run_sql_file(conn, "backoffice_schema.sql")
        done = ["the panel's own schema backoffice is ready"]
        if not ppob_schema:
            done.append("nothing else was created: the application's objects are left as they are")
        elif empty:
            run_sql_file(conn, "ppob_schema.sql")
            run_sql_file(conn, "ppob_functions.sql")
            done.append("the PPOB schema and its functions were created (the database was empty)")
        else:
            done.append(
                "the PPOB schema was not created: the database already holds tables, views, "
                "functions or types of an application, which are left as they are"
            )
    return done


def _add_later_columns(conn: sa.Connection, database: str) -> None:
    """Bring a MySQL/MariaDB panel database created by an earlier release up to today's columns."""
    rows = conn.execute(
        sa.text("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = :d"),
        {"d": database},
    )
    present = {(table, column) for table, column in rows}
    for table, columns in MYSQL_LATER_COLUMNS.items():
        for column, definition in columns.items():
            if (table, column) not in present:
                conn.exec_driver_sql(f"ALTER TABLE `{database}`.{table} ADD COLUMN {column} {definition}")


def load_demo_data(engine: sa.Engine, transactions: int, seed: float = 0.42) -> None:
    """Fill an empty PPOB schema with ``transactions`` realistic transactions and everything around them."""
    with engine.begin() as conn:
        if conn.scalar(sa.text("SELECT EXISTS (SELECT 1 FROM am_user)")):
            raise ValueError("the database already has agents: demo data goes only into an empty PPOB schema")
        conn.execute(
            sa.text(
                "SELECT set_config('demo.transactions', :n, false), set_config('demo.seed', :seed, false)"
            ),
            {"n": str(transactions), "seed": str(seed)},
        )
        run_sql_file(conn, "demo_data.sql")
        # As autovacuum would in time: the planner (and the panel's sizes) know the tables' rows.
        conn.exec_driver_sql("ANALYZE")
