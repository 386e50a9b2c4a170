"""The one total function: from lines, discounts and taxes to every figure an invoice shows.

``compute_totals`` is the only code that adds money up. The editor (live), the invoice page,
the pay page, the PDF, the email, the Stripe amount, the sheet row and the stored figures the
dashboard sums all come from it.

Rules (all amounts in the currency's minor units, rounded half-up):

- A line's amount is quantity x unit price, rounded. Its discount (percent of the amount, or an
  amount) is rounded and may not exceed the amount: a line never goes negative.
- The invoice discount (percent of the discounted lines, or an amount up to it) is spread over
  the lines in proportion to their discounted amounts, for the tax base: each line gets the
  share rounded down, and the minor units left over go one each to the lines with the largest
  remainders (ties: the earlier line), so the parts sum to the discount exactly.
- Tax-exclusive prices (tax added): per rate, the tax is computed on the sum of the taxable
  amounts of the lines carrying it and rounded once (``document``, the default), or computed
  and rounded line by line and then summed (``line``). A compound second tax is computed on
  the line's taxable amount plus its first tax (Québec QST on top of GST).
- Tax-inclusive prices (tax contained): lines and discounts are entered with tax in; the tax is
  extracted per group of lines carrying the same taxes (``document``) or per line (``line``):
  each tax is the group's amount divided by the tax factor, times the rate, rounded once, and
  the net is what is left, so nothing the client sees changes by a cent. The subtotal shown is
  then net of the extracted tax, and so are the discounts shown: the tax the undiscounted lines
  contain is extracted the same way for the subtotal, and the discounts are what they take off
  that net (split between line and invoice discounts in proportion to what was entered). The
  lines' own figures (``LineFigures``) stay as entered, tax in: they are the tax bases.
- Always: total = subtotal - discounts + taxes, exactly; the per-rate breakdown sums to the tax
  total; paid + credited + balance = total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from invoice_crm.domain import numbers
from invoice_crm.domain.errors import ValidationError

ZERO = Decimal("0")
HUNDRED = Decimal("100")
ROUNDING_MODES = ("document", "line")
MAX_RATE = Decimal("100")
RATE_STEP = Decimal("0.0001")
DISCOUNT_KINDS = ("", "percent", "amount")


def minor_step(currency: str) -> Decimal:
    """The currency's smallest unit: 0.01 for most, 1 for JPY."""
    from invoice_crm.domain.money import CURRENCIES

    return Decimal(1).scaleb(-CURRENCIES.get((currency or "USD").upper(), 2))


def round_money(value: Decimal, currency: str) -> Decimal:
    """Half-up to the currency's minor unit (the rounding rule for every figure)."""
    return Decimal(value).quantize(minor_step(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TaxRate:
    """A tax applied to a line: ``rate`` in percent (9.975 means 9.975 %)."""

    key: str  # identifies the rate across lines (the catalogue id, or the name)
    name: str
    rate: Decimal
    compound: bool = False  # as a line's second tax: computed on the amount plus the first tax

    @property
    def label(self) -> str:
        return f"{self.name} {numbers.format_percent(self.rate)}"


@dataclass(frozen=True)
class Discount:
    """A discount: ``kind`` '' (none), 'percent' (of the amount) or 'amount'."""

    kind: str = ""
    value: Decimal = ZERO

    @property
    def active(self) -> bool:
        return self.kind in ("percent", "amount") and self.value > 0


NO_DISCOUNT = Discount()


@dataclass(frozen=True)
class LineSpec:
    quantity: Decimal
    unit_price: Decimal
    discount: Discount = NO_DISCOUNT
    taxes: tuple[TaxRate, ...] = ()


@dataclass(frozen=True)
class LineFigures:
    amount: Decimal  # quantity x unit price
    discount: Decimal  # the line's own discount
    invoice_discount: Decimal  # its share of the invoice discount
    net: Decimal  # amount - both discounts: the taxable amount (exclusive) or the price paid (inclusive)


@dataclass(frozen=True)
class TaxLine:
    key: str
    name: str
    rate: Decimal
    compound: bool
    base: Decimal
    amount: Decimal

    @property
    def label(self) -> str:
        return f"{self.name} {numbers.format_percent(self.rate)}"


@dataclass(frozen=True)
class Totals:
    currency: str
    lines: tuple[LineFigures, ...]
    subtotal: Decimal
    line_discounts: Decimal
    invoice_discount: Decimal
    taxes: tuple[TaxLine, ...]
    tax_total: Decimal
    total: Decimal
    paid: Decimal = ZERO
    credited: Decimal = ZERO
    tax_inclusive: bool = False
    rounding: str = "document"

    @property
    def discounts(self) -> Decimal:
        return self.line_discounts + self.invoice_discount

    @property
    def balance(self) -> Decimal:
        """total - paid - credited; negative when more came in than is owed (to refund)."""
        return self.total - self.paid - self.credited

    @property
    def balance_due(self) -> Decimal:
        return max(self.balance, ZERO)

    @property
    def refund_due(self) -> Decimal:
        return max(-self.balance, ZERO)


def _discount_amount(discount: Discount, base: Decimal, currency: str, field_name: str, label: str) -> Decimal:
    if not discount.active:
        return ZERO
    if discount.kind == "percent":
        if discount.value > HUNDRED:
            raise ValidationError(f"{label} cannot be more than 100%", field=field_name)
        return round_money(base * discount.value / HUNDRED, currency)
    amount = round_money(discount.value, currency)
    if amount != discount.value:
        raise ValidationError(f"{label} has more decimals than {currency} allows", field=field_name)
    if amount > base:
        raise ValidationError(f"{label} cannot be more than the amount it discounts", field=field_name)
    return amount


def spread(amount: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """``amount`` split over ``weights`` in proportion, in minor units, summing exactly:
    shares rounded down, the leftover units to the largest remainders (ties: earlier first)."""
    step = minor_step(currency)
    total = sum(weights, ZERO)
    if amount == 0 or total == 0:
        return [ZERO for _ in weights]
    units = int(amount / step)
    with localcontext() as ctx:
        ctx.prec = 50
        exact = [Decimal(units) * w / total for w in weights]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    left = units - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(f) * step for f in floors]


def _rate(tax: TaxRate) -> Decimal:
    return tax.rate / HUNDRED


def _check_taxes(taxes: tuple[TaxRate, ...], index: int) -> None:
    if len(taxes) > 2:
        raise ValidationError("A line can carry at most two taxes", field=f"lines.{index}.taxes")
    if len(taxes) == 2 and taxes[0].key == taxes[1].key:
        raise ValidationError("A line cannot carry the same tax twice", field=f"lines.{index}.taxes")
    for tax in taxes:
        if tax.rate < 0 or tax.rate > MAX_RATE:
            raise ValidationError("A tax rate must be between 0 and 100%", field=f"lines.{index}.taxes")


class _Breakdown:
    """Per-rate bases and taxes, in the order rates first appear."""

    def __init__(self) -> None:
        self.rates: dict[str, TaxRate] = {}
        self.compound: dict[str, bool] = {}
        self.base: dict[str, Decimal] = {}
        self.tax: dict[str, Decimal] = {}

    def add(self, tax: TaxRate, compound: bool, base: Decimal, amount: Decimal | None = None) -> None:
        self.rates.setdefault(tax.key, tax)
        self.compound[tax.key] = self.compound.get(tax.key, False) or compound
        self.base[tax.key] = self.base.get(tax.key, ZERO) + base
        if amount is not None:
            self.tax[tax.key] = self.tax.get(tax.key, ZERO) + amount

    def lines(self, currency: str) -> tuple[TaxLine, ...]:
        return tuple(
            TaxLine(
                key=key, name=tax.name, rate=tax.rate, compound=self.compound[key],
                base=round_money(self.base[key], currency), amount=self.tax.get(key, ZERO),
            )
            for key, tax in self.rates.items()
        )


def _exclusive_taxes(nets, specs, currency: str, rounding: str) -> _Breakdown:
    out = _Breakdown()
    with localcontext() as ctx:
        ctx.prec = 50
        for net, spec in zip(nets, specs, strict=True):
            first_exact = ZERO
            first_rounded = ZERO
            for position, tax in enumerate(spec.taxes):
                compound = position == 1 and tax.compound
                if rounding == "line":
                    base = net + (first_rounded if compound else ZERO)
                    amount = round_money(base * _rate(tax), currency)
                    out.add(tax, compound, base, amount)
                    if position == 0:
                        first_rounded = amount
                else:
                    base = net + (first_exact if compound else ZERO)
                    out.add(tax, compound, base)
                    if position == 0:
                        first_exact = net * _rate(tax)
        if rounding != "line":
            for key, tax in out.rates.items():
                out.tax[key] = round_money(out.base[key] * _rate(tax), currency)
    return out


def _inclusive_taxes(nets, specs, currency: str, rounding: str) -> _Breakdown:
    """Extract the tax from tax-inclusive amounts, per group of lines with the same taxes."""
    groups: dict[object, tuple[tuple[TaxRate, ...], Decimal]] = {}
    for index, (net, spec) in enumerate(zip(nets, specs, strict=True)):
        if not spec.taxes:
            continue
        key = index if rounding == "line" else tuple((t.key, t.compound) for t in spec.taxes)
        taxes, amount = groups.get(key, (spec.taxes, ZERO))
        groups[key] = (taxes, amount + net)
    out = _Breakdown()
    with localcontext() as ctx:
        ctx.prec = 50
        for taxes, gross in groups.values():
            first = taxes[0]
            if len(taxes) == 1:
                factor = 1 + _rate(first)
            elif taxes[1].compound:
                factor = (1 + _rate(first)) * (1 + _rate(taxes[1]))
            else:
                factor = 1 + _rate(first) + _rate(taxes[1])
            net = gross / factor  # exact (to 50 digits): the amount before tax
            first_tax = round_money(net * _rate(first), currency)
            if len(taxes) == 1:
                out.add(first, False, gross - first_tax, first_tax)
                continue
            second = taxes[1]
            second_exact = (net + (net * _rate(first) if second.compound else ZERO)) * _rate(second)
            second_tax = round_money(second_exact, currency)
            base = gross - first_tax - second_tax  # the taxes are rounded once; the net takes the rest
            out.add(first, False, base, first_tax)
            out.add(second, second.compound, base + (first_tax if second.compound else ZERO), second_tax)
    return out


def _net_of_tax(
    amounts, specs, currency: str, rounding: str, net: Decimal, line_discount: Decimal, invoice_discount: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """Tax-inclusive prices: the subtotal net of the tax the undiscounted lines contain, and the
    line and invoice discounts as what they take off it, so that subtotal - discounts + taxes
    is the total (``net`` is the total less its taxes). Never negative: a discount of d takes
    at most d off the tax, rounded."""
    contained = _inclusive_taxes(amounts, specs, currency, rounding).lines(currency)
    subtotal = sum(amounts, ZERO) - sum((t.amount for t in contained), ZERO)
    taken = subtotal - net
    entered = line_discount + invoice_discount
    line_part = round_money(taken * line_discount / entered, currency) if entered else ZERO
    return subtotal, line_part, taken - line_part


def compute_totals(
    lines: Sequence[LineSpec],
    *,
    currency: str = "USD",
    invoice_discount: Discount = NO_DISCOUNT,
    tax_inclusive: bool = False,
    rounding: str = "document",
    paid: Decimal = ZERO,
    credited: Decimal = ZERO,
) -> Totals:
    """Every figure of an invoice from its lines (see the module docstring for the rules)."""
    if rounding not in ROUNDING_MODES:
        raise ValidationError("Tax rounding must be 'document' or 'line'", field="rounding")
    amounts, line_discounts = [], []
    for index, spec in enumerate(lines):
        if spec.quantity < 0 or spec.unit_price < 0:
            raise ValidationError("A line can never be negative; issue a credit note instead", field=f"lines.{index}")
        _check_taxes(spec.taxes, index)
        amount = round_money(Decimal(spec.quantity) * Decimal(spec.unit_price), currency)
        amounts.append(amount)
        line_discounts.append(
            _discount_amount(spec.discount, amount, currency, f"lines.{index}.discount", "A line discount")
        )
    after_lines = [a - d for a, d in zip(amounts, line_discounts, strict=True)]
    base_total = sum(after_lines, ZERO)
    inv_discount = _discount_amount(invoice_discount, base_total, currency, "discount", "The invoice discount")
    shares = spread(inv_discount, after_lines, currency)
    nets = [n - s for n, s in zip(after_lines, shares, strict=True)]
    figures = tuple(
        LineFigures(amount=a, discount=d, invoice_discount=s, net=n)
        for a, d, s, n in zip(amounts, line_discounts, shares, nets, strict=True)
    )
    if tax_inclusive:
        breakdown = _inclusive_taxes(nets, lines, currency, rounding)
    else:
        breakdown = _exclusive_taxes(nets, lines, currency, rounding)
    taxes = breakdown.lines(currency)
    tax_total = sum((t.amount for t in taxes), ZERO)
    line_discount = sum(line_discounts, ZERO)
    if tax_inclusive:
        total = sum(nets, ZERO)
        subtotal, line_discount, inv_discount = _net_of_tax(
            amounts, lines, currency, rounding, total - tax_total, line_discount, inv_discount
        )
    else:
        subtotal = sum(amounts, ZERO)
        total = subtotal - line_discount - inv_discount + tax_total
    return Totals(
        currency=currency.upper(),
        lines=figures,
        subtotal=subtotal,
        line_discounts=line_discount,
        invoice_discount=inv_discount,
        taxes=taxes,
        tax_total=tax_total,
        total=total,
        paid=Decimal(paid),
        credited=Decimal(credited),
        tax_inclusive=tax_inclusive,
        rounding=rounding,
    )


def lines_total(
    lines: Sequence[LineSpec],
    chosen: Sequence[int],
    *,
    currency: str,
    invoice_discount: Discount = NO_DISCOUNT,
    tax_inclusive: bool = False,
    rounding: str = "document",
) -> Decimal:
    """What the ``chosen`` lines of an invoice come to, tax and their discount shares included:
    the one total function over those lines alone, each carrying its discounts as an amount."""
    whole = compute_totals(
        lines, currency=currency, invoice_discount=invoice_discount,
        tax_inclusive=tax_inclusive, rounding=rounding,
    )
    picked = chosen_lines(lines, whole, chosen)
    return compute_totals(picked, currency=currency, tax_inclusive=tax_inclusive, rounding=rounding).total


def chosen_lines(lines: Sequence[LineSpec], whole: Totals, chosen: Sequence[int]) -> list[LineSpec]:
    """The ``chosen`` lines of an invoice (``whole``: its totals), in order, each carrying its
    own discount and its share of the invoice discount as an amount: what the one total
    function is given to price those lines alone (a credit note by lines, its tax shares)."""
    return [
        LineSpec(
            quantity=lines[i].quantity,
            unit_price=lines[i].unit_price,
            discount=Discount("amount", whole.lines[i].discount + whole.lines[i].invoice_discount),
            taxes=lines[i].taxes,
        )
        for i in sorted(set(chosen))
        if 0 <= i < len(lines)
    ]
