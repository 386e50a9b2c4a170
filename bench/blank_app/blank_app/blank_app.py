"""A blank Reflex app: one page, one button, one counter. The yardstick of bench/pages.py
and bench/ws_pages.py (built and served the same way as the Invoice CRM)."""

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


app = rx.App()
app.add_page(index, route="/", title="Blank")
