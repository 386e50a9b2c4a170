"""Sample data and a clean start.

A fresh database is empty. The first run asks (the dashboard, while nothing has been made
yet): start empty, or explore with sample data; ``LOAD_DEMO_DATA=true`` loads the sample set
without asking (``make run``'s bootstrap). Every sample row carries ``is_sample``; "Remove
sample data" deletes exactly those rows (and what hangs off them), blanks their sheet rows and
returns the numbering to the start. The set is coherent: invoices are sent on their issue date
and paid between sending and today, each client's lead is tied to its invoices
(``invoice.lead_id``) and moves with them, and sent invoices are numbered without gaps.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import delete, exists, func, select, true, update

from invoice_crm.db import read_session, write_session
from invoice_crm.domain.leads import LeadStatus
from invoice_crm.domain.lifecycle import business_today
from invoice_crm.domain.numbering import display_number
from invoice_crm.models import (
    AppFlag,
    Client,
    EmailMessage,
    Invoice,
    InvoiceCounter,
    InvoiceEvent,
    Lead,
    LineItem,
    OutboxMessage,
    Payment,
    Project,
    RecurringProfile,
    StripeCheckoutSession,
)
from invoice_crm.services import clients as client_service
from invoice_crm.services import invoices as invoice_service
from invoice_crm.services.activity import enqueue_sheet_clear
from invoice_crm.services.business_settings import business_timezone
from invoice_crm.settings import get_settings

START_FLAG = "start"  # empty | sample | sample-removed
CLIENTS = [
    ("Acme Robotics", "billing@acme-robotics.example", "Acme Robotics Ltd", "12 Gear Street, Springfield"),
    ("Blue Harbor Cafe", "owner@blueharbor.example", "Blue Harbor LLC", "3 Pier Road, Portsmouth"),
    ("Nimbus Analytics", "ap@nimbus.example", "Nimbus Analytics Inc", "400 Cloud Ave, Denver"),
    ("Studio Verde", "hello@studioverde.example", "", "Via Roma 8, Milano"),
]
PROJECTS = ["Website redesign", "Monthly retainer", "Data pipeline", "Brand identity"]
WORK = [
    ("Design workshop", "4", "120.00"),
    ("Development hours", "12.5", "95.00"),
    ("Hosting setup", "1", "250.00"),
    ("Copywriting", "3", "80.00"),
    ("Consulting call", "1.5", "150.00"),
]


def _flag(session, name: str) -> str:
    row = session.get(AppFlag, name)
    return row.value if row else ""


def _set_flag(session, name: str, value: str) -> None:
    row = session.get(AppFlag, name)
    if row is None:
        session.add(AppFlag(name=name, value=value))
    else:
        row.value = value


def database_is_empty() -> bool:
    with read_session() as session:
        return not session.execute(select(func.count()).select_from(Invoice)).scalar()


def needs_start_choice() -> bool:
    """A fresh install: no choice made yet, and no client or invoice made by hand."""
    with read_session() as session:
        if _flag(session, START_FLAG):
            return False
        made = session.execute(select(exists().where(Client.id.is_not(None)))).scalar()
        return not made


def has_sample_data() -> bool:
    with read_session() as session:
        return bool(
            # "= true", not "IS true": PostgreSQL serves only the former from the index. The id
            # alone, not EXISTS (SELECT * …): the index then holds all the query needs, and
            # SQLite's statistics (every invoice is_sample = 0) cannot make it read the whole
            # table instead (15 ms at 100,000 invoices on every dashboard load).
            session.execute(select(Invoice.id).where(Invoice.is_sample == true()).limit(1)).first()
            or session.execute(select(exists().where(Client.is_sample.is_(True)))).scalar()
        )


def start_empty() -> None:
    with write_session() as session:
        if not _flag(session, START_FLAG):
            _set_flag(session, START_FLAG, "empty")


def should_load_on_startup() -> bool:
    """LOAD_DEMO_DATA=true: load without asking, once, into a database that never had data."""
    return get_settings().load_demo_data and needs_start_choice() and database_is_empty()


def load_demo_data() -> int:
    """Create the sample set (marked ``is_sample``); returns the number of invoices made.
    Refused (0) once a start was chosen: a double click or a second tab loads it once."""
    with write_session() as session:
        if _flag(session, START_FLAG):
            return 0
        _set_flag(session, START_FLAG, "sample")
    today = business_today(business_timezone())
    made = 0
    for index, (name, email, company, address) in enumerate(CLIENTS):
        client = client_service.create_client(name, email, company, address, is_sample=True)
        project = client_service.create_project(client.id, PROJECTS[index], is_sample=True)
        lead = client_service.create_lead(
            client.id, f"{PROJECTS[index]} for {name}", LeadStatus.WON.value, is_sample=True
        )
        for n in range(5):
            issue = today - timedelta(days=75 - 14 * n - index * 3)
            lines = [
                # Decimals, not text: text is read in BUSINESS_LOCALE, where "12.5" may not be 12.5.
                {"description": d, "quantity": Decimal(q), "unit_price": Decimal(p) + index * 5}
                for d, q, p in WORK[n % 3 : n % 3 + 2 + (n % 2)]
            ]
            invoice = invoice_service.create_invoice(
                invoice_service.DraftInput(
                    client_id=client.id,
                    project_id=project.id,
                    issue_date=issue,
                    due_date=issue + timedelta(days=30),
                    lines=lines,
                    notes="Thank you for your business.",
                ),
                actor="demo",
                lead_id=lead.id,
                is_sample=True,
            )
            made += 1
            kind = (index + n) % 4
            if kind == 0:
                continue  # stays a draft
            invoice_service.send_invoice(invoice.id, actor="demo")
            _backdate_sending(invoice.id, issue)
            paid_on = issue + timedelta(days=20)
            if kind == 3 and issue + timedelta(days=30) < today and paid_on <= today:
                invoice_service.mark_paid(invoice.id, paid_on, reference=f"BANK-{1000 + made}", actor="demo")
                _backdate_activity(invoice.id, datetime.combine(paid_on, time(10, 0), tzinfo=UTC), ("paid", "payment"))
    invoice_service.sweep_overdue()
    return made


def _backdate_sending(invoice_id: int, issued) -> None:
    """Sample invoices were sent on their issue date (so nothing is paid before it was sent)."""
    with write_session() as session:
        session.execute(
            update(Invoice)
            .where(Invoice.id == invoice_id)
            .values(sent_at=datetime.combine(issued, time(9, 0), tzinfo=UTC))
        )
    _backdate_activity(invoice_id, datetime.combine(issued, time(9, 0), tzinfo=UTC), ("created", "sent"))


def _backdate_activity(invoice_id: int, moment: datetime, kinds: tuple[str, ...]) -> None:
    """The sample invoice's Activity on the days its story happened, as its Sent and Paid say."""
    with write_session() as session:
        session.execute(
            update(InvoiceEvent)
            .where(InvoiceEvent.invoice_id == invoice_id, InvoiceEvent.kind.in_(kinds))
            .values(created_at=moment)
        )


def remove_sample_data() -> int:
    """Delete exactly the sample rows; returns how many invoices went. The numbering returns
    to the start when no other numbered invoice remains (sample numbers were the first ones)."""
    with write_session() as session:
        sample = list(session.execute(select(Invoice.id, Invoice.number).where(Invoice.is_sample.is_(True))).all())
        ids = [row.id for row in sample]
        if ids:
            for model in (LineItem, InvoiceEvent, Payment, StripeCheckoutSession, EmailMessage, OutboxMessage):
                session.execute(delete(model).where(model.invoice_id.in_(ids)))
            session.execute(delete(Invoice).where(Invoice.id.in_(ids)))
            for row in sample:
                enqueue_sheet_clear(session, display_number(row.number, row.id))
        # Sample clients, projects and leads, unless the freelancer has since billed them for real.
        kept_clients = select(Invoice.client_id)
        session.execute(delete(Lead).where(Lead.is_sample.is_(True), ~exists().where(Invoice.lead_id == Lead.id)))
        session.execute(
            delete(Project).where(
                Project.is_sample.is_(True), ~exists().where(Invoice.project_id == Project.id),
                ~exists().where(RecurringProfile.project_id == Project.id),
            )
        )
        session.execute(
            delete(Client).where(
                Client.is_sample.is_(True),
                Client.id.not_in(kept_clients),
                ~exists().where(Project.client_id == Client.id),
                ~exists().where(Lead.client_id == Client.id),
                ~exists().where(RecurringProfile.client_id == Client.id),  # a real recurring profile keeps it
            )
        )
        # What stays was kept because the freelancer uses it: theirs now, not sample data (the
        # banner offering to remove the sample would otherwise stay, removing nothing more).
        for model in (Client, Project, Lead):
            session.execute(update(model).where(model.is_sample.is_(True)).values(is_sample=False))
        if not session.execute(select(exists().where(Invoice.number.is_not(None)))).scalar():
            session.execute(delete(InvoiceCounter))
        _set_flag(session, START_FLAG, "sample-removed")
        return len(ids)
