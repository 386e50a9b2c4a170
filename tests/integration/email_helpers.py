"""Fixtures and readers for the email tests: the fake mail server on a fresh database."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from invoice_crm import settings
from invoice_crm.db import read_session
from invoice_crm.domain.activity import activity_text
from invoice_crm.models import EmailMessage, InvoiceEvent
from tests.fakes.fake_smtp import FakeSMTPServer
from tests.fakes.smtp_fixture import SMTP_PASSWORD, SMTP_USERNAME, smtp_env


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[FakeSMTPServer]:
    server = FakeSMTPServer(username=SMTP_USERNAME, password=SMTP_PASSWORD).start()
    yield server
    server.stop()


def configure(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings.get_settings.cache_clear()


@pytest.fixture
def mail(database, smtp_server, monkeypatch) -> Iterator[FakeSMTPServer]:
    """A fresh database whose settings point at the fake mail server (3 attempts, 60 s backoff)."""
    smtp_server.accept()
    smtp_server.clear()
    configure(monkeypatch, smtp_env(smtp_server, EMAIL_MAX_ATTEMPTS="3", EMAIL_RETRY_SECONDS="60"))
    yield smtp_server
    smtp_server.accept()


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def emails(invoice_id: int) -> list[EmailMessage]:
    with read_session() as s:
        return list(
            s.execute(select(EmailMessage).where(EmailMessage.invoice_id == invoice_id).order_by(EmailMessage.id)).scalars()
        )


def events(invoice_id: int) -> list[tuple[str, str]]:
    with read_session() as s:
        rows = s.execute(
            select(InvoiceEvent.kind, InvoiceEvent.details)
            .where(InvoiceEvent.invoice_id == invoice_id)
            .order_by(InvoiceEvent.id)
        ).all()
    return [(kind, activity_text(details, "UTC")) for kind, details in rows]
