"""The tax report's split of credit notes and cash over an invoice's rates (domain.tax_shares)."""

from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from invoice_crm.domain.tax_shares import InvoiceTaxShares, line_taxes, lines_parts, parts_of
from invoice_crm.domain.totals import Discount, LineSpec, TaxRate, compute_totals, minor_step
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


def _flat(parts):
    return [x for k in sorted(parts, key=str) for x in parts[k]]


def _close(own, parts, part, whole, step):
    """``own`` is ``parts`` scaled by part / whole: summing exactly (to ``part`` when the parts
    add up to ``whole``), no base or tax a minor unit or more off its exact share."""
    exact = {k: (b * part / whole, t * part / whole) for k, (b, t) in parts.items()} if whole else {}
    wanted = sum(_flat(exact), ZERO).quantize(step, rounding=ROUND_HALF_UP)
    got = sum(_flat(own), ZERO)
    assert got == wanted
    if whole and sum(_flat(parts), ZERO) == whole:
        assert got == part
    for k, (b, t) in exact.items():
        mine = own.get(k, (ZERO, ZERO))
        assert abs(mine[0] - b) < step and abs(mine[1] - t) < step, (k, mine, (b, t))


@st.composite
def dealings(draw):
    """An invoice and what happened to it: credit notes by amount, payments and refunds, in a
    random order, never more credited than it asks for nor more refunded than was received."""
    currency, lines, discount = draw(invoices())
    kw = dict(currency=currency, invoice_discount=discount, tax_inclusive=draw(st.booleans()),
              rounding=draw(st.sampled_from(["document", "line"])))
    totals = compute_totals(lines, **kw)
    step = minor_step(currency)
    left, received, events = int(totals.total / step), 0, []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["credit", "pay", "refund"]))
        if kind == "credit" and left > 0:
            units = draw(st.integers(1, left))
            left -= units
        elif kind == "pay":
            units = draw(st.integers(1, max(left, 1) * 2))
            received += units
        elif kind == "refund" and received > 0:
            units = -draw(st.integers(1, received))
            received += units
        else:
            continue
        events.append((kind, units * step))
    return totals, lines, events


@settings(max_examples=400, deadline=None)
@given(dealings())
def test_every_split_adds_up_exactly_and_keeps_to_its_exact_share(case):
    """A note's and the money received's split over the rates: base and tax of each rate add up
    to the note or the money in minor units exactly (JPY: whole yen), each within a minor unit
    of its exact proportion; the money counted is what was received up to what the invoice asks
    for after its credit notes (held beyond it, to be refunded, it is not income), and a
    payment's or refund's own part is exactly the change in it."""
    totals, lines, events = case
    parts = parts_of(totals, lines)
    book = InvoiceTaxShares(totals.currency, totals.total, parts)
    step = minor_step(totals.currency)
    adds_up = totals.total > 0 and sum(_flat(parts), ZERO) == totals.total  # no line carries two taxes
    for kind, amount in events:
        if kind == "credit":
            left = {k: (b - book.credited.get(k, (ZERO, ZERO))[0], t - book.credited.get(k, (ZERO, ZERO))[1])
                    for k, (b, t) in parts.items()}
            whole = totals.total - book.credited_total
            own = book.credit(amount)
            _close(own, left, amount, whole, step)
        else:
            before = sum(_flat(book.cash), ZERO)
            own = book.receive(amount)
            due = totals.total - book.credited_total
            counted = min(book.received, due) if book.received > 0 and due > 0 else ZERO
            if counted == 0:
                assert sum(_flat(book.cash), ZERO) == 0
            else:
                left = {k: (b - book.credited.get(k, (ZERO, ZERO))[0], t - book.credited.get(k, (ZERO, ZERO))[1])
                        for k, (b, t) in parts.items()}
                _close(book.cash, left, counted, due, step)
                for key, (base, tax) in book.cash.items():  # never more than the rate has left
                    assert abs(base) <= abs(left[key][0]) and abs(tax) <= abs(left[key][1])
            if adds_up:
                assert sum(_flat(book.cash), ZERO) == counted
                assert sum(_flat(own), ZERO) == counted - before


def test_a_yen_note_splits_into_exactly_its_amount():
    """QA9 1: on a ￥605,148 invoice (10 %, 8 % and untaxed lines, 5 % off), after a note by
    lines (the 8 % line, ￥3,798) and one of ￥10,000, a ￥50,000 note split into
    41,864 + 4,186 + 3,949 = ￥49,999 when each base and tax was rounded on its own."""
    ten, eight = TaxRate("10", "消費税", D("10")), TaxRate("8", "軽減税率", D("8"))
    lines = [LineSpec(D("1"), D("110000"), taxes=(ten,)), LineSpec(D("12"), D("35000"), taxes=(ten,)),
             LineSpec(D("3"), D("1234"), taxes=(eight,)), LineSpec(D("1.5"), D("33333"))]
    kw = dict(currency="JPY", invoice_discount=Discount("percent", D("5")))
    totals = compute_totals(lines, **kw)
    assert totals.total == D("605148")
    book = InvoiceTaxShares("JPY", totals.total, parts_of(totals, lines))
    assert book.receive(D("100000"))
    by_lines = lines_parts(lines, [2], **kw)
    assert by_lines[0] == D("3798")
    for amount, own in ((D("3798"), by_lines), (D("10000"), None), (D("50000"), None)):
        assert sum(_flat(book.credit(amount, own)), ZERO) == amount
    # ￥591,350 received of the ￥541,350 left to pay: the ￥50,000 held to refund is not income.
    assert sum(_flat(book.receive(D("491350"))), ZERO) == D("441350")
    assert sum(_flat(book.receive(D("-50000"))), ZERO) == 0
    assert sum(_flat(book.cash), ZERO) == D("541350")
