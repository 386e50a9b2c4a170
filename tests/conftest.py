"""Shared fixtures: a fresh, migrated SQLite database per test, settings from the env."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config

from alembic import command
from invoice_crm import db, settings

ROOT = Path(__file__).resolve().parent.parent


def reset_caches() -> None:
    settings.get_settings.cache_clear()
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    db.get_engine.cache_clear()


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False
    return cfg


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated database in a temp dir; settings and engine point at it."""
    url = f"sqlite:///{tmp_path / 'test.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("GOOGLE_SHEETS_ID", "GOOGLE_APPLICATION_CREDENTIALS", "STRIPE_SECRET_KEY", "SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    reset_caches()
    command.upgrade(alembic_config(url), "head")
    yield url
    reset_caches()
