"""Scheduled reminders: each step of an invoice's schedule goes out at most once.

``send_due_reminders(now)`` is the job (``tasks.reminder_worker`` runs it once per
REMINDER_POLL_SECONDS across all processes, and at start-up). For every open invoice (sent or
overdue, with a balance) it decides which steps came due (``domain.reminders.decide``) and,
per invoice, in one transaction: records each step in ``reminder_send`` under its unique key
(invoice, step day) and queues the reminder email in the email outbox. A second process
deciding the same step loses on that key and queues nothing; so do a restart, a clock or a
timezone change. Steps more than REMINDER_MAX_LATE_DAYS late (downtime) are recorded as
skipped, with the reason, and logged. Without email set up nothing is queued or recorded.

Schedules and the page views live in ``reminder_schedules``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import email_text
from invoice_crm.domain import reminders as rules
from invoice_crm.domain.business import render_template
from invoice_crm.domain.emails import clean_email
from invoice_crm.domain.errors import DomainError, InvalidTransition, NotFound
from invoice_crm.domain.lifecycle import OPEN, business_today, countdown
from invoice_crm.models import Client, Invoice, ReminderSend
from invoice_crm.services import delivery
from invoice_crm.services.activity import log_event
from invoice_crm.services.business_settings import branded, business_timezone, current_business, signature
from invoice_crm.services.email_sender import KIND_REMINDER
from invoice_crm.services.reminder_schedules import Schedules, load_schedules
from invoice_crm.settings import get_settings

log = logging.getLogger(__name__)



@dataclass
class Report:
    sent: int = 0
    skipped: int = 0
    inactive: str = ""  # why nothing was looked at


def inactive_reason(schedules: Schedules | None = None) -> str:
    """Why the schedule sends nothing at all, or "" when it is active."""
    if not get_settings().email_enabled:
        return delivery.NOT_CONFIGURED
    schedules = schedules or load_schedules()
    if not schedules.default_on:
        return "Automatic reminders are turned off."
    return ""


def max_late_days() -> int:
    return get_settings().reminder_max_late_days


def _open_invoices(session: Session, invoice_ids: list[int] | None = None) -> list[tuple[Invoice, str]]:
    query = (
        select(Invoice, Client.email)
        .join(Client, Client.id == Invoice.client_id)
        .where(Invoice.status.in_(OPEN), Invoice.balance_due > 0, Invoice.due_date.is_not(None))
        .where(Invoice.is_sample.is_(False))  # sample data never emails anyone by itself
        .order_by(Invoice.id)
    )
    if invoice_ids is not None:
        query = query.where(Invoice.id.in_(invoice_ids))
    return [(inv, email) for inv, email in session.execute(query).all()]


def _done_days(session: Session, invoice_ids: list[int]) -> dict[int, dict[date, ReminderSend]]:
    done: dict[int, dict[date, ReminderSend]] = {}
    for chunk_start in range(0, len(invoice_ids), 500):
        chunk = invoice_ids[chunk_start:chunk_start + 500]
        rows = session.execute(select(ReminderSend).where(ReminderSend.invoice_id.in_(chunk))).scalars()
        for row in rows:
            done.setdefault(row.invoice_id, {})[row.step_date] = row
    return done


def compose(invoice_id: int, step: rules.Step, now: datetime, tz_name: str) -> delivery.EmailDraft:
    """The reminder email of one step: the step's own template, else Settings -> Email's
    reminder template, else the built-in text; the countdown as of ``now``."""
    invoice, client, facts = delivery.template_facts(invoice_id)
    today = business_today(tz_name, now)
    default = email_text.reminder_email(**facts, countdown=countdown(invoice.status, invoice.due_date, today))
    subject, body = branded("reminder", default, facts)
    if step.subject or step.body:
        values = {k: (email_text.long_date(v) if isinstance(v, date) else str(v or "")) for k, v in facts.items()}
        if step.subject:
            subject = render_template(step.subject, values).strip()
        if step.body:
            body = render_template(step.body, values)
            sign = signature(current_business())
            if sign and sign not in body:
                body = f"{body.rstrip()}\n\n{sign}"
    return delivery.EmailDraft(client.email, email_text.clean_subject(subject), email_text.clean_body(body))


def _record(
    session: Session, invoice_id: int, planned: rules.PlannedStep, outcome: str, now: datetime, *,
    reason: str = "", recipient: str = "", email_id: int | None = None, actor: str = "system",
) -> None:
    session.add(ReminderSend(
        invoice_id=invoice_id, offset_days=planned.step.offset_days, step_date=planned.day, outcome=outcome,
        reason=reason, recipient=recipient, email_id=email_id, actor=actor, created_at=now,
    ))
    session.flush()  # the unique key (invoice, step day) decides here: a second try fails


def _act_on(invoice_id: int, decision: rules.Decision, email: delivery.EmailDraft | None, now: datetime) -> Report:
    """One invoice's due steps, in one transaction: skipped ones recorded, the one to send
    recorded together with its queued email. Nothing when another process was first."""
    report = Report()
    try:
        with write_session() as session:
            invoice = session.get(Invoice, invoice_id)
            if invoice is None or invoice.status not in OPEN or invoice.balance_due <= 0:
                return report  # paid or voided since we looked
            for planned, reason in decision.skip:
                _record(session, invoice_id, planned, rules.SKIPPED, now, reason=reason)
                log_event(session, invoice_id, "reminder_skipped", "system",
                          f"Reminder ({rules.step_label(planned.step.offset_days).lower()}): {reason}")
                log.info("invoice %s: reminder step %+d skipped: %s", invoice_id, planned.step.offset_days, reason)
                report.skipped += 1
            if decision.send is not None:
                planned = decision.send
                if email is None:
                    reason = "Not sent: the client has no valid email address"
                    _record(session, invoice_id, planned, rules.SKIPPED, now, reason=reason)
                    log_event(session, invoice_id, "reminder_skipped", "system",
                              f"Reminder ({rules.step_label(planned.step.offset_days).lower()}): {reason}")
                    report.skipped += 1
                else:
                    message = delivery.queue_email(session, invoice, KIND_REMINDER, email, "system")
                    _record(session, invoice_id, planned, rules.SENT, now, recipient=email.recipient,
                            email_id=message.id)
                    report.sent += 1
    except IntegrityError:
        log.info("invoice %s: reminder step already recorded by another process", invoice_id)
        return Report()
    return report


def send_due_reminders(now: datetime | None = None) -> Report:
    """Record and queue every reminder step due at ``now`` (each at most once, ever)."""
    now = now or utcnow()
    schedules = load_schedules()
    reason = inactive_reason(schedules)
    if reason:
        return Report(inactive=reason)
    tz_name = business_timezone()
    with read_session() as session:
        candidates = _open_invoices(session)
        done = _done_days(session, [inv.id for inv, _ in candidates])
    total = Report()
    for invoice, client_email in candidates:
        steps = schedules.steps_for(invoice.id)
        if not steps:
            continue
        since = rules.applies_from(invoice.sent_at, invoice.imported_at)
        planned = rules.plan(steps, invoice.due_date, since, schedules.send_hour, tz_name)
        decision = rules.decide(planned, set(done.get(invoice.id, {})), now, max_late_days())
        if decision.send is None and not decision.skip:
            continue
        email = None
        if decision.send is not None:
            try:
                clean_email(client_email, field="recipient", required=True)
                email = compose(invoice.id, decision.send.step, now, tz_name)
            except DomainError:
                email = None
        result = _act_on(invoice.id, decision, email, now)
        total.sent += result.sent
        total.skipped += result.skipped
    return total


def skip_step(invoice_id: int, offset_days: int, actor: str = "system", now: datetime | None = None) -> None:
    """Skip an upcoming step of this invoice (recorded under the step's key: it never goes out).
    Skipping a step already done changes nothing."""
    now = now or utcnow()
    schedules = load_schedules()
    with write_session() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound("Invoice not found", field="invoice_id")
        if invoice.status not in OPEN or invoice.due_date is None:
            raise InvalidTransition("Only reminders of sent or overdue invoices can be skipped", field="status")
        step = next((s for s in schedules.steps_for(invoice_id) if s.offset_days == offset_days), None)
        if step is None:
            raise NotFound("That reminder step is not in this invoice's schedule", field="offset_days")
        day = rules.step_date(invoice.due_date, offset_days)
        if session.execute(
            select(ReminderSend.id).where(ReminderSend.invoice_id == invoice_id, ReminderSend.step_date == day)
        ).first():
            return
        planned = rules.PlannedStep(step, day, now, False)
        try:
            with session.begin_nested():
                _record(session, invoice_id, planned, rules.SKIPPED, now, reason=f"Skipped by {actor}", actor=actor)
        except IntegrityError:
            return  # the worker (or another tab) recorded it meanwhile
        log_event(session, invoice_id, "reminder_skipped", actor,
                  f"Reminder ({rules.step_label(offset_days).lower()}) skipped")
