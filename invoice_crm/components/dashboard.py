"""Dashboard pieces: overdue banner, summary cards, paid-per-month chart."""

from __future__ import annotations

import reflex as rx
from reflex.components.component import NoSSRComponent
from reflex.event import no_args_event_spec

from invoice_crm.components.forms import VISUALLY_HIDDEN


def overdue_banner(count, count_text, amount) -> rx.Component:
    return rx.cond(
        count > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert")),
            # Callout text is a <p>: only inline content inside (a block in a <p> breaks hydration).
            rx.callout.text(
                rx.text.strong(count_text, " overdue ", rx.cond(count == 1, "invoice", "invoices")),
                " totalling ",
                rx.text.strong(amount),
                " · ",
                rx.link("Show overdue invoices", href="/?status=OVERDUE", id="overdue-link"),
            ),
            color_scheme="red",
            role="alert",
            id="overdue-banner",
            width="100%",
        ),
    )


def summary_card(title: str, value, detail: tuple, icon: str, color: str, test_id: str, note_lines: int = 1) -> rx.Component:
    """``detail`` is the inline content of the small line under the figure (never a <p>:
    a <p> inside a <p> is invalid HTML, the prerendered page then fails to hydrate and React
    re-renders the whole document, which moves the theme stylesheet after the component styles).
    The figure's line and ``note_lines`` lines of the note keep their height while empty, so
    a figure read later fills its card without moving anything."""
    return rx.card(
        rx.hstack(
            rx.badge(rx.icon(icon, size=20), color_scheme=color, variant="soft", radius="full", padding="0.6em"),
            rx.vstack(
                rx.text(title, size="2", color_scheme="gray"),
                # A long figure ($1,905,274.47) gets smaller to fit its card instead of being cut
                # at the card's edge: the column is a size container, the figure at most 13% of it.
                # Sums in several currencies ("1.616,00 € + 17.050,00 $") go on a line each: an
                # amount never breaks (Babel joins figure and sign with no-break spaces), the
                # " + " between them may.
                rx.text(  # a figure, not a heading (the page's headings are its titles)
                    value, size="5", weight="bold", id=test_id, font_size="min(var(--font-size-5), 13cqi)",
                    white_space="normal", line_height="var(--heading-line-height-5)",
                    min_height="var(--heading-line-height-5)",
                ),
                rx.text(*detail, size="1", color_scheme="gray", min_height=f"calc({note_lines} * var(--line-height-1))"),
                spacing="1",
                container_type="inline-size",
                flex="1 1 0",
                min_width="0",
            ),
            align="center",
            spacing="3",
        ),
        flex="1 1 190px",  # five in a row at 1280 px, one a row on a phone
    )


CHART_HEIGHT = 200


class _PaidBars(NoSSRComponent):
    """The bars (assets/paid_chart.js), imported after the page has shown: recharts is most
    of the dashboard's JavaScript, and the rows need none of it."""

    library = "$/public/paid_chart.js"
    lib_dependencies: list[str] = ["recharts@3.10.1"]
    tag = "PaidChart"
    is_default = True
    data: rx.Var[list]
    currency: rx.Var[str]
    locale: rx.Var[str]
    height: rx.Var[int]


class ListUrl(rx.Component):
    """Navigates to ``url`` when it changes while shown (assets/list_url.js): the list URL a
    control of the dashboard has just shown, pushed by the browser itself."""

    library = "$/public/list_url.js"
    tag = "ListUrl"
    is_default = True
    url: rx.Var[str]


class Every(rx.Component):
    """on_tick every ``interval`` ms while shown (assets/every.js): a timer without moment.js."""

    library = "$/public/every.js"
    tag = "Every"
    is_default = True
    interval: rx.Var[int]
    on_tick: rx.EventHandler[no_args_event_spec]


def paid_chart(data, currency: str, note, locale: rx.Var, paid_any: rx.Var) -> rx.Component:
    """Rendered once the page's data has arrived (the dashboard shows its content then), so
    the chart's code is fetched and run only after that, never competing with the rows.
    With nothing paid in its months, it says so in the same room (not an empty grid)."""
    return rx.card(
        rx.text("Paid per month (", currency, ")", size="2", weight="medium", margin_bottom="0.5em"),
        # Its place is kept while the chart's code loads: nothing below moves when it appears.
        rx.box(
            rx.cond(
                paid_any,
                _PaidBars.create(data=data, currency=currency, locale=locale, height=CHART_HEIGHT),
                rx.center(
                    rx.text("Nothing paid in these months yet: payments you record or receive show here.",
                            size="2", color_scheme="gray", text_align="center", id="chart-empty"),
                    height="100%",
                ),
            ),
            height=f"{CHART_HEIGHT}px",
            width="100%",
        ),
        rx.cond(note != "", rx.text(note, size="1", color_scheme="gray", id="chart-note")),
        _paid_table(data, currency),
        width="100%",
        id="paid-chart",
    )


def _paid_table(data, currency) -> rx.Component:
    """The chart's figures as a table that screen readers read (the bars are a picture to
    them): each month and the amount paid in it, as the rest of the page writes money."""
    # The recipe clips a box of 1 px; a table is never narrower than its text, so it goes inside one.
    return rx.el.div(
        rx.el.table(
            rx.el.caption("Paid per month (", currency, ")"),
            rx.el.thead(rx.el.tr(rx.el.th("Month", scope="col"), rx.el.th("Paid", scope="col"))),
            rx.el.tbody(rx.foreach(data, lambda m: rx.el.tr(rx.el.th(m["month"], scope="row"), rx.el.td(m["amount"])))),
        ),
        style=VISUALLY_HIDDEN,
        id="paid-table",
    )
