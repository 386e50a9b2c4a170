"""Start the app as the README does (`make run`) in its own process group, and stop it.

Used by the end-to-end tests and by bench/."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE_SERVICES = ("GOOGLE_", "STRIPE_", "SMTP_")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(
    env: dict[str, str], log: Path, timeout: float = 420, target: str = "run", url: str | None = None
) -> subprocess.Popen:
    """`make run` (or `make <target>`) with ``env`` on top of a clean environment; returns once
    / and /ping answer at ``url`` (default APP_URL)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(OUTSIDE_SERVICES)}
    full_env.update(env)
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", target], cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return wait_until_up(proc, url or env["APP_URL"], log, timeout)


def wait_until_up(proc: subprocess.Popen, url: str, log: Path, timeout: float, name: str = "app") -> subprocess.Popen:
    """Return ``proc`` once / and /ping answer at ``url``; stop it and raise, with the end of
    its log, when it exits or does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        if _answers(url + "/ping") and _answers(url + "/"):
            return proc
        time.sleep(1)
    stop_app(proc)
    raise RuntimeError(f"{name} did not start in {timeout}s:\n{log.read_text()[-4000:]}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def stop_app(proc: subprocess.Popen) -> None:
    """Stop the whole process group (make, reflex, its workers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
