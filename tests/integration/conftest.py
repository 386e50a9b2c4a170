"""Fixtures of the integration tests (the database ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.integration.owner_events import owner_app


@pytest.fixture
def app(database):
    """The Reflex app, for sending events in process, with the owner's account made. A module
    may define its own ``app`` fixture instead."""
    return owner_app()


@pytest.fixture
def locale(monkeypatch, database):
    """Switch BUSINESS_LOCALE as start-up would (settings read again), back to en_US after."""
    from invoice_crm.domain import numbers
    from invoice_crm.settings import get_settings

    def use(code: str) -> None:
        monkeypatch.setenv("BUSINESS_LOCALE", code)
        get_settings.cache_clear()
        get_settings()

    yield use
    get_settings.cache_clear()
    numbers.use_business_locale(numbers.DEFAULT_LOCALE)
