"""The engine and session helpers.

Services use ``write_session()`` for their one transaction: on SQLite it begins
IMMEDIATE, so concurrent writers queue on the busy timeout instead of failing halfway.
Reads use ``read_session()``.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from invoice_crm.domain.search import fold_case, name_order
from invoice_crm.settings import get_settings

# Every engine of this process, to be cut off from the parent's connections after a fork.
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_inherited_connections() -> None:
    """In a forked child (Granian forks its backend workers from the process that loaded the
    app): the pooled connections belong to the parent. Two processes talking on one socket
    corrupt each other's answers ("server closed the connection unexpectedly"), so the child
    drops them, without closing them under the parent, and opens its own."""
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


class _SqliteProbe:
    """A connection of its own that only asks SQLite whether the file changed. PRAGMA
    data_version changes whenever another connection (of any process) commits; this one
    never writes, so every commit counts. A file replaced at its path (a restore) is
    noticed by its inode and gets a new probe."""

    _generations = itertools.count(1)

    def __init__(self, path: str):
        self.pid = os.getpid()
        self.inode = os.stat(path).st_ino
        self.generation = next(self._generations)
        self.lock = threading.Lock()
        self.connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)

    def version(self) -> tuple[int, int]:
        with self.lock:
            return self.generation, self.connection.execute("PRAGMA data_version").fetchone()[0]


_probes: weakref.WeakKeyDictionary[Engine, _SqliteProbe] = weakref.WeakKeyDictionary()
_probes_lock = threading.Lock()
# Probes a forked child inherited: kept, never used or closed (closing an inherited SQLite
# file could drop the locks the child's own connections hold on it).
_inherited_probes: list[_SqliteProbe] = []


def _sqlite_version(engine: Engine) -> tuple | None:
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None  # no file to ask (each in-memory connection is a database of its own)
    probe = _probes.get(engine)
    try:
        if probe is None or probe.pid != os.getpid() or os.stat(path).st_ino != probe.inode:
            with _probes_lock:
                if probe is not None and probe.pid != os.getpid():
                    _inherited_probes.append(probe)
                probe = _probes[engine] = _SqliteProbe(path)
        return probe.version()
    except (OSError, sqlite3.Error):
        return None


def data_version(engine: Engine | None = None) -> tuple | None:
    """A value that is equal at two moments only if no transaction committed in between, in
    any process, or None when the database cannot say. Read it before reading data: the data
    read is then exact for as long as the version stays equal (what ``services.read_cache``
    keeps results by). On SQLite, the file's data version; on PostgreSQL, the current
    snapshot (the transactions finished and in progress): equal snapshots see the same data."""
    engine = engine or get_engine()
    if engine.dialect.name == "sqlite":
        version = _sqlite_version(engine)
    elif engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar_one()
    else:
        return None
    return None if version is None else (str(engine.url), version)


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True)
        _engines.add(engine)
        return engine
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    _engines.add(engine)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take over transaction control from pysqlite so BEGIN IMMEDIATE is possible.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        # SQLite's lower() and LIKE fold only A-Z: what compares names in any case
        # (db_search.folded, db_search.name_key) calls these instead.
        dbapi_connection.create_function("fold_case", 1, fold_case, deterministic=True)
        dbapi_connection.create_function("name_order", 1, name_order, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error."""
    engine = engine or get_engine()
    bind = engine.execution_options(sqlite_immediate=True) if engine.dialect.name == "sqlite" else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        yield session


@contextmanager
def read_connection(engine: Engine | None = None) -> Iterator[Connection]:
    """A read of plain rows, no models: one transaction (its statements see one state of the
    data), rolled back when the block ends. Lighter than a session for a page's few statements."""
    with (engine or get_engine()).connect() as connection:
        yield connection


def insert_missing(session: Session, model: type, rows: list[dict], key: str) -> None:
    """Insert the rows whose ``key`` is not in the table yet (INSERT … ON CONFLICT DO NOTHING):
    two workers making the same row at once both carry on, and one row is made. Lock what
    you then change (``with_for_update``): SQLite's write transactions already run one at a time."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(model).values(rows).on_conflict_do_nothing(index_elements=[key]))
