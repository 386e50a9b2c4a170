"""How an invoice's credit notes, payments and refunds divide into its tax rates, for the tax
report: per invoice and rate, in the order they happened.

- A credit note by lines takes the base and tax of the lines it credits (the one total function
  over those lines alone, as issuing computed the note); a credit note by amount takes its share
  of what the invoice had left to credit per rate (at first, note / invoice total).
- Every split over the rates is allotted by the largest remainder (``allot``): the bases and
  taxes add up to what is split exactly in minor units, none a minor unit or more off its
  exact share.
- Cash is allocated cumulatively: after each payment or refund, the money received so far
  (payments less refunds) carries its split of what the invoice asks for per rate once its
  credit notes are taken off; the payment's share is that less the split up to the previous
  one (so it adds up to the payment exactly). So an invoice settled in full has received
  exactly its net tax per rate, never a cent of drift from rounding each payment on its own.
  The money received counts up to what the invoice asks for after its credit notes: held
  beyond it (overpaid, to be refunded), it is not income, carries no base and no tax, and
  neither does its refund; so no rate ever receives more than its net base and tax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

from invoice_crm.domain.totals import (
    NO_DISCOUNT,
    Discount,
    LineSpec,
    Totals,
    chosen_lines,
    compute_totals,
    minor_step,
    spread,
)

ZERO = Decimal("0.00")
NO_TAX = ("No tax", None)

Key = tuple  # (tax name, rate), NO_TAX for untaxed lines
Parts = dict  # {Key: (base, tax)}


def parts_of(totals: Totals, specs: Sequence[LineSpec]) -> Parts:
    """{(name, rate): (base, tax)} of computed totals; untaxed lines under "No tax"."""
    parts: Parts = {}
    for t in totals.taxes:
        base, tax = parts.get((t.name, t.rate), (ZERO, ZERO))
        parts[(t.name, t.rate)] = (base + t.base, tax + t.amount)
    untaxed = sum((fig.net for spec, fig in zip(specs, totals.lines, strict=True) if not spec.taxes), ZERO)
    if untaxed:
        parts[NO_TAX] = (untaxed, ZERO)
    return parts


def lines_parts(
    specs: Sequence[LineSpec],
    chosen: Sequence[int],
    *,
    currency: str,
    invoice_discount: Discount = NO_DISCOUNT,
    tax_inclusive: bool = False,
    rounding: str = "document",
) -> tuple[Decimal, Parts]:
    """What crediting the ``chosen`` lines credits, and per rate: the one total function over
    those lines alone, each carrying its discounts as an amount (``totals.chosen_lines``)."""
    whole = compute_totals(specs, currency=currency, invoice_discount=invoice_discount,
                           tax_inclusive=tax_inclusive, rounding=rounding)
    picked = chosen_lines(specs, whole, chosen)
    own = compute_totals(picked, currency=currency, tax_inclusive=tax_inclusive, rounding=rounding)
    return own.total, parts_of(own, picked)


def _order(key: Key) -> tuple:
    name, rate = key
    return (rate is None, str(name), rate or ZERO)


def allot(values: Sequence[Decimal], part: Decimal, whole: Decimal, currency: str) -> list[Decimal]:
    """Each value's share ``value * part / whole`` in minor units, the shares summing exactly to
    their exact sum rounded half-up (``part`` itself when the values add up to ``whole``): each
    share rounded down, the units left over to the largest remainders (ties: earlier first), so
    no share is a minor unit or more off its exact proportion."""
    if not whole or not part:
        return [ZERO for _ in values]
    step = minor_step(currency)
    with localcontext() as ctx:
        ctx.prec = 60
        exact = [v * part / whole / step for v in values]
        floors = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
        target = int(sum(exact, Decimal(0)).to_integral_value(rounding=ROUND_HALF_UP))
        left = target - sum(floors)
        order = sorted(range(len(values)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(f) * step for f in floors]


def _scaled(parts: Parts, part: Decimal, whole: Decimal, currency: str) -> Parts:
    """Each rate's base and tax scaled by ``part / whole``, allotted together (``allot``): the
    shares add up to ``part`` exactly when the parts add up to ``whole``."""
    keys = sorted(parts, key=_order)
    shares = allot([x for k in keys for x in parts[k]], part, whole, currency)
    return {k: (shares[2 * i], shares[2 * i + 1]) for i, k in enumerate(keys)}


def _plus(a: Parts, b: Parts, sign: int = 1) -> Parts:
    none = (ZERO, ZERO)
    return {k: (a.get(k, none)[0] + sign * b.get(k, none)[0], a.get(k, none)[1] + sign * b.get(k, none)[1])
            for k in {*a, *b}}


def _minus(a: Parts, b: Parts) -> Parts:
    return _plus(a, b, -1)


def _total(parts: Parts) -> Decimal:
    return sum((b + t for b, t in parts.values()), ZERO)


@dataclass
class InvoiceTaxShares:
    """One invoice's running split, fed its credit notes and cash in the order they happened
    (on one day, credit notes first); each call returns that document's own {key: (base, tax)}."""

    currency: str
    total: Decimal
    parts: Parts
    credited_total: Decimal = ZERO
    credited: Parts = field(default_factory=dict)
    received: Decimal = ZERO
    cash: Parts = field(default_factory=dict)  # the cumulative share of ``received``

    def credit(self, amount: Decimal, lines: tuple[Decimal, Parts] | None = None) -> Parts:
        """A credit note of ``amount``; ``lines``: (their total, parts) when it credits lines.
        A note by lines worth less than its lines (a line's rest) takes its share of them; a note
        that credits all the invoice has left takes exactly what is left per rate (so an invoice
        credited in full nets to zero, whatever each note rounded)."""
        if amount == self.total - self.credited_total:  # the rest: exactly what is left per rate
            own = _minus(self.parts, self.credited)
        elif lines is not None and lines[0] > 0:
            own = lines[1] if lines[0] == amount else _scaled(lines[1], amount, lines[0], self.currency)
        else:
            left = _minus(self.parts, self.credited)
            own = _scaled(left, amount, self.total - self.credited_total, self.currency)
        self.credited = _plus(self.credited, own)
        self.credited_total += amount
        return own

    def receive(self, amount: Decimal) -> Parts:
        """A payment (positive) or a refund (negative): the change in the cumulative share."""
        self.received += amount
        due = self.total - self.credited_total
        if self.received <= 0 or due <= 0:
            target: Parts = {}
        else:  # at most what the invoice asks for: money held beyond it is to be refunded
            target = _scaled(_minus(self.parts, self.credited), min(self.received, due), due, self.currency)
        step = _minus(target, self.cash)
        self.cash = target
        return step


def line_taxes(totals: Totals, specs: Sequence[LineSpec]) -> list[dict[str, Decimal]]:
    """Each line's part of each of the invoice's taxes ({tax key: amount}): every rate's tax
    spread over the lines carrying it in proportion to their amounts (``spread``: the parts sum
    to the rate's tax exactly), so the lines' taxes add up to the invoice's tax and their nets
    to its total less tax."""
    out: list[dict[str, Decimal]] = [{} for _ in specs]
    for t in totals.taxes:
        weights = [fig.net if any(x.key == t.key for x in spec.taxes) else ZERO
                   for spec, fig in zip(specs, totals.lines, strict=True)]
        for i, part in enumerate(spread(t.amount, weights, totals.currency)):
            if weights[i]:
                out[i][t.key] = out[i].get(t.key, ZERO) + part
    return out
