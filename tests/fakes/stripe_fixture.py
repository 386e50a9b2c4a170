"""Fixtures for the fake Stripe (tests/fakes/fake_stripe.py).

``fake_stripe_server`` (session): one fake for the e2e app; ``fake_stripe_env`` returns the
settings pointing the app at it. ``stripe_api`` (per test): a fresh fake for service tests,
with the test's environment pointed at it.
"""

from collections.abc import Iterator

import pytest

from tests.fakes.fake_stripe import FakeStripe


@pytest.fixture(scope="session")
def fake_stripe_server() -> Iterator[FakeStripe]:
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def fake_stripe_env(fake_stripe_server: FakeStripe) -> dict[str, str]:
    return fake_stripe_server.env()


@pytest.fixture
def stripe_api(database, monkeypatch) -> Iterator[FakeStripe]:
    """A fresh fake Stripe; STRIPE_* settings of this test point at it."""
    from tests.conftest import reset_caches

    fake = FakeStripe().start()
    for name, value in fake.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("APP_URL", "http://app.test")
    reset_caches()
    yield fake
    fake.stop()
