""""Resync all" carries the panel's key: a repeated click with the same key rewrites nothing more."""

from invoice_crm.services import idempotency, sheets_resync, sheets_sync
from tests.integration.helpers import make_invoice


def test_a_repeated_resync_with_the_same_key_writes_nothing_more(sheet):
    for _ in range(3):
        make_invoice()
    sheets_sync.deliver_pending()
    writes = sheet.write_requests
    key = idempotency.new_key()
    first = sheets_resync.resync_all(idempotency_key=key)
    assert first.written == 3 and sheet.write_requests > writes
    writes = sheet.write_requests
    again = sheets_resync.resync_all(idempotency_key=key)
    assert again.written == 0 and sheet.write_requests == writes
    assert sheets_resync.resync_all(idempotency_key=idempotency.new_key()).written == 3  # a new intent
