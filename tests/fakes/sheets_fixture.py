"""Fixtures for the fake Google Sheets API: the server, a throwaway service-account key made
at run time (never committed), and the settings that point the app at both.

``fake_sheets`` / ``fake_sheets_env`` are session-scoped, for the one e2e app instance.
Integration tests start their own server with ``start_fake_sheets`` so the running e2e app
never writes into the sheet they inspect.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.fake_sheets import FakeSheets


def write_service_account_key(fake: FakeSheets, directory: Path) -> Path:
    """A fresh RSA service-account key whose token_uri is the fake; the fake trusts it."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    email = f"invoice-crm-{secrets.token_hex(4)}@fake-project.iam.gserviceaccount.com"
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key_file = directory / "service-account.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "fake-project",
                "private_key_id": secrets.token_hex(20),
                "private_key": pem,
                "client_email": email,
                "client_id": str(secrets.randbelow(10**20)),
                "auth_uri": fake.url + "/auth",
                "token_uri": fake.token_uri,
            }
        )
    )
    key_file.chmod(0o600)
    fake.trust_key(email, private_key.public_key())
    return key_file


def sheets_settings(fake: FakeSheets, key_file: Path) -> dict[str, str]:
    """Settings for the app: the fake's sheet, the key, fast retries and short timeouts."""
    return {
        "GOOGLE_SHEETS_ID": fake.spreadsheet_id,
        "GOOGLE_APPLICATION_CREDENTIALS": str(key_file),
        "GOOGLE_SHEETS_TAB": fake.default_tab,
        "GOOGLE_SHEETS_API_ENDPOINT": fake.url,
        "SHEETS_SYNC_INTERVAL_SECONDS": "1",
        "SHEETS_TIMEOUT_SECONDS": "2",
        "SHEETS_RETRY_BASE_SECONDS": "1",
        "SHEETS_RETRY_MAX_SECONDS": "2",
    }


def start_fake_sheets(directory: Path, spreadsheet_id: str = "fake-spreadsheet") -> tuple[FakeSheets, dict[str, str]]:
    fake = FakeSheets(spreadsheet_id=spreadsheet_id).start()
    return fake, sheets_settings(fake, write_service_account_key(fake, directory))


@pytest.fixture(scope="session")
def fake_sheets_server(tmp_path_factory) -> Iterator[tuple[FakeSheets, dict[str, str]]]:
    fake, env = start_fake_sheets(tmp_path_factory.mktemp("sheets"), spreadsheet_id="e2e-spreadsheet")
    yield fake, env
    fake.stop()


@pytest.fixture(scope="session")
def fake_sheets(fake_sheets_server) -> FakeSheets:
    """The fake Sheets server the e2e app writes to (inspect its cells, flip its switches)."""
    return fake_sheets_server[0]


@pytest.fixture(scope="session")
def fake_sheets_env(fake_sheets_server) -> dict[str, str]:
    return dict(fake_sheets_server[1])
