"""/reports: receivables ageing, revenue and tax for the chosen dates, each shown as a table
and downloadable as CSV and PDF. The dates live in the URL (as_of, start, end, by)."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import reflex as rx

from invoice_crm.domain.errors import DomainError
from invoice_crm.domain.lifecycle import business_today
from invoice_crm.domain.money import format_money
from invoice_crm.domain.numbers import format_date
from invoice_crm.services import report_files, reports
from invoice_crm.services.business_settings import business_currency, business_timezone
from invoice_crm.state.auth import AuthState

REPORTS = ("ageing", "revenue", "tax")
GROUPINGS = {"month": "Month", "client": "Client"}


def _shown(table: reports.Table) -> dict[str, list]:
    """A report's cells as the page shows them: money and months in the business locale."""
    cur = table.currency_column

    def text(row: list) -> list[str]:
        return [reports.cell_text(v, row[cur]) for v in row]

    return {"columns": list(table.columns), "rows": [text(r) for r in table.rows], "totals": [text(r) for r in table.totals]}


def _sum_text(totals: dict[str, Decimal]) -> str:
    parts = [format_money(amount, cur) for cur, amount in sorted(totals.items()) if amount]
    return " + ".join(parts) if parts else format_money(Decimal(0), business_currency())


def _date(text: str, fallback: date) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return fallback


class ReportsState(AuthState):
    as_of: str = ""
    start: str = ""
    end: str = ""
    by: str = "month"
    # The dates above as the reports' headings read them (business locale); the inputs keep ISO.
    as_of_text: str = ""
    start_text: str = ""
    end_text: str = ""
    loading: bool = True
    error: str = ""
    ageing_columns: list[str] = []
    ageing_rows: list[list[str]] = []
    ageing_totals: list[list[str]] = []
    ageing_total: str = ""
    revenue_columns: list[str] = []
    revenue_rows: list[list[str]] = []
    revenue_totals: list[list[str]] = []
    tax_columns: list[str] = []
    tax_rows: list[list[str]] = []
    tax_totals: list[list[str]] = []

    def _today(self) -> date:
        return business_today(business_timezone())

    def _dates(self) -> tuple[date, date, date]:
        as_of = _date(self.as_of, self._today())
        return as_of, _date(self.start, as_of), _date(self.end, as_of)

    def _tables(self) -> dict[str, reports.Table]:
        as_of, start, end = self._dates()
        return {
            "ageing": reports.ageing(as_of),
            "revenue": reports.revenue(start, end, by=self.by),
            "tax": reports.tax_report(start, end),
        }

    def _read(self) -> None:
        tables = self._tables()
        for name, table in tables.items():
            shown = _shown(table)
            setattr(self, f"{name}_columns", shown["columns"])
            setattr(self, f"{name}_rows", shown["rows"])
            setattr(self, f"{name}_totals", shown["totals"])
        self.ageing_total = _sum_text(reports.ageing_totals(tables["ageing"]))
        self.as_of_text, self.start_text, self.end_text = (format_date(d) for d in self._dates())

    async def _show(self):
        self.error = ""
        try:
            await asyncio.to_thread(self._read)
        except DomainError as err:
            self.error = err.message
        self.loading = False

    @rx.event
    async def on_load(self):
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        params = self.router.url.query_parameters
        today = await asyncio.to_thread(self._today)
        first = date(today.year, today.month, 1)
        self.as_of = _date(params.get("as_of", ""), today).isoformat()
        self.start = _date(params.get("start", ""), first).isoformat()
        self.end = _date(params.get("end", ""), today).isoformat()
        self.by = params.get("by", "month") if params.get("by") in GROUPINGS else "month"
        self.loading = True
        yield
        await self._show()

    def _url(self) -> str:
        return "/reports?" + urlencode({"as_of": self.as_of, "start": self.start, "end": self.end, "by": self.by})

    @rx.event
    def set_date(self, name: str, value: str):
        if name in ("as_of", "start", "end"):
            setattr(self, name, str(value)[:10])

    @rx.event
    def set_by(self, value: str):
        self.by = value if value in GROUPINGS else "month"

    @rx.event
    async def apply(self):
        """Show the reports for the dates chosen: ageing as of a date; revenue and tax over a range."""
        if self._current_user() is None:
            return self._redirect_to_login()
        values = {}
        for name, label in (("as_of", "As of"), ("start", "From"), ("end", "To")):
            try:
                values[name] = date.fromisoformat(getattr(self, name))
            except ValueError:
                self.error = f"{label}: choose a date"
                return None
        try:
            reports.check_range(values["start"], values["end"])
        except DomainError as err:
            self.error = err.message
            return None
        self.error = ""
        self.loading = True
        # The URL is the state: on_load reads it (so reload and Back show the same reports).
        return rx.redirect(self._url())

    @rx.event
    async def download(self, report: str, fmt: str):
        """A report as CSV (the encoding chosen for exports) or PDF."""
        if report not in REPORTS or fmt not in ("csv", "pdf"):
            return None
        if self._current_user() is None:
            return self._redirect_to_login()
        from invoice_crm.state.exports import ExportState

        plain = (await self.get_state(ExportState)).encoding == "plain"

        def build() -> tuple[str, bytes]:
            table = self._tables()[report]
            if fmt == "pdf":
                return f"{table.slug}.pdf", report_files.pdf_bytes(table)
            return f"{table.slug}.csv", report_files.csv_bytes(table, bom=not plain)

        try:
            filename, content = await asyncio.to_thread(build)
        except DomainError as err:
            return rx.toast.error(err.message)
        mime = "application/pdf" if fmt == "pdf" else "text/csv"
        return rx.download(data=content, filename=filename, mime_type=mime)
