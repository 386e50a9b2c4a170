"""Session fixture: settings that point the app under test at the fake sheets server."""

import pytest


@pytest.fixture(scope="session")
def fake_sheets_env() -> dict[str, str]:
    return {}
