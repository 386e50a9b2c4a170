"""A blank Reflex app: one page, one button, one counter. The yardstick of bench/pages.py
and bench/ws_pages.py (built and served the same way as the Invoice CRM).

/data is the same page with one value read on the server when the page loads (on_load): the
least any Reflex page that shows data from the server can do. bench/pages.py measures it
beside the blank page, to show what part of a ratio is Reflex's own round trip."""

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


app = rx.App()
app.add_page(index, route="/", title="Blank")
app.add_page(data, route="/data", title="Blank with data", on_load=DataState.load)
