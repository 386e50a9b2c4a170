"""`make run` and `make serve` listen on the APP_PORT the settings give: the command line, then
the environment, then .env, then 3000. (The Makefile once exported its own default of 3000,
which beat a port set in .env.) The project is copied into a temporary directory, to hold a
.env of its own; `reflex` there is a stand-in that writes down how it was started."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("project")
    for name in ("Makefile", "pyproject.toml", "alembic.ini", "rxconfig.py"):
        shutil.copy(ROOT / name, copy / name)
    for name in ("invoice_crm", "alembic"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    bin_dir = copy / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    real = Path(sys.executable)
    stubs = {
        "python": f'exec {real} "$@"\n',
        "alembic": f'exec {real.with_name("alembic")} "$@"\n',
        "reflex": 'echo "reflex $* APP_PORT=${APP_PORT:-unset}" >> "$REFLEX_LOG"\n',
    }
    for name, body in stubs.items():
        (bin_dir / name).write_text("#!/bin/sh\n" + body)
        (bin_dir / name).chmod(0o755)
    (copy / "venv" / ".installed").touch()  # newer than pyproject.toml: no pip install
    return copy


def _make(project: Path, target: str, *args: str, dotenv: str | None = None, **env: str) -> str:
    log = project / "reflex.log"
    log.unlink(missing_ok=True)
    (project / ".env").unlink(missing_ok=True)
    if dotenv is not None:
        (project / ".env").write_text(dotenv)
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    clean.update(
        PYTHONPATH=str(project), VENV="venv", REFLEX_LOG=str(log), WEB_WORKERS="1",
        DATABASE_URL=f"sqlite:///{project / 'app.db'}", REFLEX_STATES_WORKDIR=str(project / "states"),
        ADMIN_EMAIL="owner@example.com", ADMIN_PASSWORD="long-enough-1",
    )
    clean.update(env)
    done = subprocess.run(["make", "-s", target, *args], cwd=project, env=clean, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return log.read_text().strip()


@pytest.mark.parametrize("target", ["run", "serve"])
def test_the_port_comes_from_dotenv_unless_the_environment_or_command_line_gives_one(project, target):
    assert "--frontend-port 3000 " in _make(project, target)
    assert "--frontend-port 3800 " in _make(project, target, dotenv="APP_PORT=3800\n")
    assert "--frontend-port 8080 " in _make(project, target, dotenv="APP_PORT=3800\n", APP_PORT="8080")
    assert "--frontend-port 9090 " in _make(project, target, "APP_PORT=9090", dotenv="APP_PORT=3800\n", APP_PORT="8080")
