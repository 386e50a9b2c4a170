"""Typed errors that name the field and say, in words a user can read, what is wrong."""

from __future__ import annotations

from collections.abc import Callable


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


class FieldErrors(ValidationError):
    """Every refused field of a form at once: ``errors`` maps field -> message, so a form can
    show each beside its input instead of only the first. Reads as the first one elsewhere."""

    def __init__(self, errors: dict[str, str]) -> None:
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, field=first_field)
        self.errors = dict(errors)


class Problems:
    """Collects a form's refused fields so that each is reported, not only the first. ``check``
    runs one field's check and gives its value (``default`` when refused); a check that needs a
    value another refused can be skipped by the caller. ``raise_any`` then raises them all."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def check(self, call: Callable[[], object], default=None, name: str = ""):
        try:
            return call()
        except FieldErrors as err:
            for field, message in err.errors.items():
                self.found.setdefault(field, message)
        except ValidationError as err:
            self.found.setdefault(err.field or name, err.message)
        return default

    def raise_any(self) -> None:
        if self.found:
            raise FieldErrors(self.found)


def check_each(checks: dict[str, Callable[[], object]]) -> dict[str, object]:
    """Run every field's check (name -> a call returning the clean value); raise FieldErrors
    naming every refused field, keyed by the error's field (or the check's name)."""
    problems = Problems()
    values = {name: problems.check(check, name=name) for name, check in checks.items()}
    problems.raise_any()
    return values
