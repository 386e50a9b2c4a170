"""The business settings in effect: the Settings page's saved values, read per call.

Environment variables (BUSINESS_NAME, BUSINESS_ADDRESS, CURRENCY, INVOICE_NUMBER_FORMAT,
BUSINESS_TIMEZONE, BUSINESS_LOCALE, MAIL_FROM's name) give the first values until the first
save; from then on the database row wins. ``current_business()`` reads the row per call.
The timezone and locale, read on every "today" and every formatted amount, come from
``business_timezone()`` / ``business_locale()``: cached for a few seconds, dropped at once
by a save in this process, so another process (a worker) follows within ``CACHE_SECONDS``.
Each save checks every field of its section first, then writes them in one transaction
(all or nothing) and bumps ``version``.
"""

from __future__ import annotations

import base64
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from email.utils import parseaddr

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import business as rules
from invoice_crm.domain import numbers
from invoice_crm.domain.drafts import clean_text
from invoice_crm.domain.email_text import long_date
from invoice_crm.domain.errors import DomainError, ValidationError
from invoice_crm.domain.money import normalize_currency
from invoice_crm.domain.numbering import counter_key, format_number, validate_format
from invoice_crm.models import BusinessSettings, InvoiceCounter
from invoice_crm.services.clients import clean_email
from invoice_crm.settings import get_settings

ROW_ID = 1
KEEP = object()  # save_profile(logo=KEEP): leave the stored logo as it is


@dataclass(frozen=True)
class Business:
    business_name: str = ""
    address: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    tax_number: str = ""
    iban: str = ""
    bic: str = ""
    payment_instructions: str = ""
    logo: bytes | None = field(default=None, repr=False)
    logo_type: str = ""
    brand_color: str = "#2563eb"
    currency: str = "USD"
    payment_terms_days: int = 14
    default_notes: str = ""
    default_footer: str = ""
    number_format: str = "INV-{year}-{seq:04d}"
    locale: str = "en_US"
    timezone: str = "UTC"
    sender_name: str = ""
    reply_to: str = ""
    invoice_subject: str = ""
    invoice_body: str = ""
    reminder_subject: str = ""
    reminder_body: str = ""
    receipt_subject: str = ""
    receipt_body: str = ""
    version: int = 0  # 0: nothing saved yet, the environment's values

    @property
    def address_lines(self) -> list[str]:
        """Typed with newlines, or with a literal "\\n" in an environment variable; then the
        country by its name in the business locale (``Germany``, ``Deutschland``)."""
        lines = [p.strip() for p in self.address.replace("\\n", "\n").splitlines() if p.strip()]
        return [*lines, numbers.country_name(self.country, self.locale)] if self.country else lines

    @property
    def payment_lines(self) -> list[str]:
        return rules.payment_instruction_lines(self.iban, self.bic, self.payment_instructions)

    @property
    def tax_line(self) -> str:
        return f"Tax number: {self.tax_number}" if self.tax_number else ""

    @property
    def logo_data_uri(self) -> str:
        if not self.logo:
            return ""
        return f"data:{self.logo_type};base64,{base64.b64encode(self.logo).decode()}"


_FIELDS = [name for name in Business.__dataclass_fields__ if name != "version"]


def _from_environment() -> Business:
    settings = get_settings()
    sender_name, sender_address = parseaddr(settings.mail_from)
    return Business(
        business_name=settings.business_name or sender_name,
        address=settings.business_address.replace("\\n", "\n"),
        email=sender_address,
        currency=settings.currency,
        number_format=settings.invoice_number_format,
        timezone=settings.business_timezone,
        locale=getattr(settings, "business_locale", "") or "en_US",
        sender_name=sender_name or settings.business_name,
    )


def _from_row(row: BusinessSettings) -> Business:
    return Business(**{name: getattr(row, name) for name in _FIELDS}, version=row.version)


def current_business(session: Session | None = None) -> Business:
    """The settings in effect now (one primary-key read; in ``session`` when given, so a
    writing transaction reads them on its own connection)."""
    if session is not None:
        row = session.get(BusinessSettings, ROW_ID)
        return _from_row(row) if row is not None else _from_environment()
    with read_session() as own:
        return current_business(own)


# --- the timezone and locale in effect ---------------------------------------------------

CACHE_SECONDS = 3.0
_clock = time.monotonic  # the cache's clock (a test moves it without touching time.monotonic)
_cache_lock = threading.Lock()
_cached: tuple[float, str, str, str] | None = None  # (read at, locale, timezone, currency saved); "" = none saved


def forget_cached() -> None:
    """Drop the cached timezone and locale (a save does; tests switching databases do)."""
    global _cached
    with _cache_lock:
        _cached = None


def _saved_locale_and_timezone() -> tuple[str, str]:
    """The saved (locale, timezone), ("", "") before the first save; one cached read."""
    return _saved()[:2]


def _saved() -> tuple[str, str, str]:
    """The saved (locale, timezone, currency), all "" before the first save; one cached read."""
    global _cached
    now = _clock()
    cached = _cached
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1], cached[2], cached[3]
    try:
        with read_session() as session:
            row = session.exec(
                select(BusinessSettings.locale, BusinessSettings.timezone, BusinessSettings.currency)
                .where(BusinessSettings.id == ROW_ID)
            ).first()
    except SQLAlchemyError:  # no database yet (first start, before migrations): the environment's
        row = None
    locale, timezone, currency = (row[0] or "", row[1] or "", row[2] or "") if row is not None else ("", "", "")
    with _cache_lock:
        _cached = (now, locale, timezone, currency)
    return locale, timezone, currency


def business_timezone() -> str:
    """The business's timezone (what "today" and "overdue" mean): Settings, else BUSINESS_TIMEZONE."""
    return _saved_locale_and_timezone()[1] or get_settings().business_timezone


def business_currency() -> str:
    """The default currency (new invoices; the dashboard's chart and search): Settings, else CURRENCY."""
    return _saved()[2] or get_settings().currency


def business_locale() -> str:
    """The locale of money, numbers and dates (shown and typed): Settings, else BUSINESS_LOCALE."""
    return _saved_locale_and_timezone()[0] or get_settings().business_locale


def follow_saved_locale() -> None:
    """Make the domain's formatting and parsing, when a caller passes no locale, use the saved
    locale (called once by the app and the worker at start-up)."""
    get_settings()  # sets the environment's locale as the fallback
    numbers.use_locale_source(lambda: _saved_locale_and_timezone()[0])


def _save(changes: dict) -> Business:
    """Write ``changes`` in one transaction, creating the row from the environment's values."""
    with write_session() as session:
        row = session.get(BusinessSettings, ROW_ID)
        if row is None:
            seed = asdict(_from_environment())
            seed.pop("version")
            row = BusinessSettings(id=ROW_ID, version=0, **seed)
            session.add(row)
        for name, value in changes.items():
            setattr(row, name, value)
        row.version += 1
        row.updated_at = utcnow()
        session.flush()
        saved = _from_row(row)
    forget_cached()  # after commit: the next read sees the new timezone and locale
    return saved


class SettingsErrors(ValidationError):
    """Every refused field of a section at once: ``errors`` maps field -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, field=first_field)
        self.errors = errors


def _check_all(checks: dict[str, callable]) -> dict:
    values, errors = {}, {}
    for name, check in checks.items():
        try:
            values[name] = check()
        except DomainError as err:
            errors[err.field or name] = err.message
    if errors:
        raise SettingsErrors(errors)
    return values


def _text(form: dict, name: str, label: str, max_length: int, *, required: bool = False):
    return lambda: clean_text(form.get(name, ""), field=name, label=label, max_length=max_length, required=required)


def save_profile(form: dict, logo=KEEP) -> Business:
    """Business profile. ``logo``: KEEP, None to remove it, or the uploaded file's bytes."""
    try:
        country = rules.clean_country(form.get("country", ""))
    except DomainError:
        country = ""  # refused below, beside the Country field
    checks = {
        "business_name": _text(form, "business_name", "Business name", 200, required=True),
        "address": _text(form, "address", "Address", 1000),
        "country": lambda: rules.clean_country(form.get("country", "")),
        "email": lambda: clean_email(form.get("email", "")),
        "phone": lambda: rules.clean_phone(form.get("phone", "")),
        "website": lambda: rules.clean_website(form.get("website", "")),
        "tax_number": lambda: rules.clean_tax_number(form.get("tax_number", ""), country),
        "iban": lambda: rules.clean_iban(form.get("iban", "")),
        "bic": lambda: rules.clean_bic(form.get("bic", "")),
        "payment_instructions": _text(form, "payment_instructions", "Payment instructions", 2000),
        "brand_color": lambda: rules.clean_colour(form.get("brand_color", "")),
    }
    if logo is not KEEP:
        checks["logo"] = lambda: rules.check_logo(logo) if logo is not None else None
    values = _check_all(checks)
    if "logo" in values:
        checked = values.pop("logo")
        values["logo"] = checked.content if checked else None
        values["logo_type"] = checked.mime_type if checked else ""
    return _save(values)


def save_logo(content: bytes | None) -> Business:
    """Replace the logo (checked by content) or, with None, remove it."""
    checked = rules.check_logo(content) if content is not None else None
    return _save({"logo": checked.content if checked else None, "logo_type": checked.mime_type if checked else ""})


def _number_format(raw: object) -> str:
    text = str(raw or "").strip()
    try:
        return validate_format(text)
    except DomainError as err:
        raise ValidationError(err.message.replace("INVOICE_NUMBER_FORMAT", "The number format"), field="number_format") from None


def _currency(raw: object) -> str:
    try:
        return normalize_currency(str(raw or ""))
    except DomainError as err:
        raise ValidationError(err.message, field="currency") from None


def save_invoice_defaults(form: dict) -> Business:
    values = _check_all({
        "currency": lambda: _currency(form.get("currency", "")),
        "payment_terms_days": lambda: rules.clean_terms(form.get("payment_terms_days", "")),
        "default_notes": _text(form, "default_notes", "Default notes", 5000),
        "default_footer": _text(form, "default_footer", "Footer", 500),
        "number_format": lambda: _number_format(form.get("number_format", "")),
        "locale": lambda: rules.clean_locale(form.get("locale", "")),
        "timezone": lambda: rules.clean_timezone(form.get("timezone", "")),
    })
    return _save(values)


def _template(form: dict, name: str, label: str, max_length: int):
    def check():
        text = clean_text(form.get(name, ""), field=name, label=label, max_length=max_length, required=False)
        if name.endswith("_subject") and ("\n" in text or "\r" in text):
            raise ValidationError("Subject must be a single line", field=name)
        return rules.check_template(text, field=name)
    return check


def save_email(form: dict) -> Business:
    checks = {
        "sender_name": _text(form, "sender_name", "Sender name", 200),
        "reply_to": lambda: clean_email(form.get("reply_to", ""), field="reply_to"),
    }
    for kind in ("invoice", "reminder", "receipt"):
        checks[f"{kind}_subject"] = _template(form, f"{kind}_subject", "Subject", 300)
        checks[f"{kind}_body"] = _template(form, f"{kind}_body", "Message", 20000)
    return _save(_check_all(checks))


def preview_number(fmt: str, issued: date) -> str:
    """The number the next invoice issued on ``issued`` would get with ``fmt`` (live preview)."""
    fmt = _number_format(fmt)
    with read_session() as session:
        counter = session.get(InvoiceCounter, counter_key(fmt, issued))
        last = counter.last_value if counter is not None else 0
    return format_number(fmt, issued, last + 1)


def signature(business: Business) -> str:
    """Who the email is from, under every client email: name, address, contacts, tax number."""
    lines = [business.business_name, *business.address_lines, business.email, business.phone,
             business.website, business.tax_line]
    lines = [line for line in lines if line]
    return "\n".join(["--", *lines]) if lines else ""


def branded(kind: str, default: tuple[str, str], facts: dict) -> tuple[str, str]:
    """(subject, body) of a client email: the Settings template when one is set, else the
    built-in text; the business's signature below it."""
    business = current_business()
    values = {k: (long_date(v) if isinstance(v, date) else str(v or "")) for k, v in facts.items()}
    subject_template = getattr(business, f"{kind}_subject", "")
    body_template = getattr(business, f"{kind}_body", "")
    subject = rules.render_template(subject_template, values).strip() if subject_template else default[0]
    body = rules.render_template(body_template, values) if body_template else default[1]
    sign = signature(business)
    if sign and sign not in body:
        body = f"{body.rstrip()}\n\n{sign}"
    return subject, body
