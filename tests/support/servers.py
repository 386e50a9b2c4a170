"""Real PostgreSQL, Redis and nginx for the tests, from the distribution's packages, each in a
temporary directory on a free port, no system service, stopped at the end.

Written by hand rather than with pytest-postgresql/pytest-redis because PostgreSQL refuses to
run as root, and CI runs as root: here initdb and postgres run as an unprivileged user (the
package's ``postgres`` user, or one made for the tests) through ``runuser``. Redis and nginx
run as whoever runs the tests.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.app_process import free_port

TEST_USER = "invoicecrm-test"


def _wait_for_port(port: int, timeout: float, proc: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} in {timeout}s")


# --- PostgreSQL ------------------------------------------------------------------------------


def postgres_bindir() -> Path | None:
    candidates = [os.environ.get("PG_BINDIR", "")]
    if shutil.which("pg_config"):
        candidates.append(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists() and (Path(candidate) / "postgres").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _unprivileged_user() -> str | None:
    """None when not root; otherwise a user PostgreSQL accepts (made if there is none)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", TEST_USER):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER], check=True)
    return TEST_USER


@dataclass
class PostgresServer:
    port: int
    directory: Path
    user: str | None
    bindir: Path
    proc: subprocess.Popen | None = None
    databases: list[str] = field(default_factory=list)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _as_user(self, *command: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *command] if self.user else list(command)

    def start(self) -> PostgresServer:
        data = self.directory / "data"
        subprocess.run(
            self._as_user(str(self.bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                          "-E", "UTF8", "--locale", "C", "--no-sync"),
            check=True, capture_output=True,
        )
        log = open(self.directory / "postgres.log", "w")  # noqa: SIM115  (kept open for the server's life)
        self.proc = subprocess.Popen(
            self._as_user(
                str(self.bindir / "postgres"), "-D", str(data), "-p", str(self.port), "-h", "127.0.0.1",
                "-k", str(self.directory), "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off", "-c", "max_connections=200",
            ),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        _wait_for_port(self.port, 60, self.proc, "postgres")
        deadline = time.monotonic() + 30
        while not self._accepts():
            if time.monotonic() > deadline:
                raise RuntimeError((self.directory / "postgres.log").read_text()[-2000:])
            time.sleep(0.2)
        return self

    def _accepts(self) -> bool:
        import psycopg

        try:
            psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(sql)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            # SIGINT is PostgreSQL's fast shutdown; to the whole group, so runuser's child gets it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_postgres() -> PostgresServer:
    bindir = postgres_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql; .ci/run does it)")
    user = _unprivileged_user()
    directory = Path(tempfile.mkdtemp(prefix="invoice-crm-pg-"))
    if user:
        shutil.chown(directory, user)
    return PostgresServer(port=free_port(), directory=directory, user=user, bindir=bindir).start()


# --- Redis -----------------------------------------------------------------------------------


@dataclass
class _ChildServer:
    """A server run as a plain child process in its own temporary directory (Redis, nginx)."""

    port: int
    directory: Path
    proc: subprocess.Popen | None = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.directory, ignore_errors=True)

    def wait_until_listening(self, timeout: float, what: str) -> None:
        """Returns once the port accepts connections; otherwise stops the server and raises."""
        try:
            _wait_for_port(self.port, timeout, self.proc, what)
        except RuntimeError:
            self.stop()
            raise


class RedisServer(_ChildServer):
    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def start_redis() -> RedisServer:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server; .ci/run does it)")
    directory = Path(tempfile.mkdtemp(prefix="invoice-crm-redis-"))
    port = free_port()
    log = open(directory / "redis.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory), "--save", "",
         "--appendonly", "no", "--daemonize", "no"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    server = RedisServer(port=port, directory=directory, proc=proc)
    server.wait_until_listening(30, "redis-server")
    return server


# --- nginx -----------------------------------------------------------------------------------

NGINX_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


class NginxServer(_ChildServer):
    tls_port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tls_url(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}"


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def start_nginx(app_port: int, port: int | None = None, tls: bool = False) -> NginxServer:
    """The repository's deploy/nginx.conf, its upstream pointed at the app and its listener on a
    free plain-HTTP port; with ``tls``, the same locations on a second port with TLS too (a
    self-signed certificate), as the browser reaches them in production."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx; .ci/run does it)")
    directory = Path(tempfile.mkdtemp(prefix="invoice-crm-nginx-"))
    port = port or free_port()
    site = NGINX_CONF.read_text().replace("127.0.0.1:3000", f"127.0.0.1:{app_port}")
    (directory / "shared.conf").write_text(_between(site, "# --- shared ---", "# --- end of shared ---"))
    (directory / "locations.conf").write_text(_between(site, "# --- locations ---", "# --- end of locations ---"))
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    tls_port = free_port() if tls else None
    tls_lines = ""
    if tls_port:
        cert, key = _self_signed_certificate(directory)
        tls_lines = f"listen 127.0.0.1:{tls_port} ssl;\n    ssl_certificate {cert};\n    ssl_certificate_key {key};"
    (directory / "nginx.conf").write_text(
        f"""daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 512; }}
http {{
  {mime}
  access_log {directory}/access.log;
  client_body_temp_path {directory}/body;
  proxy_temp_path {directory}/proxy;
  fastcgi_temp_path {directory}/fastcgi;
  uwsgi_temp_path {directory}/uwsgi;
  scgi_temp_path {directory}/scgi;
  include {directory}/shared.conf;
  server {{
    listen 127.0.0.1:{port};
    {tls_lines}
    server_name _;
    include {directory}/locations.conf;
  }}
}}
"""
    )
    proc = subprocess.Popen(
        [binary, "-p", str(directory), "-c", str(directory / "nginx.conf"), "-e", str(directory / "error.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
    )
    server = NginxServer(port=port, directory=directory, proc=proc)
    server.tls_port = tls_port
    server.wait_until_listening(20, "nginx")
    return server


def _between(text: str, start: str, end: str) -> str:
    """A marked part of deploy/nginx.conf (the shared blocks, or the TLS server's locations)."""
    return text[text.index(start) : text.index(end)]
