"""The dashboard and the search box on a generated database (issue: fast on 10 million transactions).

    .venv/bin/python bench/dashboard.py --database-url postgresql://...ppob_bench_10000000 [--runs 5]

Prints medians through Flask's test client, as an administrator (every figure shown): the
dashboard, and the search box for a noref, an agent id, an agent name prefix and a product name;
then the dashboard's transaction query alone on psycopg2, for the share of the page it takes.
"""

import argparse
import sys
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import check, logged_in, median_ms  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app, client = logged_in(args.database_url, role="administrator")
    from backoffice.dashboard import transaction_figures
    from backoffice.extensions import db
    from backoffice.formatting import now_jakarta

    with app.app_context():
        noref = db.session.scalar(sa.text("SELECT noref FROM tempmsg ORDER BY msgid DESC LIMIT 1"))
        agent, name = db.session.execute(sa.text("SELECT agent_id, agent_name FROM am_user LIMIT 1")).one()
    print(f"dashboard: {median_ms(lambda: check(client.get('/admin/')), args.runs):.0f} ms")
    for label, query in (
        ("noref", noref),
        ("agent id", agent),
        ("agent name prefix", name.split()[0][:4]),
        ("product name", "PULSA"),
    ):
        took = median_ms(lambda q=query: answered(client.get(f"/admin/search/?q={q}")), args.runs)
        print(f"search by {label} ({query}): {took:.0f} ms")
    view = app.extensions["admin"][0].index_view
    with app.test_request_context():
        took = median_ms(lambda: transaction_figures(view.report, now_jakarta()), args.runs)
    print(f"the dashboard's transaction query alone: {took:.0f} ms")


def answered(response):
    """A search answers with its results (200) or the one record it found (302)."""
    if response.status_code not in (200, 302):
        raise SystemExit(f"unexpected {response.status_code} from {response.request.path}")
    return response


if __name__ == "__main__":
    main()
