"""Typed errors that name the field and say, in words a user can read, what is wrong."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused an action. ``field`` names the input at fault, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    """Input that cannot be accepted as given."""


class InvalidTransition(DomainError):
    """A status change the invoice lifecycle does not allow."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class IntegrationError(DomainError):
    """An outside service (Stripe, Google, SMTP) failed; the message is safe to show."""


class Conflict(DomainError):
    """The thing changed since the user loaded it (another tab or window saved first)."""
