"""Start-up chores run by `make run` before the app starts: owner account and demo data."""

from __future__ import annotations

import sys

from invoice_crm.services import auth, demo, idempotency
from invoice_crm.services.invoices import sweep_overdue
from invoice_crm.settings import get_settings


def bootstrap() -> None:
    settings = get_settings()
    if settings.admin_email and settings.admin_password:
        auth.ensure_user(settings.admin_email, settings.admin_password.get_secret_value())
    if demo.should_load_on_startup():  # LOAD_DEMO_DATA=true on a fresh database
        made = demo.load_demo_data()
        print(f"Loaded sample data: {made} invoices (remove it from the dashboard).")
    sweep_overdue()
    idempotency.prune()  # keys older than a month: no form stays open that long
    if auth.has_users():
        print(f"Sign in at {settings.app_url}/login")
    else:
        print(f"Create the owner account at {settings.app_url}/login")


def main(argv: list[str]) -> int:
    commands = {"bootstrap": bootstrap}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: python -m invoice_crm.cli {{{'|'.join(commands)}}}", file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
