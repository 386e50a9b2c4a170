"""Invoices are numbered when sent: many threads sending at once never get the same number,
and the sent numbers form one sequence without gaps, whatever happened to other drafts."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.models import Invoice
from invoice_crm.services import invoices
from tests.integration.helpers import TODAY, draft_input, make_client


def _seq(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


def test_concurrent_sending_yields_unique_gapless_numbers(database):
    client = make_client()
    workers, per_worker = 16, 8
    drafts = [invoices.create_invoice(draft_input(client.id)).id for _ in range(workers * per_worker)]
    # Drafts deleted and duplicates abandoned on the way take nothing from the sequence.
    for draft_id in drafts[::10]:
        invoices.delete_draft(draft_id)
    kept = [d for i, d in enumerate(drafts) if i % 10]
    invoices.duplicate_invoice(kept[0])

    def send_many(batch):
        return [invoices.send_invoice(invoice_id).number for invoice_id in batch]

    batches = [kept[i::workers] for i in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        numbers = [n for batch in pool.map(send_many, batches) for n in batch]

    assert len(numbers) == len(kept)
    assert len(set(numbers)) == len(numbers)
    assert all(n.startswith(f"INV-{TODAY.year}-") for n in numbers)
    assert sorted(_seq(n) for n in numbers) == list(range(1, len(kept) + 1))  # no gaps, no repeats
    with read_session() as s:
        assert s.execute(select(func.count(func.distinct(Invoice.number)))).scalar() == len(numbers)
        assert s.execute(select(func.count()).select_from(Invoice).where(Invoice.number.is_(None))).scalar() == 1
