"""Text a user types that the app stores and shows again: trimmed, bounded, and free of
characters that hide or disguise what it says (control characters such as NUL and ESC, and
the bidirectional overrides such as U+202E that reorder text on the client's pay page).

Every service that stores text calls ``clean_text``; newlines (and tabs) are kept only where
the field is multi-line.
"""

from __future__ import annotations

import unicodedata

from invoice_crm.domain.errors import ValidationError

# Explicit direction marks, embeddings, overrides and isolates (Unicode's Bidi_Control).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MULTILINE_ALLOWED = frozenset("\n\t")


def unsafe_character(text: str, *, multiline: bool = True) -> str | None:
    """The first character that may not be stored in such a field, or None."""
    for ch in text:
        if ch in BIDI_CONTROLS:
            return ch
        if unicodedata.category(ch) == "Cc" and not (multiline and ch in MULTILINE_ALLOWED):
            return ch
        if ch in ("\u2028", "\u2029") and not multiline:  # line and paragraph separators
            return ch
    return None


def describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    code = f"U+{ord(ch):04X}"
    return f"{code} {name}".strip() if name else code


def clean_text(
    raw: object, *, field: str, label: str, max_length: int, required: bool, multiline: bool = True
) -> str:
    text = str(raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not text:
        raise ValidationError(f"{label} is required", field=field)
    if len(text) > max_length:
        raise ValidationError(f"{label} must be at most {max_length} characters", field=field)
    bad = unsafe_character(text, multiline=multiline)
    if bad is not None:
        if bad == "\n":
            raise ValidationError(f"{label} must be a single line", field=field)
        raise ValidationError(
            f"{label} contains an invisible control or text-direction character ({describe(bad)}); remove it",
            field=field,
        )
    return text
