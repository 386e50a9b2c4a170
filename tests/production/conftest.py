"""Fixtures for the production-shape tests: PostgreSQL and Redis started by the test run,
and processes of the app's own (``python -m invoice_crm.worker``) to kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import new_postgres_database, reset_caches
from tests.support.servers import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE_SERVICES = ("GOOGLE_", "STRIPE_", "SMTP_", "SHEETS_", "EMAIL_", "DATABASE_URL", "REFLEX_REDIS_URL")


@pytest.fixture
def pg_database(postgres_server: PostgresServer, postgres_template: str, monkeypatch) -> Iterator[str]:
    """A fresh PostgreSQL database migrated to head; settings in this process point at it."""
    name = new_postgres_database(postgres_server, postgres_template)
    url = postgres_server.url(name)
    monkeypatch.setenv("DATABASE_URL", url)
    for var in ("GOOGLE_SHEETS_ID", "GOOGLE_APPLICATION_CREDENTIALS", "STRIPE_SECRET_KEY", "SMTP_HOST"):
        monkeypatch.delenv(var, raising=False)
    reset_caches()
    yield url
    reset_caches()
    postgres_server.execute(f"DROP DATABASE {name} WITH (FORCE)")


class Workers:
    """``python -m invoice_crm.worker`` processes with one environment; killed at the end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(OUTSIDE_SERVICES)} | env
        self.logs = logs
        self.procs: list[subprocess.Popen] = []

    def start(self, count: int) -> list[subprocess.Popen]:
        for _ in range(count):
            log = (self.logs / f"worker-{len(self.procs)}.log").open("w")
            self.procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "invoice_crm.worker"], cwd=ROOT, env=self.env,
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                )
            )
        return self.procs

    def by_pid(self, pid: int) -> subprocess.Popen:
        return next(p for p in self.procs if p.pid == pid)

    def output(self) -> str:
        return "\n".join(f.read_text()[-3000:] for f in sorted(self.logs.glob("worker-*.log")))

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def workers(tmp_path) -> Iterator[callable]:
    started: list[Workers] = []

    def make(env: dict[str, str]) -> Workers:
        group = Workers(env, tmp_path)
        started.append(group)
        return group

    yield make
    for group in started:
        group.stop()
