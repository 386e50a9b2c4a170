"""Run events through the app's own event processing, in process: the same middleware
(the event guard), the same state handling and delta emission as behind the websocket.

Each client is one browser tab (a token); what the server would send to it is recorded.
Exceptions that escape a handler are recorded as server errors (Reflex would log them
and show the browser an error toast)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from reflex.istate.manager.memory import StateManagerMemory
from reflex_base.event import Event
from reflex_base.event.processor import BaseStateEventProcessor


class _Namespace:
    """Stands in for the websocket namespace: records the updates sent to each token."""

    def __init__(self) -> None:
        self.updates: dict[str, list[Any]] = {}

    async def emit_update(self, update, token: str) -> None:
        self.updates.setdefault(token, []).append(update)


class EventRunner:
    """``async with EventRunner(app) as run: await run.send(token, handler, path, **payload)``."""

    def __init__(self, app) -> None:
        self.app = app
        self.namespace = _Namespace()
        self.server_errors: list[BaseException] = []
        self.processor = BaseStateEventProcessor(
            middleware=app, backend_exception_handler=self._record_error
        )
        self.processor.configure(state_manager=StateManagerMemory(), event_namespace=self.namespace)

    def _record_error(self, error: Exception):
        self.server_errors.append(error)
        return None

    async def __aenter__(self) -> EventRunner:
        await self.processor.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.processor.stop(graceful_shutdown_timeout=5)

    async def send(
        self, token: str, handler, path: str = "/", ip: str = "127.0.0.1", timeout: float = 20, **payload
    ) -> list[Any]:
        """Process one event (and what it chains) for this tab; return the updates it caused."""
        before = len(self.namespace.updates.get(token, []))
        router_data = {
            "pathname": path,
            "asPath": path,
            "query": {},
            "headers": {"origin": "http://localhost:3000"},
            "ip": ip,
            "token": token,
            "sid": f"sid-{token}",
        }
        name = handler if isinstance(handler, str) else _event_name(handler)
        future = await self.processor.enqueue(token, Event(name=name, payload=payload, router_data=router_data))
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout)
        except Exception as err:
            if not isinstance(err, asyncio.TimeoutError):
                self.server_errors.append(err)
        await asyncio.sleep(0)
        return self.namespace.updates.get(token, [])[before:]

    async def state(self, token: str, state_cls):
        """The tab's state object of this class (read-only use)."""
        from reflex.istate.manager.token import BaseStateToken

        root = await self.processor._root_context.state_manager.get_state(
            BaseStateToken(ident=token, cls=state_cls)
        )
        return await root.get_state(state_cls)


def run(coro):
    """Run a coroutine to the end on its own loop in its own thread: in a full run,
    Playwright's sync API may hold this thread's loop. The thread gets this thread's context
    variables (Reflex keeps its registry of event handlers in one)."""
    import contextvars
    import threading

    outcome: dict[str, Any] = {}
    context = contextvars.copy_context()

    def target() -> None:
        try:
            outcome["value"] = context.run(asyncio.run, coro)
        except BaseException as err:  # re-raised in the caller's thread
            outcome["error"] = err

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def form(**fields: str) -> dict:
    """A submitted form as the browser sends it (Reflex's ordered [name, value] entries)."""
    from reflex_base.utils.form import FORM_DATA_ENTRIES_KEY

    return {FORM_DATA_ENTRIES_KEY: [[name, value] for name, value in fields.items()]}


def _event_name(handler) -> str:
    from reflex.utils.format import format_event_handler

    return format_event_handler(handler)


def sent_text(updates: list[Any]) -> str:
    """Everything the updates would put on the wire, as one string to search."""
    parts = []
    for update in updates:
        parts.append(json.dumps(getattr(update, "delta", {}) or {}, default=str))
        parts.append(json.dumps([getattr(e, "payload", {}) for e in getattr(update, "events", []) or []], default=str))
    return "\n".join(parts)


def deltas(updates: list[Any]) -> list[dict]:
    return [u.delta for u in updates if getattr(u, "delta", None)]


def describe_errors(errors: list[BaseException]) -> str:
    """One line per distinct server error, with where in the app it was raised."""
    import collections
    import traceback

    counts: collections.Counter[str] = collections.Counter()
    for err in errors:
        frames = [f for f in traceback.extract_tb(err.__traceback__) if "invoice_crm" in f.filename]
        where = " <- ".join(f"{f.name}:{f.lineno}" for f in frames[-3:])
        counts[f"{type(err).__name__}: {str(err)[:100]} @ {where}"] += 1
    return "\n".join(f"{n}x {line}" for line, n in counts.most_common())
