"""Multi-worker benchmark: 1 worker on SQLite against 3 workers on PostgreSQL + Redis.

  make bench-workers                                   # 10,000 invoices, 20 clients; 100,000 for the dashboard
  make bench-workers BENCH_ARGS="--invoices 2000 --dashboard-invoices 10000"

For each setup it seeds the same invoices, starts the app with `make serve` (WEB_WORKERS=1 on
SQLite with Reflex's on-disk state; WEB_WORKERS=3 on PostgreSQL with the state in Redis),
captures the events a Chromium tab sends on the dashboard once, then replays them from 20
python-socketio clients at once (bench/ws_replay.py): events per second and the page-change
(Next/Previous) round trip, median and p95. Then the dashboard's server-side load on
PostgreSQL at 100,000 invoices against hand-written SQL for the same reads. PostgreSQL and
Redis are started here, from the distribution's packages, in temp dirs. Prints a table."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from bench.dashboard import _page_sql, _timed, handlers

ADMIN = ("bench@example.com", "bench-password")


def _configure(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    from tests.conftest import reset_caches

    reset_caches()


def _seed(url: str, count: int) -> None:
    from alembic import command
    from bench.seed import seed
    from invoice_crm.db import get_engine
    from invoice_crm.domain.lifecycle import business_today
    from tests.conftest import alembic_config

    _configure(url)
    command.upgrade(alembic_config(url), "head")
    seed(get_engine(), count, business_today("UTC"))
    get_engine().dispose()
    if url.startswith("postgresql"):  # what autovacuum does to a live database: index-only scans work
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")


def _serve_and_replay(env: dict[str, str], workdir: Path, clients: int, events: int) -> dict:
    from bench.ws_replay import capture, replay
    from tests.support.app_process import start_app, stop_app
    from tests.support.servers import free_port

    port = free_port()
    env = {
        **env, "APP_PORT": str(port), "APP_URL": f"http://127.0.0.1:{port}", "ADMIN_EMAIL": ADMIN[0],
        "ADMIN_PASSWORD": ADMIN[1], "LOAD_DEMO_DATA": "false",
    }
    proc = start_app(env, workdir / f"serve_{port}.log", target="serve")
    try:
        captured = asyncio.run(capture(env["APP_URL"], *ADMIN))
        asyncio.run(replay(env["APP_URL"], captured, 2, 2))  # warm every worker's imports and caches
        return asyncio.run(replay(env["APP_URL"], captured, clients, events))
    finally:
        stop_app(proc)


def _raw_dashboard(conn, today: date) -> None:
    """The handler's reads (and its sweep: a look when nothing is due) as hand-written SQL on PostgreSQL."""
    if conn.execute("SELECT id FROM invoice WHERE status='SENT' AND due_date < %s LIMIT 1", (today,)).fetchone():
        conn.execute("UPDATE invoice SET status='OVERDUE' WHERE status='SENT' AND due_date < %s RETURNING id", (today,))
        conn.commit()
    conn.execute("SELECT count(*) FROM invoice").fetchone()
    conn.execute(_page_sql("", "due_date DESC, id DESC", 0)).fetchall()
    conn.execute(
        "SELECT currency, count(*) FILTER (WHERE status IN ('SENT','OVERDUE')), sum(amount) FILTER (WHERE status IN ('SENT','OVERDUE')),"
        " count(*) FILTER (WHERE status='OVERDUE'), sum(amount) FILTER (WHERE status='OVERDUE')"
        " FROM invoice WHERE status IN ('SENT','OVERDUE') GROUP BY currency"
    ).fetchall()
    conn.execute(
        "SELECT currency, count(*), sum(amount) FROM invoice WHERE status='PAID' AND paid_at >= %s GROUP BY currency",
        (today - timedelta(days=30),),
    ).fetchall()
    conn.execute(
        "SELECT to_char(paid_at, 'YYYY-MM'), sum(amount) FROM invoice WHERE status='PAID' AND paid_at >= %s"
        " AND currency='USD' GROUP BY 1",
        (date(today.year - 1, today.month, 1),),
    ).fetchall()
    conn.commit()


def _raw_page_change(conn) -> None:
    where = "WHERE status = 'PAID'"
    conn.execute(f"SELECT count(*) FROM invoice {where}").fetchone()
    conn.execute(_page_sql(where, "amount DESC, id DESC", 50)).fetchall()
    conn.commit()


def dashboard_on_postgres(server, count: int, repeat: int) -> dict:
    import psycopg

    from invoice_crm.domain.lifecycle import business_today
    from invoice_crm.services import queries
    from invoice_crm.services.dashboard import load_dashboard

    name = f"bench_dash_{count}"
    server.execute(f"CREATE DATABASE {name}")
    url = server.url(name)
    _seed(url, count)
    _configure(url)
    load_dashboard(queries.InvoiceQuery())  # the first sweep does the real work once

    handler, handler_page_change = handlers()
    today = business_today("UTC")
    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname={name}") as conn:
        return {
            "count": count,
            "handler_ms": _timed(handler, repeat),
            "raw_ms": _timed(lambda: _raw_dashboard(conn, today), repeat),
            "page_handler_ms": _timed(handler_page_change, repeat),
            "page_raw_ms": _timed(lambda: _raw_page_change(conn), repeat),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=10_000, help="invoices for the websocket runs")
    parser.add_argument("--dashboard-invoices", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--events", type=int, default=20, help="page changes per client")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    from tests.support.servers import start_postgres, start_redis

    workdir = Path(tempfile.mkdtemp(prefix="invoice-crm-bench-"))
    postgres, redis = start_postgres(), start_redis()
    rows = []
    try:
        sqlite_url = f"sqlite:///{workdir / 'bench.db'}"
        _seed(sqlite_url, args.invoices)
        postgres.execute("CREATE DATABASE bench_ws")
        _seed(postgres.url("bench_ws"), args.invoices)
        setups = [
            ("1 worker, SQLite", {"DATABASE_URL": sqlite_url, "WEB_WORKERS": "1"}),
            ("3 workers, PostgreSQL + Redis",
             {"DATABASE_URL": postgres.url("bench_ws"), "WEB_WORKERS": "3", "REFLEX_REDIS_URL": redis.url}),
        ]
        for label, env in setups:
            rows.append((label, _serve_and_replay(env, workdir, args.clients, args.events)))
        dash = dashboard_on_postgres(postgres, args.dashboard_invoices, args.repeat)
    finally:
        postgres.stop()
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nWebsocket, {args.clients} concurrent clients x {args.events} page changes, {args.invoices:,} invoices\n")
    print("| setup | events/s | page change median ms | page change p95 ms |")
    print("|---|---:|---:|---:|")
    for label, r in rows:
        print(f"| {label} | {r['events_per_s']:.1f} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} |")
    print(f"\nDashboard on PostgreSQL, {dash['count']:,} invoices (median of {args.repeat})\n")
    print("| read | handler ms | raw SQL ms | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| on_load (sweep, figures, first page) | {dash['handler_ms']:.2f} | {dash['raw_ms']:.2f} | {dash['handler_ms'] / dash['raw_ms']:.2f}x |")
    print(f"| page change (paid, by amount, page 3) | {dash['page_handler_ms']:.2f} | {dash['page_raw_ms']:.2f} | {dash['page_handler_ms'] / dash['page_raw_ms']:.2f}x |")


if __name__ == "__main__":
    main()
