"""CSV exports from the dashboard and the Reports page: the checked event asks for a download
ticket, and the browser fetches the streamed file (api/exports.py) at once, showing its own
download progress; the page says how many rows are on their way."""

from __future__ import annotations

import asyncio
from datetime import date
from urllib.parse import urlencode

import reflex as rx

from invoice_crm.domain.errors import DomainError
from invoice_crm.domain.numbers import format_count
from invoice_crm.services import export_tickets, queries, reports
from invoice_crm.services.exports import invoice_query
from invoice_crm.state.auth import AuthState
from invoice_crm.state.dashboard import list_params

ENCODINGS = {"bom": "UTF-8 with BOM (spreadsheets)", "plain": "UTF-8 without BOM"}
LABELS = {"payments": "payments and refunds", "lines": "line items", "clients": "clients"}


def _day(text: str, label: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(f"{label}: choose a date") from None


class ExportState(AuthState):
    # The CSV flavour chosen last time, kept in this browser.
    encoding: str = rx.LocalStorage("bom", name="csv_encoding")
    preparing: str = ""  # the export being prepared
    export_note: str = ""
    export_error: str = ""

    @rx.event
    def clear_feedback(self):
        """A dialog opening: no word left from another export (Reports' clients, say)."""
        if not self.preparing:
            self.export_note = self.export_error = ""

    @rx.event
    def set_encoding(self, value: str):
        self.encoding = value if value in ENCODINGS else "bom"

    def _download(self, kind: str, params: dict[str, str]):
        params = {**params, "bom": "0" if self.encoding == "plain" else "1"}
        ticket = export_tickets.issue(self.auth_token, kind, params)
        return rx.download(url=f"/api/exports/{kind}.csv?" + urlencode({"ticket": ticket}))

    @rx.event
    async def export_invoices(self):
        """The invoice list exactly as the page's URL has it: search, status, sort, direction."""
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        self.preparing, self.export_note, self.export_error = "invoices", "", ""
        yield
        wanted = list_params(self.router.url.query_parameters)
        params = {"q": wanted["search"], "status": wanted["status"], "sort": wanted["sort"],
                  "dir": "desc" if wanted["descending"] else "asc"}
        try:
            _, count = await asyncio.to_thread(queries.list_invoices, invoice_query(params))
            download = await asyncio.to_thread(self._download, "invoices", params)
        except DomainError as err:
            self.preparing, self.export_error = "", err.message
            return
        self.preparing = ""
        self.export_note = f"Downloading {format_count(count)} invoice{'s' if count != 1 else ''} as CSV; your browser shows the progress."
        yield download

    @rx.event
    async def export_data(self, kind: str, start: str = "", end: str = ""):
        """Payments and refunds or line items over a date range, or every client."""
        if kind not in LABELS:
            return
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        self.preparing, self.export_note, self.export_error = kind, "", ""
        yield
        try:
            params = {}
            if kind != "clients":
                first, last = _day(start, "From"), _day(end, "To")
                reports.check_range(first, last)
                params = {"start": first.isoformat(), "end": last.isoformat()}
            download = await asyncio.to_thread(self._download, kind, params)
        except DomainError as err:
            self.preparing, self.export_error = "", err.message
            return
        self.preparing = ""
        self.export_note = f"Downloading {LABELS[kind]} as CSV; your browser shows the progress."
        yield download
