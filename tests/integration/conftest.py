"""Fixtures of the integration tests (the database ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.integration.owner_events import owner_app


@pytest.fixture
def app(database):
    """The Reflex app, for sending events in process, with the owner's account made. A module
    may define its own ``app`` fixture instead."""
    return owner_app()
