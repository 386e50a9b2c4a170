"""The first run's question (start empty, or explore with sample data) and the sample-data
banner with "Remove sample data". Shown on the dashboard."""

from __future__ import annotations

import asyncio

import reflex as rx

from invoice_crm.services import demo
from invoice_crm.state.auth import AuthState
from invoice_crm.state.dashboard import DashboardState


class SampleDataState(AuthState):
    ask_start: bool = False
    has_sample: bool = False
    busy: bool = False

    async def _refresh(self) -> None:
        self.ask_start = await asyncio.to_thread(demo.needs_start_choice)
        self.has_sample = await asyncio.to_thread(demo.has_sample_data)

    @rx.event
    async def load(self):
        if self._current_user() is None:
            return None  # the dashboard's own on_load sends the visitor to sign in
        self.busy = False
        await self._refresh()
        return None

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
        async for update in self._do(demo.remove_sample_data, "Sample data removed; numbering starts again"):
            yield update
