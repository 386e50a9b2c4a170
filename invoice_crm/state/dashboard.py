"""Dashboard: the overdue alert, summary cards, paid chart and one page of invoice rows."""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.services import queries
from invoice_crm.services.dashboard import load_dashboard
from invoice_crm.settings import get_settings
from invoice_crm.state.auth import AuthState

REFRESH_SECONDS = 30
SORT_OPTIONS = {"due_date": "Due date", "amount": "Amount", "number": "Number"}


def _stringify(rows: list[dict]) -> list[dict[str, str]]:
    return [{key: str(value) for key, value in row.items()} for row in rows]


class DashboardState(AuthState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    search: str = ""
    status: str = ""
    sort: str = "due_date"
    descending: bool = False
    loading: bool = True
    loaded: bool = False
    _shown_at: float = 0.0  # backend only: when the figures were last read
    sheets_on: bool = False

    outstanding: str = ""
    outstanding_count: int = 0
    overdue: str = ""
    overdue_count: int = 0
    paid_30d: str = ""
    paid_30d_count: int = 0
    monthly: list[dict[str, str | float]] = []

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // queries.PAGE_SIZE))

    @rx.var
    def range_label(self) -> str:
        if self.total == 0:
            return "No invoices"
        first = (self.page - 1) * queries.PAGE_SIZE + 1
        last = min(self.page * queries.PAGE_SIZE, self.total)
        return f"{first}–{last} of {self.total:,}"

    def _query(self) -> queries.InvoiceQuery:
        return queries.InvoiceQuery(
            search=self.search, status=self.status, sort=self.sort,
            descending=self.descending, page=self.page,
        )

    def _load_rows(self) -> None:
        rows, self.total = queries.list_invoices(self._query())
        if rows == [] and self.page > 1 and self.total:
            self.page = self.page_count
            rows, self.total = queries.list_invoices(self._query())
        self.rows = _stringify(rows)

    def _show(self, data: queries.DashboardData) -> None:
        self._shown_at = time.monotonic()
        summary = dict(data.summary)
        self.monthly = summary.pop("monthly")
        for key, value in summary.items():
            setattr(self, key, value)
        self.rows, self.total = _stringify(data.rows), data.total

    @rx.event
    async def on_load(self):
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        params = self.router.url.query_parameters
        status = params.get("status", "").upper()
        self.status = status if status in InvoiceStatus.__members__ else ""
        self.search = params.get("q", "")
        self.sheets_on = get_settings().sheets_enabled
        self.page = 1
        self.loading = True
        yield
        self._show(await asyncio.to_thread(load_dashboard, self._query()))
        self.loading = False
        self.loaded = True

    @rx.event
    async def refresh(self, _tick: str = ""):
        """Every half minute while the dashboard is open: the sweep and the figures again,
        so an invoice that just became overdue shows up without a reload."""
        # The timer also fires when it mounts, right after on_load has read everything.
        if not self.loaded or time.monotonic() - self._shown_at < REFRESH_SECONDS / 2:
            return
        if self._current_user() is None:
            return
        self._show(await asyncio.to_thread(load_dashboard, self._query()))

    async def _refresh_rows(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self.loading = True
        await asyncio.to_thread(self._load_rows)
        self.loading = False
        return None

    @rx.event
    async def set_search(self, value: str):
        self.search = value
        self.page = 1
        return await self._refresh_rows()

    @rx.event
    async def set_status(self, value: str):
        self.status = value if value in InvoiceStatus.__members__ else ""  # "ALL" or unknown: all
        self.page = 1
        return await self._refresh_rows()

    @rx.event
    async def set_sort(self, value: str):
        self.sort = value if value in SORT_OPTIONS else "due_date"
        # Soonest due first; largest amount and newest number first.
        self.descending = self.sort != "due_date"
        self.page = 1
        return await self._refresh_rows()

    @rx.event
    async def toggle_direction(self):
        self.descending = not self.descending
        self.page = 1
        return await self._refresh_rows()

    @rx.event
    async def sort_by(self, column: str):
        if self.sort == column:
            self.descending = not self.descending
        else:
            self.sort, self.descending = column, column != "due_date"
        self.page = 1
        return await self._refresh_rows()

    @rx.event
    async def go_to_page(self, page: int):
        self.page = min(max(1, page), self.page_count)
        return await self._refresh_rows()

    @rx.event
    async def next_page(self):
        return await self.go_to_page(self.page + 1)

    @rx.event
    async def previous_page(self):
        return await self.go_to_page(self.page - 1)
