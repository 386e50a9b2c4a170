"""Credit notes by lines (domain.credits): however an invoice's lines are split into notes,
each line is credited once, at what the invoice counts it, and the notes add up to the
invoice -- in all and per tax rate -- never to more."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from invoice_crm.domain.credits import credit_of_lines, refund_to_come
from invoice_crm.domain.totals import Discount, LineSpec, TaxRate, compute_totals
from tests.unit.test_totals import invoices

VAT20 = TaxRate("vat", "VAT", D("20"))


def test_a_line_credited_before_credits_nothing_more_and_the_rest_completes_the_total():
    lines = [LineSpec(D("1"), D("0.12"), taxes=(VAT20,)), LineSpec(D("1"), D("0.12"), taxes=(VAT20,))]
    # Each alone: 0.12 + 0.02 (0.024); both: 0.24 + 0.05 (0.048). Crediting them one at a
    # time credits 0.14 then 0.15, never 0.28 for an invoice of 0.29, nor 0.01 left over.
    first = credit_of_lines(lines, [0], currency="USD")
    second = credit_of_lines(lines, [1], credited_before=[0], currency="USD")
    again = credit_of_lines(lines, [0], credited_before=[0], currency="USD")
    assert (first.amount, second.amount, again.amount) == (D("0.14"), D("0.15"), D("0"))
    assert first.amount + second.amount == compute_totals(lines).total
    assert [(t.base, t.amount) for t in second.taxes] == [(D("0.12"), D("0.03"))]


def test_per_line_amount_and_tax_per_rate_of_a_note():
    lines = [
        LineSpec(D("1.5"), D("85.00"), Discount("percent", D("10")), (VAT20,)),
        LineSpec(D("1"), D("117.58")),  # Travel, no tax
    ]
    travel = credit_of_lines(lines, [1], currency="USD", invoice_discount=Discount("amount", D("10.00")))
    assert [(c.position, c.amount) for c in travel.lines] == [(1, D("112.52"))]  # less its 5.06 of the discount
    assert travel.taxes == () and travel.amount == D("112.52")


@st.composite
def split_invoices(draw):
    currency, lines, discount = draw(invoices())
    notes = draw(st.lists(st.integers(min_value=-1, max_value=3), min_size=len(lines), max_size=len(lines)))
    return currency, lines, discount, notes  # notes[i]: the note crediting line i (-1: none)


@settings(max_examples=300, deadline=None)
@given(split_invoices(), st.booleans(), st.sampled_from(["document", "line"]))
def test_notes_by_lines_add_up_to_the_invoice_and_never_more(invoice, inclusive, rounding):
    currency, lines, discount, notes = invoice
    how = {"currency": currency, "invoice_discount": discount, "tax_inclusive": inclusive, "rounding": rounding}
    whole = compute_totals(lines, **how)
    credited, amount, tax, base = [], D(0), {}, {}
    for n in range(4):
        chosen = [i for i, note in enumerate(notes) if note == n]
        figures = credit_of_lines(lines, chosen + credited, credited_before=credited, **how)  # ticked again: nothing more
        assert [c.position for c in figures.lines] == chosen
        assert [c.amount for c in figures.lines] == [whole.lines[i].net for i in chosen]  # what the invoice counts
        assert figures.amount >= 0 and all(t.amount >= 0 for t in figures.taxes)
        in_lines = sum((c.amount for c in figures.lines), D(0))
        taxes = sum((t.amount for t in figures.taxes), D(0))
        assert figures.amount == (in_lines if inclusive else in_lines + taxes)
        for t in figures.taxes:
            tax[t.key] = tax.get(t.key, D(0)) + t.amount
            base[t.key] = base.get(t.key, D(0)) + t.base
        amount += figures.amount
        credited += chosen
        assert amount <= whole.total
    if all(note >= 0 for note in notes):
        assert amount == whole.total
        assert tax == {t.key: t.amount for t in whole.taxes if t.amount or t.base}
        assert base == {t.key: t.base for t in whole.taxes if t.amount or t.base}


@given(
    st.decimals(min_value=0, max_value=10**8, places=2),
    st.decimals(min_value=-(10**8), max_value=10**8, places=2),
)
def test_a_note_lowers_what_is_due_first_and_only_the_rest_is_to_refund(amount, balance):
    owed = refund_to_come(amount, balance)
    assert owed >= 0
    assert owed + min(amount, max(balance, 0)) == amount  # what it takes off the balance, and the rest
    assert (owed > 0) == (amount > max(balance, 0))
