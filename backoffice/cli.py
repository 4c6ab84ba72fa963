"""``flask`` commands: init-db, demo-data, create-user, demo, audit-verify, audit-purge, index-advice,
config-scaffold, check."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from .audit_chain import purge_audit_trail, verify_chain
from .database import stop_embedded
from .demo import TRICKLE_SECONDS, leave_a_deposit_waiting, start_trickle, watch_billers
from .extensions import db
from .index_advice import index_advice
from .models.panel import PanelUser
from .scaffold import scaffold
from .schema import init_database, load_demo_data
from .second_factor import enrol_with
from .settings import PPOB_CONFIG_FILE

DEMO_USERS = (
    ("admin", "administrator", "admin-demo-2026", "Administrator Demo"),
    ("staff", "staff", "staff-demo-2026", "Staf Monitoring Demo"),
    ("auditor", "auditor", "auditor-demo-2026", "Auditor Demo"),
    # A second administrator, who must set up a second factor at the first login (the shipped
    # file names them in [second_factor]); with admin, the two eyes of four-eyes approvals.
    ("supervisor", "administrator", "supervisor-demo-2026", "Supervisor Demo"),
)


def register_commands(app: Flask) -> None:
    for command in (
        init_db_command,
        demo_data_command,
        create_user_command,
        demo_command,
        audit_verify_command,
        audit_purge_command,
        index_advice_command,
        config_scaffold_command,
        check_command,
    ):
        app.cli.add_command(command)


@click.command("check")
@with_appcontext
def check_command():
    """Check the configuration file against the database, as start-up does, without serving.

    The application is built first: with a problem it stops there, every problem on a line of its
    own (and the exit status 1); otherwise this says what was checked."""
    backoffice = current_app.extensions["backoffice"]
    unserved = (
        f", {len(backoffice.unserved)} without a view (Panel -> Not shown)" if backoffice.unserved else ""
    )
    click.echo(f"no problems: {backoffice.catalogue.source} over {len(backoffice.tables)} tables{unserved}")


@click.command("config-scaffold")
@click.option(
    "--output", type=click.Path(dir_okay=False), help="Write to this file (never over an existing one)."
)
@click.option("--title", default="Back Office", help="The panel's title.")
@with_appcontext
def config_scaffold_command(output: str | None, title: str):
    """Write a starting declarative file for the connected database, to edit."""
    text = scaffold(
        current_app.extensions["backoffice"].tables, current_app.config["BACKOFFICE_LARGE_TABLE_ROWS"], title
    )
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise click.ClickException(
            f"{output} exists: choose another name (it is never overwritten)"
        ) from None
    click.echo(f"written to {output}: edit it, then set BACKOFFICE_CONFIG_FILE={output}")


@click.command("index-advice")
@with_appcontext
def index_advice_command():
    """Print the indexes that would make the configured filters and sorts cheap (never runs them)."""
    statements = index_advice(current_app)
    click.echo(
        "-- Indexes for the filters, sorts and searches configured on large tables.\n"
        "-- Review them and run them as the database owner; the panel never creates indexes."
    )
    click.echo("\n".join(statements) if statements else "-- nothing to add: every one of them has an index")


@click.command("audit-verify")
@with_appcontext
def audit_verify_command():
    """Walk the audit trail's hash chain; name the first record that does not fit."""
    problem, checked = verify_chain()
    if problem:
        raise click.ClickException(f"audit trail broken after {checked} good records: {problem}")
    click.echo(f"audit trail intact: {checked} records")


@click.command("audit-purge")
@click.option(
    "--older-than-days",
    type=click.IntRange(30, None),
    default=None,
    help="Keep this many days (default: BACKOFFICE_AUDIT_RETENTION_DAYS).",
)
@with_appcontext
def audit_purge_command(older_than_days: int | None):
    """Remove audit records older than the retention period; the purge itself leaves a record."""
    days = older_than_days or current_app.config["BACKOFFICE_AUDIT_RETENTION_DAYS"]
    removed = purge_audit_trail(days)
    click.echo(f"removed {removed} audit records older than {days} days")


@click.command("init-db")
@click.option(
    "--with-ppob-schema",
    is_flag=True,
    help="Also create the PPOB schema and its functions, if the database is wholly empty.",
)
@with_appcontext
def init_db_command(with_ppob_schema: bool):
    """Create the panel's own schema; nothing else, unless asked. Idempotent."""
    for line in init_database(db.engine, ppob_schema=with_ppob_schema):
        click.echo(line)


@click.command("demo-data")
@with_appcontext
@click.option(
    "--transactions",
    default=50_000,
    show_default=True,
    type=click.IntRange(1, 100_000_000),
    help="How many transactions to generate over the last 30 days.",
)
@click.option("--seed", default=0.42, show_default=True, type=click.FloatRange(-1, 1))
def demo_data_command(transactions: int, seed: float):
    """Load realistic demo data into an empty PPOB schema."""
    try:
        load_demo_data(db.engine, transactions, seed)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"demo data loaded: {transactions} transactions")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", required=True, help="administrator, staff, auditor or a role of the file.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--full-name", default=None)
@click.option(
    "--totp-secret",
    default=None,
    help="Enrol the second factor with this base32 secret (tests, benchmarks); no recovery codes.",
)
def create_user_command(username: str, role: str, password: str, full_name: str | None, totp_secret):
    """Create a panel user with ROLE (asks for the password unless --password is given)."""
    create_user(username, role, password, full_name, totp_secret)
    click.echo(
        f"user {username!r} created with role {role}" + (" and a second factor" if totp_secret else "")
    )


def create_user(
    username: str, role: str, password: str, full_name: str | None = None, totp_secret: str | None = None
) -> PanelUser:
    """Create and commit a panel user, enrolled with ``totp_secret`` when given; raise
    ClickException on a bad role, name, password or secret."""
    roles = current_app.extensions["backoffice"].matrix.roles
    if role not in roles:
        raise click.ClickException(f"unknown role {role!r}; known roles: {', '.join(roles)}")
    if db.session.scalar(db.select(PanelUser).filter_by(username=username)) is not None:
        raise click.ClickException(f"a user named {username!r} already exists")
    user = PanelUser(username=username, role=role, full_name=full_name)
    try:
        user.set_password(password)
        if totp_secret:
            enrol_with(user, totp_secret)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.add(user)
    db.session.commit()
    return user


@click.command("demo")
@with_appcontext
@click.option("--transactions", default=50_000, show_default=True, type=click.IntRange(1, 100_000_000))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def demo_command(transactions: int, host: str, port: int):
    """Set up the demo database (PPOB schema, data, users) and serve the panel with the shipped
    PPOB configuration."""
    from app import create_app  # a fresh app: it must reflect the tables created here

    for line in init_database(db.engine, ppob_schema=True):
        click.echo(line)
    if not _has_agents():
        click.echo(f"generating {transactions} demo transactions...")
        load_demo_data(db.engine, transactions)
    app = create_app(
        {
            "BACKOFFICE_MODE": "demo",
            "SQLALCHEMY_DATABASE_URI": current_app.config["SQLALCHEMY_DATABASE_URI"],
            "BACKOFFICE_CONFIG_FILE": current_app.config["BACKOFFICE_CONFIG_FILE"] or PPOB_CONFIG_FILE,
        }
    )
    with app.app_context():
        for username, role, password, full_name in DEMO_USERS:
            if db.session.scalar(db.select(PanelUser).filter_by(username=username)) is None:
                create_user(username, role, password, full_name)
    click.echo(f"\nThe back office is at http://{host}:{port}/  — log in as:")
    for username, role, password, _ in DEMO_USERS:
        click.echo(f"  {role:<14} user {username:<10} password {password}")
    click.echo(
        "  supervisor sets up a second factor at the first login: scan the QR code shown with an\n"
        "  authenticator app (or type its key), then give its six-digit code at each login."
    )
    with app.app_context():
        watch_billers(app.extensions["backoffice"].tables)
        if leave_a_deposit_waiting(app, asker="supervisor") is not None:
            click.echo("  a deposit asked by supervisor waits for admin's approval on the approvals page")
    db.session.remove()  # this command's own session ends before serving: Ctrl-C may stop the server
    trickle = start_trickle(app)
    click.echo(f"  a new transaction every {TRICKLE_SECONDS} seconds, as in a real day; Ctrl-C stops it all")
    try:
        # Flask refuses app.run() inside a flask command; serve the new app with Werkzeug directly.
        run_simple(host, port, app, threaded=True)
    finally:
        trickle.set()
        with app.app_context():
            db.engine.dispose()  # no connection may outlive the server
        db.engine.dispose()
        if current_app.config.get("BACKOFFICE_EMBEDDED"):
            stop_embedded(current_app.instance_path)
            click.echo("the embedded PostgreSQL is stopped")


def _has_agents() -> bool:
    return bool(db.session.scalar(db.text("SELECT EXISTS (SELECT 1 FROM am_user)")))
