"""Fixtures for the sheet-sync tests: a fake Sheets server of their own (not the e2e app's)
and sync switched on for one test's fresh database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from invoice_crm.services import sheets_sync
from tests.conftest import reset_caches
from tests.fakes.fake_sheets import FakeSheets
from tests.fakes.sheets_fixture import start_fake_sheets


@pytest.fixture(scope="package")
def sheets_server(tmp_path_factory) -> Iterator[tuple[FakeSheets, dict[str, str]]]:
    fake, env = start_fake_sheets(tmp_path_factory.mktemp("sheets"))
    yield fake, env
    fake.stop()


@pytest.fixture
def sheet(database, sheets_server, monkeypatch) -> FakeSheets:
    """Sync on, pointed at an empty fake sheet; the test's fresh database."""
    fake, env = sheets_server
    fake.reset()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SHEETS_TIMEOUT_SECONDS", "1")
    fake.late_answer_seconds = 1.5
    reset_caches()
    sheets_sync._client.cache_clear()  # a new settings object: as a freshly started process
    sheets_sync._budget._sent.clear()  # and a fresh write budget: no test spends another's minute
    return fake
