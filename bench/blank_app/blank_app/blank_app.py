"""A blank Reflex app: one page, one button, one counter. The yardstick of bench/pages.py
and bench/ws_pages.py (built and served the same way as the Invoice CRM).

/data is the same page with one value read on the server when the page loads (on_load): the
least any Reflex page that shows data from the server can do. bench/pages.py measures it
beside the blank page, to show what part of a ratio is Reflex's own round trip.

/rows is a table of 25 rows made in memory when the page loads, with Next and Previous: the
least a Reflex page showing a list like the dashboard's can do (the same columns, Radix's table,
no database, no layout around it). bench/pages.py opens it and bench/ws_pages.py replays its
Next/Previous, as floors for the dashboard's figures; neither is a goal.

/counter/[key] is the counter page again, at a route with a parameter, as our invoice, pay and
editor pages are: React Router cannot write its HTML when the app is built, so the browser gets
an empty document and the page's JavaScript draws it. The counter page at / is in the HTML the
build wrote (the browser shows it before any JavaScript runs). bench/pages.py opens both: the
difference is what drawing a page in the browser costs, with no data from the server at all."""

import reflex as rx


class CounterState(rx.State):
    count: int = 0

    @rx.event
    def increment(self):
        self.count += 1


def index() -> rx.Component:
    return rx.box(
        rx.heading("Counter", id="heading"),
        rx.text(CounterState.count, id="count"),
        rx.button("Add one", on_click=CounterState.increment, id="increment"),
    )


class DataState(rx.State):
    value: str = ""

    @rx.event
    def load(self):
        self.value = "ready"


def data() -> rx.Component:
    return rx.box(
        rx.heading("Data", id="heading"),
        rx.cond(DataState.value != "", rx.text(DataState.value, id="server-value")),
    )


PAGE_SIZE = 25


def _rows(page: int) -> list[dict[str, str]]:
    """25 rows shaped like the dashboard's (the same fields, texts of the same lengths)."""
    rows = []
    for n in range(page * PAGE_SIZE, (page + 1) * PAGE_SIZE):
        rows.append({
            "id": str(100_000 - n), "number": f"INV-{100_000 - n:06d}", "client": f"Client {n % 500:05d}",
            "project": "Website redesign", "amount": f"${(n * 37) % 9000 + 100:,}.00", "balance": "$0.00",
            "badge": ("SENT", "OVERDUE", "PAID")[n % 3], "status": ("SENT", "OVERDUE", "PAID")[n % 3],
            "due_date": "Dec 12, 2026", "countdown": f"in {n % 30} days", "paid_at": "", "viewed": "no",
        })
    return rows


class RowsState(rx.State):
    page: int = 0
    rows: list[dict[str, str]] = []

    @rx.event
    def load(self):
        self.page = 0
        self.rows = _rows(0)

    @rx.event
    def next_page(self):
        self.page += 1
        self.rows = _rows(self.page)

    @rx.event
    def previous_page(self):
        self.page = max(0, self.page - 1)
        self.rows = _rows(self.page)


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row["number"], href="/rows#" + row["id"])),
        rx.table.cell(row["client"]),
        rx.table.cell(row["project"]),
        rx.table.cell(row["amount"], text_align="right"),
        rx.table.cell(rx.badge(row["badge"])),
        rx.table.cell(rx.text(row["due_date"]), rx.text(row["countdown"], size="1")),
        rx.table.cell(row["paid_at"]),
        class_name="blank-row",
    )


def rows() -> rx.Component:
    return rx.box(
        rx.heading("Rows", id="heading"),
        rx.cond(
            RowsState.rows.length() > 0,
            rx.table.root(rx.table.body(rx.foreach(RowsState.rows, _row))),
        ),
        rx.text("Page ", RowsState.page + 1, id="range-label"),
        rx.button("Previous", on_click=RowsState.previous_page, id="prev-page"),
        rx.button("Next", on_click=RowsState.next_page, id="next-page"),
    )


app = rx.App()
app.add_page(index, route="/", title="Blank")
app.add_page(data, route="/data", title="Blank with data", on_load=DataState.load)
app.add_page(rows, route="/rows", title="Blank with rows", on_load=RowsState.load)
app.add_page(index, route="/counter/[key]", title="Blank, drawn by its JavaScript")
