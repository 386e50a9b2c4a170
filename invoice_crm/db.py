"""The engine and session helpers.

Services use ``write_session()`` for their one transaction: on SQLite it begins
IMMEDIATE, so concurrent writers queue on the busy timeout instead of failing halfway.
Reads use ``read_session()``.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

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


def insert_missing(session: Session, model: type, rows: list[dict], key: str) -> None:
    """Insert the rows whose ``key`` is not in the table yet (INSERT … ON CONFLICT DO NOTHING):
    two workers making the same row at once both carry on, and one row is made. Lock what
    you then change (``with_for_update``): SQLite's write transactions already run one at a time."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(model).values(rows).on_conflict_do_nothing(index_elements=[key]))
