"""What the server process keeps private on its own machine.

- Reflex (in its default, single-process set-up) pickles each browser's state, the session
  token included, into ``.states/``: the directory is made 0700 and its files 0600, and the
  backend creates every new file owner-only (umask 077).
- Reflex logs browser tokens in some warnings: a log record factory blanks every UUID
  (Reflex's client tokens) and session token before any handler formats the record.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path

TOKEN_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # client tokens
    r"|\b[A-Za-z0-9_-]{43}\b"  # secrets.token_urlsafe(32): session and pay tokens
)
REDACTED = "[token]"


def states_dir() -> Path:
    from reflex.utils.prerequisites import get_states_dir

    return Path(get_states_dir())


def make_private(directory: Path | None = None) -> None:
    """0700 for the states directory (made if missing), 0600 for the files in it."""
    directory = directory or states_dir()
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(stat.S_IRWXU)
    for path in directory.rglob("*"):
        path.chmod(stat.S_IRWXU if path.is_dir() else stat.S_IRUSR | stat.S_IWUSR)


def restrict_new_files() -> None:
    os.umask(0o077)


SQLITE_FILES = ("", "-wal", "-shm", "-journal")


def private_database(url: str) -> None:
    """An SQLite database (with its WAL and shared-memory files) readable by its owner only:
    files made from now on by this process are owner-only (the first migration creates the
    database), and those an older version left readable by all are made so."""
    restrict_new_files()
    if not url.startswith("sqlite:///"):
        return
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    if not path or path == ":memory:":
        return
    for suffix in SQLITE_FILES:
        if os.path.exists(path + suffix):
            os.chmod(path + suffix, stat.S_IRUSR | stat.S_IWUSR)


def redact(text: str) -> str:
    return TOKEN_RE.sub(REDACTED, text)


_installed = False


def redact_tokens_in_logs() -> None:
    """Every log record of the process, whoever creates it, has tokens blanked."""
    global _installed
    if _installed:
        return
    _installed = True
    base_factory = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = base_factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record stays as it is; logging reports it
            return record
        if TOKEN_RE.search(message):
            record.msg, record.args = redact(message), None
        return record

    logging.setLogRecordFactory(factory)


def protect_process(database_url: str = "") -> None:
    """At backend start-up: private new files, private state files and database, no tokens in
    logs."""
    restrict_new_files()
    redact_tokens_in_logs()
    make_private()
    private_database(database_url)
