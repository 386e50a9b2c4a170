"""Dashboard benchmark: handler vs raw SQL at 1,000 / 10,000 / 100,000 invoices, and the
websocket round trip of a dashboard event with 20 concurrent browser clients.

    make bench                                   # all sizes, with the websocket part
    make bench BENCH_ARGS="--sizes 1000 --no-ws" # quicker

It prints tables; it asserts nothing about time (the targets are read off the table)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from alembic import command

SIZES = (1_000, 10_000, 100_000)


def _configure(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    from invoice_crm import db, settings

    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


def _timed(fn, repeat: int) -> float:
    """Median wall time in milliseconds over ``repeat`` runs, after two warm-ups."""
    for _ in range(2):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _page_sql(where: str, order: str, offset: int) -> str:
    outer = ", ".join(f"i.{part.strip()}" for part in order.split(","))
    return (
        "SELECT i.*, c.name, p.name FROM invoice i"
        f" JOIN (SELECT id FROM invoice {where} ORDER BY {order} LIMIT 25 OFFSET {offset}) page ON page.id = i.id"
        " JOIN client c ON c.id = i.client_id LEFT JOIN project p ON p.id = i.project_id"
        f" ORDER BY {outer}"
    )


def raw_dashboard(conn: sqlite3.Connection, today: date) -> None:
    """The same reads (and the same sweep, a look when nothing is due) as the handler, as hand-written SQL."""
    due = (today.isoformat(),)
    if conn.execute("SELECT id FROM invoice WHERE status='SENT' AND due_date < ? LIMIT 1", due).fetchone():
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE invoice SET status='OVERDUE' WHERE status='SENT' AND due_date < ? RETURNING id", due).fetchall()
        conn.execute("COMMIT")
    conn.execute("SELECT count(*) FROM invoice").fetchone()
    # The default order, current work first: open invoices by due date (each open status read
    # in index order, merged), then the rest newest first.
    open_count = conn.execute("SELECT count(*) FROM invoice WHERE status IN ('SENT','OVERDUE')").fetchone()[0]
    first = []
    if open_count:
        merged = " UNION ALL ".join(
            f"SELECT * FROM (SELECT id, due_date FROM invoice WHERE status='{s}' ORDER BY due_date, id LIMIT 25)"
            for s in ("SENT", "OVERDUE")
        )
        first = conn.execute(
            "SELECT i.*, c.name, p.name FROM invoice i"
            f" JOIN (SELECT id FROM ({merged}) ORDER BY due_date, id LIMIT 25) page ON page.id = i.id"
            " JOIN client c ON c.id = i.client_id LEFT JOIN project p ON p.id = i.project_id"
            " ORDER BY i.due_date, i.id"
        ).fetchall()
    if len(first) < 25:
        rest = _page_sql("WHERE status NOT IN ('SENT','OVERDUE')", "id DESC", 0)
        conn.execute(rest.replace("LIMIT 25", f"LIMIT {25 - len(first)}")).fetchall()
    conn.execute(
        "SELECT currency, sum(status IN ('SENT','OVERDUE')), sum(CASE WHEN status IN ('SENT','OVERDUE') THEN amount ELSE 0 END),"
        " sum(status='OVERDUE'), sum(CASE WHEN status='OVERDUE' THEN amount ELSE 0 END)"
        " FROM invoice WHERE status IN ('SENT','OVERDUE') GROUP BY currency"
    ).fetchall()
    # Money received: payments (not removed) less refunds, in the last 30 days and per month.
    since = ((today - timedelta(days=30)).isoformat(),)
    conn.execute(
        "SELECT currency, count(DISTINCT invoice_id), sum(amount) FROM payment"
        " WHERE paid_on >= ? AND removed_at IS NULL GROUP BY currency", since,
    ).fetchall()
    conn.execute("SELECT currency, sum(amount) FROM refund WHERE refunded_on >= ? GROUP BY currency", since).fetchall()
    chart = (date(today.year - 1, today.month, 1).isoformat(),)
    conn.execute(
        "SELECT substr(paid_on, 1, 7), currency, sum(amount) FROM payment WHERE paid_on >= ? AND removed_at IS NULL"
        " GROUP BY substr(paid_on, 1, 7), currency", chart,
    ).fetchall()
    conn.execute(
        "SELECT substr(refunded_on, 1, 7), currency, sum(amount) FROM refund WHERE refunded_on >= ?"
        " GROUP BY substr(refunded_on, 1, 7), currency", chart,
    ).fetchall()


def raw_page_change(conn: sqlite3.Connection) -> None:
    where = "WHERE status = 'PAID'"
    conn.execute(f"SELECT count(*) FROM invoice {where}").fetchone()
    conn.execute(_page_sql(where, "amount DESC, id DESC", 50)).fetchall()


def handlers():
    """The dashboard's load and a page change (status PAID, by amount, page 3), as the state's
    handlers do them: the service call, then the rows turned into the state's strings."""
    from invoice_crm.services import queries
    from invoice_crm.services.dashboard import load_dashboard
    from invoice_crm.state.dashboard import _stringify

    def handler():
        _stringify(load_dashboard(queries.InvoiceQuery()).rows)

    def handler_page_change():
        rows, _ = queries.list_invoices(queries.InvoiceQuery(status="PAID", sort="amount", descending=True, page=3))
        _stringify(rows)

    return handler, handler_page_change


def measure_queries(count: int, workdir: Path, repeat: int) -> tuple[dict, str]:
    from bench.seed import seed
    from invoice_crm.db import get_engine
    from invoice_crm.domain.lifecycle import business_today
    from invoice_crm.services import queries
    from invoice_crm.services.dashboard import load_dashboard
    from tests.conftest import alembic_config

    path = workdir / f"bench_{count}.db"
    url = f"sqlite:///{path}"
    _configure(url)
    command.upgrade(alembic_config(url), "head")
    today = business_today("UTC")
    started = time.perf_counter()
    seed(get_engine(), count, today)
    seeded_in = time.perf_counter() - started

    handler, handler_page_change = handlers()
    load_dashboard(queries.InvoiceQuery())  # the first sweep does the real work once
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    result = {
        "count": count,
        "seed_s": seeded_in,
        "handler_ms": _timed(handler, repeat),
        "raw_ms": _timed(lambda: raw_dashboard(conn, today), repeat),
        "page_handler_ms": _timed(handler_page_change, repeat),
        "page_raw_ms": _timed(lambda: raw_page_change(conn), repeat),
    }
    conn.close()
    get_engine().dispose()
    return result, url


async def _client_round_trips(browser, app_url: str, email: str, password: str, events: int) -> list[float]:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(app_url + "/login")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("#sign-in")
    await page.wait_for_selector(".invoice-row", timeout=60_000)
    samples = []
    for n in range(events):
        button = "#next-page" if n % 2 == 0 else "#prev-page"
        elapsed = await page.evaluate(
            """async (button) => {
                const label = document.querySelector('#range-label');
                const firstRow = () => document.querySelector('.invoice-row th a')?.innerText;
                const before = label.innerText, beforeRow = firstRow();
                const start = performance.now();
                document.querySelector(button).click();
                // Until the new rows are on screen (the page number shows first, the rows follow).
                while (label.innerText === before || firstRow() === beforeRow) {
                    await new Promise(r => requestAnimationFrame(r));
                }
                return performance.now() - start;
            }""",
            button,
        )
        samples.append(elapsed)
    await context.close()
    return samples


async def measure_websocket(app_url: str, clients: int, events: int) -> list[float]:
    from playwright.async_api import async_playwright

    from tests.e2e.conftest import chromium_launch_args

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**chromium_launch_args())
        per_client = await asyncio.gather(
            *[_client_round_trips(browser, app_url, "bench@example.com", "bench-password", events) for _ in range(clients)]
        )
        await browser.close()
    return [s for samples in per_client for s in samples]


def websocket_figures(url: str, workdir: Path, clients: int, events: int) -> dict:
    from tests.support.app_process import free_port, start_app, stop_app

    port = free_port()
    env = {
        "DATABASE_URL": url, "APP_PORT": str(port), "APP_URL": f"http://localhost:{port}",
        "ADMIN_EMAIL": "bench@example.com", "ADMIN_PASSWORD": "bench-password", "LOAD_DEMO_DATA": "false",
    }
    proc = start_app(env, workdir / f"app_{port}.log")
    try:
        samples = asyncio.run(measure_websocket(env["APP_URL"], clients, events))
    finally:
        stop_app(proc)
    samples.sort()
    return {
        "ws_median_ms": statistics.median(samples),
        "ws_p95_ms": samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)],
        "ws_samples": len(samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--events", type=int, default=10, help="events per websocket client")
    parser.add_argument("--no-ws", action="store_true", help="skip the websocket part")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    rows = []
    with tempfile.TemporaryDirectory(prefix="invoice-bench-") as tmp:
        workdir = Path(tmp)
        for count in sizes:
            print(f"seeding and measuring {count:,} invoices ...", flush=True)
            result, url = measure_queries(count, workdir, args.repeat)
            if not args.no_ws:
                print(f"  websocket: {args.clients} clients x {args.events} events ...", flush=True)
                result.update(websocket_figures(url, workdir, args.clients, args.events))
            rows.append(result)

    base = rows[0]["handler_ms"]
    print()
    print("| invoices | on_load handler ms | raw SQL ms | ratio | page change ms | raw ms | ratio | growth vs first | ws median ms | ws p95 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ws = (f"{r['ws_median_ms']:.1f} | {r['ws_p95_ms']:.1f}") if "ws_median_ms" in r else "– | –"
        print(
            f"| {r['count']:,} | {r['handler_ms']:.2f} | {r['raw_ms']:.2f} | {r['handler_ms'] / r['raw_ms']:.2f}x"
            f" | {r['page_handler_ms']:.2f} | {r['page_raw_ms']:.2f} | {r['page_handler_ms'] / r['page_raw_ms']:.2f}x"
            f" | {r['handler_ms'] / base:.2f}x | {ws} |"
        )
    print("\nTargets: at 100,000 the handler costs <= 3x the raw SQL; it grows < 2x from 1,000 to 100,000.")


if __name__ == "__main__":
    main()
