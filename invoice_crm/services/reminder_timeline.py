"""What the pages show of reminders: an invoice's timeline (steps done and to come) and how
many reminders go out today (the dashboard)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from invoice_crm.db import read_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import reminders as rules
from invoice_crm.domain.lifecycle import InvoiceStatus, business_today, credited_in_full
from invoice_crm.domain.numbers import format_timestamp
from invoice_crm.models import EmailMessage, Invoice, ReminderSend
from invoice_crm.services.business_settings import current_business
from invoice_crm.services.delivery import email_rows
from invoice_crm.services.reminder_schedules import load_schedules
from invoice_crm.services.reminders import OPEN, inactive_reason, max_late_days


def _when(planned: rules.PlannedStep, tz_name: str) -> str:
    """When the step goes out, on the business clock: ``Nov 5, 2026, 9:00 AM``, ``05.11.2026, 09:00``."""
    return format_timestamp(planned.at, tz_name)


def invoice_reminders(invoice_id: int, now: datetime | None = None) -> dict:
    """The invoice page's reminder panel: mode, whether it is active (and why not), and one
    row per step: sent (when, to whom, the email's result), skipped (why), or to come (when)."""
    now = now or utcnow()
    schedules = load_schedules(invoice_ids=[invoice_id])
    tz_name = current_business().timezone
    with read_session() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            return {"mode": rules.MODE_DEFAULT, "inactive": "", "rows": [], "own_steps": []}
        done = {
            row.step_date: row
            for row in session.execute(select(ReminderSend).where(ReminderSend.invoice_id == invoice_id)).scalars()
        }
        email_ids = [row.email_id for row in done.values() if row.email_id is not None]
        emails = {
            m.id: m for m in session.execute(select(EmailMessage).where(EmailMessage.id.in_(email_ids))).scalars()
        } if email_ids else {}
    mode = schedules.mode_of(invoice_id)
    status = InvoiceStatus(invoice.status)
    # What is true of this invoice comes first: a paid invoice gets no reminders whether or
    # not email is set up, and its steps still to come will not go out.
    closed = _closed(status, invoice.balance_due, invoice.amount_paid) or (
        "Sample data: reminders never go out for it." if invoice.is_sample else ""
    )
    inactive = closed or inactive_reason(schedules)
    if not inactive and mode == rules.MODE_OFF:
        inactive = "Reminders are off for this invoice."
    elif not inactive and status is InvoiceStatus.DRAFT:
        inactive = "Reminders start once the invoice is sent."
    rows = []
    steps = schedules.steps_for(invoice_id) if mode != rules.MODE_OFF else []
    if mode == rules.MODE_OFF or not schedules.default_on:
        steps = []
    since = rules.applies_from(invoice.sent_at, invoice.imported_at)
    planned = rules.plan(steps, invoice.due_date, since, schedules.send_hour, tz_name) if invoice.due_date else []
    # When it was sent, on the business clock: a step of the same day whose hour had passed
    # (say, after the send hour was moved earlier) says why it does not apply.
    before = (
        "It fell before the invoice was imported" if since != invoice.sent_at else "It fell before the invoice was sent"
    ) + (f" ({format_timestamp(since, tz_name)})" if since is not None else "")
    planned_days = {p.day for p in planned}
    # Steps whose time has passed with nothing recorded: what the worker will do with them.
    late = rules.decide(planned, set(done), now, max_late_days())
    missed = {p.day: reason for p, reason in late.skip}
    due_now = late.send.day if late.send is not None else None
    for p in planned:
        rows.append(_row(
            p, done.get(p.day), emails, tz_name, can_skip=not inactive, closed=bool(closed),
            missed=missed.get(p.day, ""), due_now=p.day == due_now, before=before,
        ))
    # Steps done under an earlier schedule stay on the timeline.
    for day, record in sorted(done.items()):
        if day not in planned_days:
            step = rules.Step(record.offset_days)
            fake = rules.PlannedStep(step, day, rules.step_instant(day, schedules.send_hour, tz_name), False)
            rows.append(_row(fake, record, emails, tz_name, can_skip=False))
    rows.sort(key=lambda r: r["sort"])
    own = schedules.own_steps.get(invoice_id, []) if mode == rules.MODE_CUSTOM else []
    return {
        "mode": mode,
        "inactive": inactive,
        "rows": rows,
        "own_steps": [
            {"offset_days": str(s.offset_days), "label": rules.step_label(s.offset_days), "enabled": "yes" if s.enabled else ""}
            for s in own
        ],
    }


def _closed(status: InvoiceStatus, balance_due, amount_paid) -> str:
    """Why no reminder will go out for this invoice any more ("" while it is owed)."""
    if credited_in_full(status, amount_paid):  # settled by credit notes, nothing received
        return "The invoice is credited in full: no more reminders."
    if status is InvoiceStatus.PAID:
        return "The invoice is paid: no more reminders."
    if status is InvoiceStatus.VOID:
        return "The invoice is void: no reminders."
    if status in OPEN and balance_due is not None and balance_due <= 0:
        return "Nothing is owed: no reminders."
    return ""


def _row(
    p: rules.PlannedStep, record: ReminderSend | None, emails: dict, tz_name: str, *, can_skip: bool,
    closed: bool = False, missed: str = "", due_now: bool = False, before: str = "",
) -> dict:
    """One step of the panel. ``missed``: why the worker will skip it (its time has passed
    with nothing sent, rules.decide); ``due_now``: the late step the worker's next run sends."""
    row = {
        "sort": p.day.isoformat(),
        "offset_days": str(p.step.offset_days),
        "label": rules.step_label(p.step.offset_days),
        "date": _when(p, tz_name),
        "state": "",
        "state_label": "",
        "detail": "",
        "recipient": "",
        "can_skip": "",
    }
    if record is not None and record.outcome == rules.SENT:
        message = emails.get(record.email_id)
        result = email_rows([message], tz_name)[0] if message is not None else {"label": "Queued", "detail": ""}
        row.update(
            state="sent", state_label="Sent", recipient=record.recipient,
            detail=f"{format_timestamp(record.created_at, tz_name)} to {record.recipient}: {result['label']}"
            + (f" ({result['detail']})" if result["detail"] else ""),
        )
    elif record is not None:
        row.update(state="skipped", state_label="Skipped", detail=f"{format_timestamp(record.created_at, tz_name)}: {record.reason}")
    elif not p.step.enabled:
        row.update(state="off", state_label="Off", detail="This step is turned off")
    elif p.before_sending:
        row.update(state="na", state_label="Not applicable", detail=before or "It fell before the invoice was sent")
    elif closed:
        row.update(state="na", state_label="Not applicable", detail="Will not go out")
    elif missed:
        row.update(state="na", state_label="Missed", detail=missed)
    elif due_now:
        row.update(state="upcoming", state_label="Due", detail=f"Was due {_when(p, tz_name)}; goes out when reminders next run",
                   can_skip="yes" if can_skip else "")
    else:
        row.update(state="upcoming", state_label="Upcoming", detail=f"Goes out {_when(p, tz_name)}",
                   can_skip="yes" if can_skip else "")
    return row


def reminders_today(now: datetime | None = None) -> int:
    """Reminders whose step falls on today (business timezone) for open invoices: those sent
    today and those still to go out today (skipped ones do not count)."""
    now = now or utcnow()
    schedules = load_schedules()
    if inactive_reason(schedules):
        return 0
    tz_name = current_business().timezone
    today = business_today(tz_name, now)
    offsets = {s.offset_days for s in schedules.default_steps if s.enabled}
    for steps in schedules.own_steps.values():
        offsets |= {s.offset_days for s in steps if s.enabled}
    if not offsets:
        return 0
    due_dates = [today - timedelta(days=o) for o in offsets]
    with read_session() as session:
        rows = session.execute(
            select(Invoice.id, Invoice.due_date, Invoice.sent_at, Invoice.imported_at).where(
                Invoice.status.in_(OPEN), Invoice.balance_due > 0, Invoice.due_date.in_(due_dates),
                Invoice.is_sample.is_(False),
            )
        ).all()
        ids = [r[0] for r in rows]
        skipped = set()
        if ids:
            skipped = set(session.execute(
                select(ReminderSend.invoice_id).where(
                    ReminderSend.invoice_id.in_(ids), ReminderSend.step_date == today,
                    ReminderSend.outcome == rules.SKIPPED,
                )
            ).scalars())
    count = 0
    for invoice_id, due_date, sent_at, imported_at in rows:
        if invoice_id in skipped:
            continue
        steps = [s for s in schedules.steps_for(invoice_id) if s.enabled]
        planned = rules.plan(steps, due_date, rules.applies_from(sent_at, imported_at), schedules.send_hour, tz_name)
        count += any(p.day == today and not p.before_sending for p in planned)
    return count
