"""Session fixture: settings that point the app under test at the fake stripe server."""

import pytest


@pytest.fixture(scope="session")
def fake_stripe_env() -> dict[str, str]:
    return {}
