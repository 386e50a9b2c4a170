"""Start-up chores run by `make run` / `make serve` before the app starts (owner account and
demo data), and `serve`: the production server with several backend workers."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from pydantic import ValidationError as PydanticValidationError

from invoice_crm import privacy
from invoice_crm.domain.errors import DomainError
from invoice_crm.services import auth, demo
from invoice_crm.services.invoices import sweep_overdue
from invoice_crm.settings import get_settings


def bootstrap() -> None:
    settings = get_settings()
    privacy.make_private()
    if settings.admin_email and settings.admin_password:
        try:
            auth.ensure_user(settings.admin_email, settings.admin_password.get_secret_value())
        except DomainError as err:
            raise SystemExit(f"Cannot start: {err.message}") from None
    if settings.load_demo_data and demo.database_is_empty():
        made = demo.load_demo_data()
        print(f"Loaded demo data: {made} invoices.")
    sweep_overdue()
    auth.prune_expired_sessions()
    if auth.has_users():
        print(f"Sign in at {settings.app_url}/login")
    else:
        code = auth.new_setup_code()
        print(f"Create the owner account at {settings.app_url}/login with the set-up code:\n\n    {code}\n")
        print("(The code is valid until the owner account is made; each start prints a new one.)")


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
    reflex = shutil.which("reflex") or str(Path(sys.executable).with_name("reflex"))
    print(f"Serving with {settings.web_workers} backend worker(s) on port {settings.app_port}; public URL {settings.app_url}")
    sys.stdout.flush()
    os.execve(reflex, [reflex, "run", "--env", "prod", "--frontend-port", str(settings.app_port)], env)


def main(argv: list[str]) -> int:
    commands = {"bootstrap": bootstrap, "serve": serve}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: python -m invoice_crm.cli {{{'|'.join(commands)}}}", file=sys.stderr)
        return 2
    try:
        commands[argv[0]]()
    except PydanticValidationError as err:  # a setting is wrong: say which and why, no traceback
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in err.errors())
        print(f"Cannot start: {problems}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
