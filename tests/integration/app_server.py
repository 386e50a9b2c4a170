"""Serve the app's plain HTTP endpoints (invoice_crm.api.app) with Granian — the server
Reflex runs in production — in a subprocess, on a free port, with a given environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True  # 405 for GET on a POST route: the server is up
    except OSError:
        return False
    return True


@contextmanager
def serve_api(env: dict[str, str], log: Path, timeout: float = 60) -> Iterator[str]:
    """Yield the base URL of the running endpoints; stop them afterwards."""
    with serve_asgi(env, log, timeout) as (base, _proc):
        yield base


@contextmanager
def serve_asgi(
    env: dict[str, str], log: Path, timeout: float = 60, target: str = "invoice_crm.api.app:api", factory: bool = False
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Yield the base URL and the server process; stop it afterwards."""
    port = _free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "GOOGLE_", "SMTP_"))}
    full_env.update(env)
    command = [
        sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", *(["--factory"] if factory else []), target,
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while not _answers(base + "/api/stripe/webhook"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"endpoint server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
