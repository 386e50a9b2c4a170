"""Save names every refused field of a draft at once: whatever combination of fields is wrong,
each one is reported (the discounts too), not only those whose neighbours read."""

from __future__ import annotations

import itertools

import pytest

from invoice_crm.domain.drafts import draft_errors, parse_lines
from invoice_crm.domain.errors import FieldErrors

# Each field: (its key in the errors, the form value that is refused, one that is taken).
BAD = {
    "lines.0.description": ("description", " ", "Design"),
    "lines.0.quantity": ("quantity", "abc", "2"),
    "lines.0.unit_price": ("unit_price", "abc", "100"),
    "lines.0.discount": ("discount_value", "150", "10"),  # percent
    "lines.0.taxes": ("tax1", "not-a-tax", ""),
    "lines.1.quantity": ("quantity", "-1", "1"),
    "discount": ("invoice_discount", "200", "5"),  # percent
    "due_date": ("due_date", "2026-02-01", "2026-03-31"),
    "notes": ("notes", "n" * 6000, "Thanks"),
}


def _errors(wrong: set[str]) -> dict[str, str]:
    def value(key: str) -> str:
        _field, bad, good = BAD[key]
        return bad if key in wrong else good

    first = {BAD[k][0]: value(k) for k in BAD if k.startswith("lines.0.")}
    return draft_errors(
        client_chosen=True,
        issue_date="2026-03-01",
        due_date=value("due_date"),
        lines=[
            {**first, "discount_kind": "percent"},
            {"description": "Hosting", "quantity": value("lines.1.quantity"), "unit_price": "20"},
        ],
        notes=value("notes"),
        discount_kind="percent",
        discount_value=value("discount"),
    )


@pytest.mark.parametrize(
    "wrong", [set(c) for n in range(len(BAD) + 1) for c in itertools.combinations(sorted(BAD), n)], ids=str
)
def test_every_refused_field_is_named_whatever_else_is_wrong(wrong):
    assert set(_errors(wrong)) == wrong


def test_a_discount_larger_than_what_it_discounts_is_named_with_the_other_errors():
    errors = draft_errors(
        client_chosen=False, issue_date="2026-03-01", due_date="", notes="",
        lines=[
            {"description": "", "quantity": "1", "unit_price": "100", "discount_kind": "amount", "discount_value": "150"},
            {"description": "", "quantity": "1", "unit_price": ""},  # untouched: left out
            {"description": "Y", "quantity": "1", "unit_price": "10", "discount_kind": "amount", "discount_value": "5"},
        ],
    )
    assert errors == {
        "client_id": "Choose a client",
        "lines.0.description": "Description is required",
        "lines.0.discount": "A line discount cannot be more than the amount it discounts",
    }
    # The invoice discount is held against the lines once they all read.
    lines = [{"description": "X", "quantity": "1", "unit_price": "100"}]
    over = draft_errors(client_chosen=True, issue_date="2026-03-01", due_date="", notes="", lines=lines,
                        discount_kind="amount", discount_value="100.01")
    assert over == {"discount": "The invoice discount cannot be more than the amount it discounts"}


def test_the_lines_name_every_refused_field_of_every_line():
    with pytest.raises(FieldErrors) as err:
        parse_lines([
            {"description": "X", "quantity": "abc", "unit_price": "1", "discount_kind": "percent", "discount_value": "150"},
            {"description": "", "quantity": "1", "unit_price": "x"},
        ])
    assert set(err.value.errors) == {"lines.0.quantity", "lines.0.discount", "lines.1.description", "lines.1.unit_price"}
    assert err.value.field == "lines.0.quantity"  # read as one error, it is the first
