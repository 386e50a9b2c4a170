"""Shared fixtures: a fresh, migrated database per test, settings from the env.

The database is SQLite by default; ``pytest --db postgresql`` (what ``make test`` does for the
integration suite in a second run) gives every test a fresh PostgreSQL database instead, copied
from a template that ``alembic upgrade head`` built, on a server the run starts itself."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic.config import Config

from alembic import command
from invoice_crm import db, settings
from invoice_crm.domain import numbers
from invoice_crm.services import business_settings
from tests.support.servers import PostgresServer, RedisServer, start_postgres, start_redis

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "invoice_crm_template"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db", choices=("sqlite", "postgresql"), default=os.environ.get("TEST_DB", "sqlite"),
        help="database of the `database` fixture (default sqlite)",
    )


def reset_caches() -> None:
    settings.get_settings.cache_clear()
    business_settings.forget_cached()
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    db.get_engine.cache_clear()


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False
    return cfg


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test run (temp dir, free port, an unprivileged user)."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = start_redis()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A database migrated to head once; each test gets a copy (CREATE DATABASE ... TEMPLATE)."""
    postgres_server.execute(f"CREATE DATABASE {TEMPLATE}")
    command.upgrade(alembic_config(postgres_server.url(TEMPLATE)), "head")
    return TEMPLATE


def new_postgres_database(server: PostgresServer, template: str) -> str:
    name = f"t_{secrets.token_hex(6)}"
    server.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    return name


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated database (SQLite in a temp dir, or a fresh PostgreSQL database with --db
    postgresql); settings and engine point at it."""
    server = None
    if request.config.getoption("--db") == "postgresql":
        server = request.getfixturevalue("postgres_server")
        name = new_postgres_database(server, request.getfixturevalue("postgres_template"))
        url = server.url(name)
    else:
        url = f"sqlite:///{tmp_path / 'test.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name_ in ("GOOGLE_SHEETS_ID", "GOOGLE_APPLICATION_CREDENTIALS", "STRIPE_SECRET_KEY", "SMTP_HOST"):
        monkeypatch.delenv(name_, raising=False)
    reset_caches()
    if server is None:
        command.upgrade(alembic_config(url), "head")
    business_settings.follow_saved_locale()  # as the app does: the saved locale wins over the env's
    yield url
    numbers.use_locale_source(None)
    reset_caches()
    if server is not None:
        server.execute(f"DROP DATABASE {name} WITH (FORCE)")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """tests/production runs when named (`make test`'s second run): it builds and serves the app
    with `make serve` from this same directory, which must not happen while the first run's
    `make run` app serves from it."""
    production = ROOT / "tests" / "production"
    if collection_path == production:
        named = [Path(arg.split("::")[0]).resolve() for arg in config.args]
        if not any(path == production or production in path.parents for path in named):
            return True
    return None


@pytest.fixture(autouse=True)
def _today_is_today(request) -> None:
    """Modules keep ``TODAY = date.today()``, read once when they are collected. A run that
    crossed midnight (CI, stop 25) then compared yesterday's TODAY with the app's today:
    twenty tests failed at 00:05. Each test starts with TODAY read again, in its own module
    and in tests.integration.helpers (whose make_invoice dates invoices with it)."""
    today = date.today()
    helpers = sys.modules.get("tests.integration.helpers")
    for module in (request.module, helpers):
        if module is not None and isinstance(getattr(module, "TODAY", None), date):
            module.TODAY = today
