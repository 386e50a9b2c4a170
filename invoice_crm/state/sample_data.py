"""The first run's question (start empty, or explore with sample data) and the sample-data
banner with "Remove sample data". Shown on the dashboard."""

from __future__ import annotations

import asyncio

import reflex as rx

from invoice_crm.services import demo
from invoice_crm.state.auth import AuthState


def read_sample_flags() -> tuple[bool, bool]:
    """(ask the first run's question, sample data present): the dashboard's on_load reads
    them with its other cards, in a worker thread."""
    return demo.needs_start_choice(), demo.has_sample_data()


class SampleDataState(AuthState):
    ask_start: bool = False
    has_sample: bool = False
    busy: bool = False

    def _show(self, flags: tuple[bool, bool]) -> None:
        self.ask_start, self.has_sample = flags

    async def _refresh(self) -> None:
        self._show(await asyncio.to_thread(read_sample_flags))

    async def _do(self, action, message: str):
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        if self.busy:
            return
        self.busy = True
        yield
        await asyncio.to_thread(action)
        await self._refresh()
        self.busy = False
        yield rx.toast.success(message)
        from invoice_crm.state.dashboard import DashboardState  # which reads this card: no import cycle

        yield DashboardState.on_load  # the dashboard's figures and list, as they are now

    @rx.event
    async def start_empty(self):
        async for update in self._do(demo.start_empty, "Your books are empty and ready"):
            yield update

    @rx.event
    async def explore_sample(self):
        # load_demo_data loads once: a second click or a second tab adds nothing.
        async for update in self._do(demo.load_demo_data, "Sample data loaded; remove it when you are done"):
            yield update

    @rx.event
    async def remove_sample(self):
        if not self.has_sample:  # a double click's second, queued behind the first: nothing left
            return
        async for update in self._do(demo.remove_sample_data, "Sample data removed; numbering starts again"):
            yield update
