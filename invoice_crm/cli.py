"""Start-up chores run by `make run` / `make serve` before the app starts (owner account and
demo data); `run`: the app on APP_PORT (`make run`); `serve`: the production server with
several backend workers (`make serve`). Both take the port from the settings, so APP_PORT in
.env counts (and the environment still wins over .env)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from invoice_crm import privacy
from invoice_crm.domain.errors import DomainError
from invoice_crm.services import auth, demo, idempotency
from invoice_crm.services.invoices import sweep_overdue
from invoice_crm.settings import get_settings
from invoice_crm.startup import clean_failures, settings_or_exit


def bootstrap() -> None:
    settings = get_settings()
    privacy.make_private()
    privacy.private_database(settings.database_url)
    if settings.admin_email and settings.admin_password:
        try:
            auth.ensure_user(settings.admin_email, settings.admin_password.get_secret_value())
        except DomainError as err:
            raise SystemExit(f"Cannot start: {err.message}") from None
    if demo.should_load_on_startup():  # LOAD_DEMO_DATA=true on a fresh database
        made = demo.load_demo_data()
        print(f"Loaded sample data: {made} invoices (remove it from the dashboard).")
    sweep_overdue()
    auth.prune_expired_sessions()
    idempotency.prune()  # keys older than a month: no form stays open that long
    # /login/ as the page is served: /login answers with a redirect to it.
    if auth.has_users():
        print(f"Sign in at {settings.app_url}/login/")
    else:
        code = auth.new_setup_code()
        print(f"Create the owner account at {settings.app_url}/login/ with the set-up code:\n\n    {code}\n")
        print("(The code is valid until the owner account is made; each start prints a new one.)")


def _reflex() -> str:
    return shutil.which("reflex") or str(Path(sys.executable).with_name("reflex"))


def run() -> None:
    """`reflex run --env prod` on APP_PORT (one backend process): `make run`."""
    settings = get_settings()
    reflex = _reflex()
    sys.stdout.flush()
    os.execv(reflex, [reflex, "run", "--env", "prod", "--frontend-port", str(settings.app_port)])


def serve() -> None:
    """`reflex run --env prod` with WEB_WORKERS backend workers (Granian) sharing Reflex's state
    in REFLEX_REDIS_URL; the browser reaches the events at APP_URL (the proxy in front)."""
    settings = get_settings()
    if settings.web_workers > 1 and not settings.reflex_redis_url:
        raise SystemExit("WEB_WORKERS > 1 needs REFLEX_REDIS_URL (Reflex keeps each browser's state there)")
    if not settings.database_url.startswith("postgresql"):
        print("Warning: serving on SQLite; production wants DATABASE_URL=postgresql+psycopg://...", file=sys.stderr)
    env = dict(os.environ)
    env.update(
        GRANIAN_WORKERS=str(settings.web_workers),
        REFLEX_USE_GRANIAN="true",
        REFLEX_API_URL=env.get("REFLEX_API_URL") or settings.app_url,  # websocket via the proxy
    )
    if settings.reflex_redis_url:
        env["REFLEX_REDIS_URL"] = settings.reflex_redis_url
    reflex = _reflex()
    print(f"Serving with {settings.web_workers} backend worker(s) on port {settings.app_port}; public URL {settings.app_url}")
    sys.stdout.flush()
    os.execve(reflex, [reflex, "run", "--env", "prod", "--frontend-port", str(settings.app_port)], env)


def main(argv: list[str]) -> int:
    commands = {"bootstrap": bootstrap, "run": run, "serve": serve}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: python -m invoice_crm.cli {{{'|'.join(commands)}}}", file=sys.stderr)
        return 2
    # A wrong setting or database: one line saying why ("Cannot start: ..."), no traceback.
    try:
        with clean_failures(settings_or_exit().database_url):
            commands[argv[0]]()
    except SystemExit as stop:
        if not isinstance(stop.code, str):
            raise
        print(stop.code, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
