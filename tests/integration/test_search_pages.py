"""A search's pages. On SQLite a search matching few invoices (queries.FEW_MATCHES) is read
from its matches, gathered by the search's indexes and sorted; one matching more, by walking
the list's order. Either way a page must hold the invoices the list's order puts there, with
the search's exact counts: checked here against the invoices themselves, whatever the limit."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from invoice_crm.db import get_engine, write_session
from invoice_crm.domain.lifecycle import OPEN
from invoice_crm.domain.search import search_amount
from invoice_crm.models import Client, Invoice
from invoice_crm.services import invoices, queries
from invoice_crm.services.read_cache import VersionedCache
from tests.integration.helpers import TODAY, make_client, make_invoice

CLIENTS = [("Harbor Lights", "hello@harbor.tld"), ("Harborview Works", "ops@hview.tld"), ("Quill and Ink Zoë Ärzte", "q@quill.tld")]
# Letters beyond A-Z in any case too: the client search finds them so (db_search.folded_like).
TERMS = ["harbor", "Harborview", "lights", "quill", "INV", "inv-", "0001", "000", "view", "ink", "nomatch", "ha", "q",
         "ZOË", "ärzte", "ë", "Ä", "k zoë"]
AMOUNTS = ["150.00", "275.50", "980.25"]


def _seed() -> None:
    """Invoices of every kind a list orders differently: drafts (no number), sent, overdue and
    paid ones, due dates and amounts shared by several (the id breaks the tie)."""
    made = [make_client(name, email) for name, email in CLIENTS]
    for i in range(36):
        client = made[i % 3]
        inv = make_invoice(
            client.id,
            lines=[{"description": "Work", "quantity": "1", "unit_price": AMOUNTS[i % 3 if i % 4 else 0]}],
            issue=TODAY - timedelta(days=40),
            due=TODAY + timedelta(days=(i * 7) % 5 - 2),
        )
        if i % 6 == 0:
            continue  # a draft
        inv = invoices.send_invoice(inv.id)
        if i % 5 == 0:
            invoices.mark_paid(inv.id)
    invoices.sweep_overdue()


def _invoices() -> list:
    with write_session() as session:
        return session.execute(
            select(Invoice.id, Invoice.number, Invoice.status, Invoice.due_date, Invoice.amount, Client.name, Client.email)
            .join(Client, Client.id == Invoice.client_id)
        ).all()


_SEEDED: dict[str, list] = {}


def _expected(rows: list, term: str, status: str, sort: str, descending: bool) -> list[int]:
    """The ids the list shows, in its order, worked out from the invoices."""
    amount = search_amount(term, ("USD",))
    needle = term.lower()
    found = [
        r for r in rows
        if (not status or r.status.value == status)
        and (needle in r.name.lower() or needle in r.email.lower() or needle in (r.number or "").lower()
             or r.amount == amount)
    ]
    sqlite = get_engine().dialect.name == "sqlite"  # where NULL goes: first ascending on SQLite, last on PostgreSQL
    if sort == queries.CURRENT:
        open_ = sorted((r for r in found if r.status in OPEN), key=lambda r: (r.due_date, r.id))
        rest = sorted((r for r in found if r.status not in OPEN), key=lambda r: -r.id)
        return [r.id for r in open_ + rest]

    def key(r):
        value = getattr(r, sort)
        return ((value is not None) if sqlite else (value is None), value or 0, r.id)

    return [r.id for r in sorted(found, key=key, reverse=descending)]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    term=st.sampled_from(TERMS),
    status=st.sampled_from(["", "SENT", "OVERDUE", "PAID", "DRAFT"]),
    sort=st.sampled_from([queries.CURRENT, "due_date", "amount", "number"]),
    descending=st.booleans(),
    page_size=st.sampled_from([3, 7, 25]),
    page=st.integers(1, 6),
    few=st.sampled_from([0, 1, 4, 9, 1000]),
)
def test_a_searchs_page_holds_what_the_lists_order_puts_there_however_many_match(
    database, monkeypatch, term, status, sort, descending, page_size, page, few
):
    if database not in _SEEDED:
        _seed()
        _SEEDED[database] = _invoices()
    rows = _SEEDED[database]
    monkeypatch.setattr(queries, "FEW_MATCHES", few)
    for name in ("_pages", "_counts", "_many"):  # as a worker that has read nothing yet
        monkeypatch.setattr(queries, name, VersionedCache(128))
    query = queries.InvoiceQuery(search=term, status=status, sort=sort, descending=descending, page=page, page_size=page_size)
    expected = _expected(rows, term, status, sort, descending)
    start = (page - 1) * page_size

    quick = queries.list_page(query, quick_only=True)  # inline on the dashboard: few matches, or nothing
    read = queries.list_page(query)  # in a thread when the quick read could not say
    for found in ([read] if quick is None else [quick, read]):
        page_rows, counts = found
        assert [row["id"] for row in page_rows] == expected[start:start + page_size]
        assert counts.total == len(expected)
        if sort == queries.CURRENT:
            assert counts.open == sum(1 for r in rows if r.id in set(expected) and r.status in OPEN)
    if quick is not None and get_engine().dialect.name == "sqlite":
        assert len(expected) <= few  # only a few matches are read inline


def test_a_term_in_many_numbers_with_a_filter_finds_the_few_that_pass_it(database, monkeypatch):
    """A term in more numbers than FEW_MATCHES, with a status filter few of them pass: the few
    must all be found (taking only the first FEW_MATCHES + 1 numbers would miss some)."""
    client = make_client("Nobody", "n@nobody.tld")
    sent = [invoices.send_invoice(make_invoice(client.id).id) for _ in range(8)]
    for inv in sent[-2:]:  # the newest numbers: the last the trigram table lists
        invoices.mark_paid(inv.id)
    monkeypatch.setattr(queries, "FEW_MATCHES", 3)
    rows, counts = queries.list_page(queries.InvoiceQuery(search="INV", status="PAID"))
    assert {row["id"] for row in rows} == {inv.id for inv in sent[-2:]} and counts.total == 2
