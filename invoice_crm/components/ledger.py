"""The money parts of the invoice page: the totals breakdown, payments and credit notes,
and the Record payment, Remove payment, Void, Credit note and Refund dialogs."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.forms import KEEP_TYPED, dialog_actions, field_error, form_field
from invoice_crm.state.invoice_ledger import METHODS

NUMBERS = {"font_variant_numeric": "tabular-nums"}


def breakdown_table(rows, id_prefix: str = "breakdown") -> rx.Component:
    """Subtotal, discounts, each tax with its base, total, paid, credited, balance due."""
    return rx.vstack(
        rx.foreach(
            rows,
            lambda row: rx.hstack(
                rx.text(row["label"], size="2", color_scheme="gray", class_name="breakdown-label"),
                rx.text(
                    row["value"],
                    size=rx.cond((row["key"] == "total") | (row["key"] == "balance"), "4", "2"),
                    weight=rx.cond((row["key"] == "total") | (row["key"] == "balance"), "bold", "medium"),
                    id=id_prefix + "-" + row["key"],
                    class_name="breakdown-value",
                    style=NUMBERS,
                ),
                justify="between",
                width="100%",
                class_name="breakdown-row",
                data_key=row["key"],
            ),
        ),
        spacing="1",
        width="100%",
        max_width="420px",
        margin_left="auto",
        id=id_prefix,
    )


def _method_select(value, on_change, control_id: str) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(label, value=key) for key, label in METHODS],
        value=value,
        on_change=on_change,
        id=control_id,
        style={"padding": "0.4em", "border_radius": "6px", "border": "1px solid var(--gray-7)", "width": "100%", "font_size": "var(--font-size-2)"},
    )


def _text_field(label: str, control_id: str, value, on_change, error="", **input_props) -> rx.Component:
    """A text input of these dialogs with its label tied to it by the input's id."""
    control = rx.input(value=value, on_change=on_change, **input_props, id=control_id, debounce_timeout=0, width="100%")
    return form_field(label, control, error, html_for=control_id, width="100%")


def _date_field(label: str, control_id: str, value, on_change, error="") -> rx.Component:
    return form_field(label, rx.input(type="date", value=value, on_change=on_change, id=control_id), error,
                      html_for=control_id, width="100%")


def shown_fields(**fields) -> rx.Component:
    """What a dialog is about (its invoice, its payment, its figures), sent with its form as
    hidden fields: the server acts only when that is still what its page shows."""
    return rx.fragment(*[rx.el.input(type="hidden", name=name, value=value) for name, value in fields.items()])


def _ledger_dialog(title: str, *fields: rx.Component, error, actions: rx.Component, on_submit, is_open, on_open_change,
                   shown: rx.Component, description: rx.Component | None = None,
                   trigger: rx.Component | None = None) -> rx.Component:
    """Every dialog here has one shape: title, a description if any, the fields, the error, the
    buttons. The fields are a form: Enter in any of them does what the confirm button (its one
    submit button) does; the handler reads the state the fields set, and its key makes a double
    Enter, or Enter and a click, do it once. Errors are the server's, beside the fields
    (no_validate), and what was typed stays (reset_on_submit off) until the dialog closes.
    ``shown`` (shown_fields) names the invoice and what the dialog was opened for."""
    head = [rx.dialog.title(title)] + ([description] if description is not None else [])
    return rx.dialog.root(
        *([rx.dialog.trigger(trigger)] if trigger is not None else []),
        rx.dialog.content(
            *head,
            rx.form(
                rx.vstack(shown, *fields, field_error(error), actions, spacing="3", margin_top="1em"),
                on_submit=on_submit,
                reset_on_submit=False,
                no_validate=True,
            ),
            **KEEP_TYPED,
        ),
        open=is_open,
        on_open_change=on_open_change,
    )


def record_payment_dialog(S) -> rx.Component:
    return _ledger_dialog(
        "Record payment",
        _text_field("Amount", "pay-amount", S.payment_amount, S.set_payment_amount, S.payment_amount_error,
                    on_blur=S.leave_payment_amount, input_mode="decimal", auto_complete="off"),
        _date_field("Payment date", "paid-on", S.paid_on, S.set_paid_on, S.paid_on_error),
        form_field("Method", _method_select(S.pay_method, S.set_pay_method, "pay-method"), html_for="pay-method", width="100%"),
        _text_field("Reference", "payment-reference", S.reference, S.set_reference, S.reference_error,
                    placeholder="Bank transfer ref, cheque no."),
        rx.cond(
            S.receipt_possible,
            rx.checkbox("Email a receipt to the client", checked=S.email_receipt, on_change=S.set_email_receipt,
                        id="pay-email-receipt"),
        ),
        error=S.pay_error,
        actions=dialog_actions(
            rx.button("Save payment", color_scheme="green", type="submit", loading=S.paying, disabled=S.paying, id="confirm-paid"),
        ),
        on_submit=S.confirm_paid,
        shown=shown_fields(invoice_id=S.invoice["id"]),
        is_open=S.pay_dialog_open,
        on_open_change=S.set_pay_dialog_open,
        description=rx.dialog.description(S.invoice["number"], ": balance due ", S.invoice["balance"], ".", size="2"),
        trigger=rx.button(rx.icon("circle-check", size=16), "Record payment", color_scheme="green", on_click=S.open_pay_dialog, id="mark-paid"),
    )


def void_dialog(S) -> rx.Component:
    return _ledger_dialog(
        "Void this invoice?",
        _text_field("Reason for voiding", "void-reason", S.void_reason, S.set_void_reason),
        error=S.void_error,
        actions=rx.hstack(
            rx.dialog.close(rx.button("Keep it", variant="soft", color_scheme="gray", type="button")),
            rx.button("Void and duplicate as draft", variant="soft", color_scheme="red", type="button",
                      on_click=S.void_and_duplicate({"invoice_id": S.invoice["id"]}), id="void-duplicate"),
            rx.button("Void invoice", color_scheme="red", type="submit", id="confirm-void"),  # Enter: void only
            justify="end",
            wrap="wrap",
            width="100%",
        ),
        on_submit=S.confirm_void,
        shown=shown_fields(invoice_id=S.invoice["id"]),
        is_open=S.void_open,
        on_open_change=S.set_void_open,
        description=rx.dialog.description(
            "Voiding is final: the invoice keeps its number, asks for nothing, and its pay link says it was cancelled.",
            size="2",
        ),
        trigger=rx.button(rx.icon("ban", size=16), "Void", color_scheme="red", variant="soft", on_click=S.open_void, id="void-invoice"),
    )


def _credit_line(S, line, i) -> rx.Component:
    """A line to tick, named by its description, with what crediting it alone would credit
    (or, credited already, by which note: then it cannot be ticked)."""
    return rx.hstack(
        rx.checkbox(
            line["description"],
            checked=S.credit_lines.contains(i.to_string()),
            on_change=lambda checked: S.toggle_credit_line(i.to_string(), checked),
            disabled=S.credit_line_done[i],  # credited already: its amount says by which note
        ),
        rx.text(S.credit_line_amounts[i], size="2", style=NUMBERS, class_name="credit-line-amount"),
        justify="between",
        align="center",
        spacing="3",
        width="100%",
        class_name="credit-line",
    )


def credit_note_dialog(S) -> rx.Component:
    chosen = S.credit_lines.length() > 0
    return _ledger_dialog(
        "Issue a credit note",
        rx.text("Lines to credit", size="2", weight="medium", id="credit-lines-label"),
        rx.vstack(rx.foreach(S.lines, lambda line, i: _credit_line(S, line, i)), spacing="2", width="100%",
                  role="group", aria_labelledby="credit-lines-label"),
        field_error(S.credit_errors.get("credit_lines", "")),
        rx.cond(
            chosen,
            # By line: the amount is what the ticked lines come to, shown before issuing.
            rx.hstack(
                rx.text("Total to credit", size="2", weight="medium", id="credit-total-label"),
                rx.text(S.credit_total, size="3", weight="bold", style=NUMBERS, id="credit-total",
                        aria_labelledby="credit-total-label"),
                justify="between",
                align="center",
                width="100%",
            ),
            _text_field("Credit amount", "credit-amount", S.credit_amount, S.set_credit_amount,
                        S.credit_errors.get("credit_amount", ""), input_mode="decimal", placeholder="or choose lines above"),
        ),
        rx.cond(
            S.credit_refund_hint != "",
            rx.callout(S.credit_refund_hint, icon="info", color_scheme="amber", size="1", width="100%",
                       id="credit-refund-hint"),
        ),
        _text_field("Reason", "credit-reason", S.credit_reason, S.set_credit_reason, S.credit_errors.get("credit_reason", "")),
        error=S.credit_error,
        actions=dialog_actions(rx.button("Issue credit note", type="submit", id="confirm-credit")),
        on_submit=S.confirm_credit,
        shown=shown_fields(invoice_id=S.invoice["id"], credit_total=S.credit_total),
        is_open=S.credit_open,
        on_open_change=S.set_credit_open,
        description=rx.dialog.description("Credit chosen lines (tax and discounts included), or an amount.", size="2"),
        trigger=rx.button(rx.icon("receipt", size=16), "Credit note", variant="soft", on_click=S.open_credit, id="credit-note"),
    )


def _remove_dialog(S) -> rx.Component:
    return _ledger_dialog(
        "Remove this payment?",
        _text_field("Reason for removing", "remove-reason", S.remove_reason, S.set_remove_reason),
        error=S.remove_error,
        actions=dialog_actions(
            rx.button("Remove payment", color_scheme="red", type="submit", id="confirm-remove"),
            cancel="Keep it",
        ),
        on_submit=S.confirm_remove,
        shown=shown_fields(invoice_id=S.invoice["id"], payment_id=S.remove_payment_id),
        is_open=S.remove_open,
        on_open_change=S.set_remove_open,
        description=rx.dialog.description("The payment stays on record, marked removed; the balance goes back up.", size="2"),
    )


def _refund_dialog(S) -> rx.Component:
    return _ledger_dialog(
        "Record a refund",
        _text_field("Refund amount", "refund-amount", S.refund_amount, S.set_refund_amount,
                    S.refund_errors.get("refund_amount", ""), input_mode="decimal", auto_complete="off"),
        _date_field("Refund date", "refund-date", S.refund_date, S.set_refund_date, S.refund_errors.get("refunded_on", "")),
        form_field("Refund method", _method_select(S.refund_method, S.set_refund_method, "refund-method"), html_for="refund-method", width="100%"),
        _text_field("Refund reference", "refund-reference", S.refund_reference, S.set_refund_reference,
                    S.refund_errors.get("refund_reference", "")),
        error=S.refund_error,
        actions=dialog_actions(rx.button("Save refund", type="submit", id="confirm-refund")),
        on_submit=S.confirm_refund,
        shown=shown_fields(invoice_id=S.invoice["id"], note_id=S.refund_note_id),
        is_open=S.refund_open,
        on_open_change=S.set_refund_open,
    )


def payments_card(S, card) -> rx.Component:
    return rx.cond(
        S.payments.length() > 0,
        card(
            rx.vstack(
                rx.heading("Payments", size="3", as_="h2"),
                rx.foreach(
                    S.payments,
                    lambda p: rx.hstack(
                        rx.text(p["paid_on"]), rx.text(p["amount"], weight="medium", style=NUMBERS), rx.badge(p["method"]),
                        rx.text(p["reference"], color_scheme="gray", class_name="payment-reference"),
                        rx.cond(p["removed"] != "", rx.text(p["removed"], color_scheme="red", size="1", class_name="payment-removed")),
                        rx.cond(
                            p["removable"] == "yes",
                            rx.button("Remove", size="1", variant="ghost", color_scheme="red", on_click=S.open_remove(p["id"]), aria_label="Remove payment of " + p["amount"]),
                        ),
                        spacing="3", wrap="wrap", align="center", class_name="payment-row",
                    ),
                ),
                _remove_dialog(S),
                spacing="2",
            )
        ),
    )


def credit_notes_card(S, card) -> rx.Component:
    return rx.cond(
        S.credit_notes.length() > 0,
        card(
            rx.vstack(
                rx.heading("Credit notes", size="3", as_="h2"),
                rx.foreach(
                    S.credit_notes,
                    lambda n: rx.vstack(
                        rx.hstack(
                            rx.text(n["number"], weight="medium", class_name="credit-note-number"),
                            rx.text(n["issue_date"]),
                            rx.text(n["amount"], weight="medium", style=NUMBERS),
                            rx.text(n["reason"], color_scheme="gray"),
                            rx.button(rx.icon("file-down", size=14), "Download " + n["number"], size="1", variant="soft", on_click=S.download_credit_note(n["id"])),
                            rx.cond(
                                n["refund_left"] != "",
                                rx.button("Record refund of " + n["refund_left_display"], size="1", variant="soft", color_scheme="amber", on_click=S.open_refund(n["id"], n["refund_left"])),
                            ),
                            spacing="3", wrap="wrap", align="center",
                        ),
                        rx.cond(n["refunds"] != "", rx.text(n["refunds"], size="1", color_scheme="gray")),
                        spacing="1",
                        class_name="credit-note-row",
                    ),
                ),
                _refund_dialog(S),
                spacing="2",
            )
        ),
    )
