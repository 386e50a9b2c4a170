"""The dashboard's Google Sheet panel: how many invoices are synced, pending and failed, and
"Resync all" with live progress (a background event, so the page stays usable)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from invoice_crm.domain.errors import DomainError
from invoice_crm.domain.numbers import count_of, format_count
from invoice_crm.services import idempotency, sheets_resync
from invoice_crm.state.auth import AuthState
from invoice_crm.state.dashboard import DashboardState

PROGRESS_POLL_SECONDS = 0.3


@dataclass
class _Progress:
    """Written by the resync thread, read by the event loop (plain ints: atomic under the GIL)."""

    done: int = 0
    total: int = 0

    def update(self, done: int, total: int) -> None:
        self.done, self.total = done, total


class SheetsState(AuthState):
    loaded: bool = False
    enabled: bool = False
    synced: int = 0
    pending: int = 0
    failed: int = 0
    counts_text: dict[str, str] = {"synced": "0", "pending": "0", "failed": "0"}  # as the locale groups them
    last_error: str = ""
    resyncing: bool = False
    done: int = 0
    total: int = 0
    result: str = ""
    resync_key: str = ""  # once per intent: made when the panel loads, renewed after each resync

    @rx.var
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @rx.var
    def progress_label(self) -> str:
        if not self.total:  # not queued yet: another tab's or the worker's sync has the sheet
            return "Starting, after any sync already writing to the sheet…"
        return f"{format_count(self.done)} of {format_count(self.total)} rows written"

    def _show(self, overview: sheets_resync.SyncOverview) -> None:
        self.enabled = overview.enabled
        self.synced, self.pending, self.failed = overview.synced, overview.pending, overview.failed
        self.counts_text = {"synced": format_count(self.synced), "pending": format_count(self.pending),
                            "failed": format_count(self.failed)}
        self.last_error = overview.last_error
        self.loaded = True

    @rx.event
    async def load(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self._show(await asyncio.to_thread(sheets_resync.sync_overview))
        if not self.resyncing:
            self.resync_key = idempotency.new_key()
        return None

    @rx.event(background=True)
    async def resync_all(self):
        async with self:
            if self._current_user() is None:
                yield self._redirect_to_login()
                return
            if self.resyncing:
                return
            self.resyncing, self.done, self.total, self.result = True, 0, 0, ""
            key = self.resync_key or idempotency.new_key()
        progress = _Progress()
        work = asyncio.ensure_future(
            asyncio.to_thread(lambda: sheets_resync.resync_all(progress.update, idempotency_key=key))
        )
        while not work.done():
            await asyncio.wait({work}, timeout=PROGRESS_POLL_SECONDS)
            async with self:
                self.done, self.total = progress.done, progress.total
        try:
            report = work.result()
            error = report.error
        except DomainError as err:
            report, error = None, err.message
        overview = await asyncio.to_thread(sheets_resync.sync_overview)
        if error:
            message = f"Stopped: {error}. The rest will be retried automatically."
        else:
            message = (
                f"{count_of(report.written, 'row', 'rows')} rewritten in "
                f"{count_of(report.write_requests, 'write request', 'write requests')}."
            )
        async with self:
            self.resyncing = False
            self.resync_key = idempotency.new_key()
            self._show(overview)
            self.result = message
            page = (await self.get_state(DashboardState)).page
        yield DashboardState.go_to_page(page)  # the list's sync badges
        yield rx.toast.error(message) if error else rx.toast.success(message)
