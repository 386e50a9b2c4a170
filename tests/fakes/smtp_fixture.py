"""Session fixture: settings that point the app under test at the fake smtp server."""

import pytest


@pytest.fixture(scope="session")
def fake_smtp_env() -> dict[str, str]:
    return {}
