"""Dashboard pieces: overdue banner, summary cards, paid-per-month chart."""

from __future__ import annotations

import reflex as rx
from reflex.vars.function import FunctionStringVar


def overdue_banner(count, amount) -> rx.Component:
    return rx.cond(
        count > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert")),
            # Callout text is a <p>: only inline content inside (a block in a <p> breaks hydration).
            rx.callout.text(
                rx.text.strong(count, " overdue ", rx.cond(count == 1, "invoice", "invoices")),
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


def summary_card(title: str, value, detail: tuple, icon: str, color: str, test_id: str) -> rx.Component:
    """``detail`` is the inline content of the small line under the figure (never a <p>:
    a <p> inside a <p> is invalid HTML, the prerendered page then fails to hydrate and React
    re-renders the whole document, which moves the theme stylesheet after the component styles)."""
    return rx.card(
        rx.hstack(
            rx.badge(rx.icon(icon, size=20), color_scheme=color, variant="soft", radius="full", padding="0.6em"),
            rx.vstack(
                rx.text(title, size="2", color_scheme="gray"),
                rx.heading(value, size="5", id=test_id),
                rx.text(*detail, size="1", color_scheme="gray"),
                spacing="1",
            ),
            align="center",
            spacing="3",
        ),
        flex="1 1 220px",
    )


def _money_formatter(currency: str, locale: rx.Var, compact: bool) -> FunctionStringVar:
    """A JS formatter for chart numbers in the currency ("$1.2K" on the axis, "$1,200.00" in the
    tooltip), in ``locale`` (a state var: the business locale as saved in Settings)."""
    options = f"style: 'currency', currency: '{currency}'" + (", notation: 'compact'" if compact else "")
    return FunctionStringVar.create(
        f"((value) => new Intl.NumberFormat({locale._js_expr}, {{{options}}}).format(value))",
        _var_data=locale._get_all_var_data(),
    )


def paid_chart(data, currency: str, note, locale: rx.Var) -> rx.Component:
    return rx.card(
        rx.text("Paid per month (", currency, ")", size="2", weight="medium", margin_bottom="0.5em"),
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
            rx.recharts.x_axis(data_key="month", font_size=11),
            rx.recharts.y_axis(font_size=11, width=64, tick_formatter=_money_formatter(currency, locale, compact=True)),
            rx.recharts.graphing_tooltip(custom_attrs={"formatter": _money_formatter(currency, locale, compact=False)}),
            rx.recharts.bar(data_key="paid", fill="var(--green-9)", radius=[4, 4, 0, 0], name="Paid"),
            data=data,
            height=200,
            width="100%",
        ),
        rx.cond(note != "", rx.text(note, size="1", color_scheme="gray", id="chart-note")),
        width="100%",
        id="paid-chart",
    )
