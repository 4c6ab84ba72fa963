"""Creating what the panel needs in a database: its own schema, and (demo only) the PPOB one."""

import sqlalchemy as sa

from .database import run_sql_file


def application_tables(conn: sa.Connection, schema: str = "public") -> int:
    """How many tables the application schema has."""
    return conn.scalar(
        sa.text(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = :schema AND table_type = 'BASE TABLE'"
        ),
        {"schema": schema},
    )


def init_database(engine: sa.Engine) -> list[str]:
    """Create the ``backoffice`` schema, and the PPOB schema on an empty database; say what was done.

    Idempotent. An existing application schema is never touched.
    """
    done = []
    with engine.begin() as conn:
        if conn.dialect.name != "postgresql":
            run_sql_file(conn, "backoffice_schema.mysql.sql")
            return ["backoffice database ready (MySQL/MariaDB: the PPOB demo schema is PostgreSQL only)"]
        run_sql_file(conn, "backoffice_schema.sql")
        done.append("backoffice schema ready")
        if application_tables(conn) == 0:
            run_sql_file(conn, "ppob_schema.sql")
            run_sql_file(conn, "ppob_functions.sql")
            done.append("PPOB schema and functions created (the database was empty)")
        else:
            done.append("existing application tables left as they are")
    return done


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
