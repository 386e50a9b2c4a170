"""Granian forks the backend workers from the process that loaded the app: a forked child must
not talk to the database on the parent's pooled connections."""

from __future__ import annotations

import os

from sqlalchemy import text

from invoice_crm.db import get_engine


def test_a_forked_child_opens_its_own_connections_and_leaves_the_parents_alone(database):
    engine = get_engine()
    with engine.connect() as conn:  # the parent now has a pooled connection
        conn.execute(text("SELECT 1"))
    assert engine.pool.checkedin() == 1
    pid = os.fork()
    if pid == 0:  # the child: no inherited connection in its pool, and a query works on its own
        status = 1
        try:
            if engine.pool.checkedin() == 0:
                with engine.connect() as conn:
                    status = 0 if conn.execute(text("SELECT 1")).scalar() == 1 else 1
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with engine.connect() as conn:  # the parent's connection was not closed under it
        assert conn.execute(text("SELECT 1")).scalar() == 1
