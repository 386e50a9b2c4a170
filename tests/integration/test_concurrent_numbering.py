"""Many threads creating invoices at once never get the same number."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.models import Invoice
from invoice_crm.services import invoices
from tests.integration.helpers import draft_input, make_client


def test_concurrent_creation_yields_unique_sequential_numbers(database):
    client = make_client()
    workers, per_worker = 16, 10

    def create_many(_):
        return [invoices.create_invoice(draft_input(client.id)).number for _ in range(per_worker)]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        numbers = [n for batch in pool.map(create_many, range(workers)) for n in batch]

    assert len(numbers) == workers * per_worker
    assert len(set(numbers)) == len(numbers)
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert seqs == list(range(1, workers * per_worker + 1))  # no gaps, no repeats
    with read_session() as s:
        assert s.execute(select(func.count(func.distinct(Invoice.number)))).scalar() == len(numbers)
