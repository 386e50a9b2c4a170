"""The dashboard's "Expected in 30 days" card: open balances whose expected payment date (from
each client's usual days to pay) falls within the next 30 days, per currency."""

from __future__ import annotations

import asyncio

import reflex as rx

from invoice_crm.services import expected_pay, recurring
from invoice_crm.state.auth import AuthState

NONE_YET = "No client has three paid invoices yet"


class ExpectedCashState(AuthState):
    expected_cash_in: str = ""
    expected_note: str = ""

    @rx.event
    async def load(self):
        if self._current_user() is None:
            return
        text = await asyncio.to_thread(lambda: expected_pay.cash_in_text(recurring.today_here()))
        self.expected_cash_in = text or "—"
        self.expected_note = "from each client's usual days to pay" if text else NONE_YET
