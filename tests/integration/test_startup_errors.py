"""A wrong setting or database stops every start-up path (`make migrate`'s alembic, the cli's
bootstrap/run/serve, the worker, rxconfig.py for `reflex run`) with one line, "Cannot start:
...", and never a traceback that repeats the secret it was given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.app_process import free_port

ROOT = Path(__file__).resolve().parents[2]
ALEMBIC = str(Path(sys.executable).with_name("alembic"))
PATHS = {
    "alembic upgrade head": [ALEMBIC, "upgrade", "head"],
    "cli bootstrap": [sys.executable, "-m", "invoice_crm.cli", "bootstrap"],
    "cli run": [sys.executable, "-m", "invoice_crm.cli", "run"],
    "cli serve": [sys.executable, "-m", "invoice_crm.cli", "serve"],
    "worker": [sys.executable, "-m", "invoice_crm.worker"],
    "rxconfig": [sys.executable, "-c", "import rxconfig"],
}


def _start(command: list[str], tmp_path: Path, **env: str) -> tuple[int, str]:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    clean.update(
        PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}", REFLEX_STATES_WORKDIR=str(tmp_path),
        WEB_WORKERS="1",
    )
    clean.update(env)
    done = subprocess.run(command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("path", PATHS)
def test_a_short_admin_password_stops_every_path_in_one_line_without_the_password(path, tmp_path):
    code, output = _start(PATHS[path], tmp_path, ADMIN_EMAIL="owner@example.com", ADMIN_PASSWORD="hunter2")
    assert code == 1
    assert output.strip() == "Cannot start: ADMIN_PASSWORD must be at least 8 characters"
    assert "hunter2" not in output


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://invoice_crm:Pa55-secret@127.0.0.1:5432/invoice_crm",
         "Cannot start: DATABASE_URL starts with postgres://; use postgresql+psycopg:// (psycopg 3)"),
        ("mysql://invoice_crm:Pa55-secret@127.0.0.1/invoice_crm", "Cannot start: DATABASE_URL names 'mysql'"),
        ("invoice_crm:Pa55-secret@127.0.0.1/invoice_crm", "Cannot start: DATABASE_URL is not a database URL"),
    ],
)
@pytest.mark.parametrize("path", ["alembic upgrade head", "cli bootstrap", "worker"])
def test_a_wrong_database_url_is_named_in_one_line_without_its_password(path, url, expected, tmp_path):
    code, output = _start(PATHS[path], tmp_path, DATABASE_URL=url)
    assert code == 1
    assert output.strip().startswith(expected), output
    assert len(output.strip().splitlines()) == 1
    assert "Pa55-secret" not in output


@pytest.mark.parametrize("path", ["alembic upgrade head", "cli bootstrap", "worker"])
def test_an_unreachable_database_is_named_in_one_line_without_its_password(path, tmp_path):
    port = free_port()  # nothing listens there
    url = f"postgresql+psycopg://invoice_crm:Pa55-secret@127.0.0.1:{port}/invoice_crm"
    code, output = _start(PATHS[path], tmp_path, DATABASE_URL=url)
    assert code == 1
    line = output.strip()
    assert len(line.splitlines()) == 1, output
    assert line.startswith(f"Cannot start: cannot use the database at postgresql+psycopg://invoice_crm@127.0.0.1:{port}/invoice_crm: ")
    assert "Connection refused" in line
    assert "Pa55-secret" not in output
