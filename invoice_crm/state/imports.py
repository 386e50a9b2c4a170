"""/import: upload a CSV of clients or past invoices, map its columns, see each row's errors,
then import every row (only when all are valid) or only the valid rows."""

from __future__ import annotations

import asyncio
import threading

import reflex as rx

from invoice_crm.domain import imports as fmt
from invoice_crm.domain.business import rejected_upload_message
from invoice_crm.domain.errors import DomainError
from invoice_crm.services import imports
from invoice_crm.state.auth import AuthState

NONE = "__none__"  # the select's value for "not imported" (Radix items need a non-empty value)
MAX_SHOWN_ERRORS = 300
PREVIEW_ROWS = 5


class _Progress:
    """Written by the importing thread, read by the event that shows it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = self.total = 0

    def __call__(self, done: int, total: int) -> None:
        with self.lock:
            self.done, self.total = done, total


class ImportState(AuthState):
    kind: str = "clients"
    file_name: str = ""
    headers: list[str] = []
    mapping: dict[str, str] = {}
    columns: list[dict[str, str]] = []
    sample: list[dict[str, str]] = []
    errors: list[dict[str, str]] = []
    error_count: int = 0
    rows_total: int = 0
    error_rows: int = 0
    ready: int = 0  # valid rows' items to create
    skipped: int = 0
    file_error: str = ""
    importing: bool = False
    progress_done: int = 0
    progress_total: int = 0
    result: str = ""
    has_rejected: bool = False
    _content: bytes = b""
    _rejected: str = ""

    def _reset_file(self) -> None:
        self.file_name = self.file_error = self.result = ""
        self.headers, self.mapping, self.sample, self.errors = [], {}, [], []
        self.error_count = self.rows_total = self.error_rows = self.ready = self.skipped = 0
        self.progress_done = self.progress_total = 0
        self.has_rejected, self._rejected, self._content = False, "", b""
        self._describe_columns()

    def _describe_columns(self) -> None:
        self.columns = [
            {"key": c.key, "label": c.label, "required": "required" if c.required else "optional", "help": c.help_in(),
             "header": self.mapping.get(c.key) or NONE}
            for c in fmt.columns_of(self.kind)
        ]

    @rx.event
    def on_load(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        wanted = self.router.url.query_parameters.get("kind", "clients")
        self.kind = wanted if wanted in fmt.KINDS else "clients"
        self.importing = False
        self._reset_file()
        return None

    @rx.event
    def set_kind(self, kind: str):
        if kind not in fmt.KINDS or self.importing:
            return None
        self.kind = kind  # the page has put it in the address already
        self._reset_file()
        return None

    async def _check(self) -> None:
        try:
            checked = await asyncio.to_thread(imports.preview, self.kind, self._content, self.mapping)
        except DomainError as err:
            self.file_error = err.message
            return
        self.rows_total = len(checked.table.rows)
        self.error_count = len(checked.errors)
        self.error_rows = len(checked.error_rows)
        self.ready, self.skipped = len(checked.items), checked.skipped
        self.errors = [
            {"row": str(e.row), "field": e.field, "message": e.message} for e in checked.errors[:MAX_SHOWN_ERRORS]
        ]
        rows = fmt.mapped_rows(checked.table, self.mapping)[:PREVIEW_ROWS]
        self.sample = [
            {"row": str(checked.table.row_number(i)),
             "cells": " · ".join(v.strip() for v in row.values() if v.strip())[:200]}
            for i, row in enumerate(rows)
        ]

    @rx.event
    def file_rejected(self, codes: str):
        """A file the browser did not send (larger than an import may be): said beside the field."""
        self._reset_file()
        self.file_error = rejected_upload_message(codes, fmt.FILE_TOO_LARGE)

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        if self._current_user() is None:
            return self._redirect_to_login()
        if not files or self.importing:
            return None
        self._reset_file()
        upload = files[0]
        content = await upload.read()
        name = (upload.name or "file.csv")[-120:]
        try:
            table, mapping = await asyncio.to_thread(imports.read, self.kind, content)
        except DomainError as err:  # nothing was read: the drop zone does not say "Read <file>"
            self.file_error = f"{name}: {err.message}"
            return rx.toast.error(err.message)
        self.file_name = name
        self._content, self.headers, self.mapping = content, table.headers, mapping
        self._describe_columns()
        await self._check()
        if self.error_count:
            rows = f"{self.error_rows} rows need" if self.error_rows != 1 else "1 row needs"
            return rx.toast.warning(f"{rows if self.error_rows else 'Some rows need'} attention; nothing imported yet")
        return rx.toast.success(f"{self.rows_total} row{'s' if self.rows_total != 1 else ''} read; nothing imported yet")

    @rx.event
    async def set_mapping(self, key: str, header: str):
        if not self._content or self.importing:
            return None
        if key not in {c.key for c in fmt.columns_of(self.kind)}:
            return None
        if header != NONE and header not in self.headers:
            return None
        self.mapping = {**self.mapping, key: "" if header == NONE else header}
        self._describe_columns()
        self.result, self.has_rejected, self._rejected = "", False, ""
        await self._check()
        return None

    @rx.event(background=True)
    async def import_rows(self, only_valid: bool):
        async with self:
            if self._current_user() is None:
                return self._redirect_to_login()
            if not self._content or self.importing:
                return None
            self.importing, self.result = True, ""
            self.progress_done, self.progress_total = 0, self.ready
            kind, content, mapping = self.kind, self._content, dict(self.mapping)
        progress = _Progress()
        job = asyncio.create_task(
            asyncio.to_thread(imports.run_import, kind, content, mapping, only_valid=bool(only_valid), progress=progress)
        )
        while not job.done():
            await asyncio.wait({job}, timeout=0.4)
            with progress.lock:
                done, total = progress.done, progress.total
            async with self:
                self.progress_done, self.progress_total = done, total
        async with self:
            self.importing = False
            try:
                outcome = job.result()
            except DomainError as err:
                self.result = err.message
                return rx.toast.error(err.message)
            noun = "client" if kind == "clients" else "invoice"
            text = f"Imported {outcome.created} {noun}{'s' if outcome.created != 1 else ''}"
            if outcome.skipped:
                text += f"; {outcome.skipped} already in the app, not imported again"
            if outcome.rejected_rows:
                text += f"; {outcome.rejected_rows} row{'s' if outcome.rejected_rows != 1 else ''} rejected"
            self.result = text
            self._rejected, self.has_rejected = outcome.rejected_csv, bool(outcome.rejected_csv)
            self.progress_done = self.progress_total = outcome.created
            await self._check()  # what is left: the same file now shows its rows as already imported
            return rx.toast.success(text)

    @rx.event
    def download_rejected(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        if not self._rejected:
            return rx.toast.error("There are no rejected rows to download")
        return rx.download(data=self._rejected, filename=f"rejected-{self.kind}.csv", mime_type="text/csv")

    @rx.event
    def download_template(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        return rx.download(data=imports.template(self.kind), filename=f"{self.kind}-template.csv", mime_type="text/csv")

    @rx.var
    def can_import_all(self) -> bool:
        return self.file_name != "" and self.rows_total > 0 and self.error_count == 0 and self.ready > 0

    @rx.var
    def progress_text(self) -> str:
        if self.progress_total <= 0:
            return "Importing…"
        return f"Importing… {self.progress_done} of {self.progress_total}"
