"""Search by any part of an invoice number. On SQLite a trigram index answers it
(invoice_crm/db_search.py): it must find exactly what reading every number would, and follow
numbers as invoices get them, change them and go away."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from invoice_crm.db import write_session
from invoice_crm.services import invoices, queries
from tests.integration.helpers import make_client, make_invoice

NUMBERS = ["INV-2026-0001", "inv-2026-0002", "AB/2026/17", "A-1", "ZZ-999-b", "INV-2025-0100", "2026-0001-B"]
# Nothing else an invoice shows can match these terms: the client's name and email have none
# of their characters, and the amount (0.37) is not what any of them reads as.
ALPHABET = "INVABZinvabz-/0123456789"


def _found(term: str) -> set[int]:
    rows, total = queries.list_invoices(queries.InvoiceQuery(search=term, page_size=100))
    assert total == len(rows)
    return {int(row["id"]) for row in rows}


def _numbered() -> dict[int, str]:
    client = make_client("Qwxy", "q@qwxy.tld")
    numbered = {}
    for number in NUMBERS:
        invoice = invoices.send_invoice(make_invoice(client.id, lines=[{"description": "x", "quantity": "1", "unit_price": "0.37"}]).id)
        with write_session() as session:  # numbers as an import or a custom scheme would have them
            session.execute(text("UPDATE invoice SET number = :n WHERE id = :i"), {"n": number, "i": invoice.id})
        numbered[invoice.id] = number
    return numbered


def test_a_number_is_found_by_any_part_of_it_in_any_case_once_it_has_one(database):
    client = make_client("Qwxy", "q@qwxy.tld")
    draft = make_invoice(client.id, lines=[{"description": "x", "quantity": "1", "unit_price": "0.37"}])
    assert _found("INV-") == set()
    sent = invoices.send_invoice(draft.id)  # the number is given when the invoice is sent
    tail = sent.number[-6:]
    for term in (sent.number, sent.number.lower(), tail, tail[-3:], tail[-2:], "nv-"):
        assert _found(term) == {sent.id}, term
    with write_session() as session:
        session.execute(text("UPDATE invoice SET number = 'CUSTOM-77' WHERE id = :i"), {"i": sent.id})
    assert _found(tail) == set() and _found("stom-7") == {sent.id}
    gone = make_invoice(client.id, lines=[{"description": "x", "quantity": "1", "unit_price": "0.37"}])
    invoices.delete_draft(gone.id)  # a draft has no number; deleting it leaves the index whole
    assert _found("stom-7") == {sent.id} and _found("CUSTOM") == {sent.id}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_search_finds_exactly_the_numbers_that_contain_the_term(database, data):
    numbered = _numbered_once(database)
    term = data.draw(st.one_of(
        st.sampled_from(NUMBERS).flatmap(lambda n: st.tuples(st.integers(0, len(n) - 1), st.integers(1, len(n))).map(
            lambda ij: n[ij[0]:ij[0] + ij[1]])),
        st.text(alphabet=ALPHABET, min_size=1, max_size=6),
    ))
    term = term.strip() or "A"
    expected = {invoice_id for invoice_id, number in numbered.items() if term.lower() in number.lower()}
    assert _found(term) == expected, term


_SEEDED: dict[str, dict[int, str]] = {}


def _numbered_once(database) -> dict[int, str]:
    # The examples only read: the invoices are made once per test database.
    if database not in _SEEDED:
        _SEEDED[database] = _numbered()
    return _SEEDED[database]


def test_migrations_build_the_index_that_serves_it(database):
    with write_session() as session:
        if session.get_bind().dialect.name == "postgresql":
            names = set(session.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'invoice'")).scalars())
            assert "ix_invoice_number_trgm" in names
        else:
            plan = " ".join(str(row) for row in session.execute(text(
                "EXPLAIN QUERY PLAN SELECT rowid FROM invoice_number_search WHERE number LIKE '%2026%'")))
            assert "VIRTUAL TABLE INDEX" in plan
