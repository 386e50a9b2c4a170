"""Delivery pieces of the invoice page: the Send / Reminder dialog, the emails list, the PDF button."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.forms import KEEP_TYPED, dialog_actions, field_error, form_field
from invoice_crm.components.ledger import shown_fields
from invoice_crm.state.send_dialog import BY_EMAIL, MARK_ONLY
from invoice_crm.state.send_dialog import DeliveryState as D

EMAIL_COLORS = {"DONE": "green", "PENDING": "amber", "SENDING": "blue", "FAILED": "red"}


def send_button() -> rx.Component:
    return rx.button(rx.icon("send", size=16), "Send", on_click=D.open_send_dialog, id="send-invoice")


def reminder_button() -> rx.Component:
    return rx.button(
        rx.icon("bell-ring", size=16), "Send reminder", variant="soft", on_click=D.open_reminder_dialog, id="send-reminder"
    )


def pdf_button() -> rx.Component:
    return rx.button(rx.icon("file-down", size=16), "Download PDF", variant="soft", on_click=D.download_pdf, id="download-pdf")


def _choice(value: str, label, disabled=None, item_id: str = "") -> rx.Component:
    """A radio with its text, both inside one <label> so the text names the radio."""
    return rx.text(
        rx.flex(rx.radio_group.item(value=value, id=item_id or f"method-{value}", disabled=disabled), label, spacing="2", align="center"),
        as_="label",
        size="2",
    )


def _method_choice() -> rx.Component:
    return rx.vstack(
        rx.radio_group.root(
            rx.vstack(
                _choice(BY_EMAIL, "Email the invoice (PDF attached)", disabled=~D.mail_enabled),
                _choice(MARK_ONLY, "Mark as sent — I'll share the link myself", disabled=False),
                spacing="2",
            ),
            value=D.send_method,
            on_change=D.set_send_method,
            aria_label="How to send",
        ),
        rx.cond(
            ~D.mail_enabled,
            rx.text(D.mail_unavailable, " Only marking as sent is possible.", size="1", color_scheme="gray", id="email-unavailable"),
        ),
        spacing="2",
        width="100%",
    )


def _email_form() -> rx.Component:
    return rx.vstack(
        form_field(
            "To",
            rx.input(value=D.send_to, on_change=D.set_send_to, type="email", id="send-recipient", width="100%"),
            D.send_errors.get("recipient", ""),
            html_for="send-recipient",
            width="100%",
        ),
        form_field(
            "Subject",
            rx.input(value=D.send_subject, on_change=D.set_send_subject, id="send-subject", width="100%"),
            D.send_errors.get("subject", ""),
            html_for="send-subject",
            width="100%",
        ),
        form_field(
            "Message",
            rx.text_area(value=D.send_body, on_change=D.set_send_body, id="send-body", rows="10", width="100%"),
            D.send_errors.get("body", ""),
            html_for="send-body",
            width="100%",
        ),
        rx.hstack(rx.icon("paperclip", size=12), rx.text("The invoice PDF is attached.", size="1", color_scheme="gray"), spacing="1", align="center"),
        spacing="3",
        width="100%",
    )


def _mark_only_note(pay_url) -> rx.Component:
    return rx.vstack(
        rx.text("The invoice becomes Sent and its due-date countdown starts. Share the pay link yourself:", size="2"),
        rx.code(pay_url, word_break="break-all"),
        spacing="2",
        width="100%",
    )


def _sender_missing_note() -> rx.Component:
    """Sending is allowed, but an invoice should say who it is from: the way to fix it."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert", size=16)),
        rx.callout.text(
            "Your business name is not set, so the invoice and the email do not say who they are from. ",
            rx.link("Add it in Settings", href="/settings?tab=profile"), ".",
            size="2",
        ),
        color_scheme="amber",
        id="sender-missing",
        width="100%",
    )


def _past_due_choice() -> rx.Component:
    """A draft whose due date has passed: say so, and offer to move it (chosen by default)."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("calendar-clock", size=16)),
        rx.vstack(
            rx.text("The due date ", rx.text.strong(D.old_due_text), " has passed. Sent as it is, the invoice would be overdue at once.", size="2"),
            rx.radio_group.root(
                rx.vstack(
                    _choice("move", rx.text("Move the due date to ", D.moved_due_text), item_id="due-move"),
                    _choice("keep", rx.text("Keep ", D.old_due_text, " (it shows as overdue)"), item_id="due-keep"),
                    spacing="2",
                ),
                value=D.due_choice,
                on_change=D.set_due_choice,
                aria_label="Due date",
            ),
            field_error(D.send_errors.get("due_date", "")),
            spacing="2",
        ),
        color_scheme="amber",
        id="past-due-warning",
        width="100%",
    )


def send_dialog() -> rx.Component:
    number = D.invoice["number"]
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(D.is_reminder, rx.text("Send a reminder for ", number), rx.text("Send ", number))),
            rx.dialog.description(
                rx.cond(
                    D.is_reminder,
                    rx.text.span("Emails the client again with the invoice and the current pay link."),
                    rx.text.span(
                        "Deliver the invoice to ", D.invoice["client"], ".",
                        rx.cond(D.invoice["status"] == "DRAFT", rx.text.span(" It is numbered when sent: ", rx.text.strong(D.preview_number), "."), ""),
                    ),
                ),
                size="2",
            ),
            # A form: Enter in To or Subject sends, as the button does (its key: once per
            # opening); Enter in the message is a new line. Errors are the server's.
            rx.form(rx.vstack(
                shown_fields(invoice_id=D.invoice["id"]),
                rx.cond(D.sender_missing, _sender_missing_note()),
                rx.cond(D.past_due & ~D.is_reminder, _past_due_choice()),
                rx.cond(D.is_reminder, rx.cond(~D.mail_enabled, rx.callout(D.mail_unavailable, icon="info", color_scheme="amber", size="1")), _method_choice()),
                rx.cond(D.by_email & D.mail_enabled, _email_form(), rx.cond(D.is_reminder, rx.fragment(), _mark_only_note(D.invoice["pay_url"]))),
                field_error(D.send_errors.get("delivery", "")),
                dialog_actions(
                    rx.button(
                        D.confirm_label,
                        type="submit",
                        loading=D.sending,
                        disabled=(D.is_reminder & ~D.mail_enabled) | D.sending,
                        id="send-confirm",
                    ),
                ),
                spacing="4",
                margin_top="1em",
                width="100%",
            ), on_submit=D.submit_send, reset_on_submit=False, no_validate=True),
            max_width="560px",
            **KEEP_TYPED,
        ),
        open=D.send_open,
        on_open_change=D.set_send_open,
    )


def _email_row(row) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.text(rx.text.strong(row["kind"]), " to ", row["recipient"], size="2"),
                rx.badge(row["label"], color_scheme=rx.match(row["status"], *EMAIL_COLORS.items(), "gray"), variant="soft", class_name="email-status"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.cond(row["detail"] != "", rx.text(row["detail"], size="1", color_scheme=rx.cond(row["status"] == "DONE", "gray", "red"), class_name="email-detail")),
            rx.text("Queued ", row["queued_at"], " · attempts: ", row["attempts"], size="1", color_scheme="gray"),
            spacing="1",
        ),
        rx.spacer(),
        rx.cond(
            row["can_retry"] != "",
            rx.button(rx.icon("rotate-cw", size=14), "Retry", size="1", variant="soft", on_click=D.retry_email(row["id"]), class_name="email-retry"),
        ),
        width="100%",
        align="start",
        class_name="email-row",
        data_status=row["status"],
    )


def emails_card() -> rx.Component:
    return rx.cond(
        D.emails.length() > 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading("Emails", size="3", as_="h2"),
                    rx.cond(D.watching_email, rx.spinner(size="1")),
                    rx.spacer(),
                    rx.icon_button(rx.icon("refresh-cw", size=14), size="1", variant="ghost", on_click=D.refresh_emails, aria_label="Refresh emails", id="refresh-emails"),
                    width="100%",
                    align="center",
                ),
                rx.foreach(D.emails, _email_row),
                spacing="3",
                width="100%",
                id="emails",
            ),
            width="100%",
        ),
    )
