"""Session fixtures: the fake mail server, and the settings that point the app under test at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.fake_smtp import FakeSMTPServer

SMTP_USERNAME = "invoices-mailer"
SMTP_PASSWORD = "fake-smtp-password"
MAIL_FROM = "Jane Doe Design <billing@janedoe.example>"
BUSINESS_NAME = "Jane Doe Design"
BUSINESS_ADDRESS = "1 Rue de la Paix\\n75002 Paris"


def smtp_env(server: FakeSMTPServer, **overrides: str) -> dict[str, str]:
    """The settings that send the app's email to ``server`` (plain SMTP with a login: the
    fake speaks no TLS, so the tests allow a plaintext login to it explicitly)."""
    env = {
        "SMTP_HOST": server.host,
        "SMTP_PORT": str(server.port),
        "SMTP_USERNAME": server.username,
        "SMTP_PASSWORD": server.password,
        "SMTP_STARTTLS": "false",
        "SMTP_SSL": "false",
        "SMTP_ALLOW_PLAINTEXT_LOGIN": "true",
        "SMTP_TIMEOUT": "10",
        "MAIL_FROM": MAIL_FROM,
        "BUSINESS_NAME": BUSINESS_NAME,
        "BUSINESS_ADDRESS": BUSINESS_ADDRESS,
    }
    env.update(overrides)
    return env


@pytest.fixture(scope="session")
def fake_smtp_server() -> Iterator[FakeSMTPServer]:
    server = FakeSMTPServer(username=SMTP_USERNAME, password=SMTP_PASSWORD).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fake_smtp_env(fake_smtp_server: FakeSMTPServer) -> dict[str, str]:
    # Automatic retries an hour apart: a test that makes the server refuse sees the failure
    # stay put until it presses Retry.
    return smtp_env(fake_smtp_server, EMAIL_RETRY_SECONDS="3600", EMAIL_POLL_SECONDS="5")


@pytest.fixture
def fake_smtp(fake_smtp_server: FakeSMTPServer) -> Iterator[FakeSMTPServer]:
    """The session's fake mail server, accepting again after the test whatever it switched."""
    fake_smtp_server.accept()
    yield fake_smtp_server
    fake_smtp_server.accept()
