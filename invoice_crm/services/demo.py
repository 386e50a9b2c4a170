"""A small demo data set for a first run: clients, projects, leads, ~20 invoices in every status."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.domain.leads import LeadStatus
from invoice_crm.domain.lifecycle import business_today
from invoice_crm.models import Invoice
from invoice_crm.services import clients as client_service
from invoice_crm.services import invoices as invoice_service
from invoice_crm.settings import get_settings

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


def database_is_empty() -> bool:
    with read_session() as session:
        return not session.execute(select(func.count()).select_from(Invoice)).scalar()


def load_demo_data() -> int:
    """Create the demo set; returns the number of invoices made."""
    today = business_today(get_settings().business_timezone)
    made = 0
    for index, (name, email, company, address) in enumerate(CLIENTS):
        client = client_service.create_client(name, email, company, address)
        project = client_service.create_project(client.id, PROJECTS[index])
        client_service.create_lead(client.id, f"{PROJECTS[index]} for {name}", LeadStatus.WON.value)
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
            )
            made += 1
            kind = (index + n) % 4
            if kind == 0:
                continue  # stays a draft
            invoice_service.send_invoice(invoice.id, actor="demo")
            if kind == 3 and issue + timedelta(days=30) < today:
                invoice_service.mark_paid(
                    invoice.id, issue + timedelta(days=20), reference=f"BANK-{1000 + made}", actor="demo"
                )
    invoice_service.sweep_overdue()
    return made
