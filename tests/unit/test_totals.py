"""The one total function: hand-computed cases for each rounding rule, and properties."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.totals import (
    Discount,
    LineSpec,
    TaxRate,
    compute_totals,
    lines_total,
    minor_step,
    spread,
)

VAT20 = TaxRate("vat", "VAT", D("20"))
GST = TaxRate("gst", "GST", D("5"))
QST = TaxRate("qst", "QST", D("9.975"), compound=True)
QST_FLAT = TaxRate("qst", "QST", D("9.975"))


def test_three_times_19_99_at_20_percent_with_10_percent_invoice_discount():
    t = compute_totals(
        [LineSpec(D("3"), D("19.99"), taxes=(VAT20,))], invoice_discount=Discount("percent", D("10"))
    )
    assert t.subtotal == D("59.97")
    assert t.invoice_discount == D("6.00")  # 5.997 half-up
    assert t.taxes[0].base == D("53.97")  # the discount comes off before the tax
    assert t.taxes[0].amount == D("10.79")  # 10.794
    assert t.total == D("64.76")


def test_qst_compounded_on_gst():
    t = compute_totals([LineSpec(D("1"), D("100.00"), taxes=(GST, QST))])
    gst, qst = t.taxes
    assert (gst.base, gst.amount) == (D("100.00"), D("5.00"))
    assert (qst.base, qst.amount) == (D("105.00"), D("10.47"))  # 10.47375
    assert t.total == D("115.47")


def test_qst_not_compounded_is_on_the_net_only():
    t = compute_totals([LineSpec(D("1"), D("100.00"), taxes=(GST, QST_FLAT))])
    assert t.taxes[1].base == D("100.00")
    assert t.taxes[1].amount == D("9.98")  # 9.975 half-up


def test_document_rounding_rounds_once_per_rate_line_rounding_per_line():
    lines = [LineSpec(D("1"), D("0.10"), taxes=(GST,)), LineSpec(D("1"), D("0.10"), taxes=(GST,))]
    assert compute_totals(lines).tax_total == D("0.01")  # 5% of 0.20
    assert compute_totals(lines, rounding="line").tax_total == D("0.02")  # 0.005 -> 0.01, twice


def test_inclusive_prices_extract_the_tax():
    t = compute_totals([LineSpec(D("1"), D("120.00"), taxes=(VAT20,))], tax_inclusive=True)
    assert (t.taxes[0].base, t.taxes[0].amount) == (D("100.00"), D("20.00"))
    assert t.total == D("120.00")
    assert t.subtotal == D("100.00")


def test_inclusive_compound_extraction_keeps_the_price():
    t = compute_totals([LineSpec(D("1"), D("115.47"), taxes=(GST, QST))], tax_inclusive=True)
    assert t.total == D("115.47")
    assert [x.amount for x in t.taxes] == [D("5.00"), D("10.47")]


def test_invoice_discount_spread_by_largest_remainder_ties_to_the_earlier_line():
    assert spread(D("0.10"), [D("1"), D("1"), D("1")], "USD") == [D("0.04"), D("0.03"), D("0.03")]
    assert spread(D("0.05"), [D("1"), D("3")], "USD") == [D("0.01"), D("0.04")]  # 1.25 / 3.75 units


def test_line_discounts_percent_and_amount():
    t = compute_totals(
        [
            LineSpec(D("2"), D("50"), discount=Discount("percent", D("12.5"))),
            LineSpec(D("1"), D("10"), discount=Discount("amount", D("3.50"))),
        ]
    )
    assert (t.subtotal, t.line_discounts, t.total) == (D("110.00"), D("16.00"), D("94.00"))


def test_lines_never_negative():
    with pytest.raises(ValidationError):
        compute_totals([LineSpec(D("1"), D("10"), discount=Discount("amount", D("10.01")))])
    with pytest.raises(ValidationError):
        compute_totals([LineSpec(D("1"), D("-1"))])
    with pytest.raises(ValidationError):
        compute_totals([LineSpec(D("1"), D("10"))], invoice_discount=Discount("amount", D("11")))


def test_jpy_has_no_minor_units():
    t = compute_totals([LineSpec(D("3"), D("333"), taxes=(TaxRate("ct", "JCT", D("10")),))], currency="JPY")
    assert t.tax_total == D("100")  # 99.9
    assert t.total == D("1099")


def test_balance_paid_credited():
    t = compute_totals([LineSpec(D("1"), D("100"))], paid=D("30"), credited=D("20"))
    assert (t.balance_due, t.refund_due) == (D("50.00"), D("0"))
    t = compute_totals([LineSpec(D("1"), D("100"))], paid=D("100"), credited=D("20"))
    assert (t.balance_due, t.refund_due) == (D("0"), D("20"))


def test_lines_total_of_chosen_lines_carries_their_discount_share_and_tax():
    lines = [LineSpec(D("1"), D("100"), taxes=(VAT20,)), LineSpec(D("1"), D("100"))]
    whole = compute_totals(lines, invoice_discount=Discount("percent", D("10")))
    first = lines_total(lines, [0], currency="USD", invoice_discount=Discount("percent", D("10")))
    second = lines_total(lines, [1], currency="USD", invoice_discount=Discount("percent", D("10")))
    assert first == D("108.00") and second == D("90.00")
    assert first + second == whole.total


# --- properties -------------------------------------------------------------------------

CURRENCY = st.sampled_from(["USD", "EUR", "JPY"])
RATES = st.lists(
    st.builds(
        TaxRate,
        key=st.sampled_from(["a", "b", "c", "d"]),
        name=st.just("T"),
        rate=st.decimals(min_value=0, max_value=30, places=4),
        compound=st.booleans(),
    ),
    max_size=2,
    unique_by=lambda t: t.key,
).map(tuple)


@st.composite
def invoices(draw):
    currency = draw(CURRENCY)
    places = 0 if currency == "JPY" else 2
    # one definition per tax key across the invoice, like a catalogue
    catalogue = {}
    lines = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        quantity = draw(st.decimals(min_value=D("0.001"), max_value=1000, places=3))
        price = draw(st.decimals(min_value=0, max_value=100000, places=places))
        amount = (quantity * price).quantize(minor_step(currency))
        kind = draw(st.sampled_from(["", "percent", "amount"]))
        if kind == "percent":
            discount = Discount(kind, draw(st.decimals(min_value=0, max_value=100, places=2)))
        elif kind == "amount":
            discount = Discount(kind, draw(st.decimals(min_value=0, max_value=amount, places=places)))
        else:
            discount = Discount()
        taxes = tuple(catalogue.setdefault(t.key, t) for t in draw(RATES))
        lines.append(LineSpec(quantity, price, discount, taxes))
    kind = draw(st.sampled_from(["", "percent", "amount"]))
    value = draw(st.decimals(min_value=0, max_value=100, places=2)) if kind == "percent" else D(0)
    return currency, lines, Discount(kind, value)


@settings(max_examples=300, deadline=None)
@given(invoices(), st.booleans(), st.sampled_from(["document", "line"]))
def test_figures_add_up_exactly(invoice, inclusive, rounding):
    currency, lines, discount = invoice
    t = compute_totals(lines, currency=currency, invoice_discount=discount, tax_inclusive=inclusive, rounding=rounding)
    assert t.total == t.subtotal - t.discounts + t.tax_total
    assert t.tax_total == sum((x.amount for x in t.taxes), D(0))
    step = minor_step(currency)
    for figure in [t.subtotal, t.discounts, t.tax_total, t.total, *(x.amount for x in t.taxes), *(x.base for x in t.taxes)]:
        assert figure == figure.quantize(step)
    for line in t.lines:
        assert line.net >= 0
    shares = sum((line.invoice_discount for line in t.lines), D(0))
    entered = sum((line.discount for line in t.lines), D(0))
    if inclusive:  # the lines hold what was entered (tax in); the discounts shown are net of tax
        assert 0 <= t.invoice_discount <= shares and 0 <= t.line_discounts <= entered
        undiscounted = [LineSpec(li.quantity, li.unit_price, taxes=li.taxes) for li in lines]
        assert t.subtotal == compute_totals(undiscounted, currency=currency, tax_inclusive=True, rounding=rounding).subtotal
    else:
        assert (shares, entered) == (t.invoice_discount, t.line_discounts)
    assert t.total >= 0 and all(x.amount >= 0 for x in t.taxes)


def test_tax_inclusive_discounts_are_shown_net_of_tax_like_the_subtotal():
    """3 x 33.33 with 8.875% and 2.5% in the price, 9.99 off the line and 0.01 off the invoice:
    the client pays 89.99. Before, the subtotal 'excl. tax' read 90.80 (the net after the
    discounts plus the discounts with their tax): more than the 89.78 the line is net of."""
    sales, levy = TaxRate("s", "Sales tax", D("8.875")), TaxRate("l", "City levy", D("2.5"))
    line = LineSpec(D(3), D("33.33"), Discount("amount", D("9.99")), (sales, levy))
    t = compute_totals([line], invoice_discount=Discount("amount", D("0.01")), tax_inclusive=True)
    assert t.total == D("89.99")
    assert [x.amount for x in t.taxes] == [D("7.17"), D("2.02")]  # on 80.80
    assert t.subtotal == D("89.78")  # 99.99 less the 7.97 + 2.24 it contains
    assert (t.line_discounts, t.invoice_discount) == (D("8.97"), D("0.01"))  # 8.98 net of tax
    assert t.subtotal - t.discounts + t.tax_total == t.total
    assert (t.lines[0].discount, t.lines[0].invoice_discount) == (D("9.99"), D("0.01"))  # as entered


@settings(max_examples=200, deadline=None)
@given(invoices(), st.sampled_from(["document", "line"]))
def test_inclusive_and_exclusive_agree_without_tax(invoice, rounding):
    currency, lines, discount = invoice
    untaxed = [LineSpec(li.quantity, li.unit_price, li.discount) for li in lines]
    a = compute_totals(untaxed, currency=currency, invoice_discount=discount, rounding=rounding)
    b = compute_totals(untaxed, currency=currency, invoice_discount=discount, tax_inclusive=True, rounding=rounding)
    assert (a.subtotal, a.discounts, a.total) == (b.subtotal, b.discounts, b.total)


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=0, max_value=100000, places=2),
    st.decimals(min_value=D("0.0001"), max_value=30, places=4),
    st.sampled_from(["document", "line"]),
)
def test_inclusive_price_of_an_exclusive_total_gives_the_same_tax(price, rate, rounding):
    tax = TaxRate("t", "T", rate)
    exclusive = compute_totals([LineSpec(D(1), price, taxes=(tax,))], rounding=rounding)
    inclusive = compute_totals([LineSpec(D(1), exclusive.total, taxes=(tax,))], tax_inclusive=True, rounding=rounding)
    assert inclusive.total == exclusive.total
    assert inclusive.tax_total == exclusive.tax_total
    assert inclusive.subtotal == exclusive.subtotal


@settings(max_examples=200, deadline=None)
@given(invoices(), st.data())
def test_payments_credits_and_balance_make_the_total(invoice, data):
    currency, lines, discount = invoice
    total = compute_totals(lines, currency=currency, invoice_discount=discount).total
    step = minor_step(currency)
    paid = data.draw(st.decimals(min_value=0, max_value=total, places=0 if currency == "JPY" else 2))
    credited = data.draw(st.decimals(min_value=0, max_value=total - paid, places=0 if currency == "JPY" else 2))
    t = compute_totals(lines, currency=currency, invoice_discount=discount, paid=paid, credited=credited)
    assert t.paid + t.credited + t.balance == t.total
    assert t.balance_due == t.balance_due.quantize(step) and t.balance_due >= 0
