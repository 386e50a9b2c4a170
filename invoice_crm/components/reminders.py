"""Reminder pieces: the invoice page's reminder timeline (with Skip and the invoice's
override), and the Settings page's Reminders section (the default schedule)."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.forms import field_error, field_label, invalid_attrs, once_loaded
from invoice_crm.components.layout import card
from invoice_crm.domain.business import REMINDER_PLACEHOLDERS, placeholder_help
from invoice_crm.state.invoice_reminders import MODE_LABELS
from invoice_crm.state.reminder_settings import ReminderSettingsState as R

STATE_COLORS = {"sent": "green", "skipped": "gray", "upcoming": "blue", "off": "gray", "na": "gray"}
PLACEHOLDER_HELP = placeholder_help(REMINDER_PLACEHOLDERS)  # a reminder has no {paid_on}


# --- The invoice page -------------------------------------------------------------------


def _timeline_row(S, row) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.text(row["label"], size="2", weight="medium"),
                rx.badge(row["state_label"], color_scheme=rx.match(
                    row["state"], *[(k, v) for k, v in STATE_COLORS.items()], "gray"), variant="soft"),
                align="center", wrap="wrap", spacing="2",
            ),
            rx.text(row["detail"], size="1", color_scheme="gray", word_break="break-word"),
            spacing="1",
            min_width="0",
            flex="1",
        ),
        rx.cond(
            row["can_skip"] == "yes",
            rx.button(
                "Skip", size="1", variant="soft", color_scheme="gray",
                aria_label="Skip the reminder " + row["label"].lower(),
                on_click=S.skip_reminder(row["offset_days"]), loading=S.reminder_busy,
            ),
        ),
        align="center",
        width="100%",
        class_name="reminder-step",
        data_state=row["state"],
    )


def _own_step(S, step) -> rx.Component:
    return rx.text(
        rx.flex(
            rx.checkbox(
                checked=step["enabled"] == "yes",
                on_change=lambda value: S.set_own_step(step["offset_days"], value),
                disabled=S.reminder_busy,
            ),
            "Send " + step["label"].lower(),
            spacing="2", align="center",
        ),
        as_="label", size="2",
    )


def invoice_reminders_card(S) -> rx.Component:
    """``S``: the invoice page's state (with ``InvoiceRemindersMixin``)."""
    return card(
        rx.vstack(
            rx.hstack(
                rx.heading("Reminders", size="3", as_="h2"),
                rx.spacer(),
                rx.hstack(
                    field_label("Reminders for this invoice", "invoice-reminder-mode", size="1"),
                    rx.el.select(
                        *[rx.el.option(label, value=label) for label in MODE_LABELS.values()],
                        id="invoice-reminder-mode",
                        value=S.reminder_mode,
                        on_change=S.set_reminder_mode,
                        disabled=S.reminder_busy,
                        class_name="rt-reset rt-SelectTrigger rt-r-size-1 rt-variant-surface",
                        style={"padding": "0 0.5em"},
                    ),
                    align="center", wrap="wrap", spacing="2",
                ),
                align="center", wrap="wrap", width="100%",
            ),
            rx.cond(
                S.reminder_inactive != "",
                rx.callout.root(
                    rx.callout.icon(rx.icon("bell-off", size=16)),
                    rx.callout.text("Inactive: ", S.reminder_inactive),
                    color_scheme="gray", size="1", id="invoice-reminders-inactive",
                ),
            ),
            rx.cond(
                S.reminder_own_steps.length() > 0,
                rx.vstack(rx.foreach(S.reminder_own_steps, lambda step: _own_step(S, step)), spacing="1"),
            ),
            rx.cond(
                S.reminder_rows.length() > 0,
                rx.vstack(rx.foreach(S.reminder_rows, lambda row: _timeline_row(S, row)), spacing="3",
                          width="100%", id="reminder-timeline"),
                rx.text("No reminder steps.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        )
    )


# --- Settings -> Reminders ---------------------------------------------------------------


def _step_fields(row) -> rx.Component:
    i = row["index"]
    suffix = ", step " + row["number"]
    offset_id, enabled_id = "reminder-step-" + i + "-offset", "reminder-step-" + i + "-enabled"
    subject_id, body_id = "reminder-step-" + i + "-subject", "reminder-step-" + i + "-body"
    offset_error = R.step_errors.get("step_" + i + "_offset_days", "")
    subject_error = R.step_errors.get("step_" + i + "_subject", "")
    body_error = R.step_errors.get("step_" + i + "_body", "")
    return rx.vstack(
        rx.text("Step ", row["number"], ": ", row["label"], size="2", weight="bold"),
        rx.flex(
            rx.vstack(
                field_label("Days from the due date", offset_id, suffix),
                rx.input(name="step_" + i + "_offset", id=offset_id, default_value=row["offset_days"],
                         inputmode="numeric", width="8em", on_blur=lambda value: R.relabel_step(i, value),
                         custom_attrs=invalid_attrs(offset_error, offset_id + "-error")),
                rx.text("Negative: before it. Empty: remove the step.", size="1", color_scheme="gray"),
                field_error(offset_error, offset_id + "-error"),
                # A width of its own: an error appearing under the field wraps in it instead of
                # widening the column and moving "Send this step" aside.
                spacing="1", width="22em", max_width="100%",
            ),
            rx.hstack(
                rx.el.input(type="checkbox", name="step_" + i + "_enabled", id=enabled_id,
                            default_checked=row["enabled"] == "yes"),
                field_label("Send this step", enabled_id, suffix),
                align="center", spacing="2",
                margin_top=rx.breakpoints(initial="0", xs="1.9em"),  # level with the field, beside it
            ),
            gap="1em", wrap="wrap", align="start", width="100%",
        ),
        rx.vstack(
            field_label("Subject", subject_id, suffix),
            rx.input(name="step_" + i + "_subject", id=subject_id, default_value=row["subject"], width="100%",
                     custom_attrs=invalid_attrs(subject_error, subject_id + "-error")),
            field_error(subject_error, subject_id + "-error"),
            spacing="1", width="100%",
        ),
        rx.vstack(
            field_label("Message", body_id, suffix),
            rx.text_area(name="step_" + i + "_body", id=body_id, default_value=row["body"], rows="3", width="100%",
                         custom_attrs=invalid_attrs(body_error, body_id + "-error")),
            field_error(body_error, body_id + "-error"),
            spacing="1", width="100%",
        ),
        spacing="2",
        width="100%",
        padding="0.75em",
        border="1px solid var(--gray-a5)",
        border_radius="var(--radius-3)",
    )


def reminder_settings_section() -> rx.Component:
    hours = [rx.el.option(f"{h:02d}:00", value=str(h)) for h in range(24)]
    return card(
        rx.vstack(
            rx.heading("Reminders", size="4", as_="h2"),
            rx.cond(
                R.inactive != "",
                rx.callout.root(
                    rx.callout.icon(rx.icon("bell-off", size=16)),
                    rx.callout.text("The schedule is inactive: ", R.inactive),
                    color_scheme="amber", id="reminders-inactive",
                ),
                rx.callout.root(
                    rx.callout.icon(rx.icon("bell-ring", size=16)),
                    rx.callout.text("Active: reminders go out at ", R.send_time, " (", R.timezone,
                                    ") on each step's day, for sent, overdue and partly paid invoices."),
                    color_scheme="green", id="reminders-active",
                ),
            ),
            rx.form(
                once_loaded(rx.vstack(
                    rx.hstack(
                        rx.el.input(type="checkbox", name="reminders_on", id="reminders-on",
                                    default_checked=R.reminders_on),
                        field_label("Send reminders automatically", "reminders-on"),
                        align="center", spacing="2",
                    ),
                    rx.vstack(
                        field_label("Send at (business timezone)", "reminders-send-hour"),
                        rx.el.select(*hours, name="send_hour", id="reminders-send-hour", default_value=R.send_hour,
                                     class_name="rt-reset rt-SelectTrigger rt-r-size-2 rt-variant-surface",
                                     style={"padding": "0 0.5em"}),
                        field_error(R.step_errors.get("send_hour", "")),
                        spacing="1",
                    ),
                    rx.text(
                        "Each step's subject and message: empty means the reminder template of the Email tab "
                        "(or the built-in text). " + PLACEHOLDER_HELP,
                        size="1", color_scheme="gray",
                    ),
                    rx.foreach(R.step_rows, _step_fields),
                    field_error(R.step_errors.get("steps", "")),
                    rx.hstack(
                        rx.button("Add a step", type="button", variant="soft", on_click=R.add_step),
                        rx.button("Save reminder schedule", type="submit", loading=R.saving_reminders),
                        spacing="3", wrap="wrap",
                    ),
                    spacing="4",
                    width="100%",
                )),
                key="reminders-" + R.form_key.to_string(),
                on_submit=R.save,
                width="100%",
            ),
            spacing="4",
            width="100%",
        )
    )
