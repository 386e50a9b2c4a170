"""Reminder schedules: the default one (Settings -> Reminders) and an invoice's override.

Until the first save the built-in schedule applies (3 days before the due date, on it, 7 and 14
days after, at 9:00 in the business timezone). Saved values are read on every call (no cache).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlmodel import Session

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import reminders as rules
from invoice_crm.domain.business import REMINDER_PLACEHOLDERS, check_template
from invoice_crm.domain.drafts import clean_text
from invoice_crm.domain.errors import DomainError, NotFound, ValidationError
from invoice_crm.models import Invoice, ReminderSchedule, ReminderStep
from invoice_crm.models.reminders import DEFAULT_KEY, invoice_key
from invoice_crm.services.activity import log_event
from invoice_crm.services.business_settings import SettingsErrors


@dataclass
class Schedules:
    default_on: bool = True
    send_hour: int = rules.DEFAULT_SEND_HOUR
    default_steps: list[rules.Step] = field(default_factory=lambda: list(rules.DEFAULT_STEPS))
    modes: dict[int, str] = field(default_factory=dict)  # invoice id -> custom / off (absent: default)
    own_steps: dict[int, list[rules.Step]] = field(default_factory=dict)

    def mode_of(self, invoice_id: int) -> str:
        return self.modes.get(invoice_id, rules.MODE_DEFAULT)

    def steps_for(self, invoice_id: int) -> list[rules.Step]:
        """The enabled-or-not steps that apply to this invoice ([] when it gets no reminders)."""
        mode = self.mode_of(invoice_id)
        if mode == rules.MODE_OFF or not self.default_on:
            return []
        if mode == rules.MODE_CUSTOM:
            return self.own_steps.get(invoice_id, [])
        return self.default_steps


def _step(row: ReminderStep) -> rules.Step:
    return rules.Step(row.offset_days, row.enabled, row.subject, row.body)


def load_schedules(session: Session | None = None, invoice_ids: list[int] | None = None) -> Schedules:
    """The default schedule and every invoice override (or those of ``invoice_ids``)."""
    if session is None:
        with read_session() as own:
            return load_schedules(own, invoice_ids)
    result = Schedules()
    query = select(ReminderSchedule)
    if invoice_ids is not None:
        query = query.where(
            (ReminderSchedule.key == DEFAULT_KEY) | ReminderSchedule.invoice_id.in_(invoice_ids)
        )
    rows = list(session.execute(query).scalars())
    keys = [r.key for r in rows]
    steps: dict[str, list[rules.Step]] = {}
    if keys:
        for row in session.execute(
            select(ReminderStep).where(ReminderStep.schedule_key.in_(keys)).order_by(ReminderStep.offset_days)
        ).scalars():
            steps.setdefault(row.schedule_key, []).append(_step(row))
    for row in rows:
        if row.key == DEFAULT_KEY:
            result.default_on = row.mode != "off"
            result.send_hour = row.send_hour
            result.default_steps = steps.get(DEFAULT_KEY, [])
        elif row.invoice_id is not None and row.mode in (rules.MODE_CUSTOM, rules.MODE_OFF):
            result.modes[row.invoice_id] = row.mode
            result.own_steps[row.invoice_id] = steps.get(row.key, [])
    return result


def _template(raw: object, name: str, label: str, max_length: int) -> str:
    text = clean_text(raw or "", field=name, label=label, max_length=max_length, required=False)
    if name.endswith("subject") and ("\n" in text or "\r" in text):
        raise ValidationError("Subject must be a single line", field=name)
    return check_template(text, field=name, allowed=REMINDER_PLACEHOLDERS)


def clean_steps(raw_steps: list[dict]) -> list[rules.Step]:
    """Every step's fields checked at once: errors keyed ``steps.<i>.<field>``."""
    steps, errors = [], {}
    offsets: list[tuple[int, int]] = []
    for i, raw in enumerate(raw_steps):
        try:
            offset = rules.clean_offset(raw.get("offset_days", ""), field=f"steps.{i}.offset_days")
        except DomainError as err:
            errors[err.field] = err.message
            offset = None
        texts = {}
        for name, label, size in (("subject", "Subject", 300), ("body", "Message", 20000)):
            try:
                texts[name] = _template(raw.get(name, ""), f"steps.{i}.{name}", label, size)
            except DomainError as err:
                errors[err.field] = err.message
        if offset is not None:
            offsets.append((i, offset))
        if offset is not None and len(texts) == 2:
            enabled = raw.get("enabled") in (True, "on", "true", "yes", 1)
            steps.append(rules.Step(offset, enabled, texts["subject"], texts["body"]))
    # The steps as a whole are checked with the fields, not only once every field is right:
    # two steps on one day were said only on the Save after a subject was mended.
    try:
        rules.check_steps([rules.Step(offset) for _, offset in offsets])
    except DomainError as err:
        errors[err.field] = err.message
        seen: set[int] = set()
        for i, offset in offsets:  # the later of two steps on one day, beside its Days field
            if offset in seen:
                errors.setdefault(f"steps.{i}.offset_days", "Another step falls on this day")
            seen.add(offset)
    if not errors:
        steps = rules.check_steps(steps)
    if errors:
        raise SettingsErrors(errors)
    return steps


def _write_steps(session: Session, key: str, steps: list[rules.Step]) -> None:
    session.execute(delete(ReminderStep).where(ReminderStep.schedule_key == key))
    for step in steps:
        session.add(ReminderStep(schedule_key=key, offset_days=step.offset_days, enabled=step.enabled,
                                 subject=step.subject, body=step.body))


def _schedule_row(session: Session, key: str, invoice_id: int | None = None) -> ReminderSchedule:
    row = session.get(ReminderSchedule, key, with_for_update=session.get_bind().dialect.name != "sqlite")
    if row is None:
        row = ReminderSchedule(key=key, invoice_id=invoice_id, mode="on" if invoice_id is None else "default")
        session.add(row)
        session.flush()
    return row


def save_default_schedule(enabled: bool, send_hour: object, raw_steps: list[dict]) -> Schedules:
    """Settings -> Reminders, checked whole and saved in one transaction."""
    errors = {}
    try:
        hour = rules.clean_hour(send_hour)
    except DomainError as err:
        errors[err.field] = err.message
    try:
        steps = clean_steps(raw_steps)
    except SettingsErrors as err:
        errors.update(err.errors)
    if errors:
        raise SettingsErrors(errors)
    with write_session() as session:
        row = _schedule_row(session, DEFAULT_KEY)
        row.mode = "on" if enabled else "off"
        row.send_hour = hour
        row.updated_at = utcnow()
        _write_steps(session, DEFAULT_KEY, steps)
    return load_schedules()


def set_invoice_reminders(invoice_id: int, mode: str, raw_steps: list[dict] | None = None, actor: str = "system") -> None:
    """An invoice's reminders: the default schedule, its own steps (first a copy of the
    default's when none are given), or off."""
    if mode not in rules.INVOICE_MODES:
        raise ValidationError("Choose the default schedule, an own schedule or no reminders", field="mode")
    steps = clean_steps(raw_steps) if raw_steps is not None else None
    key = invoice_key(invoice_id)
    with write_session() as session:
        if session.get(Invoice, invoice_id) is None:
            raise NotFound("Invoice not found", field="invoice_id")
        row = _schedule_row(session, key, invoice_id)
        if mode == rules.MODE_CUSTOM and steps is None and row.mode != rules.MODE_CUSTOM:
            steps = load_schedules(session).default_steps
        row.mode = mode
        row.updated_at = utcnow()
        if steps is not None:
            _write_steps(session, key, steps)
        words = {rules.MODE_DEFAULT: "the default schedule", rules.MODE_CUSTOM: "its own schedule",
                 rules.MODE_OFF: "no reminders"}
        log_event(session, invoice_id, "reminders_changed", actor, f"Reminders: {words[mode]}")


def set_own_step(invoice_id: int, offset_days: int, enabled: bool, actor: str = "system") -> None:
    """Turn one step of an invoice's own schedule on or off (its template kept)."""
    key = invoice_key(invoice_id)
    with write_session() as session:
        row = session.get(ReminderSchedule, key)
        if row is None or row.mode != rules.MODE_CUSTOM:
            raise ValidationError("This invoice follows the default schedule; choose an own schedule first", field="mode")
        step = session.execute(
            select(ReminderStep).where(ReminderStep.schedule_key == key, ReminderStep.offset_days == offset_days)
        ).scalar_one_or_none()
        if step is None:
            raise NotFound("That reminder step is not in this invoice's schedule", field="offset_days")
        step.enabled = bool(enabled)
        log_event(session, invoice_id, "reminders_changed", actor,
                  f"Reminder {rules.step_label(offset_days).lower()} turned {'on' if enabled else 'off'}")
