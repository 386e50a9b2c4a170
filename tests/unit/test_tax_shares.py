"""The tax report's split of credit notes and cash over an invoice's rates (domain.tax_shares)."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from invoice_crm.domain.tax_shares import InvoiceTaxShares, line_taxes, lines_parts, parts_of
from invoice_crm.domain.totals import compute_totals, minor_step
from tests.unit.test_totals import invoices

ZERO = D("0.00")


def _sum(steps, key):
    return (sum((s.get(key, (ZERO, ZERO))[0] for s in steps), ZERO), sum((s.get(key, (ZERO, ZERO))[1] for s in steps), ZERO))


@st.composite
def settled(draw):
    """An invoice, credit notes (some by lines, then some by amount) and the money that settles
    the rest in several payments, with an overpayment given back by a refund."""
    currency, lines, discount = draw(invoices())
    inclusive = draw(st.booleans())
    rounding = draw(st.sampled_from(["document", "line"]))
    kw = dict(currency=currency, invoice_discount=discount, tax_inclusive=inclusive, rounding=rounding)
    totals = compute_totals(lines, **kw)
    step = minor_step(currency)
    units = int(totals.total / step)
    chosen = draw(st.lists(st.integers(0, max(len(lines) - 1, 0)), unique=True, max_size=len(lines))) if lines else []
    by_lines, left = [], units
    for i in chosen:  # as issuing: never more than is left to credit
        amount, own = lines_parts(lines, [i], **kw)
        if int(amount / step) <= left:
            by_lines.append((amount, own))
            left -= int(amount / step)
    by_amount = []
    while left > 0 and draw(st.booleans()):
        part = draw(st.integers(1, left))
        by_amount.append(part * step)
        left -= part
    payments = []
    while left > 0:
        part = draw(st.integers(1, left))
        payments.append(part * step)
        left -= part
    over = draw(st.integers(0, 1000)) * step
    return totals, lines, by_lines, by_amount, payments, over


@settings(max_examples=300, deadline=None)
@given(settled(), st.randoms())
def test_an_invoice_settled_in_full_receives_exactly_its_net_tax_per_rate(case, rnd):
    totals, lines, by_lines, by_amount, payments, over = case
    parts = parts_of(totals, lines)
    book = InvoiceTaxShares(totals.currency, totals.total, parts)
    credits = [book.credit(amount, (amount, own)) for amount, own in by_lines]
    credits += [book.credit(amount) for amount in by_amount]
    events = [*payments, over]
    rnd.shuffle(events)
    cash = [book.receive(amount) for amount in events] + [book.receive(-over)]
    for key, (base, tax) in parts.items():
        credited = _sum(credits, key)
        assert _sum(cash, key) == (base - credited[0], tax - credited[1])


@settings(max_examples=200, deadline=None)
@given(invoices(), st.booleans(), st.sampled_from(["document", "line"]))
def test_the_lines_taxes_add_up_to_the_invoices_tax(invoice, inclusive, rounding):
    currency, lines, discount = invoice
    totals = compute_totals(lines, currency=currency, invoice_discount=discount, tax_inclusive=inclusive, rounding=rounding)
    taxes = [sum(own.values(), ZERO) for own in line_taxes(totals, lines)]
    assert sum(taxes, ZERO) == totals.tax_total
    assert all(t >= 0 for t in taxes)
