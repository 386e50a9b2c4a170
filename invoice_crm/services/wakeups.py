"""Wake a background worker after the commit that gave it work.

A service marks the session (``EMAIL.after_commit(session)``) inside its transaction; when that
transaction commits, every listener of the wakeup is called (a rollback forgets the mark). The
workers in ``invoice_crm.tasks`` subscribe while they run, so new work goes out at once instead
of at the next poll.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlmodel import Session

log = logging.getLogger(__name__)

_MARKED = "wakeups_after_commit"


class Wakeup:
    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Callable[[], None]] = []

    @property
    def subscribed(self) -> bool:
        return bool(self._listeners)

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` after each commit that marked this wakeup; returns an unsubscribe."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback)

    def after_commit(self, session: Session) -> None:
        session.info.setdefault(_MARKED, set()).add(self)

    def fire(self) -> None:
        for callback in list(self._listeners):
            try:
                callback()
            except RuntimeError:  # the worker's event loop has closed (shutdown): the next start delivers
                log.debug("%s worker not running; its work waits for the next start", self.name)


SHEETS = Wakeup("sheet sync")
EMAIL = Wakeup("email delivery")


@event.listens_for(Session, "after_commit")
def _fire_marked(session: Session) -> None:
    for wakeup in session.info.pop(_MARKED, ()):
        wakeup.fire()


@event.listens_for(Session, "after_rollback")
def _forget_marked(session: Session) -> None:
    session.info.pop(_MARKED, None)
