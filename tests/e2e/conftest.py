"""End-to-end fixtures: the app started as the README starts it (`make run`), once per
session, on a temporary database and a free port; Chromium from Debian or Playwright."""

from __future__ import annotations

import os
import shutil
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.fakes.sheets_fixture import *  # noqa: F403  (fake_sheets_env and friends)
from tests.fakes.smtp_fixture import *  # noqa: F403
from tests.fakes.stripe_fixture import *  # noqa: F403
from tests.support.app_process import free_port, start_app, stop_app

ADMIN_EMAIL = "owner@example.com"
ADMIN_PASSWORD = "e2e-password-123"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _system_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def chromium_launch_args() -> dict:
    """Playwright's launch options: our flags, and Debian's Chromium where it exists (no browser
    download here); Playwright's own elsewhere. For the tests and for the benchmarks.

    Scrollbars are drawn and take their width, as on a desktop: headless Playwright hides them,
    which Debian's Chromium obeys; CI's run with Playwright's own Chrome drew them, and a page that
    moved when its scrollbar appeared failed there only."""
    args: dict = {"args": CHROMIUM_ARGS, "ignore_default_args": ["--hide-scrollbars"]}
    path = _system_chromium()
    if path:
        args["executable_path"] = path
    return args


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, **chromium_launch_args()}


# Session fixtures that start a fake outside service and return the settings pointing
# the app at it (see tests/fakes/*_fixture.py). The app is started once, with all of them.
SERVICE_FIXTURES = ("fake_stripe_env", "fake_sheets_env", "fake_smtp_env")


@pytest.fixture(scope="session")
def app_env(tmp_path_factory, request) -> dict[str, str]:
    """Environment of the app under test, including the fake services' settings."""
    workdir = tmp_path_factory.mktemp("app")
    port = free_port()
    env = {
        "DATABASE_URL": f"sqlite:///{workdir / 'e2e.db'}",
        "APP_PORT": str(port),
        "APP_URL": f"http://localhost:{port}",
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "BUSINESS_TIMEZONE": "UTC",
        "LOAD_DEMO_DATA": "true",
        "OVERDUE_SWEEP_SECONDS": "5",
        "REMINDER_POLL_SECONDS": "5",
        # Every test's client pays from one address (127.0.0.1), several a minute: the Pay
        # button's bound per address would refuse the suite itself. The bound is tested in
        # tests/integration/test_pay_throttle.py.
        "PAY_ATTEMPTS_PER_MINUTE": "60",
        "E2E_WORKDIR": str(workdir),
    }
    for name in SERVICE_FIXTURES:
        env.update(request.getfixturevalue(name))
    return env


@pytest.fixture(scope="session")
def app_url(app_env, browser) -> Iterator[str]:
    proc = start_app(app_env, Path(app_env["E2E_WORKDIR"]) / "app.log")
    try:
        reach(browser, app_env["APP_URL"])
        yield app_env["APP_URL"]
    finally:
        stop_app(proc)


def reach(browser, url: str, timeout: float = 30) -> None:
    """Return once a fresh page of ``browser`` loads ``url``/login.

    `start_app` returns when urllib gets / and /ping; once, in CI, Chromium's very first
    navigation right after that was refused (net::ERR_CONNECTION_REFUSED) while every later
    test reached the same server. So the first navigation of a session is this one: a refusal
    is tried again for up to ``timeout`` seconds, and said as a warning; any other error raises."""
    context = browser.new_context()
    try:
        page = context.new_page()
        deadline = time.monotonic() + timeout
        while True:
            try:
                page.goto(url + "/login")
                return
            except PlaywrightError as error:
                if "ERR_CONNECTION_REFUSED" not in str(error) or time.monotonic() > deadline:
                    raise
                warnings.warn(f"{url} refused the browser's first connection; trying again", stacklevel=1)
                time.sleep(0.5)
    finally:
        context.close()


@pytest.fixture(scope="session")
def base_url(app_url) -> str:
    return app_url


@pytest.fixture
def signed_in(page, app_url):
    """A page signed in as the owner (ADMIN_EMAIL / ADMIN_PASSWORD)."""
    sign_in(page, app_url)
    return page


def sign_in(page, app_url: str, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    page.goto(app_url + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#sign-in").click()
    page.wait_for_url(app_url + "/", timeout=30_000)
    page.locator(".invoice-row").first.wait_for(timeout=30_000)
