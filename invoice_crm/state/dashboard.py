"""Dashboard: the overdue alert, summary cards, paid chart and one page of invoice rows."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import time
from urllib.parse import urlencode

import reflex as rx

from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.numbers import format_count
from invoice_crm.services import queries
from invoice_crm.services.dashboard import load_dashboard
from invoice_crm.settings import get_settings
from invoice_crm.state.auth import AuthState
from invoice_crm.state.reminder_settings import RemindersTodayState, read_reminders_today
from invoice_crm.state.sample_data import SampleDataState, read_sample_flags

REFRESH_SECONDS = 30
# A read that answers within this long shows no loading state at all (no flash, one update).
QUIET_SECONDS = 0.1
SORT_OPTIONS = {queries.CURRENT: "Current work", "due_date": "Due date", "amount": "Amount", "number": "Number"}
MAX_SEARCH = 200
MAX_PAGE = 1_000_000


def list_params(params: dict) -> dict:
    """The list's state from the query string; anything unreadable falls back to the default."""
    status = str(params.get("status", "")).upper()
    sort = str(params.get("sort", ""))
    sort = sort if sort in SORT_OPTIONS else queries.CURRENT
    direction = str(params.get("dir", "")).lower()
    descending = direction == "desc" if direction in ("asc", "desc") else _default_descending(sort)
    page = str(params.get("page", "1"))
    return {
        "search": str(params.get("q", ""))[:MAX_SEARCH],
        "status": status if status in InvoiceStatus.__members__ else "",
        "sort": sort,
        "descending": descending,
        "page": min(int(page), MAX_PAGE) if page.isascii() and page.isdigit() and int(page) > 0 else 1,
    }


@functools.lru_cache(maxsize=1024)
def list_url(search: str, status: str, sort: str, descending: bool, page: int) -> str:
    params = {"q": search.strip(), "status": status}
    query = {k: v for k, v in params.items() if v}
    query.update(sort=sort, dir="desc" if descending else "asc", page=str(page))
    return "/?" + urlencode(query)


def rows_shown(page: int, total: int) -> str:
    """``99,976–100,000 of 100,000``: which rows a page shows, as the business locale writes
    numbers (``99.976–100.000 of 100.000`` under de_DE)."""
    first = (page - 1) * queries.PAGE_SIZE + 1
    last = min(page * queries.PAGE_SIZE, total)
    return f"{format_count(first)}–{format_count(last)} of {format_count(total)}"


def _default_descending(sort: str) -> bool:
    # Soonest due first; largest amount and newest number first.
    return sort in ("amount", "number")


def _stringify(rows: list[dict]) -> list[dict[str, str]]:
    return [{key: str(value) for key, value in row.items()} for row in rows]


def _read_page(query: queries.InvoiceQuery, quick_only: bool = False) -> tuple[list[dict[str, str]], int, int] | None:
    """One page of rows, the list's total and the page number (the last page when asked
    past the end); with ``quick_only``, None unless it is kept or quick to read
    (queries.list_page)."""
    page = queries.list_page(query, quick_only=quick_only)
    if page is None:
        return None
    rows, counts = page
    if not rows and query.page > 1 and counts.total:
        query = dataclasses.replace(query, page=max(1, -(-counts.total // queries.PAGE_SIZE)))
        if (page := queries.list_page(query, quick_only=quick_only)) is None:
            return None
        rows, counts = page
    return _stringify(rows), counts.total, query.page


def _read_cards() -> tuple[tuple[bool, bool], tuple[int, str]]:
    """The page's other cards: the first run's question or the sample-data banner, and
    reminders today (a worker thread's reads; no state is touched there)."""
    return read_sample_flags(), read_reminders_today()


async def _quick(work: asyncio.Future) -> bool:
    """Whether ``work`` finished within QUIET_SECONDS (it keeps running either way)."""
    done, _ = await asyncio.wait({work}, timeout=QUIET_SECONDS)
    return bool(done)


class ListViewState(AuthState):
    """Which list the dashboard's rows are, kept apart from the rows: its flag depends on the
    tab's URL, so Reflex works it out again on every URL change of any page, and this state
    holds only two strings for it to read."""

    list_shown: str = ""  # the list (its URL, as list_url writes it) whose rows the dashboard holds
    # The list URL a control of the dashboard has just shown: the browser puts it in the tab's
    # URL (components.dashboard.ListUrl), and on_load, which that runs, clears it.
    pushed: str = ""

    @rx.var
    def list_in_view(self) -> bool:
        """Whether the rows held are the list to show: the one the tab's URL names, or the one
        a control of the dashboard is putting in the URL. After a reload at another list's URL,
        Reflex's hydration sends the tab everything its state holds, the old list included;
        it stays unseen until on_load has read the list the URL names."""
        if not self.list_shown:
            return False
        return self.list_shown in (self.pushed, list_url(**list_params(self.router.url.query_parameters)))


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
    _rows_for: str = ""  # backend only: the query the rows shown were read for
    sheets_on: bool = False

    outstanding: str = ""
    outstanding_count: int = 0
    overdue: str = ""
    overdue_count: int = 0
    paid_30d: str = ""
    paid_30d_count: int = 0
    counts_text: dict[str, str] = {"outstanding": "0", "overdue": "0", "paid_30d": "0"}
    monthly: list[dict[str, str | float]] = []
    paid_any: bool = True  # a month of the chart has a payment (else it says so, not an empty grid)
    chart_note: str = ""
    chart_locale: str = "en-US"  # the business locale (Settings), as the browser's Intl names it
    chart_currency: str = "USD"  # the default currency (Settings): the one the chart plots
    # Where "All invoices" on an invoice page returns to: the list as it was left. Kept in the
    # tab's sessionStorage, so it survives reloading the invoice page too.
    list_url: str = rx.SessionStorage("/", name="invoice_list_url")

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // queries.PAGE_SIZE))

    @rx.var
    def range_label(self) -> str:
        if self.total == 0:
            return "No invoices"
        return rows_shown(self.page, self.total)

    @rx.var
    def page_label(self) -> str:
        return f"Page {format_count(self.page)} of {format_count(self.page_count)}"

    def _query(self) -> queries.InvoiceQuery:
        return queries.InvoiceQuery(
            search=self.search, status=self.status, sort=self.sort,
            descending=self.descending, page=self.page,
        )

    def _put_page(self, page: tuple[list[dict[str, str]], int, int]) -> None:
        self.rows, total, self.page = page
        if self.total != total:  # unchanged, it is not sent again
            self.total = total
        self._rows_for = repr(self._query())

    async def _load_rows(self) -> None:
        query = self._query()
        # An index-ordered read of one page, or one kept since nothing changed, takes less than
        # handing it to a thread and back (most of a millisecond on a page change), and so does
        # a search's page read from its few matches. Another search may scan: in a thread, so
        # other tabs' events go on.
        searching = bool(query.search.strip())
        page = _read_page(query, quick_only=searching)
        if page is None:
            page = await asyncio.to_thread(_read_page, query)
        self._put_page(page)

    def _show_summary(self, summary: dict) -> None:
        self._shown_at = time.monotonic()
        summary = dict(summary)
        self.monthly = summary.pop("monthly")
        self.paid_any = any(float(m.get("paid") or 0) > 0 for m in self.monthly)
        for key, value in summary.items():
            setattr(self, key, value)
        # The cards' and the alert's counts as the business locale writes them (1,582; 1.582).
        self.counts_text = {key: format_count(getattr(self, f"{key}_count")) for key in ("outstanding", "overdue", "paid_30d")}

    def _show(self, data: queries.DashboardData) -> None:
        self._show_summary(data.summary)
        self.rows, self.total = _stringify(data.rows), data.total
        self._rows_for = repr(self._query())

    async def _show_cards(self, cards: asyncio.Future) -> None:
        """The cards read alongside the list, shown in this same event: the page loads in one
        round trip, not one per card."""
        flags, today = await cards
        sample = await self.get_state(SampleDataState)
        sample.busy = False
        sample._show(flags)
        (await self.get_state(RemindersTodayState))._show(today)

    @rx.event
    async def on_load(self):
        """The list is what the URL says (search, status, sort, direction, page), so Back,
        Forward, reload and a bookmark all show the same list. Every control below changes
        the URL; a change of the URL alone runs this again."""
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        params = self.router.url.query_parameters
        wanted = list_params(params)
        wanted_url = list_url(**wanted)
        # Only a URL this page's own control pushed may reuse what is shown; arriving from
        # another page (where a payment or a void may just have changed the figures), a
        # reload or Back reads everything again.
        view = await self.get_state(ListViewState)
        own = view.pushed != "" and view.pushed == wanted_url
        if view.pushed:
            view.pushed = ""
        fresh = own and self.loaded and time.monotonic() - self._shown_at < REFRESH_SECONDS / 2
        for key, value in wanted.items():
            setattr(self, key, value)
        self.list_url = wanted_url if params else "/"
        self.sheets_on = get_settings().sheets_enabled
        if fresh and self._rows_for == repr(self._query()):
            # A control of this page showed this list a moment ago, then put it in the URL:
            # the rows, figures and cards on screen are current. Nothing to read or send.
            # (After a reload, Reflex's hydration sends the tab everything this state holds.)
            return
        # The read runs while we wait; only a slow one shows the loading state first (an
        # answer within QUIET_SECONDS arrives as one update: no flash, nothing moves twice).
        query = self._query()
        if fresh:  # only the list changed: the figures and cards shown are current
            work = asyncio.ensure_future(asyncio.to_thread(_read_page, query))
        else:  # the overdue sweep, the figures and the first page, in one read; the cards beside it
            work = asyncio.ensure_future(asyncio.to_thread(load_dashboard, query))
            cards = asyncio.ensure_future(asyncio.to_thread(_read_cards))
        if not await _quick(work):
            self.loading = True
            yield
        if fresh:
            self._put_page(await work)
        else:
            self._show(await work)
            if not self.rows and self.page > 1 and self.total:  # a page past the end
                await self._load_rows()
            await self._show_cards(cards)
        self.loading = False
        self.loaded = True
        view.list_shown = wanted_url

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

    async def _go(self, **changes):
        """Show the list as changed and name its URL, which the browser puts in the address
        bar (a new history entry, so Back returns to the previous list; on_load, which that
        runs, finds the rows already shown)."""
        if self._current_user() is None:
            return self._redirect_to_login()
        for key, value in changes.items():
            setattr(self, key, value)
        await self._load_rows()
        view = await self.get_state(ListViewState)
        view.pushed = view.list_shown = list_url(self.search, self.status, self.sort, self.descending, self.page)
        return None  # the same update carries the rows and the URL: no redirect event after it

    @rx.event
    async def set_search(self, value: str):
        return await self._go(search=str(value)[:MAX_SEARCH], page=1)

    @rx.event
    async def set_status(self, value: str):
        status = "" if value == "ALL" else value
        return await self._go(status=status if status in InvoiceStatus.__members__ else "", page=1)

    async def _sorted(self, value: str):
        sort = value if value in SORT_OPTIONS else queries.CURRENT
        return await self._go(sort=sort, descending=_default_descending(sort), page=1)

    @rx.event
    async def set_sort(self, value: str):
        return await self._sorted(value)

    @rx.event
    async def toggle_direction(self):
        return await self._go(descending=not self.descending, page=1)

    @rx.event
    async def sort_by(self, column: str):
        if self.sort == column:
            return await self._go(descending=not self.descending, page=1)
        return await self._sorted(column)

    async def _page(self, page: int):
        return await self._go(page=min(max(1, page), self.page_count))

    @rx.event
    async def go_to_page(self, page: int):
        return await self._page(int(page))

    @rx.event
    async def next_page(self):
        return await self._page(self.page + 1)

    @rx.event
    async def previous_page(self):
        return await self._page(self.page - 1)
