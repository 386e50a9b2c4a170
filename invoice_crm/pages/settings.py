"""/settings — the business, invoice defaults, email, integrations and the account, in tabs."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.forms import (
    drop_zone,
    field_error,
    in_address,
    invalid_attrs,
    once_loaded,
    rejection_codes,
)
from invoice_crm.components.layout import card, layout, page_title
from invoice_crm.components.reminders import reminder_settings_section
from invoice_crm.domain.business import MAX_LOGO_BYTES, placeholder_help
from invoice_crm.domain.numbers import SUPPORTED_LOCALES
from invoice_crm.pages.taxes import tax_catalogue
from invoice_crm.state.settings import SettingsState as S

PLACEHOLDER_HELP = placeholder_help()


def _field(label: str, name: str, control: rx.Component, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"settings-{name}", class_name="rt-Text rt-r-size-2 rt-r-weight-medium"),
        control,
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        field_error(S.errors[name], f"settings-{name}-error"),
        spacing="1",
        width="100%",
    )


def _input(label: str, name: str, hint: str = "", **props) -> rx.Component:
    # What is typed is kept on leaving the field: choosing another tab and this one again draws
    # the field anew, with it (SettingsState.keep_typed).
    control = rx.input(
        name=name, id=f"settings-{name}", default_value=S.values[name], width="100%",
        on_blur=lambda value: S.keep_typed(name, value),
        custom_attrs=invalid_attrs(S.errors[name], f"settings-{name}-error"), **props
    )
    return _field(label, name, control, hint)


def _textarea(label: str, name: str, hint: str = "", rows: str = "3", **props) -> rx.Component:
    control = rx.text_area(
        name=name, id=f"settings-{name}", default_value=S.values[name], width="100%", rows=rows,
        on_blur=lambda value: S.keep_typed(name, value),
        custom_attrs=invalid_attrs(S.errors[name], f"settings-{name}-error"), **props
    )
    return _field(label, name, control, hint)


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%")


def _section(title: str, form: rx.Component, *below: rx.Component) -> rx.Component:
    return card(rx.vstack(rx.heading(title, size="4", as_="h2"), form, *below, spacing="4", width="100%"))


UNSAVED = "You have unsaved changes in Settings. Leave without saving?"


def _section_form(key: str, on_submit, *children: rx.Component, spacing: str = "4") -> rx.Component:
    """A section's form; ``key`` changes after a save so its inputs take the saved values again."""
    return rx.form(
        once_loaded(rx.vstack(*children, spacing=spacing, width="100%")),
        key=key,
        on_submit=on_submit,
        width="100%",
        # Typed in and not saved until it is drawn again by its save: leaving asks first.
        custom_attrs={"data-unsaved-changes": "false", "data-unsaved-on-input": "true", "data-unsaved-message": UNSAVED},
    )


def _save_button(label: str, section: str) -> rx.Component:
    return rx.button(label, type="submit", loading=S.saving == section)


def _logo() -> rx.Component:
    return rx.vstack(
        rx.el.label(
            rx.text("Logo (PNG, JPEG or SVG, at most 512 KB)", size="2", weight="medium"),
            drop_zone(
                "Drop a logo here, or click to choose a file", "Drop a logo here, or click to choose a file",
                padding="1em",
                id="logo",
                on_drop=S.upload_logo(rx.upload_files(upload_id="logo")),
                on_drop_rejected=lambda rejected: S.logo_rejected(rejection_codes(rejected)),
                max_files=1,
                max_size=MAX_LOGO_BYTES,  # a larger file is kept back in the browser and said beside the field
            ),
            width="100%",
        ),
        field_error(S.errors["logo"]),
        rx.cond(
            S.logo_uri != "",
            rx.hstack(
                rx.image(src=S.logo_uri, alt="Current logo", max_height="64px", max_width="240px", id="settings-logo-image"),
                rx.button("Remove logo", variant="soft", color_scheme="red", size="1", on_click=S.remove_logo),
                align="center", spacing="3",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _profile() -> rx.Component:
    return _section(
        "Business profile",
        _section_form(
            "profile-" + S.render_keys["profile"].to_string(), S.save_profile,
            _grid(
                _input("Business name", "business_name", required=True),
                _input("Email", "email", type="email"),
                _textarea("Address", "address", "One line per address line"),
                rx.vstack(
                    _input("Country", "country", "Two letters (DE, FR, GB, US …) or the country's name", max_length=100),
                    _input("Phone", "phone"),
                    width="100%",
                ),
                _input("Website", "website"),
                _input(
                    "Tax / VAT number", "tax_number",
                    "Checked for EU countries (VAT), GB (VAT) and US (EIN); printed on invoices",
                ),
                _input("IBAN", "iban", "Checked; shown to clients who pay by bank transfer"),
                _input("BIC", "bic"),
                _textarea(
                    "Payment instructions", "payment_instructions",
                    "Shown on the pay page and the PDF when online payment is off",
                ),
                _input("Brand colour", "brand_color", "A hex colour such as #2563eb", type="color", height="2.5em"),
            ),
            _save_button("Save business profile", "profile"),
        ),
        rx.divider(),
        _logo(),
    )


def _invoice_defaults() -> rx.Component:
    return _section(
        "Invoice defaults",
        _section_form(
            "defaults-" + S.render_keys["invoices"].to_string(), S.save_defaults,
            _grid(
                _input("Default currency", "currency", "Three letters, such as USD or EUR", max_length=3),
                _input("Payment terms (days)", "payment_terms_days", "New invoices fall due this many days after issue", inputmode="numeric"),
                rx.vstack(
                    _input(
                        "Number format", "number_format", "{year}, {month} and {seq} (e.g. {seq:04d})",
                        on_change=S.preview_number,
                    ),
                    rx.hstack(
                        rx.text("Next number:", size="2", color_scheme="gray"),
                        rx.text(S.number_preview, size="2", weight="bold", id="number-preview"),
                        field_error(S.errors["preview"]),
                        spacing="2",
                    ),
                    width="100%",
                ),
                _input("Business locale", "locale", "One of " + ", ".join(SUPPORTED_LOCALES)),
                _input("Business timezone", "timezone", "Such as Europe/Berlin; decides what \"today\" is"),
                _textarea("Default notes", "default_notes", "Prefilled on new invoices"),
                _textarea("Footer", "default_footer", "Printed at the foot of every PDF"),
            ),
            _save_button("Save invoice defaults", "invoices"),
        ),
    )


def _built_in_note(name: str, what: str) -> rx.Component:
    """Says when the preview below is the built-in text: the field is empty, and that is what is sent."""
    return rx.cond(
        S.template_built_in[name],
        rx.text(f"{what} field empty: the built-in text is sent", size="1", color_scheme="gray",
                font_style="italic", class_name="template-built-in", margin_top="0.25em"),
    )


def _template_pair(kind: str, title: str) -> rx.Component:
    subject, body = f"{kind}_subject", f"{kind}_body"
    return rx.vstack(
        rx.heading(title, size="3", as_="h3"),
        _input(f"{title} subject", subject, "Empty: the built-in text", on_change=lambda v: S.preview_template(subject, v)),
        _textarea(f"{title} message", body, "Empty: the built-in text", rows="8",
                  on_change=lambda v: S.preview_template(body, v)),
        rx.box(
            rx.text("Preview", size="1", color_scheme="gray"),
            _built_in_note(subject, "Subject"),
            # The subject as a mail app shows it, apart from the message below it.
            rx.text(rx.text.span("Subject: ", color_scheme="gray", weight="regular"), S.template_previews[subject],
                    size="2", weight="medium", class_name="template-preview-subject"),
            rx.separator(size="4", margin_y="0.5em"),
            _built_in_note(body, "Message"),
            rx.text(S.template_previews[body], size="2", white_space="pre-wrap", class_name="template-preview-body"),
            class_name=f"template-preview-{kind}",
            padding="0.75em", background="var(--gray-a2)", border_radius="var(--radius-2)", width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _email() -> rx.Component:
    return _section(
        "Email",
        _section_form(
            "email-" + S.render_keys["email"].to_string(), S.save_email,
            _grid(
                _input("Sender name", "sender_name", "The name clients see the email from"),
                _input("Reply-to address", "reply_to", "Where clients' answers go", type="email"),
            ),
            rx.text(PLACEHOLDER_HELP, size="1", color_scheme="gray"),
            _template_pair("invoice", "Invoice email"),
            _template_pair("reminder", "Reminder email"),
            _template_pair("receipt", "Receipt email"),
            _save_button("Save email settings", "email"),
        ),
        rx.cond(
            S.email_enabled,
            rx.hstack(
                rx.button("Send a test email", variant="soft", on_click=S.send_test_email(S.test_email_key),
                          loading=S.results["test_email"] == "Sending…"),
                rx.text(S.results["test_email"], size="2", id="test-email-result"),
                align="center", wrap="wrap",
            ),
            rx.text("Email is not configured: set SMTP_HOST and MAIL_FROM in the environment (.env).", size="2", color_scheme="gray"),
        ),
    )


def _integration(row) -> rx.Component:
    name = row["name"]
    return rx.box(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.text(name, weight="bold"),
                    rx.badge(rx.cond(row["configured"] == "True", "Configured", "Not configured"),
                             color_scheme=rx.cond(row["configured"] == "True", "green", "gray")),
                    align="center",
                ),
                rx.text(row["summary"], size="2", color_scheme="gray"),
                rx.text("Set in the environment: ", rx.code(row["where"]), size="1", color_scheme="gray"),
                spacing="1",
            ),
            # At the row's end, or under the text at its start when the row wraps (a phone).
            rx.button("Test connection", aria_label="Test connection: " + name, variant="soft",
                      on_click=S.test_connection(name)),
            gap="1em", wrap="wrap", align="center", justify="between", width="100%",
        ),
        rx.cond(
            S.results.contains(name),
            rx.text(S.results[name], size="2", role="status", class_name="connection-result",
                    color_scheme=rx.cond(S.results_ok[name], "green", "red")),
        ),
        class_name="integration-row",
        padding_y="0.75em",
        border_bottom="1px solid var(--gray-a4)",
        width="100%",
    )


def _integrations() -> rx.Component:
    return _section(
        "Integrations",
        rx.text(
            "Keys and passwords stay in the server's environment (or its .env file) and are never shown "
            "here or stored in the database; change them there and restart the app.",
            size="2", color_scheme="gray",
        ),
        rx.vstack(rx.foreach(S.integrations, _integration), spacing="0", width="100%"),
    )


def _password_input(label: str, name: str, autocomplete: str) -> rx.Component:
    return _field(label, name, rx.input(name=name, id=f"settings-{name}", type="password",
                                        auto_complete=autocomplete, width="100%",
                                        custom_attrs=invalid_attrs(S.errors[name], f"settings-{name}-error")))


def account_section(title: str = "Account") -> rx.Component:
    """Change the password, end other sessions: Settings → Account, and /account (the header's
    address link) alike."""
    return _section(
        title,
        _section_form(
            f"account-{S.account_key}", S.change_password,
            rx.text("Signed in as ", S.user_email, size="2", id="settings-signed-in-as"),
            # The form's intent: a submission from a form already used is not repeated.
            rx.el.input(type="hidden", name="form_key", value=S.account_key.to_string()),
            _grid(
                _password_input("Current password", "current_password", "current-password"),
                rx.box(display=rx.breakpoints(initial="none", md="block")),  # the new pair on a row of its own
                _password_input("New password", "new_password", "new-password"),
                _password_input("Repeat the new password", "confirm_password", "new-password"),
            ),
            rx.text("Changing the password signs out every other session.", size="1", color_scheme="gray"),
            _save_button("Change password", "account"),
            spacing="3",
        ),
        rx.divider(),
        rx.hstack(
            rx.button("Sign out all other sessions", variant="soft", color_scheme="red", on_click=S.sign_out_others),
            rx.text("Every other browser signed in to this account must sign in again.", size="1", color_scheme="gray"),
            align="center", wrap="wrap",
        ),
    )


def account_page() -> rx.Component:
    """/account: the signed-in address's page, the same form as Settings → Account."""
    return layout(page_title("Account"), rx.box(account_section("Password and sessions"), width="100%", max_width="760px"))


def settings_page() -> rx.Component:
    return layout(
        page_title("Settings"),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Business", value="profile"),
                rx.tabs.trigger("Invoices", value="invoices"),
                rx.tabs.trigger("Taxes", value="taxes"),
                rx.tabs.trigger("Email", value="email"),
                rx.tabs.trigger("Reminders", value="reminders"),
                rx.tabs.trigger("Integrations", value="integrations"),
                rx.tabs.trigger("Account", value="account"),
                # On a phone the seven tabs take two rows: all in view, the chosen one too.
                flex_wrap="wrap",
            ),
            rx.tabs.content(_profile(), value="profile", padding_top="1em"),
            rx.tabs.content(_invoice_defaults(), value="invoices", padding_top="1em"),
            rx.tabs.content(_section("Tax rates", tax_catalogue()), value="taxes", padding_top="1em"),
            rx.tabs.content(_email(), value="email", padding_top="1em"),
            rx.tabs.content(reminder_settings_section(), value="reminders", padding_top="1em"),
            rx.tabs.content(_integrations(), value="integrations", padding_top="1em"),
            rx.tabs.content(account_section(), value="account", padding_top="1em"),
            value=S.tab,
            on_change=in_address("/settings", "tab", S.set_tab),
            width="100%",
            # Typed and not saved: a link, a reload or closing the tab asks first.
            custom_attrs={
                "data-unsaved-changes": rx.cond(S.unsaved, "true", "false"),
                "data-unsaved-message": UNSAVED,
            },
        ),
    )
