"""The clients a picker offers: a few at a time, found by typing (services.client_lists)."""

from __future__ import annotations

import asyncio

import reflex as rx

from invoice_crm.services import client_lists


class ClientChoicesMixin(rx.State, mixin=True):
    """For a state with a client picker: the search typed beside it, and what it offers."""

    client_search: str = ""
    client_options: list[dict[str, str]] = []
    client_options_more: bool = False
    client_matches: int = 0

    def _picked_client_id(self) -> int | None:  # overridden: the client the picker shows
        return None

    async def _load_client_options(self) -> None:
        choices = await asyncio.to_thread(
            client_lists.client_choices, self.client_search, self._picked_client_id()
        )
        self.client_options, self.client_options_more, self.client_matches = choices.options, choices.more, choices.matched

    @rx.event
    async def find_clients(self, text: str):
        """The picker's search box (debounced): only the clients it finds are offered."""
        if self._current_user() is None:
            return self._redirect_to_login()
        self.client_search = str(text)[: client_lists.MAX_SEARCH]
        await self._load_client_options()
        return None

    @rx.var
    def client_hint(self) -> str:
        """Under the search box: what the picker holds, and how to find the others."""
        searching = client_lists.search_term(self.client_search) != ""
        if searching and self.client_matches == 0:
            return "No client's name, company or email has this text."
        if self.client_options_more:
            if searching:
                return f"The first {client_lists.PICKER_LIMIT} matches: type more to narrow them."
            return f"Your {client_lists.PICKER_LIMIT} newest clients: type a name, company or email to find any other."
        return ""
