"""/reports: receivables ageing, revenue and tax for the chosen dates, each shown as a table
and downloadable as CSV and PDF. The dates live in the URL (as_of, start, end, by)."""

from __future__ import annotations

import asyncio
import logging
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

log = logging.getLogger(__name__)
REPORTS = ("ageing", "revenue", "tax")
# A failure nobody foresaw still ends the loading state, with this under the dates.
NOT_MADE = "The reports could not be made. The reason is in the server's log; try again, or a shorter period."
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


DATE_FIELDS = ("as_of", "start", "end")


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
    error: str = ""  # a refusal that names none of the dates
    errors: dict[str, str] = {}  # a refused date (as_of, start, end) -> why, shown beside it
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
    _shown_range: list[str] = []  # as_of, start, end, by of the reports on screen: what a download is

    def _today(self) -> date:
        return business_today(business_timezone())

    def _dates(self) -> tuple[date, date, date]:
        as_of = _date(self.as_of, self._today())
        return as_of, _date(self.start, as_of), _date(self.end, as_of)

    def _tables(self, as_of: date, start: date, end: date, by: str) -> dict[str, reports.Table]:
        return {
            "ageing": reports.ageing(as_of),
            "revenue": reports.revenue(start, end, by=by),
            "tax": reports.tax_report(start, end),
        }

    def _read(self) -> None:
        shown = (*self._dates(), self.by)
        tables = self._tables(*shown)
        self._shown_range = [d.isoformat() for d in shown[:3]] + [self.by]
        for name, table in tables.items():
            shown = _shown(table)
            setattr(self, f"{name}_columns", shown["columns"])
            setattr(self, f"{name}_rows", shown["rows"])
            setattr(self, f"{name}_totals", shown["totals"])
        self.ageing_total = _sum_text(reports.ageing_totals(tables["ageing"]))
        self.as_of_text, self.start_text, self.end_text = (format_date(d) for d in self._dates())

    def _refuse(self, err: DomainError) -> None:
        """Beside the date it names (the end of a backwards range is To), else under them all."""
        if err.field in DATE_FIELDS:
            self.errors = {**self.errors, err.field: err.message}
        else:
            self.error = err.message

    def _clear_errors(self) -> None:
        self.error, self.errors = "", {}

    async def _show(self):
        self._clear_errors()
        try:
            await asyncio.to_thread(self._read)
        except DomainError as err:
            self._refuse(err)
        except Exception:
            log.exception("reports for %s to %s (as of %s) failed", self.start, self.end, self.as_of)
            self.error = NOT_MADE
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
        if name in DATE_FIELDS:
            setattr(self, name, str(value)[:10])
            # A changed date takes its refusal away (both ends of the range: it is about the pair).
            changed = ("start", "end") if name != "as_of" else ("as_of",)
            if any(k in self.errors for k in changed):
                self.errors = {k: v for k, v in self.errors.items() if k not in changed}

    @rx.event
    def set_by(self, value: str):
        self.by = value if value in GROUPINGS else "month"

    @rx.event
    async def apply(self):
        """Show the reports for the dates chosen: ageing as of a date; revenue and tax over a range."""
        if self._current_user() is None:
            return self._redirect_to_login()
        self._clear_errors()
        values = {}
        for name in DATE_FIELDS:  # every unreadable date is named at once, each beside its field
            try:
                values[name] = date.fromisoformat(getattr(self, name))
            except ValueError:
                self.errors = {**self.errors, name: "Choose a date"}
        if "start" in values and "end" in values:
            try:
                reports.check_range(values["start"], values["end"])
            except DomainError as err:
                self._refuse(err)
        if self.errors or self.error:
            return None
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
            # The reports on screen, not dates typed and not yet shown with "Show reports".
            if not self._shown_range:
                return "", b""
            as_of, start, end, by = self._shown_range
            dates = (date.fromisoformat(as_of), date.fromisoformat(start), date.fromisoformat(end))
            table = self._tables(*dates, by)[report]
            if fmt == "pdf":
                return f"{table.slug}.pdf", report_files.pdf_bytes(table)
            return f"{table.slug}.csv", report_files.csv_bytes(table, bom=not plain)

        try:
            filename, content = await asyncio.to_thread(build)
        except DomainError as err:
            return rx.toast.error(err.message)
        if not filename:
            return rx.toast.error("These reports are not shown yet: choose Show reports first")
        mime = "application/pdf" if fmt == "pdf" else "text/csv"
        return rx.download(data=content, filename=filename, mime_type=mime)
