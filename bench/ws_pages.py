"""Websocket-level benchmark: the dashboard's events against the blank app's counter.

    make bench-ws                                      # 10,000 invoices; 1 and 20 clients
    make bench-ws BENCH_ARGS="--invoices 100000 --events 20"

Both apps are built and served as bench/pages.py does (ours with `make run`: one process on
SQLite; the blank app of bench/blank_app/ with `reflex run --env prod`). A Chromium tab records
once what each sends (bench/ws_replay.py: the socket's connect packet, the dashboard's Next and
Previous page; the blank app's counter click); the search and filter events are the dashboard's
own handlers (set_search, set_status) with the arguments the search box and the status filter
send. Then python-socketio clients -- each a separate tab with its own token, no browser
rendering anything -- replay them: 1 client, then 20 at once, each event timed from the emit to
the server's final update carrying the changed state. Prints medians, p95, events/s and the
ratio to the blank app's counter; asserts nothing."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.pages import ADMIN, seed_database, start_with_blank
from bench.ws_replay import Captured, _Client, _events, _packets, capture

EVENTS = 20  # per client and kind
# What a new search term ends with, after a client's name (never the bare name, which the other
# search kind searches): each term of "search, a new term each time" is one no event of the run
# has searched before.
ENDINGS = (" Studio", " Labs", " GmbH", " LLC", " Co", " Stud", " Lab", " Gm", " LL", " St")
BLANK_ROWS = "blank app, 25 rows (Next/Previous)"  # not a goal: the floor of a page change


async def capture_blank(url: str) -> tuple[Captured, Captured]:
    """The blank app's connect packet with its counter event, and with its /rows page's Next and
    Previous (25 rows made in memory: not a goal, the floor for a page change), as Chromium sends them."""
    from playwright.async_api import async_playwright

    from tests.e2e.conftest import chromium_launch_args

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**chromium_launch_args())
        page = await (await browser.new_context()).new_page()
        frames: list[str] = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: frames.append(payload)))
        await page.goto(url + "/")
        await page.wait_for_selector("#increment")
        await page.wait_for_timeout(1000)
        loaded = len(frames)
        await page.click("#increment")
        await page.wait_for_function("document.querySelector('#count').innerText === '1'")
        await page.goto(url + "/rows")
        await page.wait_for_selector(".blank-row")
        await page.click("#next-page")
        await page.wait_for_function("document.querySelector('#range-label').innerText === 'Page 2'")
        await page.click("#prev-page")
        await page.wait_for_function("document.querySelector('#range-label').innerText === 'Page 1'")
        await page.wait_for_timeout(300)
        await browser.close()
    [connect] = _packets(frames[:loaded], "40")
    [increment] = [e for e in _events(frames[loaded:]) if e["name"].endswith(".increment")]
    [next_rows] = [e for e in _events(frames[loaded:]) if e["name"].endswith(".next_page")]
    [previous_rows] = [e for e in _events(frames[loaded:]) if e["name"].endswith(".previous_page")]
    counter = Captured(connect=connect, load=[], next_page=increment, previous_page=increment)
    return counter, Captured(connect=connect, load=[], next_page=next_rows, previous_page=previous_rows)


def _handler(event: dict, name: str, payload: dict) -> dict:
    """The same tab's event for another handler of the dashboard's state."""
    return {**event, "name": event["name"].rsplit(".", 1)[0] + "." + name, "payload": payload}


def new_terms(captured: Captured, invoices: int):
    """Events for "search, a new term each time": every call gives a tab search events for
    terms no earlier call gave (a client's name, with an ending the seed's names may have)."""
    clients = max(10, invoices // 200)  # as bench/seed.py makes them
    seen = itertools.count()

    def events(count: int) -> list[dict]:
        terms = []
        for n in itertools.islice(seen, count):
            terms.append(f"Client {n % clients:05d}{ENDINGS[(n // clients) % len(ENDINGS)]}")
        return [_handler(captured.next_page, "set_search", {"value": term}) for term in terms]

    return events


def dashboard_kinds(captured: Captured, invoices: int = 10_000) -> dict[str, list[dict] | object]:
    """Each kind's events, replayed in turn; a callable gives each tab its own (``count`` of them)."""
    nxt = captured.next_page
    return {
        "page change (Next/Previous)": [captured.next_page, captured.previous_page],
        "search (a client's name)": [
            _handler(nxt, "set_search", {"value": "Client 00012"}),
            _handler(nxt, "set_search", {"value": "Client 00034"}),
        ],
        "search, a new term each time": new_terms(captured, invoices),
        "filter (status Paid / All)": [
            _handler(nxt, "set_status", {"value": "PAID"}),
            _handler(nxt, "set_status", {"value": "ALL"}),
        ],
    }


async def run(url: str, captured: Captured, opened: str | None, events, changes: str, clients: int, count: int) -> dict:
    """``events``: a list every tab cycles through, or a callable giving each tab its own."""
    tabs = [_Client(url, captured, opened) for _ in range(clients)]
    for start in range(0, clients, 5):  # opening 20 at once is its own test, not this one
        await asyncio.gather(*(tab.open() for tab in tabs[start:start + 5]))
    warm, measured = [events] * clients, [events] * clients
    if callable(events):
        warm, measured = [events(2) for _ in tabs], [events(count) for _ in tabs]
    await asyncio.gather(*(tab.alternate(warm[i], 2, changes) for i, tab in enumerate(tabs)))  # warm-up
    started = time.perf_counter()
    per_tab = await asyncio.gather(*(tab.alternate(measured[i], count, changes) for i, tab in enumerate(tabs)))
    wall = time.perf_counter() - started
    await asyncio.gather(*(tab.close() for tab in tabs))
    samples = sorted(s for tab in per_tab for s in tab)
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)],
        "events_per_s": len(samples) / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=10_000, help="as bench/multiworker.py's websocket runs")
    parser.add_argument("--events", type=int, default=EVENTS, help="events per client and kind")
    parser.add_argument("--clients", default="1,20")
    parser.add_argument("--dump", help="write the raw results as JSON here")
    args = parser.parse_args()
    client_counts = [int(c) for c in args.clients.split(",")]

    from tests.support.app_process import stop_app

    workdir = Path(tempfile.mkdtemp(prefix="invoice-crm-ws-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    procs = []
    results: dict[int, dict[str, dict]] = {}
    try:
        print(f"seeding {args.invoices:,} invoices ...", flush=True)
        seed_database(url, args.invoices)
        ours_url, blank_url = start_with_blank(workdir, url, procs)
        ours = asyncio.run(capture(ours_url, *ADMIN))
        blank, blank_rows = asyncio.run(capture_blank(blank_url))
        kinds = dashboard_kinds(ours, args.invoices)
        for clients in client_counts:
            print(f"replaying with {clients} client(s) ...", flush=True)
            row = {"blank counter": asyncio.run(run(  # its hydrate may carry no var of the counter's state
                blank_url, blank, None, [blank.next_page], "counter_state", clients, args.events
            ))}
            row[BLANK_ROWS] = asyncio.run(run(
                blank_url, blank_rows, None, [blank_rows.next_page, blank_rows.previous_page], "rows_state",
                clients, args.events,
            ))
            for name, events in kinds.items():
                row[name] = asyncio.run(run(ours_url, ours, "dashboard_state", events, "dashboard_state", clients, args.events))
            results[clients] = row
    finally:
        for proc in procs:
            stop_app(proc)
        shutil.rmtree(workdir, ignore_errors=True)

    if args.dump:
        Path(args.dump).write_text(json.dumps(results, indent=2))
    print(f"\nWebsocket round trip, emit to final update, single process, {args.invoices:,} invoices,"
          f" {args.events} events per client and kind\n")
    print("| clients | event | median ms | p95 ms | events/s | median vs blank |")
    print("|---:|---|---:|---:|---:|---:|")
    for clients, row in results.items():
        base = row["blank counter"]["median_ms"]
        for name, r in row.items():
            print(f"| {clients} | {name} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['events_per_s']:.0f}"
                  f" | {r['median_ms'] / base:.1f}x |")
    print("\nGoal: page change, search and filter within 3x of the blank counter at 1 client, 5x at 20."
          f"\n\"{BLANK_ROWS}\" is not ours: the blank app's event sending 25 rows made in memory, the floor of a page change."
          "\nThe dashboard keeps a list's pages while the database has not changed: a search of a term"
          " searched before is answered from them; \"a new term each time\" reads every time.")


if __name__ == "__main__":
    main()
