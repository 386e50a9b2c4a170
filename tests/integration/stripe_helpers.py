"""Builders and read-backs for the Stripe tests: a sent invoice, a session paid at the fake."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from alembic import command
from invoice_crm.db import read_session
from invoice_crm.domain.leads import LeadStatus
from invoice_crm.models import Invoice, InvoiceEvent, Lead, Payment, StripeEvent
from invoice_crm.services import checkout, clients, invoices
from tests.conftest import alembic_config, reset_caches
from tests.fakes.fake_stripe import FakeStripe
from tests.integration.app_server import serve_api
from tests.integration.helpers import make_invoice


@contextmanager
def served_webhook(workdir: Path) -> Iterator[tuple[str, FakeStripe, str]]:
    """A fresh database, a fake Stripe, and the endpoints served on both as in production:
    yields the endpoints' base URL, the fake and the database URL."""
    db_url = f"sqlite:///{workdir / 'app.db'}"
    command.upgrade(alembic_config(db_url), "head")
    fake = FakeStripe().start()
    env = {"DATABASE_URL": db_url, "APP_URL": "http://app.test", "BUSINESS_TIMEZONE": "UTC", **fake.env()}
    try:
        with serve_api(env, workdir / "server.log") as url:
            yield url, fake, db_url
    finally:
        fake.stop()


def use_served(monkeypatch: pytest.MonkeyPatch, fake: FakeStripe, db_url: str) -> None:
    """The test's own services use the same database and fake Stripe as the served endpoints."""
    for name, value in {"DATABASE_URL": db_url, "APP_URL": "http://app.test", **fake.env()}.items():
        monkeypatch.setenv(name, value)
    for name in ("GOOGLE_SHEETS_ID", "GOOGLE_APPLICATION_CREDENTIALS", "SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    reset_caches()


def sent_invoice(name: str = "Acme", lines=None) -> Invoice:
    """A client with a lead, and an invoice sent to them (no Stripe call yet)."""
    client = clients.create_client(name, f"billing@{name.lower().replace(' ', '-')}.example")
    clients.create_lead(client.id, f"Work for {name}", LeadStatus.WON.value)
    invoice = make_invoice(client.id, **({"lines": lines} if lines is not None else {}))
    return invoices.send_invoice(invoice.id, "owner@example.com")


def session_id_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def paid_session(fake: FakeStripe, invoice_id: int) -> dict:
    """The invoice's Checkout session, paid at the fake as a client would; returns it."""
    url = checkout.prepare_checkout(invoice_id, "owner@example.com")
    return fake.pay(session_id_of(url))


@dataclass(frozen=True)
class State:
    status: str
    paid_at: object
    payments: int
    events: tuple[str, ...]
    stripe_events: int
    lead: str | None
    stripe_link: str | None


def state_of(invoice_id: int) -> State:
    with read_session() as s:
        inv = s.get(Invoice, invoice_id)
        lead = s.execute(
            select(Lead.status).where(Lead.client_id == inv.client_id).order_by(Lead.id.desc())
        ).scalar()
        return State(
            status=inv.status.value,
            paid_at=inv.paid_at,
            payments=s.execute(select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice_id)).scalar(),
            events=tuple(
                s.execute(
                    select(InvoiceEvent.kind).where(InvoiceEvent.invoice_id == invoice_id).order_by(InvoiceEvent.id)
                ).scalars()
            ),
            stripe_events=s.execute(select(func.count()).select_from(StripeEvent)).scalar(),
            lead=lead.value if lead else None,
            stripe_link=inv.stripe_link,
        )


def payments_of(invoice_id: int) -> list[Payment]:
    with read_session() as s:
        return list(s.execute(select(Payment).where(Payment.invoice_id == invoice_id)).scalars())
