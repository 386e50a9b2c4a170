"""Clients, projects and leads pages: list, create, edit — what invoices need."""

from __future__ import annotations

import asyncio
from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx

from invoice_crm.domain.drafts import as_id
from invoice_crm.domain.errors import DomainError, FieldErrors, NotFound
from invoice_crm.domain.numbers import format_count
from invoice_crm.domain.search import fold_case
from invoice_crm.services import client_accounts, client_lists, idempotency, queries
from invoice_crm.services import clients as client_service
from invoice_crm.state.auth import AuthState
from invoice_crm.state.client_choices import ClientChoicesMixin


def _strings(rows: list[dict]) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items()} for row in rows]


class DirectoryState(AuthState):
    """Shared by the three pages: guard, error field, and a run-a-service helper."""

    error: str = ""
    errors: dict[str, str] = {}  # the form's refused fields (field -> message), each shown beside its input
    form_key: str = ""  # once per intent: made when the page's create form is shown
    # The key of the last create that went through. The form carries the key it was drawn
    # with (a hidden field), so both submissions of a double click carry the same one: the
    # second, queued behind the first, finds it spent and does nothing.
    _spent_key: str = ""
    form_id: ClassVar[str] = ""  # the create form's element id, emptied by ``_create`` once it succeeds
    creating: bool = False
    loaded: bool = False  # the list has been read: its table appears in one piece

    async def _run(self, action, success: str, *, in_form: bool = True):
        """``in_form``: the action is the page's form (its error shows there); else a row's
        (the error is only toasted, the form keeps its own)."""
        if self._current_user() is None:
            return self._redirect_to_login()
        if in_form:
            self.error, self.errors = "", {}
        try:
            await asyncio.to_thread(action)
        except DomainError as err:
            if in_form:
                self.error = err.message
                self.errors = err.errors if isinstance(err, FieldErrors) else {err.field or "": err.message}
            # One toast per form, replaced by the next refusal: a double click on a refused
            # form says it once (sonner updates a toast of the same id).
            if in_form:
                return rx.toast.error(err.message, id=f"{self.form_id or 'form'}-refused")
            return rx.toast.error(err.message)
        await self._refresh()
        return rx.toast.success(success)

    async def _refresh(self) -> None:  # overridden
        return None

    def _intent(self, form: dict) -> str:
        """The create's key: the one its form was drawn with, else the page's current one;
        "" when that key is spent (a repeated submission of a create already made)."""
        key = str(form.get("form_key") or "") or self.form_key or idempotency.new_key()
        return "" if key == self._spent_key else key

    async def _create(self, form: dict, action, success: str):
        """A create with the form's idempotency key; the button shows progress meanwhile.
        A repeated submission of the same form does nothing (no second row, no error about the
        form it emptied)."""
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        key = self._intent(form)
        if not key:
            return
        self.form_key = key
        self.creating = True
        yield
        toast = await self._run(lambda: action(key), success)
        self.creating = False
        yield self._created(toast) if not self.error else toast

    def _created(self, toast):
        """After a create went through: a new intent, and the form emptied only now (refused, or
        asked about a similar client, it kept what was typed)."""
        self._spent_key = self.form_key
        self.form_key = idempotency.new_key()
        self._empty_form()
        if not self.form_id:
            return toast
        return [toast, rx.call_script(f"document.getElementById('{self.form_id}')?.reset()")]

    def _empty_form(self) -> None:  # overridden: what the state keeps of the form, emptied
        return None

    async def _load_page(self):
        """The body of each page's on_load. (Each leaf state declares its own on_load:
        Reflex binds an event handler to the class that defines it, not to subclasses.)"""
        if self._current_user() is None:
            return self._redirect_to_login()
        self.form_key = idempotency.new_key()
        self.creating = False
        self.errors = {}
        self._empty_form()
        await self._refresh()
        self.loaded = True
        return None


ADD_CLIENT_FORM = "add-client-form"  # the page's add form (pages/directory.py)
ADD_PROJECT_FORM = "add-project-form"
ADD_LEAD_FORM = "add-lead-form"


def clients_url(search: str, page: int) -> str:
    """The /clients list as a URL (a bookmark, Back and reload show the same page of it)."""
    query = {k: v for k, v in (("q", search.strip()), ("page", str(page) if page > 1 else "")) if v}
    return "/clients" + ("?" + urlencode(query) if query else "")


def clients_params(params) -> tuple[str, int]:
    """The search and page a /clients URL names; an unreadable page is the first."""
    page = str(params.get("page", "1"))
    number = int(page) if page.isascii() and page.isdigit() and 0 < len(page) < 8 else 1
    return str(params.get("q", ""))[: client_lists.MAX_SEARCH], max(1, number)


CLIENT_FIELDS = ("name", "email", "company", "address", "tax_number")


class ClientsState(DirectoryState):
    """/clients: one page of the clients the search finds (the search and the page are the
    URL's ``q`` and ``page``), the add form and the edit dialog."""

    clients: list[dict[str, str]] = []
    form_id: ClassVar[str] = ADD_CLIENT_FORM
    search: str = ""
    page: int = 1
    total: int = 0
    # The list URLs the page's controls have shown and handed to the browser, oldest first:
    # on_load, which each runs, finds its rows shown already. Typing runs ahead of the URL
    # (a search of "ab", then "abc", before the first URL's on_load): that on_load must not
    # put "ab" back in the box while "abc" is typed.
    _pushed: list[str] = []

    @rx.event
    async def on_load(self):
        search, page = clients_params(self.router.url.query_parameters)
        url = clients_url(search, page)
        if self.loaded and url in self._pushed:
            self._pushed = self._pushed[self._pushed.index(url) + 1:]
            return None  # a control of the page has shown this list (or a later one)
        self._pushed = []
        # Opened anew (a link, Back, a reload): no dialog the person did not open here; the
        # edit dialog and the similar-client question left open on the last visit stay shut.
        self.edit_open, self.editing_id, self.form, self.edit_errors = False, 0, {}, {}
        self.pending, self.duplicate_of, self.pending_edit = {}, "", False
        self.search, self.page = search, page
        return await self._load_page()

    editing_id: int = 0
    edit_open: bool = False
    form: dict[str, str] = {}
    # The edit dialog's refusals (field -> message), its own: the add form behind it keeps
    # ``errors``, so a refused save is said once, in the dialog.
    edit_errors: dict[str, str] = {}

    @rx.var
    def add_error(self) -> str:
        """A refusal of the add form that names none of its fields, shown under the form."""
        return _other_error(self.errors)

    @rx.var
    def edit_error(self) -> str:
        """The same for the edit dialog (the client was deleted elsewhere)."""
        return _other_error(self.edit_errors)

    async def _refresh(self) -> None:
        found = await asyncio.to_thread(client_lists.client_page, self.search, self.page)
        self.clients, self.total, self.page = _strings(found.rows), found.total, found.page

    @rx.var
    def page_count(self) -> int:
        return client_lists.page_count(self.total)

    @rx.var
    def range_label(self) -> str:
        """``1–50 of 5,011`` (numbers as the business locale writes them)."""
        if self.total == 0:
            return "No clients"
        first = (self.page - 1) * client_lists.CLIENTS_PER_PAGE + 1
        last = min(self.page * client_lists.CLIENTS_PER_PAGE, self.total)
        return f"{format_count(first)}–{format_count(last)} of {format_count(self.total)}"

    async def _show(self, search: str, page: int):
        """Show this page of the list at once, then put it in the URL (a new history entry)."""
        if self._current_user() is None:
            return self._redirect_to_login()
        self.search, self.page = search, page
        await self._refresh()
        url = clients_url(self.search, self.page)
        self._pushed = [*self._pushed[-20:], url]
        return rx.redirect(url)

    @rx.event
    async def set_search(self, value: str):
        return await self._show(str(value)[: client_lists.MAX_SEARCH], 1)

    @rx.event
    async def next_page(self):
        return await self._show(self.search, min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self):
        return await self._show(self.search, max(1, self.page - 1))

    duplicate_of: str = ""
    pending: dict[str, str] = {}
    pending_edit: bool = False  # the similar-client question is about the edit dialog's save

    @rx.event
    async def create(self, form: dict):
        if self._current_user() is None:
            return self._redirect_to_login()
        if not self._intent(form):
            return None  # the second click of a double click: the client is already added
        # A second client with the same name or email is asked about first.
        same = await asyncio.to_thread(client_accounts.find_duplicate, form.get("name", ""), form.get("email", ""))
        if same:
            # The question is about what is typed now: a refusal of an earlier try is gone.
            self.error, self.errors = "", {}
            self.pending, self.duplicate_of, self.pending_edit = {k: str(v) for k, v in form.items()}, same, False
            return None
        return await self._create_client(form)

    @rx.event
    async def confirm_duplicate(self):
        form, editing, self.pending, self.duplicate_of, self.pending_edit = self.pending, self.pending_edit, {}, "", False
        if editing:
            # Answered once: a second click on "Save anyway" finds nothing pending.
            return await self._save_edit(form) if form else None
        return await self._create_client(form)

    @rx.event
    def cancel_duplicate(self, _open: bool = False):
        self.pending, self.duplicate_of, self.pending_edit = {}, "", False

    async def _create_client(self, form: dict):
        key = self._intent(form)
        if not key:
            return None
        self.form_key = key
        added = []
        toast = await self._run(
            lambda: added.append(client_service.create_client(
                form.get("name", ""), form.get("email", ""), form.get("company", ""), form.get("address", ""),
                form.get("tax_number", ""), idempotency_key=key,
            )),
            f"Client {form.get('name', '').strip()} added",
        )
        if self.error or not added:
            return toast
        done = self._created(toast)
        return [*(done if isinstance(done, list) else [done]), *await self._show_added(added[0].id)]

    async def _show_added(self, client_id: int) -> list:
        """The list moves to the page that holds the client just added (the search kept when
        it finds them), so what was added is in view."""
        self.search, self.page = await asyncio.to_thread(client_lists.page_holding, client_id, self.search)
        await self._refresh()
        url = clients_url(self.search, self.page)
        if url == clients_url(*clients_params(self.router.url.query_parameters)):
            return []
        self._pushed = [*self._pushed[-20:], url]
        return [rx.redirect(url)]

    @rx.event
    def start_edit(self, client: dict):
        if not str(client.get("id", "")).isdigit():
            return
        self.editing_id = int(client["id"])
        self.form = {k: client.get(k, "") for k in CLIENT_FIELDS}
        self.edit_errors = {}
        self.edit_open = True

    @rx.event
    def set_edit_open(self, value: bool):
        self.edit_open = value
        if not value:
            self.edit_errors = {}

    @rx.event
    async def save_edit(self, form: dict):
        """Saved, unless the edit makes the client's name or email another client's: that is
        asked first, as adding such a client is ("A similar client exists")."""
        if self._current_user() is None:
            return self._redirect_to_login()
        if not self.edit_open:
            return None  # the dialog was saved and closed (a double click's second submission)
        fields = {k: str(form.get(k, "")) for k in CLIENT_FIELDS}
        if self.duplicate_of:
            return None  # already asked about this save (a double click): the question is open
        if _key(fields["name"]) != _key(self.form.get("name", "")) or _key(fields["email"]) != _key(self.form.get("email", "")):
            same = await asyncio.to_thread(client_accounts.find_duplicate, fields["name"], fields["email"], self.editing_id)
            if same:
                self.pending, self.duplicate_of, self.pending_edit = fields, same, True
                return None
        return await self._save_edit(fields)

    async def _save_edit(self, form: dict):
        if not self.edit_open:
            return None
        self.edit_errors = {}
        try:
            await asyncio.to_thread(
                client_service.update_client,
                self.editing_id, form.get("name", ""), form.get("email", ""), form.get("company", ""),
                form.get("address", ""), form.get("tax_number", ""),
            )
        except NotFound:
            # Deleted in another tab (or by another person) since the dialog opened: said in the
            # dialog, and the list shows it gone.
            self.edit_errors = {"": DELETED_ELSEWHERE}
            await self._refresh()
            return None
        except DomainError as err:
            self.edit_errors = err.errors if isinstance(err, FieldErrors) else {err.field or "": err.message}
            return rx.toast.error(err.message, id="edit-client-refused")
        self.edit_open = False
        await self._refresh()
        return rx.toast.success("Client saved")


DELETED_ELSEWHERE = "This client was deleted in another tab or window, so nothing was saved."


def _other_error(errors: dict[str, str]) -> str:
    """The message of a refusal that names no field of the client form."""
    return next((message for field, message in errors.items() if field not in CLIENT_FIELDS), "")


def _key(text: str) -> str:
    """A name or email as the similar-client check compares them (in any case)."""
    return fold_case(str(text or "").strip()) or ""


class ClientPickerState(DirectoryState, ClientChoicesMixin):
    """A list page whose create form starts by choosing a client."""

    new_client_id: str = ""

    async def _load_rows(self) -> None:  # overridden
        return None

    async def _refresh(self) -> None:
        await self._load_rows()
        await self._load_client_options()

    def _picked_client_id(self) -> int | None:
        return as_id(self.new_client_id)

    @rx.event
    def set_new_client_id(self, value: str):
        self.new_client_id = value

    def _empty_form(self) -> None:
        # The select is controlled: emptied with the rest of the form, and when a page opens
        # (leads and projects share it: a client chosen on one is not carried to the other).
        self.new_client_id = ""

    async def _load_page(self):
        self.client_search = ""  # a page opens offering the newest clients (a search typed here stays after a create)
        return await super()._load_page()

    def _chosen_client(self) -> int | None:
        return as_id(self.new_client_id)

    async def _rename(self, rows: list[dict[str, str]], column: str, row_id: str, text: str, save, success: str):
        """A row's name (a project's field, a lead's Rename dialog). A refusal is kept by row id
        in the page's ``rename_errors`` (each page declares its own) and shown beside the field."""
        if any(r["id"] == row_id and r[column] == text for r in rows):
            self._forget_rename_error(row_id)
            return None  # the field was left as it was (or Enter, then the blur, sent it twice)
        if self._current_user() is None:
            return self._redirect_to_login()
        if not row_id.isdigit():
            return None
        try:
            await asyncio.to_thread(save, int(row_id), text)
        except DomainError as err:
            self.rename_errors = {**self.rename_errors, row_id: err.message}
            return rx.toast.error(err.message)
        self._forget_rename_error(row_id)
        await self._refresh()
        return rx.toast.success(success)

    def _forget_rename_error(self, row_id: str) -> None:
        if row_id in self.rename_errors:
            self.rename_errors = {k: v for k, v in self.rename_errors.items() if k != row_id}


class ProjectsState(ClientPickerState):
    projects: list[dict[str, str]] = []
    form_id: ClassVar[str] = ADD_PROJECT_FORM

    async def _load_rows(self) -> None:
        self.projects = _strings(await asyncio.to_thread(queries.list_projects))

    @rx.event
    async def on_load(self):
        self.rename_errors = {}
        return await self._load_page()

    @rx.event
    async def create(self, form: dict):
        client_id = self._chosen_client()
        async for update in self._create(
            form, lambda key: client_service.create_project(client_id, form.get("name", ""), idempotency_key=key),
            f"Project {form.get('name', '').strip()} added",
        ):
            yield update

    # A refused rename, by project id: shown beside that row's field, which keeps the typed
    # text (a long name is put right in place, not typed again); a reload shows the saved name.
    rename_errors: dict[str, str] = {}

    @rx.event
    async def rename(self, project_id: str, name: str):
        """From the row's field when it loses focus, or on Enter (``submit_rename``)."""
        return await self._rename(self.projects, "name", project_id, name, client_service.update_project, "Project renamed")

    @rx.event
    async def submit_rename(self, form: dict):
        """Enter in a row's field: its form carries the project's id and the name. The keyboard
        stays in the field, also when the new name moves its row (the list is by name)."""
        project_id = str(form.get("id", ""))
        toast = await self.rename(project_id, str(form.get("name", "")))
        if not project_id.isdigit():
            return toast
        refocus = f"requestAnimationFrame(() => document.getElementById('project-name-{project_id}')?.focus())"
        return [event for event in (toast, rx.call_script(refocus)) if event is not None]


class LeadsState(ClientPickerState):
    leads: list[dict[str, str]] = []
    form_id: ClassVar[str] = ADD_LEAD_FORM

    @rx.event
    async def on_load(self):
        self.rename_errors, self.renaming_id, self.renaming_title = {}, "", ""
        return await self._load_page()

    async def _load_rows(self) -> None:
        self.leads = _strings(await asyncio.to_thread(queries.list_leads))

    # The lead whose Rename dialog is open ("" when none), and a refused title by lead id.
    renaming_id: str = ""
    renaming_title: str = ""
    rename_errors: dict[str, str] = {}

    @rx.event
    def start_rename(self, lead_id: str, title: str):
        self.renaming_id, self.renaming_title = lead_id, title
        self._forget_rename_error(lead_id)

    @rx.event
    def set_rename_open(self, value: bool):
        if not value:
            self.renaming_id = self.renaming_title = ""

    @rx.event
    async def submit_rename(self, form: dict):
        """The dialog's Save (or Enter): saved or left as it was, it closes; refused, it stays
        open with the reason under the field. A second submit finds it closed and does nothing."""
        lead_id = self.renaming_id
        toast = await self._rename(self.leads, "title", lead_id, str(form.get("title", "")),
                                   client_service.update_lead_title, "Lead renamed")
        if lead_id not in self.rename_errors:
            self.renaming_id = self.renaming_title = ""
        return toast

    @rx.event
    async def create(self, form: dict):
        client_id = self._chosen_client()
        async for update in self._create(
            form, lambda key: client_service.create_lead(client_id, form.get("title", ""), idempotency_key=key),
            "Lead added",
        ):
            yield update

    @rx.event
    async def set_status(self, lead_id: str, status: str):
        return await self._run(
            lambda: client_service.set_lead_status(int(lead_id), status), f"Lead moved to {status.capitalize()}", in_form=False
        )
