"""Issuing recurring invoices: every due period of every active profile, once.

Each due period becomes a draft (through the editor's own draft rules and the one total
function) and a ``RecurringRun`` row unique on (profile, period start), in one transaction that
holds the profile's row lock: two workers (or two processes) never issue a period twice, and a
crash leaves either both or neither. An auto-send profile then emails each new invoice after
commit through the Send dialog's own path (``delivery.send_invoice_by_email``), once per run
(its idempotency key is the run's); if that fails the invoice stays a draft and the run says why.

Every function that depends on the date takes ``today`` (the business day) so tests control the clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import Session

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import recurrence
from invoice_crm.domain.errors import DomainError
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.models import Invoice, ProfileStatus, RecurringProfile, RecurringRun
from invoice_crm.services import delivery
from invoice_crm.services import invoices as invoice_service
from invoice_crm.services.jobs import leases
from invoice_crm.services.recurring import (
    SEND_PENDING,
    SEND_QUEUED,
    locked_profile,
    profile_lines,
    refresh_next,
    schedule_of,
    today_here,
)

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)


@dataclass
class IssueReport:
    issued: list[int] = field(default_factory=list)  # invoice ids, in the order issued
    sent: int = 0


def _due(today: date):
    return (
        (RecurringProfile.status == ProfileStatus.ACTIVE)
        & RecurringProfile.next_issue_date.is_not(None)
        & (RecurringProfile.next_issue_date <= today)
    )


def _issue_profile(session: Session, profile_id: int, today: date) -> list[RecurringRun]:
    """Inside a transaction holding the profile's lock: a draft and a run for each due period."""
    profile = locked_profile(session, profile_id)
    runs: list[RecurringRun] = []
    if ProfileStatus(profile.status) is not ProfileStatus.ACTIVE:
        return runs
    periods = recurrence.due_periods(
        schedule_of(profile), last_issued=profile.last_period, not_before=profile.not_before, today=today,
        issued_count=profile.issued_count, catch_up=recurrence.CatchUp(profile.catch_up),
    )
    for period in periods:
        # An invoice issued late still gives the client its full payment terms.
        due = max(period, today) + timedelta(days=profile.payment_terms_days)
        invoice = invoice_service.add_draft(
            session,
            invoice_service.DraftInput(
                client_id=profile.client_id, project_id=profile.project_id, issue_date=period, due_date=due,
                lines=profile_lines(profile), currency=profile.currency, notes=profile.notes,
                discount_kind=profile.discount_kind, discount_value=profile.discount_value,
                tax_inclusive=profile.tax_inclusive,
            ),
            "recurring",
        )
        run = RecurringRun(
            profile_id=profile.id, period_start=period, invoice_id=invoice.id,
            send_state=SEND_PENDING if profile.auto_send else "",
        )
        session.add(run)
        session.flush()  # the unique (profile, period) key is checked here, inside this transaction
        runs.append(run)
        profile.last_period = period
        profile.issued_count += 1
    refresh_next(profile)
    profile.claimed_by = None
    profile.lease_expires_at = None
    return runs


def issue_profile(profile_id: int, today: date) -> list[tuple[int, int | None, str]]:
    """One profile's due periods in one transaction (under its row lock); the new runs as
    (run id, invoice id, send state). Safe to call from anywhere at any time: a period
    already issued is never issued again."""
    with write_session() as session:
        runs = _issue_profile(session, profile_id, today)
        return [(r.id, r.invoice_id, r.send_state) for r in runs]


def _send_run(run_id: int) -> str:
    """Email a run's invoice through the Send dialog's path, once per run; the outcome in words."""
    with read_session() as session:
        run = session.get(RecurringRun, run_id)
        invoice = session.get(Invoice, run.invoice_id) if run and run.invoice_id else None
    if run is None or invoice is None or run.send_state != SEND_PENDING:
        return run.send_state if run else ""
    if InvoiceStatus(invoice.status) is not InvoiceStatus.DRAFT:
        outcome = SEND_QUEUED
    else:
        try:
            email = delivery.compose_invoice_email(invoice.id)
            delivery.send_invoice_by_email(
                invoice.id, email.recipient, email.subject, email.body, "recurring",
                idempotency_key=f"recurring-send-run-{run_id:08d}",
            )
            outcome = SEND_QUEUED
        except DomainError as err:
            outcome = f"Left as a draft: {err.message}"[:200]
    with write_session() as session:
        row = session.get(RecurringRun, run_id)
        if row is not None and row.send_state == SEND_PENDING:
            row.send_state = outcome
    return outcome


def issue_due(today: date | None = None, *, now=None, limit: int = 50) -> IssueReport:
    """Issue every due period of every active profile (one transaction per profile), then send
    the auto-send ones. Safe to run from any number of workers at once."""
    today = today or today_here()
    now = now or utcnow()
    report = IssueReport()
    with read_session() as session:  # usually nothing is due: no write lock for nothing
        anything = session.execute(select(RecurringProfile.id).where(_due(today)).limit(1)).first()
        pending = list(
            session.execute(select(RecurringRun.id).where(RecurringRun.send_state == SEND_PENDING)).scalars()
        )
    if anything is not None:
        with write_session() as session:
            claimed = [
                p.id for p in leases.claim_rows(
                    session, RecurringProfile, where=_due(today), order_by=(RecurringProfile.next_issue_date,),
                    limit=limit, lease=LEASE, now=now,
                )
            ]
        for profile_id in claimed:
            try:
                ids = issue_profile(profile_id, today)
            except DomainError as err:  # e.g. a tax rate deleted since: the profile waits, visibly
                log.warning("recurring profile %s not issued: %s", profile_id, err.message)
                continue
            report.issued += [invoice_id for _, invoice_id, _ in ids]
            pending += [run_id for run_id, _, state in ids if state == SEND_PENDING]
    for run_id in sorted(set(pending)):
        if _send_run(run_id) == SEND_QUEUED:
            report.sent += 1
    return report
