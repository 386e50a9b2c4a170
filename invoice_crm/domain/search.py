"""What a search box term means: text to match literally, and possibly an exact amount."""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal

from invoice_crm.domain import numbers
from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.money import AMOUNT

_DIGITS_AND_SEPARATORS = re.compile(r"[\d\s.,'\u2019]")


def search_amount(term: str, currencies: tuple[str, ...] = ()) -> Decimal | None:
    """The amount a term names exactly, read in the business locale like a typed amount
    (``1200``, ``1,200.00``, ``$1,200`` under en_US → 1200.00), or None when it names none.
    Only an unambiguous reading counts: ``1,2`` is no amount under en_US."""
    if not any(ch.isdigit() for ch in term):
        return None
    # What is left without digits and separators says which readings to try (each costs a parse).
    rest = _DIGITS_AND_SEPARATORS.sub("", term)
    if not rest:
        candidates: tuple[str | None, ...] = (None,)
    elif rest.upper() in currencies:  # a code: USD 1,200
        candidates = (rest.upper(),)
    elif len(rest) <= 2 and not any(ch.isalnum() or ch in "-+%_#/" for ch in rest):  # a sign: $1,200
        candidates = currencies
    else:
        return None
    for currency in candidates:
        try:
            return numbers.parse_number(term, AMOUNT, field="search", currency=currency)
        except ValidationError:
            continue
    return None


def like_pattern(term: str, escape: str = "\\") -> str:
    """A LIKE pattern that finds ``term`` anywhere, with ``%`` and ``_`` matched literally."""
    literal = term.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")
    return f"%{literal}%"


def fold_case(text: str | None) -> str | None:
    """``text`` with its case set aside, for comparing what people type (names, companies,
    emails): Python's ``lower()``, which lowers every letter (SQLite's own ``lower()`` and
    ``LIKE`` lower only A-Z) and answers as PostgreSQL's ``lower()`` does, so a search or a
    duplicate check finds the same clients on either database."""
    return None if text is None else text.lower()


@functools.lru_cache(maxsize=16384)  # SQLite asks it for every name of a list, on every page
def name_order(text: str | None) -> str | None:
    """The key names are listed by, as a person reads them: case and accents set aside
    ("élodie" beside "Elodie", "acme" beside "Acme", "ßeta" as "sseta"); a letter that is
    not a base letter with marks (Ø, Æ) stays a letter of its own."""
    if text is None:
        return None
    if text.isascii():
        return text.lower()
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))
