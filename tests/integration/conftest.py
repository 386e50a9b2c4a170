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


@pytest.fixture
def sqlite_at_head(tmp_path, monkeypatch):
    """A SQLite database of its own at head, made the app's (DATABASE_URL): its URL, for a
    migration test to take it down and up again. The caches are reset before and after."""
    from alembic import command
    from tests.conftest import alembic_config, reset_caches

    url = f"sqlite:///{tmp_path / 'old.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    reset_caches()
    try:
        command.upgrade(alembic_config(url), "head")
        yield url
    finally:
        reset_caches()
