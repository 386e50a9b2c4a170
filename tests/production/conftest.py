"""Fixtures for the production-shape tests: PostgreSQL and Redis started by the test run,
and processes of the app's own (``python -m invoice_crm.worker``) to kill."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import new_postgres_database, reset_caches
from tests.fakes.fake_sheets import FakeSheets
from tests.fakes.fake_smtp import FakeSMTPServer
from tests.fakes.fake_stripe import FakeStripe
from tests.fakes.sheets_fixture import start_fake_sheets
from tests.fakes.smtp_fixture import SMTP_PASSWORD, SMTP_USERNAME, smtp_env
from tests.support.app_process import start_app, stop_app
from tests.support.servers import NginxServer, PostgresServer, free_port, start_nginx

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


# --- the app as `make serve` runs it, behind nginx -------------------------------------------

ADMIN_EMAIL = "owner@example.com"
ADMIN_PASSWORD = "prod-password-123"


@dataclass
class ProductionApp:
    url: str  # through nginx, as a browser reaches it
    direct_url: str  # the app's own port
    env: dict[str, str]
    proxy: NginxServer
    sheets: FakeSheets
    smtp: FakeSMTPServer
    stripe: FakeStripe
    log: Path


@pytest.fixture(scope="session")
def production_app(postgres_server, redis_server, tmp_path_factory) -> Iterator[ProductionApp]:
    """`make serve` -- migrations, then 3 backend workers on PostgreSQL with Reflex's state in
    Redis -- behind the repository's nginx config; the fakes for Stripe, Sheets and SMTP. One
    production build per test run, shared by the tests that need it."""
    workdir = tmp_path_factory.mktemp("production")
    database = f"prod_{secrets.token_hex(4)}"
    postgres_server.execute(f"CREATE DATABASE {database}")  # empty: `make serve` migrates it
    sheets, sheets_env = start_fake_sheets(workdir)
    smtp = FakeSMTPServer(username=SMTP_USERNAME, password=SMTP_PASSWORD).start()
    stripe = FakeStripe().start()
    app_port, proxy_port = free_port(), free_port()
    env = {
        "DATABASE_URL": postgres_server.url(database),
        "REFLEX_REDIS_URL": redis_server.url,
        "WEB_WORKERS": "3",
        "APP_PORT": str(app_port),
        "APP_URL": f"http://127.0.0.1:{proxy_port}",  # the public URL is the proxy's
        # As the README's production block says: loopback only, the proxy's headers trusted.
        "APP_HOST": "127.0.0.1",
        "TRUSTED_PROXY_HOPS": "1",
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LOAD_DEMO_DATA": "false",
        "OVERDUE_SWEEP_SECONDS": "5",
        **sheets_env,
        **smtp_env(smtp, EMAIL_POLL_SECONDS="2"),
        **stripe.env(),
    }
    log = workdir / "serve.log"
    proc = None
    proxy = None
    try:
        proc = start_app(env, log, target="serve", url=f"http://127.0.0.1:{app_port}")
        proxy = start_nginx(app_port, proxy_port, tls=True)
        yield ProductionApp(
            url=proxy.url, direct_url=f"http://127.0.0.1:{app_port}", env=env, proxy=proxy,
            sheets=sheets, smtp=smtp, stripe=stripe, log=log,
        )
    finally:
        if proxy is not None:
            proxy.stop()
        if proc is not None:
            stop_app(proc)
        stripe.stop()
        smtp.stop()
        sheets.stop()
        postgres_server.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


@pytest.fixture
def production_db(production_app: ProductionApp, monkeypatch) -> ProductionApp:
    """This process's settings pointed at the production app's database and services."""
    for name, value in production_app.env.items():
        monkeypatch.setenv(name, value)
    reset_caches()
    yield production_app
    reset_caches()
