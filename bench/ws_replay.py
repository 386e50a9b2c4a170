"""Websocket-level load: capture the events a browser sends for the dashboard (load, Next page,
Previous page) once, then replay them from many python-socketio clients at once -- each with
its own client token, so each is a separate browser tab to the server -- and time every
page change from the emit to the server's final update. No browser renders anything while
measuring, so the figures are the server's."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from dataclasses import dataclass

import socketio

NAMESPACE = "/_event"


@dataclass
class Captured:
    connect: dict  # the CONNECT packet's payload: Reflex 0.10 puts the hydrate-and-load event there
    load: list[dict]  # the events the page sends next when it opens
    next_page: dict
    previous_page: dict


def _packets(frames: list[str], kind: str) -> list:
    """socket.io text frames of one packet type ('40' connect, '42' event) in our namespace."""
    prefix = f"{kind}{NAMESPACE},"
    return [json.loads(frame[len(prefix):]) for frame in frames if isinstance(frame, str) and frame.startswith(prefix)]


def _events(frames: list[str]) -> list[dict]:
    return [args[1] for args in _packets(frames, "42") if args and args[0] == "event"]


async def capture(app_url: str, email: str, password: str) -> Captured:
    """Sign in with a real Chromium once and record the frames it sends on the dashboard."""
    from playwright.async_api import async_playwright

    from tests.e2e.conftest import chromium_launch_args

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**chromium_launch_args())
        page = await (await browser.new_context()).new_page()
        await page.goto(app_url + "/login")
        await page.fill("#email", email)
        await page.fill("#password", password)
        await page.click("#sign-in")
        await page.wait_for_selector(".invoice-row", timeout=60_000)
        frames: list[str] = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: frames.append(payload)))
        await page.reload()  # a fresh socket: its first frames are what a tab sends on opening the page
        await page.wait_for_selector(".invoice-row", timeout=60_000)
        await page.wait_for_timeout(1000)
        loaded = len(frames)
        label = await page.inner_text("#range-label")
        await page.click("#next-page")
        await page.wait_for_function(f"document.querySelector('#range-label').innerText !== {json.dumps(label)}")
        after_next = len(frames)
        await page.click("#prev-page")
        await page.wait_for_function(f"document.querySelector('#range-label').innerText === {json.dumps(label)}")
        await page.wait_for_timeout(300)
        await browser.close()
    [connect] = _packets(frames[:loaded], "40")
    load = [e for e in _events(frames[:loaded]) if not e["name"].endswith(".refresh")]  # not the 30 s tick
    [next_event] = [e for e in _events(frames[loaded:after_next]) if e["name"].endswith(".next_page")]
    [prev_event] = [e for e in _events(frames[after_next:]) if e["name"].endswith(".previous_page")]
    return Captured(connect=connect, load=load, next_page=next_event, previous_page=prev_event)


class _Client:
    def __init__(self, url: str, captured: Captured, opened: str | None = "dashboard_state") -> None:
        self.url = url
        self.captured = captured
        self.opened = opened  # the state whose first delta means the page is there
        self.token = str(uuid.uuid4())
        self.sio = socketio.AsyncClient(reconnection=False)
        self.updates: asyncio.Queue[dict] = asyncio.Queue()
        self.sio.on("event", self._on_event, namespace=NAMESPACE)

    async def _on_event(self, data) -> None:
        await self.updates.put(data if isinstance(data, dict) else json.loads(data))

    async def _settled(self, changes: str | None = None) -> None:
        """Until the server's final update for the event (with a delta of the ``changes``
        state, when given: the new page's rows)."""
        seen = False
        while True:
            update = await asyncio.wait_for(self.updates.get(), timeout=120)
            seen = seen or changes is None or any(changes in key for key in update.get("delta", {}))
            if seen and update.get("final", True):
                return

    def _drain(self) -> None:
        while not self.updates.empty():
            self.updates.get_nowait()

    async def _round_trip(self, event: dict, changes: str | None = None) -> float:
        self._drain()
        start = time.perf_counter()
        await self.sio.emit("event", event, namespace=NAMESPACE)
        await self._settled(changes)
        return (time.perf_counter() - start) * 1000

    async def open(self) -> None:
        """Connect as a new tab (its own token) that opens the dashboard, as the browser did."""
        await self.sio.connect(
            f"{self.url}?token={self.token}", namespaces=[NAMESPACE], auth=self.captured.connect,
            socketio_path="/_event", transports=["websocket"], wait_timeout=60,
        )
        await self._settled(self.opened)  # hydrated and loaded: the first page is there
        for event in self.captured.load:
            await self._round_trip(event)
        await asyncio.sleep(0.5)  # late updates of the opening are not a page change's answer

    async def page_changes(self, count: int) -> list[float]:
        events = (self.captured.next_page, self.captured.previous_page)
        return [await self._round_trip(events[n % 2], "dashboard_state") for n in range(count)]

    async def alternate(self, events: list[dict], count: int, changes: str) -> list[float]:
        """``count`` round trips, cycling through ``events`` (each must change ``changes``)."""
        return [await self._round_trip(events[n % len(events)], changes) for n in range(count)]

    async def close(self) -> None:
        await self.sio.disconnect()


async def replay(app_url: str, captured: Captured, clients: int, events: int) -> dict:
    """``clients`` tabs at once, each paging Next/Previous ``events`` times."""
    tabs = [_Client(app_url, captured) for _ in range(clients)]
    await asyncio.gather(*(tab.open() for tab in tabs))
    started = time.perf_counter()
    per_tab = await asyncio.gather(*(tab.page_changes(events) for tab in tabs))
    wall = time.perf_counter() - started
    await asyncio.gather(*(tab.close() for tab in tabs))
    samples = sorted(s for tab in per_tab for s in tab)
    return {
        "events": len(samples),
        "events_per_s": len(samples) / wall,
        "median_ms": statistics.median(samples),
        "p95_ms": samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)],
    }
