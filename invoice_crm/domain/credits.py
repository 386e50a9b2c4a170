"""What a credit note by lines credits, from the one total function.

A line is credited at most once. Crediting lines credits what they add to the invoice on top of
the lines already credited: the total of (lines credited before + these) less the total of the
lines credited before, each line carrying its discounts as an amount. So however an invoice's
lines are split into credit notes, the notes add up to the invoice's total exactly, and their
tax per rate to its tax per rate (no cent is credited twice by rounding each note alone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from invoice_crm.domain.totals import (
    NO_DISCOUNT,
    Discount,
    LineSpec,
    TaxLine,
    Totals,
    chosen_lines,
    compute_totals,
)

ZERO = Decimal("0")


@dataclass(frozen=True)
class LineCredit:
    """A credited line: its position and its amount after its discounts (tax excluded, or
    tax in when the invoice's prices include tax), as the invoice counts it."""

    position: int
    amount: Decimal


@dataclass(frozen=True)
class CreditFigures:
    """A credit note by lines: what it credits in all, per line, and per tax rate (the base
    and the tax it corrects)."""

    amount: Decimal
    lines: tuple[LineCredit, ...]
    taxes: tuple[TaxLine, ...]
    tax_inclusive: bool = False


def _part(lines: Sequence[LineSpec], whole: Totals, positions: Sequence[int], **how) -> Totals:
    return compute_totals(chosen_lines(lines, whole, positions), **how)


def credit_of_lines(
    lines: Sequence[LineSpec],
    chosen: Sequence[int],
    *,
    credited_before: Sequence[int] = (),
    currency: str,
    invoice_discount: Discount = NO_DISCOUNT,
    tax_inclusive: bool = False,
    rounding: str = "document",
) -> CreditFigures:
    """What crediting the ``chosen`` lines credits once ``credited_before`` were credited (a
    chosen line that was credited before credits nothing more: the caller refuses it)."""
    valid = range(len(lines))
    before = sorted({i for i in credited_before if i in valid})
    new = sorted({i for i in chosen if i in valid} - set(before))
    whole = compute_totals(
        lines, currency=currency, invoice_discount=invoice_discount, tax_inclusive=tax_inclusive, rounding=rounding
    )
    how = {"currency": currency, "tax_inclusive": tax_inclusive, "rounding": rounding}
    was = _part(lines, whole, before, **how)
    now = _part(lines, whole, before + new, **how)
    earlier = {t.key: t for t in was.taxes}
    taxes = []
    for tax in now.taxes:
        old = earlier.get(tax.key)
        base = tax.base - (old.base if old else ZERO)
        amount = tax.amount - (old.amount if old else ZERO)
        if base or amount:
            taxes.append(TaxLine(tax.key, tax.name, tax.rate, tax.compound, base, amount))
    return CreditFigures(
        amount=now.total - was.total,
        lines=tuple(LineCredit(i, whole.lines[i].net) for i in new),
        taxes=tuple(taxes),
        tax_inclusive=tax_inclusive,
    )


def refund_to_come(amount: Decimal, balance: Decimal) -> Decimal:
    """What a credit note of ``amount`` leaves owed back to the client, on an invoice whose
    balance (total less paid and credited; below zero when overpaid) is ``balance``: the part
    of the note beyond what is still due. Zero while the note only lowers the balance."""
    return max(ZERO, amount - max(balance, ZERO))
