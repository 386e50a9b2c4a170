"""Invoice number format (INVOICE_NUMBER_FORMAT, default ``INV-{year}-{seq:04d}``)."""

from __future__ import annotations

from datetime import date

from invoice_crm.domain.errors import ValidationError

DEFAULT_FORMAT = "INV-{year}-{seq:04d}"


def validate_format(fmt: str) -> str:
    """The format must contain ``{seq}`` so every number differs; only year/month/seq allowed."""
    if "{seq" not in fmt:
        raise ValidationError("INVOICE_NUMBER_FORMAT must contain {seq}", field="format")
    try:
        format_number(fmt, date(2000, 1, 1), 1)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError(f"INVOICE_NUMBER_FORMAT is invalid: {exc}", field="format") from None
    return fmt


def counter_key(fmt: str, issued: date) -> str:
    """Sequences restart per year when the format shows the year, else run forever."""
    return str(issued.year) if "{year" in fmt else "all"


def format_number(fmt: str, issued: date, seq: int) -> str:
    return fmt.format(year=issued.year, month=issued.month, seq=seq)


def draft_reference(invoice_id: int) -> str:
    """A draft's stable reference until it is sent and numbered (``D-0012``): it never takes
    a number from the sequence, so deleting or abandoning drafts leaves no hole in it."""
    return f"D-{invoice_id:04d}"


def display_number(number: str | None, invoice_id: int) -> str:
    """What the screens, the sheet and the PDF call an invoice: its number, or for a draft
    ``Draft D-0012``."""
    return number or f"Draft {draft_reference(invoice_id)}"


def sequence_of(fmt: str, number: str) -> tuple[str, int] | None:
    """(counter key, sequence number) of ``number`` if it has the shape of ``fmt``
    (``INV-2025-0042`` under ``INV-{year}-{seq:04d}`` -> ("2025", 42)), else None."""
    import re
    import string

    pattern = ""
    for literal, name, _spec, _conv in string.Formatter().parse(fmt):
        pattern += re.escape(literal)
        if name == "year":
            pattern += r"(?P<year>\d{4})"
        elif name == "month":
            pattern += r"\d{1,2}"
        elif name == "seq":
            pattern += r"(?P<seq>\d{1,9})"
        elif name is not None:
            return None
    match = re.fullmatch(pattern, number or "")
    if match is None:
        return None
    key = match.group("year") if "{year" in fmt else "all"
    return key, int(match.group("seq"))
