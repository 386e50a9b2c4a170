"""The invoice page's Activity list, as the page's state sends it: each event under a label
people read ("Payment link", "Sent"), not its stored code, and an old row whose code has no
label still under words."""

from __future__ import annotations

import re

from invoice_crm.db import write_session
from invoice_crm.services import checkout
from invoice_crm.services.activity import log_event
from tests.fakes.stripe_fixture import *  # noqa: F403  (the stripe_api fixture)
from tests.integration.owner_events import OWNER, invoice_page
from tests.integration.stripe_helpers import sent_invoice
from tests.support.events import EventRunner, run

CODE = re.compile(r"\w_\w")


def test_the_activity_list_shows_labels_not_codes(stripe_api, app):
    inv = sent_invoice()
    checkout.prepare_checkout(inv.id, OWNER)  # logs "payment_link"
    with write_session() as session:  # a row from an older version, its code since retired
        log_event(session, inv.id, "late_fee_added", "system", "Late fee added")

    async def scenario():
        async with EventRunner(app) as runner:
            page = await invoice_page(runner, inv.id)
            assert runner.server_errors == []
            return [dict(e) for e in page.events]

    events = run(scenario())
    labels = [e["label"] for e in events]
    assert {"Created", "Sent", "Payment link", "Late fee added"} <= set(labels), labels
    assert not any(CODE.search(label) for label in labels), labels
    assert all("kind" not in e for e in events)  # the page gets the label, not the code
