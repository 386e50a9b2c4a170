"""Recurring invoices: save, pause, resume and stop a profile (issuing what is due, once, is
``services.recurring_issue``).

Every function that depends on the date takes ``today`` (the business day) so tests control the clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import drafts, recurrence
from invoice_crm.domain.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    NotFound,
    Problems,
    ValidationError,
    check_each,
)
from invoice_crm.domain.lifecycle import business_today
from invoice_crm.domain.money import normalize_currency
from invoice_crm.models import Client, ProfileStatus, Project, RecurringProfile
from invoice_crm.services import delivery, idempotency, wakeups
from invoice_crm.services import invoices as invoice_service
from invoice_crm.services.business_settings import business_currency, business_timezone

RECURRING = wakeups.Wakeup("recurring invoices")
MAX_TERMS = drafts.MAX_TERM_DAYS
SEND_PENDING, SEND_QUEUED = "pending", "queued"  # a run's send_state while it waits, once its email is queued


def today_here() -> date:
    """The business's day now, in the timezone saved in Settings (else BUSINESS_TIMEZONE): the
    day the form starts on, a resume counts from and the worker issues for."""
    return business_today(business_timezone())


@dataclass
class ProfileInput:
    """What the profile form submits, as raw values."""

    client_id: int | None
    start_date: object
    lines: list[dict] = field(default_factory=list)
    project_id: int | None = None
    currency: str | None = None
    notes: str = ""
    discount_kind: str = ""
    discount_value: object = ""
    tax_inclusive: bool = False
    frequency: str = "monthly"
    every: object = 1
    day_of_month: object = None
    end_date: object = None
    occurrences: object = None
    payment_terms_days: object = 14
    auto_send: bool = False
    catch_up: str = "each"


def _small_int(raw: object, *, field: str, label: str, required: bool, minimum: int = 1) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise ValidationError(f"{label} is required", field=field)
        return None
    if text.startswith("-") and text[1:].isascii() and text[1:].isdigit():
        raise ValidationError(f"{label} must be {minimum} or more", field=field)
    if not (text.isascii() and text.isdigit()) or len(text) > 5:
        raise ValidationError(f"{label} must be a whole number", field=field)
    return int(text)


def _terms(raw: object) -> int:
    terms = _small_int(raw, field="payment_terms_days", label="Payment terms", required=True, minimum=0)
    if terms > MAX_TERMS:
        raise ValidationError("Payment terms must be at most ten years", field="payment_terms_days")
    return terms


def _frequency(raw: object) -> recurrence.Frequency:
    try:
        return recurrence.Frequency(str(raw or "").lower())
    except ValueError:
        raise ValidationError("Choose how often", field="frequency") from None


def _catch_up(raw: object) -> recurrence.CatchUp:
    try:
        return recurrence.CatchUp(str(raw or "each").lower())
    except ValueError:
        raise ValidationError("Choose what happens after downtime", field="catch_up") from None


def _json_line(line: drafts.LineInput) -> dict:
    return {
        "description": line.description,
        "quantity": str(line.quantity),
        "unit_price": str(line.unit_price),
        "discount_kind": line.discount_kind,
        "discount_value": str(line.discount_value),
        "tax_ids": list(line.tax_ids),
    }


def _as_draft_line(stored: dict) -> dict:
    """A stored line as code passes it to the draft rules: exact Decimals, read in no locale."""
    return {
        **stored,
        "quantity": Decimal(stored["quantity"]),
        "unit_price": Decimal(stored["unit_price"]),
        "discount_value": Decimal(stored.get("discount_value") or "0"),
    }


def profile_lines(profile: RecurringProfile) -> list[dict]:
    """The profile's lines as the draft rules take them."""
    return [_as_draft_line(line) for line in json.loads(profile.lines_json or "[]")]


def _clean(session: Session, data: ProfileInput) -> dict:
    """The profile's columns from the form, or FieldErrors naming every refused field."""
    problems = Problems()
    client = session.get(Client, data.client_id) if data.client_id is not None else None
    if client is None:
        problems.found["client_id"] = "Choose a client" if data.client_id is None else invoice_service.CLIENT_DELETED
    elif data.project_id is not None:
        project = session.get(Project, data.project_id)
        if project is None or project.client_id != data.client_id:
            problems.found["project_id"] = "That project does not belong to this client"
    if data.auto_send and not delivery.email_enabled():
        problems.found["delivery"] = delivery.NOT_CONFIGURED
    elif data.auto_send and client is not None and not client.email:
        problems.found["delivery"] = "This client has no email address to send to"
    frequency = problems.check(lambda: _frequency(data.frequency))
    catch_up = problems.check(lambda: _catch_up(data.catch_up))
    start = problems.check(lambda: drafts.parse_date(data.start_date, field="start_date", label="Start date"))
    end = problems.check(lambda: drafts.parse_date(data.end_date, field="end_date", label="End date", required=False))
    every = problems.check(lambda: _small_int(data.every, field="every", label="Repeat every", required=True))
    day = problems.check(
        lambda: _small_int(data.day_of_month, field="day_of_month", label="Day of the month", required=False)
    )
    if frequency is recurrence.Frequency.WEEKLY:
        day = None
    occurrences = problems.check(
        lambda: _small_int(data.occurrences, field="occurrences", label="Number of invoices", required=False)
    )
    terms = problems.check(lambda: _terms(data.payment_terms_days))
    # Each schedule rule on its own field; a value refused above is stood in for, and its own
    # message (reported first) is the one kept.
    schedule = recurrence.Schedule(
        start or end or date.min, frequency or recurrence.Frequency.MONTHLY, 1 if every is None else every,
        day, end, occurrences,
    )
    problems.check(lambda: recurrence.check_schedule(schedule))
    currency = problems.check(lambda: normalize_currency(data.currency or business_currency()))
    lines = problems.check(lambda: drafts.parse_lines(data.lines, currency), default=[])
    if not lines and not any(key.startswith("lines") for key in problems.found):
        problems.found["lines"] = "Add at least one line"
    discount = problems.check(lambda: drafts.parse_discount(data.discount_kind, data.discount_value, field="discount"))
    notes = problems.check(
        lambda: drafts.clean_text(data.notes, field="notes", label="Notes", max_length=drafts.MAX_NOTES, required=False)
    )
    problems.raise_any()
    # The draft rules once now (taxes exist, the total fits), so a bad profile is refused here
    # rather than failing each period later.
    probe = invoice_service.DraftInput(
        client_id=data.client_id, project_id=data.project_id, issue_date=start, due_date=start + timedelta(days=terms),
        lines=[_as_draft_line(_json_line(li)) for li in lines], currency=currency, notes=notes,
        discount_kind=discount["discount_kind"], discount_value=discount["discount_value"],
        tax_inclusive=bool(data.tax_inclusive),
    )
    invoice_service._parse(session, probe)
    return {
        "client_id": data.client_id,
        "project_id": data.project_id,
        "lines_json": json.dumps([_json_line(li) for li in lines]),
        "currency": currency,
        "discount_kind": discount["discount_kind"],
        "discount_value": discount["discount_value"],
        "tax_inclusive": bool(data.tax_inclusive),
        "notes": notes,
        "frequency": frequency.value,
        "every": every,
        "start_date": start,
        "end_date": end,
        "occurrences": occurrences,
        "day_of_month": day,
        "payment_terms_days": terms,
        "auto_send": bool(data.auto_send),
        "catch_up": catch_up.value,
    }


def profile_errors(data: ProfileInput) -> dict[str, str]:
    """Every field error of the form at once, keyed like the fields (``lines.1.unit_price``),
    so each shows beside its field; empty when the profile can be saved."""
    errors = drafts.draft_errors(
        client_chosen=data.client_id is not None, issue_date=data.start_date, due_date=None,
        lines=data.lines, notes=data.notes, currency=data.currency,
    )
    if "issue_date" in errors:
        errors["start_date"] = errors.pop("issue_date").replace("Issue date", "Start date")
    # What the draft form does not check beside each line: its discount and its taxes.
    for index, raw in enumerate(data.lines[: drafts.MAX_LINES]):
        if drafts.is_blank_line(raw):
            continue
        prefix = f"lines.{index}"
        line_checks = {
            f"{prefix}.discount": lambda raw=raw, prefix=prefix: drafts.parse_discount(
                raw.get("discount_kind"), raw.get("discount_value"), field=f"{prefix}.discount"
            ),
            f"{prefix}.taxes": lambda raw=raw, prefix=prefix: drafts.parse_tax_ids(
                raw.get("tax_ids", []), field=f"{prefix}.taxes"
            ),
        }
        try:
            check_each(line_checks)
        except FieldErrors as err:
            for name, message in err.errors.items():
                errors.setdefault(name, message)
    try:
        with read_session() as session:
            _clean(session, data)
    except FieldErrors as err:
        for name, message in err.errors.items():
            errors.setdefault(name, message)
    except DomainError as err:
        errors.setdefault(err.field or "form", err.message)
    return errors


def schedule_of(profile: RecurringProfile) -> recurrence.Schedule:
    return recurrence.Schedule(
        start=profile.start_date,
        frequency=recurrence.Frequency(profile.frequency),
        every=profile.every,
        day_of_month=profile.day_of_month,
        end=profile.end_date,
        occurrences=profile.occurrences,
    )


def refresh_next(profile: RecurringProfile) -> None:
    if ProfileStatus(profile.status) is ProfileStatus.STOPPED:
        profile.next_issue_date = None
        return
    profile.next_issue_date = recurrence.next_period(
        schedule_of(profile), last_issued=profile.last_period, not_before=profile.not_before,
        issued_count=profile.issued_count,
    )


SCHEDULE_FIELDS = ("frequency", "every", "start_date", "day_of_month")


def save_profile(
    data: ProfileInput,
    actor: str = "system",
    *,
    profile_id: int | None = None,
    today: date | None = None,
    expected_version: int | None = None,
    idempotency_key: str | None = None,
) -> RecurringProfile:
    """Create a profile, or change one. A change applies to invoices issued from now on: those
    already issued keep their lines, and a changed schedule never reaches back before today nor
    issues again inside a period already billed (``recurrence.rescheduled_from``)."""
    today = today or today_here()

    def work(session: Session) -> RecurringProfile:
        clean = _clean(session, data)
        if profile_id is None:
            profile = RecurringProfile(**clean, not_before=clean["start_date"])
            session.add(profile)
        else:
            profile = locked_profile(session, profile_id)
            if ProfileStatus(profile.status) is ProfileStatus.STOPPED:
                raise ValidationError("This profile is stopped; it cannot be changed", field="status")
            if expected_version is not None and profile.version != expected_version:
                raise Conflict("This profile was changed in another tab or window. Reload it.", field="version")
            rescheduled = any(getattr(profile, name) != clean[name] for name in SCHEDULE_FIELDS)
            billed_on = schedule_of(profile)
            for name, value in clean.items():
                setattr(profile, name, value)
            if rescheduled:
                profile.not_before = recurrence.rescheduled_from(
                    billed_on, schedule_of(profile), last_issued=profile.last_period,
                    not_before=profile.not_before, today=today,
                )
            profile.version += 1
            profile.updated_at = utcnow()
        refresh_next(profile)
        session.flush()
        RECURRING.after_commit(session)
        return profile

    return idempotency.run_once(
        idempotency_key, "save_recurring", work, lambda p: p.id, lambda pid: get_profile(pid)
    )


def locked_profile(session: Session, profile_id: int) -> RecurringProfile:
    profile = session.get(
        RecurringProfile, profile_id, with_for_update=session.get_bind().dialect.name != "sqlite"
    )
    if profile is None:
        raise NotFound("Recurring profile not found", field="profile_id")
    return profile


def get_profile(profile_id: int | None) -> RecurringProfile:
    with read_session() as session:
        profile = session.get(RecurringProfile, profile_id) if profile_id is not None else None
    if profile is None:
        raise NotFound("Recurring profile not found", field="profile_id")
    return profile


def is_finished(profile: RecurringProfile) -> bool:
    """Its end is reached (the number of invoices issued, or no period left before the end
    date): nothing more to pause, resume or stop. Not final: an edit that raises the number
    of invoices or moves the end date gives it a next issue date again."""
    return ProfileStatus(profile.status) is not ProfileStatus.STOPPED and profile.next_issue_date is None


FINISHED = "This profile is finished: it has issued all its invoices. To issue more, edit it and raise the number of invoices or move the end date"


def _set_status(profile_id: int, status: ProfileStatus, today: date | None) -> RecurringProfile:
    with write_session() as session:
        profile = locked_profile(session, profile_id)
        current = ProfileStatus(profile.status)
        if current is ProfileStatus.STOPPED:
            raise ValidationError("This profile is stopped for good", field="status")
        if is_finished(profile):
            raise ValidationError(FINISHED, field="status")
        if current is status:
            return profile
        if status is ProfileStatus.ACTIVE:
            # Periods that fell inside the pause are not issued afterwards.
            profile.not_before = max(profile.not_before, today or today_here())
        profile.status = status
        profile.version += 1
        profile.updated_at = utcnow()
        refresh_next(profile)
        RECURRING.after_commit(session)
        return profile


def pause_profile(profile_id: int) -> RecurringProfile:
    return _set_status(profile_id, ProfileStatus.PAUSED, None)


def resume_profile(profile_id: int, today: date | None = None) -> RecurringProfile:
    return _set_status(profile_id, ProfileStatus.ACTIVE, today)


def stop_profile(profile_id: int) -> RecurringProfile:
    return _set_status(profile_id, ProfileStatus.STOPPED, None)
