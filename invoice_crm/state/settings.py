"""The Settings page (/settings): business profile, invoice defaults, email, integrations
and the owner's account. Each section's form calls one service; refusals land beside fields."""

from __future__ import annotations

import asyncio
from dataclasses import asdict

import reflex as rx

from invoice_crm.domain import business as rules
from invoice_crm.domain.errors import DomainError, FieldErrors
from invoice_crm.domain.lifecycle import business_today
from invoice_crm.domain.numbers import count_of
from invoice_crm.services import account, connections, email_previews
from invoice_crm.services import business_settings as biz
from invoice_crm.settings import get_settings
from invoice_crm.state.auth import AuthState

PROFILE = ("business_name", "address", "country", "email", "phone", "website", "tax_number",
           "iban", "bic", "payment_instructions", "brand_color")
DEFAULTS = ("currency", "payment_terms_days", "default_notes", "default_footer", "number_format", "locale", "timezone")
EMAIL = ("sender_name", "reply_to", "invoice_subject", "invoice_body", "reminder_subject", "reminder_body",
         "receipt_subject", "receipt_body")
TEMPLATES = tuple(name for name in EMAIL if name.endswith(("_subject", "_body")))
ACCOUNT = ("current_password", "new_password", "confirm_password", "session")
ALL_FIELDS = (*PROFILE, *DEFAULTS, *EMAIL, *ACCOUNT, "logo", "preview")
FORMS = ("profile", "invoices", "email")  # the sections saved by a form of their own
FIELDS_OF = {"profile": PROFILE, "invoices": DEFAULTS, "email": EMAIL}
TABS = ("profile", "invoices", "taxes", "email", "reminders", "integrations", "account")


def _no_errors() -> dict[str, str]:
    return dict.fromkeys(ALL_FIELDS, "")


class SettingsState(AuthState):
    tab: str = "profile"
    values: dict[str, str] = {}
    errors: dict[str, str] = _no_errors()
    # The section forms are keyed on these (profile, invoices, email): a save redraws its own
    # form with the saved values, and leaves what is typed but not saved in the others (and the
    # profile form when a logo is saved) as it is.
    render_keys: dict[str, int] = dict.fromkeys(FORMS, 0)
    account_key: int = 0  # the password form: emptied after a change, not on every load
    test_email_key: int = 0  # the test email's button: one email per click, a double click's second finds it used
    logo_uri: str = ""
    number_preview: str = ""
    template_previews: dict[str, str] = {}
    template_built_in: dict[str, bool] = {}  # the field is empty: its preview is the built-in text
    integrations: list[dict[str, str]] = []
    results: dict[str, str] = {}
    results_ok: dict[str, bool] = {}
    email_enabled: bool = False
    saving: str = ""
    # Something typed in a form and not saved: leaving the page (a link, a reload, closing the
    # tab) asks first (assets/unsaved_guard.js). _saved: the values as saved.
    unsaved: bool = False
    _saved: dict[str, str] = {}

    def _note_unsaved(self) -> None:
        self.unsaved = any(self.values.get(name, "") != self._saved.get(name, "") for name in self._saved)

    def _show(self, business: biz.Business, redraw: tuple[str, ...] = FORMS) -> None:
        data = asdict(business)
        data.pop("logo")
        # A form not drawn again keeps what was typed in it (keep_typed), should its tab be
        # drawn again later.
        typed = {
            name: self.values[name]
            for section in FORMS if section not in redraw
            for name in FIELDS_OF[section] if name in self.values
        }
        self._saved = {k: str(v) for k, v in data.items()}
        self.values = {**self._saved, **typed}
        self._note_unsaved()
        self.render_keys = {k: n + (k in redraw) for k, n in self.render_keys.items()}
        self.logo_uri = business.logo_data_uri
        self._set_preview(business.number_format)
        for name in TEMPLATES:
            self._set_template_preview(name, self.values.get(name, ""), business)

    def _set_preview(self, fmt: str) -> None:
        try:
            today = business_today(self.values.get("timezone") or "UTC")
            self.number_preview = biz.preview_number(fmt, today)
            self.errors["preview"] = ""
        except DomainError as err:
            self.number_preview = ""
            self.errors["preview"] = err.message

    def _set_template_preview(self, name: str, text: str, business: biz.Business | None = None) -> None:
        try:
            preview = email_previews.preview_field(name, text, business)
        except DomainError as err:
            preview = email_previews.FieldPreview(err.message)
        self.template_previews[name] = preview.text
        self.template_built_in[name] = preview.built_in

    @rx.event
    async def on_load(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        wanted = self.router.url.query_parameters.get("tab", "profile")
        self.tab = wanted if wanted in TABS else "profile"
        self.errors = _no_errors()
        self.results, self.results_ok = {}, {}
        business = await asyncio.to_thread(biz.current_business)
        self._show(business)
        self.email_enabled = get_settings().email_enabled
        self.integrations = [
            {k: str(v) for k, v in asdict(s).items()} for s in await asyncio.to_thread(connections.statuses)
        ]
        return None

    @rx.event
    def load_account(self):
        """/account: only the password form, read from nothing else."""
        if self._current_user() is None:
            return self._redirect_to_login()
        self.errors = _no_errors()
        self.saving = ""
        return None

    @rx.event
    def keep_typed(self, name: str, value: str):
        """What was typed in a field, kept until it is saved or the page is read again: a tab
        is drawn anew when chosen again, and its fields then show this, not the saved value."""
        if name in FIELDS_OF["profile"] + FIELDS_OF["invoices"] + FIELDS_OF["email"] and isinstance(value, str):
            self.values[name] = value
            self._note_unsaved()

    @rx.event
    def set_tab(self, tab: str):
        if tab in TABS:  # the page has put it in the address already
            self.tab = tab

    async def _save(self, section: str, action, fields: tuple[str, ...], done: str):
        if self._current_user() is None:
            return self._redirect_to_login()
        # Only this section's errors are answered: another form's refusal stays beside its
        # fields, which keep what was typed there.
        self.errors = {**self.errors, **dict.fromkeys(fields, "")}
        self.saving = section
        try:
            business = await asyncio.to_thread(action)
        except biz.SettingsErrors as err:
            self.saving = ""
            self.errors = {**self.errors, **err.errors}
            return rx.toast.error("Not saved: check the highlighted fields")
        except DomainError as err:
            self.saving = ""
            self.errors = {**self.errors, (err.field if err.field in fields else fields[0]): err.message}
            return rx.toast.error(err.message)
        self.saving = ""
        self._show(business, redraw=(section,))
        return rx.toast.success(done)

    @rx.event
    async def save_profile(self, form: dict):
        return await self._save("profile", lambda: biz.save_profile(form), PROFILE, "Business profile saved")

    @rx.event
    async def save_defaults(self, form: dict):
        return await self._save("invoices", lambda: biz.save_invoice_defaults(form), DEFAULTS, "Invoice defaults saved")

    @rx.event
    async def save_email(self, form: dict):
        return await self._save("email", lambda: biz.save_email(form), EMAIL, "Email settings saved")

    @rx.event
    async def upload_logo(self, files: list[rx.UploadFile]):
        if self._current_user() is None:
            return self._redirect_to_login()
        if not files:
            return None
        content = await files[0].read()
        return await self._save("logo", lambda: biz.save_logo(content), ("logo",), "Logo saved")

    @rx.event
    def logo_rejected(self, codes: str):
        """A file the browser did not send (larger than the logo may be): said beside the field."""
        self.errors = {**self.errors, "logo": rules.rejected_upload_message(codes, rules.LOGO_TOO_LARGE)}

    @rx.event
    async def remove_logo(self):
        return await self._save("logo", lambda: biz.save_logo(None), ("logo",), "Logo removed")

    @rx.event
    def preview_number(self, fmt: str):
        self._set_preview(fmt)

    @rx.event
    def preview_template(self, name: str, text: str):
        if name in TEMPLATES:
            self._set_template_preview(name, text)

    @rx.event
    async def test_connection(self, name: str):
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        checks = {
            "Stripe": connections.check_stripe,
            "Stripe webhook": connections.check_webhook_secret,
            "Google Sheets": connections.check_sheets,
            "Email (SMTP)": connections.check_smtp,
        }
        if name not in checks:
            return
        self.results[name] = "Testing…"
        yield
        result = await asyncio.to_thread(checks[name])
        self.results[name] = result.message
        self.results_ok[name] = result.ok

    @rx.event
    async def send_test_email(self, key: int = -1):
        user = self._current_user()
        if user is None:
            yield self._redirect_to_login()
            return
        if key != self.test_email_key:  # a second click queued behind the first: already sent
            return
        self.test_email_key += 1
        self.results["test_email"] = "Sending…"
        yield
        result = await asyncio.to_thread(connections.send_test_email, user)
        self.results["test_email"] = result.message
        self.results_ok["test_email"] = result.ok

    @rx.event
    async def change_password(self, form: dict):
        if self._current_user() is None:
            return self._redirect_to_login()
        # Once per intent: the form carries the key it was drawn with. A second click queued
        # behind a change that succeeded carries the old one (that form is gone): nothing to do.
        if str(form.get("form_key", "")) != str(self.account_key):
            return None
        self.errors = _no_errors()
        self.saving = "account"
        try:
            ended = await asyncio.to_thread(
                account.change_password, self.auth_token, form.get("current_password", ""),
                form.get("new_password", ""), form.get("confirm_password", ""), self._client_address(),
            )
        except FieldErrors as err:
            self.saving = ""
            self.errors = {**_no_errors(), **{k: v for k, v in err.errors.items() if k in ACCOUNT}}
            return rx.toast.error("Password not changed: check the highlighted fields")
        except DomainError as err:
            self.saving = ""
            self.errors = {**_no_errors(), (err.field if err.field in ACCOUNT else "current_password"): err.message}
            return rx.toast.error(err.message)
        self.saving = ""
        self.account_key += 1  # clears the password fields
        return rx.toast.success(f"Password changed; {count_of(ended, 'other session', 'other sessions')} signed out")

    @rx.event
    async def sign_out_others(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        ended = await asyncio.to_thread(account.sign_out_other_sessions, self.auth_token)
        return rx.toast.success(f"Signed out {count_of(ended, 'other session', 'other sessions')}")
