"""How an activity row (an InvoiceEvent's ``kind``, a code such as ``payment_link``) reads in
the invoice page's Activity list. Each label keeps the words of its code, so "sent" or "paid"
still find the row; a code without a label (a row from an older version) reads as its words.

An activity row's text keeps its amounts, dates and moments as values, not as words
(``money_mark``, ``date_mark``, ``time_mark``): ``activity_text`` writes them when the row is
read, in the business locale and timezone of that moment, so one timeline reads in one format
after the locale changes. A row written before (plain text) reads as it was written."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from invoice_crm.domain.money import CURRENCIES, format_money
from invoice_crm.domain.numbers import decimal_and_group, format_date, format_timestamp, medium_date_shape

EVENT_LABELS: dict[str, str] = {
    "created": "Created",
    "edited": "Edited",
    "duplicated": "Duplicated",
    "imported": "Imported",
    "sent": "Sent",
    "due_moved": "Due date moved",
    "overdue": "Overdue",
    "viewed": "Viewed",
    "payment_link": "Payment link",
    "payment": "Payment",
    "paid": "Paid",
    "extra_payment": "Extra payment",
    "payment_removed": "Payment removed",
    "voided": "Voided",
    "credit_note": "Credit note",
    "refund": "Refund",
    "email_queued": "Email queued",
    "emailed": "Emailed",
    "email_failed": "Email failed",
    "email_retry": "Email retry",
    "reminder_skipped": "Reminder skipped",
    "reminders_changed": "Reminders changed",
}


def event_label(kind: str) -> str:
    """The label of an activity code; an unknown one as its words ("late_fee" -> "Late fee")."""
    label = EVENT_LABELS.get(kind)
    if label:
        return label
    words = " ".join(kind.replace("_", " ").split())
    return words[:1].upper() + words[1:] if words else "Event"


# A value inside an activity text: framed by the unit separator, which no typed text carries
# (domain.text refuses control characters) and no locale's words contain.
_FRAME = "\x1f"
_MARKED = re.compile(f"{_FRAME}(money|date|time):([^{_FRAME}]*){_FRAME}")


def money_mark(amount: Decimal, currency: str) -> str:
    """An amount in an activity text, written by ``activity_text`` as the locale writes money."""
    code = currency.upper()
    # One way of writing each amount (with its currency's places), so a line can be found by
    # it; a fraction the currency does not have is kept, never rounded away.
    value = Decimal(amount)
    even = value.quantize(Decimal(1).scaleb(-CURRENCIES.get(code, 2)))
    return f"{_FRAME}money:{even if even == value else value} {code}{_FRAME}"


def date_mark(value: date | None) -> str:
    """A calendar date in an activity text (the locale's medium date when read); none: empty."""
    return f"{_FRAME}date:{value.isoformat()}{_FRAME}" if value is not None else ""


def time_mark(value: datetime) -> str:
    """A moment in an activity text (read on the business's clock, as the locale writes it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return f"{_FRAME}time:{value.astimezone(UTC).isoformat()}{_FRAME}"


def activity_text(details: str, tz_name: str, locale: str | None = None) -> str:
    """An activity row's text as it reads now: each marked value written in ``locale`` (the
    business locale by default) and on ``tz_name``'s clock. A mark that cannot be read shows
    its value as stored rather than failing the page."""
    if _FRAME not in details:
        return details

    def written(match: re.Match) -> str:
        kind, value = match.groups()
        try:
            if kind == "money":
                amount, currency = value.split(" ")
                return format_money(Decimal(amount), currency, locale)
            if kind == "date":
                return format_date(date.fromisoformat(value), locale)
            return format_timestamp(datetime.fromisoformat(value), tz_name, locale)
        except (ValueError, InvalidOperation):
            return value

    return _MARKED.sub(written, details).replace(_FRAME, "")


# --- lines written as finished text, before values were kept -----------------------------

_NUMBER = re.compile(r"\d[\d.,\s\u00a0\u202f’']*")


def marked_values(details: str, currency: str, locale: str) -> str:
    """A line written as finished text with its amounts (in ``currency``) and dates marked as
    values, where the text is exactly what ``format_money`` / ``format_date`` write in
    ``locale``: ``activity_text`` then reads it back the same in that locale and in the new
    one after a change. Anything else (another currency, another locale's writing, a moment)
    stays as written."""
    if _FRAME in details:
        return details
    marked = _mark_dates(details, locale)
    return _mark_amounts(marked, currency, locale)


def _mark_amounts(text: str, currency: str, locale: str) -> str:
    out, at = [], 0
    for match in _NUMBER.finditer(text):
        if match.start() < at or text.count(_FRAME, 0, match.start()) % 2:  # already a value
            continue
        found = _amount_at(text, match, currency, locale)
        if found is None:
            continue
        start, end, value = found
        out.append(text[at:start])
        out.append(money_mark(value, currency))
        at = end
    out.append(text[at:])
    return "".join(out)


def _amount_at(text: str, match: re.Match, currency: str, locale: str) -> tuple[int, int, Decimal] | None:
    """The amount whose digits start at ``match``, if the text there is the locale's writing of
    it: the digits read as a number, then written again and compared in place."""
    before = text[max(0, match.start() - 6):match.start()]
    minus = "-" in before or "\u2212" in before  # a negative amount's sign comes before its digits
    digits = match.group().rstrip(".,\u00a0\u202f’' \t")
    # The longest reading first ("1,234.50" before "1,234"), ending where a separator follows.
    for cut in range(len(digits), 0, -1):
        if not digits[cut - 1].isdigit() or (cut < len(digits) and digits[cut].isdigit()):
            continue
        piece = digits[:cut]
        value = _read_number(piece, locale)
        if value is None:
            continue
        for signed in (-value, value) if minus else (value,):
            written = format_money(signed, currency, locale)
            lead = next((i for i, ch in enumerate(written) if ch.isdigit()), None)
            start = match.start() - (lead or 0)
            if lead is not None and start >= 0 and text.startswith(written, start):
                return start, start + len(written), signed
    return None


def _read_number(piece: str, locale: str) -> Decimal | None:
    """Digits and the locale's signs as a number (grouping dropped), or None; lenient, since
    ``_amount_at`` writes the number again and compares."""
    decimal_sign, group = decimal_and_group(locale)
    plain = piece
    for sign in {group, "\u00a0", "\u202f"} - {decimal_sign}:
        plain = plain.replace(sign, "")
    plain = plain.replace(decimal_sign, ".")
    try:
        return Decimal(plain)
    except InvalidOperation:
        return None


def _mark_dates(text: str, locale: str) -> str:
    def marked(match: re.Match) -> str:
        day = _dates_of_year(int(match.group("year")), locale).get(match.group())
        return date_mark(day) if day is not None else match.group()

    return medium_date_shape(locale).sub(marked, text)


@functools.lru_cache(maxsize=64)
def _dates_of_year(year: int, locale: str) -> dict[str, date]:
    """Every day of ``year`` as the locale's medium date writes it."""
    if not 1900 <= year <= 2200:
        return {}
    first = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - first).days
    return {format_date(d, locale): d for d in (first + timedelta(n) for n in range(days))}
