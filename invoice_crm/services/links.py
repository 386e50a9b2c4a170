"""Links the client is given: the stable pay link of an invoice."""

from __future__ import annotations

from invoice_crm.settings import get_settings


def pay_url(public_token: str) -> str:
    """The client's pay page for an invoice: stable for the invoice's life (APP_URL + /pay/<token>)."""
    return f"{get_settings().app_url}/pay/{public_token}"
