"""Nothing is lost or done silently: draft versions, past due dates at sending, payment
dates, leads that follow their invoices, and the sample data set."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.domain.errors import Conflict, ValidationError
from invoice_crm.domain.leads import LeadStatus
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.models import Client, Invoice, InvoiceCounter, Lead, Payment
from invoice_crm.services import clients, demo, invoices, queries
from tests.integration.helpers import TODAY, draft_input, make_client, make_invoice


def _get(invoice_id: int) -> Invoice:
    with read_session() as s:
        return s.get(Invoice, invoice_id)


def test_a_save_based_on_an_older_version_is_refused_and_overwrites_nothing(database):
    inv = make_invoice()
    loaded = _get(inv.id).version
    one = [{"description": "From tab one", "quantity": "1", "unit_price": "10"}]
    two = [{"description": "From tab two", "quantity": "1", "unit_price": "20"}]
    invoices.update_draft(inv.id, draft_input(inv.client_id, lines=one), expected_version=loaded)
    with pytest.raises(Conflict, match="changed in another tab or window"):
        invoices.update_draft(inv.id, draft_input(inv.client_id, lines=two), expected_version=loaded)
    stored = _get(inv.id)
    assert stored.version == loaded + 1 and str(stored.amount) == "10.00"


def test_a_past_due_draft_is_not_sent_silently(database):
    inv = make_invoice(issue=TODAY - timedelta(days=40), due=TODAY - timedelta(days=10))
    with pytest.raises(ValidationError, match="has passed") as err:
        invoices.send_invoice(inv.id, refuse_past_due=True)
    assert err.value.field == "due_date" and _get(inv.id).status is InvoiceStatus.DRAFT
    with pytest.raises(ValidationError, match="cannot be in the past"):
        invoices.send_invoice(inv.id, new_due_date=TODAY - timedelta(days=1))
    sent = invoices.send_invoice(inv.id, new_due_date=TODAY + timedelta(days=30), refuse_past_due=True)
    assert sent.status is InvoiceStatus.SENT and sent.due_date == TODAY + timedelta(days=30)
    assert invoices.sweep_overdue() == 0


def test_payment_dates_before_issue_or_in_the_future_are_refused(database):
    inv = make_invoice(issue=TODAY - timedelta(days=5))
    invoices.send_invoice(inv.id)
    for bad, words in ((TODAY - timedelta(days=6), "before the invoice's issue date"), (TODAY + timedelta(days=1), "future")):
        with pytest.raises(ValidationError, match=words) as err:
            invoices.mark_paid(inv.id, bad.isoformat())
        assert err.value.field == "paid_on"
    invoices.mark_paid(inv.id, (TODAY - timedelta(days=5)).isoformat())
    assert _get(inv.id).status is InvoiceStatus.PAID


def test_a_lead_is_paid_only_when_all_its_invoices_are(database):
    client = make_client()
    lead = clients.create_lead(client.id, "Website", LeadStatus.WON.value)
    first = make_invoice(client.id, issue=TODAY - timedelta(days=3))
    second = make_invoice(client.id, issue=TODAY - timedelta(days=3))
    assert _get(first.id).lead_id == lead.id == _get(second.id).lead_id
    invoices.send_invoice(first.id)
    invoices.send_invoice(second.id)
    invoices.mark_paid(first.id)

    def shown() -> str:
        return next(row["status"] for row in queries.list_leads() if row["id"] == lead.id)

    with read_session() as s:
        assert s.get(Lead, lead.id).status is LeadStatus.INVOICED
    assert shown() == "INVOICED"
    with pytest.raises(ValidationError, match="1 unpaid invoice: it moves to Paid when they are paid"):
        clients.set_lead_status(lead.id, LeadStatus.PAID.value)  # by hand: refused, in words
    assert shown() == "INVOICED"
    invoices.mark_paid(second.id)
    assert shown() == "PAID"


def test_sample_data_is_coherent_and_removed_exactly(database):
    mine = clients.create_client("My real client")
    assert not demo.needs_start_choice()  # something was made by hand: no question
    assert demo.load_demo_data() == 20 and demo.has_sample_data()
    assert demo.load_demo_data() == 0  # once
    with read_session() as s:
        rows = s.execute(select(Invoice)).scalars().all()
        payments = {p.invoice_id: p for p in s.execute(select(Payment)).scalars()}
        leads = s.execute(select(Lead)).scalars().all()
        assert all(r.is_sample for r in rows)
        for inv in rows:
            if inv.status is InvoiceStatus.PAID:
                assert inv.sent_at.date() <= payments[inv.id].paid_on <= TODAY
                assert payments[inv.id].paid_on >= inv.issue_date
        numbers = sorted(int(r.number.rsplit("-", 1)[1]) for r in rows if r.number)
        assert numbers == list(range(1, len(numbers) + 1))
        assert all(r.number is None for r in rows if r.status is InvoiceStatus.DRAFT)
        for lead in leads:
            tied = [r for r in rows if r.lead_id == lead.id]
            assert tied, lead.title
            open_ = any(r.status in (InvoiceStatus.SENT, InvoiceStatus.OVERDUE) for r in tied)
            shown = next(row["status"] for row in queries.list_leads() if row["id"] == lead.id)
            if open_:
                assert shown != "PAID", lead.title

    real = invoices.create_invoice(draft_input(mine.id))
    assert demo.remove_sample_data() == 20
    with read_session() as s:
        assert [i.id for i in s.execute(select(Invoice)).scalars()] == [real.id]
        assert [c.name for c in s.execute(select(Client)).scalars()] == ["My real client"]
        assert s.execute(select(func.count()).select_from(Lead)).scalar() == 0
        assert s.execute(select(func.count()).select_from(InvoiceCounter)).scalar() == 0
    assert not demo.has_sample_data()
    assert invoices.send_invoice(real.id).number == f"INV-{TODAY.year}-0001"  # numbering starts again


def test_a_fresh_database_asks_and_start_empty_stops_asking(database):
    assert demo.needs_start_choice()
    demo.start_empty()
    assert not demo.needs_start_choice()
    assert demo.load_demo_data() == 0  # the choice was made


def test_an_editor_whose_draft_was_sent_elsewhere_is_told_what_it_became(database):
    """QA: Save in an editor left open while another tab sent the draft said only "only drafts
    can be edited" in a toast; it is a conflict (the editor's callout, Reload) naming the number."""
    inv = make_invoice()
    loaded = _get(inv.id).version
    sent = invoices.send_invoice(inv.id)
    with pytest.raises(Conflict, match=f"sent in another tab or window as {sent.number}") as err:
        invoices.update_draft(inv.id, draft_input(inv.client_id), expected_version=loaded)
    assert err.value.field == "version" and _get(inv.id).status is InvoiceStatus.SENT


def test_a_form_whose_client_was_deleted_elsewhere_says_so(database):
    """QA: "Choose a client" beside a menu still showing the client deleted in another tab."""
    from invoice_crm.domain.errors import FieldErrors
    from invoice_crm.services import client_accounts

    client = make_client("Gone Co", "gone@example.com")
    client_accounts.delete_client(client.id)
    with pytest.raises(FieldErrors) as err:
        invoices.create_invoice(draft_input(client.id))
    assert err.value.errors["client_id"] == "This client was deleted in another tab or window: choose another"
    with pytest.raises(FieldErrors) as err:
        invoices.create_invoice(draft_input(None))
    assert err.value.errors["client_id"] == "Choose a client"


def test_a_sample_client_kept_because_it_is_used_is_no_longer_sample_data(database):
    """QA: a real project added to a sample client kept it (right), but the "sample data"
    banner stayed for good, and each Remove said it removed the sample again."""
    demo.load_demo_data()
    with read_session() as s:
        sample_client = s.execute(select(Client).where(Client.is_sample.is_(True))).scalars().first()
    clients.create_project(sample_client.id, "A real project")
    demo.remove_sample_data()
    assert not demo.has_sample_data()  # the banner goes
    with read_session() as s:
        kept = s.get(Client, sample_client.id)
        assert kept is not None and not kept.is_sample
    assert demo.remove_sample_data() == 0


def test_a_double_clicked_remove_sample_data_says_it_once(app):
    from invoice_crm.state.dashboard import DashboardState
    from invoice_crm.state.sample_data import SampleDataState
    from tests.integration.owner_events import signed_in
    from tests.support.events import EventRunner, run, sent_text

    demo.load_demo_data()

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, DashboardState.on_load, "/")
            said = [sent_text(await runner.send(tab, SampleDataState.remove_sample, "/")) for _ in range(2)]
            assert runner.server_errors == []
            return said

    first, second = run(scenario())
    assert "Sample data removed" in first and "Sample data removed" not in second
