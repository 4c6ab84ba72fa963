"""The gate for every feature: the panel over each database of ``tests/schemas/``, started from its
URL alone, crawled page by page (``tests/corpus.py``), and never altered by ``init-db``."""

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from backoffice.database import own_database_name
from backoffice.extensions import db
from tests import corpus
from tests.conftest import SETTINGS
from tests.helpers import log_in

PASSWORD = "crawler-admin-password"
ARTIFACTS = Path(__file__).parent / "artifacts"


def crawl(database_url: str, schema: str) -> corpus.Report:
    """Start the panel on ``database_url`` alone, check that init-db leaves the application's schema
    as it was, create an administrator, and crawl."""
    before = corpus.schema_dump(database_url)
    app = create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-user", "admin", "--role", "administrator", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()
    after = corpus.schema_dump(database_url)
    app = create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url})
    crawler = corpus.Crawler(app, log_in(app.test_client(), "admin", PASSWORD), schema, database_url)
    try:
        report = crawler.crawl()
    finally:
        crawler.close()
        with app.app_context():
            db.engine.dispose()
    if after != before:
        report.findings.insert(0, "init-db changed the application's schema")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"crawler-{schema}.json").write_text(json.dumps(report.__dict__, indent=1))
    return report


@pytest.mark.parametrize("schema", corpus.postgres_schemas())
def test_the_panel_serves_a_postgresql_database_it_was_told_nothing_about(server_url, schema, tmp_path):
    from backoffice.database import ensure_database
    from tests.conftest import _drop, _url

    name = f"bo_crawl_{schema.split('.')[0]}_{os.getpid()}"
    ensure_database(server_url, name)
    url = _url(server_url, name)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql((corpus.SCHEMAS / schema).read_text())
    engine.dispose()
    try:
        report = crawl(url, schema)
    finally:
        _drop(server_url, name)
    assert report.findings == [], report.summary()


@pytest.mark.parametrize("schema", corpus.mariadb_schemas())
def test_the_panel_serves_a_mariadb_database_it_was_told_nothing_about(mariadb_server, schema):
    url = corpus.create_mariadb(schema)
    try:
        report = crawl(url, schema)
    finally:
        corpus.drop_mariadb(url, own_database_name(sa.engine.make_url(url).database))
    assert report.findings == [], report.summary()
