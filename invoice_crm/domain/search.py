"""What a search box term means: text to match literally, and possibly an exact amount."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# `1200`, `1200.5`, `1,200.00`, `$1,200`, `1 200 €`: digits with optional well-placed
# thousands separators and at most two decimals, currency signs and spaces around.
_SIGN = "[$€£¥₹]"
_AMOUNT = re.compile(rf"^{_SIGN}?\s*(?P<number>\d{{1,3}}(?:,\d{{3}})+|\d+)(?P<cents>\.\d{{1,2}})?\s*{_SIGN}?$")
_GROUPED_WITH_SPACES = re.compile(r"^\d{1,3}(?: \d{3})+$")
MAX_AMOUNT = Decimal("999999999.99")


def search_amount(term: str) -> Decimal | None:
    """The amount a term names exactly (``1,200.00`` → 1200.00), or None when it names none.

    Only an unambiguous reading counts: ``1,2`` or ``1,20`` is not an amount here."""
    text = term.strip()
    if _GROUPED_WITH_SPACES.match(text):
        text = text.replace(" ", "")
    match = _AMOUNT.match(text)
    if match is None:
        return None
    try:
        value = Decimal(match.group("number").replace(",", "") + (match.group("cents") or ""))
    except InvalidOperation:
        return None
    if value > MAX_AMOUNT:
        return None
    return value.quantize(Decimal("0.01"))


def like_pattern(term: str, escape: str = "\\") -> str:
    """A LIKE pattern that finds ``term`` anywhere, with ``%`` and ``_`` matched literally."""
    literal = term.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")
    return f"%{literal}%"
