"""Invoice number format (INVOICE_NUMBER_FORMAT, default ``INV-{year}-{seq:04d}``)."""

from __future__ import annotations

import functools
import re
import string
from datetime import date

from invoice_crm.domain.errors import ValidationError

DEFAULT_FORMAT = "INV-{year}-{seq:04d}"


# The documented placeholders only: {year}, {month}, {seq}, each plain or zero-padded to a
# small width ({seq:04d}). No attribute or index access ({seq.__class__}, {seq[0]}), no
# conversion ({seq!r}), no other spec: a user's format is parsed and checked, never handed
# to str.format, whose mini-language reaches into objects and builds strings of any width.
FIELDS = ("year", "month", "seq")
MAX_WIDTH = 12
MAX_NUMBER_LENGTH = 64  # the number column of invoices and credit notes
# The sample a format is measured with: a late day and a long sequence (a million invoices).
_SAMPLE_DAY, _SAMPLE_SEQ = date(2099, 12, 31), 999_999
_SPEC = re.compile(r"(?:0(\d{1,3}))?d?")


@functools.lru_cache(maxsize=64)  # one format, numbered over and over
def _parts(fmt: str) -> tuple[tuple[str, str | None, int], ...]:
    """(literal text, field name or None, zero-padded width or 0) for each piece of ``fmt``;
    ValidationError for anything but the documented placeholders."""
    try:
        pieces = list(string.Formatter().parse(fmt))
    except ValueError:
        raise ValidationError(
            "INVOICE_NUMBER_FORMAT has an unmatched { or }: write {{ or }} for a brace itself", field="format"
        ) from None
    parts = []
    for literal, name, spec, conversion in pieces:
        if name is None:
            parts.append((literal, None, 0))
            continue
        match = _SPEC.fullmatch(spec or "")
        if name not in FIELDS or conversion is not None or match is None:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValidationError(
                f"INVOICE_NUMBER_FORMAT may use only {{year}}, {{month}} and {{seq}}, each plain or "
                f"zero-padded like {{seq:04d}}; {shown[:40]} is not one of them",
                field="format",
            )
        width = int(match.group(1) or 0)
        if width > MAX_WIDTH:
            raise ValidationError(
                f"INVOICE_NUMBER_FORMAT pads to at most {MAX_WIDTH} digits ({{{name}:0{MAX_WIDTH}d}})", field="format"
            )
        parts.append((literal, name, width))
    return tuple(parts)


def validate_format(fmt: str) -> str:
    """The format must contain ``{seq}`` so every number differs; only the documented
    placeholders; and its numbers must fit the 64-character column."""
    parts = _parts(str(fmt or ""))
    if not any(name == "seq" for _literal, name, _width in parts):
        raise ValidationError("INVOICE_NUMBER_FORMAT must contain {seq}", field="format")
    sample = _render(parts, _SAMPLE_DAY, _SAMPLE_SEQ)
    if len(sample) > MAX_NUMBER_LENGTH:
        raise ValidationError(
            f"INVOICE_NUMBER_FORMAT makes numbers too long ({len(sample)} characters with a six-digit "
            f"sequence; at most {MAX_NUMBER_LENGTH})",
            field="format",
        )
    return fmt


def counter_key(fmt: str, issued: date) -> str:
    """Sequences restart per year when the format shows the year, else run forever."""
    return str(issued.year) if "{year" in fmt else "all"


def _render(parts, issued: date, seq: int) -> str:
    values = {"year": issued.year, "month": issued.month, "seq": seq}
    return "".join(
        literal + ("" if name is None else str(values[name]).zfill(width)) for literal, name, width in parts
    )


def format_number(fmt: str, issued: date, seq: int) -> str:
    """``fmt``'s number for ``seq`` issued on ``issued``; the format is checked first (it may
    come from the database), so a format that was never validated cannot run."""
    validate_format(fmt)
    return _render(_parts(fmt), issued, seq)


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
    pattern = ""
    for literal, name, _spec, _conv in string.Formatter().parse(fmt):
        pattern += re.escape(literal)
        if name == "year":
            pattern += r"(?P<year>\d{4})"
        elif name == "month":
            pattern += r"\d{1,2}"
        elif name == "seq":
            pattern += r"0*(?P<seq>\d{1,9})"  # zero-padded up to MAX_WIDTH
        elif name is not None:
            return None
    match = re.fullmatch(pattern, number or "")
    if match is None:
        return None
    key = match.group("year") if "{year" in fmt else "all"
    return key, int(match.group("seq"))
