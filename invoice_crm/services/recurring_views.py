"""What the recurring pages show: the list of profiles, one profile with the invoices it
issued, and a profile as its form shows it (numbers in the business locale)."""

from __future__ import annotations

from datetime import UTC
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.domain import drafts, recurrence
from invoice_crm.domain.errors import DomainError, NotFound
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.money import format_money, format_price, format_quantity
from invoice_crm.domain.numbering import display_number
from invoice_crm.domain.numbers import format_date, format_number
from invoice_crm.models import (
    Client,
    DeliveryStatus,
    EmailMessage,
    Invoice,
    ProfileStatus,
    Project,
    RecurringProfile,
    RecurringRun,
)
from invoice_crm.services import figures, queries
from invoice_crm.services import invoices as invoice_service
from invoice_crm.services.business_settings import business_timezone
from invoice_crm.services.email_sender import KIND_INVOICE
from invoice_crm.services.recurring import SEND_PENDING, SEND_QUEUED, is_finished, profile_lines
from invoice_crm.settings import get_settings


def profile_form_lines(profile: RecurringProfile) -> list[dict]:
    """The stored lines as the form shows them: numbers written in the business locale."""

    shown = []
    for line in profile_lines(profile):
        percent = drafts.DISCOUNT_PERCENT if line.get("discount_kind") == "percent" else drafts.DISCOUNT_AMOUNT
        shown.append({
            **line,
            "quantity": format_quantity(line["quantity"]),
            "unit_price": format_price(line["unit_price"], profile.currency),
            "discount_value": format_number(line["discount_value"], percent) if line.get("discount_kind") else "",
        })
    return shown


class ProfilePage(NamedTuple):
    view: dict[str, str]  # its summary, the terms in words, and which actions apply
    lines: list[dict[str, str]]  # what each invoice of it bills, priced once with its amount
    invoices: list[dict[str, str]]  # the invoices it issued


def profile_page(profile_id: int | None) -> ProfilePage:
    """Everything a profile's page shows, read in one go."""
    with read_session() as session:
        profile = session.get(RecurringProfile, profile_id) if profile_id is not None else None
        if profile is None:
            raise NotFound("Recurring profile not found", field="profile_id")
        client = session.get(Client, profile.client_id)
        project = session.get(Project, profile.project_id) if profile.project_id else None
        rows = _line_items(session, profile)
    view = _view(profile, client, project, _amount_of(profile, rows))
    lines = queries.line_rows(rows, profile.currency) if rows else []
    return ProfilePage(view, lines, profile_invoices(profile.id))


def profile_view(profile_id: int | None) -> dict:
    """A profile's page: its summary, the terms in words, and which actions apply."""
    return profile_page(profile_id).view


def _view(profile: RecurringProfile, client: Client | None, project: Project | None, amount: str) -> dict[str, str]:
    status = ProfileStatus(profile.status)
    finished = is_finished(profile)
    if profile.end_date:
        ends = f"Ends {format_date(profile.end_date)}"
    elif profile.occurrences:
        ends = f"{_count(profile.occurrences, 'invoice')} in all"
    else:
        ends = "No end"
    return {
        **profile_summary(profile, client.name if client else "", client is not None and client.archived_at is not None),
        "client_id": str(profile.client_id),
        "project": project.name if project else "",
        "amount": amount,
        "starts": format_date(profile.start_date),
        "ends": ends,
        "terms": _terms_text(profile.payment_terms_days),
        "catch_up": "Each missed period" if profile.catch_up == "each" else "Only the latest period",
        # A finished profile has nothing to pause, resume or stop: an edit (more invoices, a
        # later end date) is what brings it back.
        "can_pause": "yes" if status is ProfileStatus.ACTIVE and not finished else "",
        "can_resume": "yes" if status is ProfileStatus.PAUSED and not finished else "",
        "can_stop": "yes" if status is not ProfileStatus.STOPPED and not finished else "",
        "can_edit": "yes" if status is not ProfileStatus.STOPPED else "",
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _terms_text(days: int) -> str:
    return "Due on the day of issue" if days == 0 else f"Due {_count(days, 'day')} after issue"


def list_profiles() -> list[dict]:
    """Every profile with its client, schedule, next issue date, status and invoices issued."""
    with read_session() as session:
        rows = session.execute(
            select(RecurringProfile, Client.name, Client.archived_at).join(Client, Client.id == RecurringProfile.client_id)
            .order_by(RecurringProfile.status, RecurringProfile.next_issue_date, RecurringProfile.id)
        ).all()
        # Told apart in the list by what each bills: its amount and its first line.
        return [
            {**profile_summary(p, name, archived_at is not None), "amount": _amount_text(session, p), "what": _what(p)}
            for p, name, archived_at in rows
        ]


def _line_items(session, profile: RecurringProfile) -> list | None:
    """The profile's lines as an invoice of it would have them, or None while a tax rate of
    its lines is deleted (the next issue says so)."""
    parsed = [drafts.parse_line(line, i) for i, line in enumerate(profile_lines(profile))]
    try:
        return invoice_service._line_rows(parsed, invoice_service._tax_rates(session, parsed))
    except DomainError:
        return None


def _amount_text(session, profile: RecurringProfile) -> str:
    """What each invoice of the profile comes to (the one total function over its lines)."""
    return _amount_of(profile, _line_items(session, profile))


def _amount_of(profile: RecurringProfile, rows: list | None) -> str:
    if rows is None:
        return "—"
    probe = Invoice(client_id=profile.client_id, issue_date=profile.start_date, currency=profile.currency,
                    discount_kind=profile.discount_kind, discount_value=profile.discount_value,
                    tax_inclusive=profile.tax_inclusive, tax_rounding=get_settings().invoice_tax_rounding)
    return format_money(figures.compute(probe, rows).total, profile.currency)


def _what(profile: RecurringProfile) -> str:
    """The profile's first line, and how many more: "Website hosting + 2 more"."""
    lines = [line for line in profile_lines(profile) if str(line.get("description", "")).strip()]
    if not lines:
        return ""
    first = str(lines[0]["description"]).strip()
    return first if len(lines) == 1 else f"{first} + {len(lines) - 1} more"


def issuing_profiles(client_id: int) -> list[str]:
    """A client's profiles that will issue again (active, not finished), each as "Monthly, next
    27.12.2026": what archiving the client leaves running (an archived client's profiles keep
    issuing until paused or stopped)."""
    with read_session() as session:
        profiles = session.execute(
            select(RecurringProfile).where(RecurringProfile.client_id == client_id,
                                           RecurringProfile.status == ProfileStatus.ACTIVE.value)
            .order_by(RecurringProfile.next_issue_date, RecurringProfile.id)
        ).scalars().all()
    return [f"{s['schedule']}, next {s['next_issue']}" for s in (profile_summary(p, "") for p in profiles if not is_finished(p))]


def archived_message(client_id: int) -> str:
    """What archiving a client says: that its active profiles keep issuing, naming them."""
    running = issuing_profiles(client_id)
    if not running:
        return "Client archived"
    one = len(running) == 1
    return (f"Client archived. Its {'recurring profile keeps' if one else f'{len(running)} recurring profiles keep'} "
            f"issuing invoices ({'; '.join(running)}): pause or stop {'it' if one else 'them'} under Recurring "
            "if that is not wanted")


def status_text(profile: RecurringProfile) -> str:
    return "Finished" if is_finished(profile) else ProfileStatus(profile.status).label


def _next_issue_text(profile: RecurringProfile) -> str:
    """The next issue date, or why there is none coming: a paused profile issues nothing until
    it is resumed (and then the next period after that day, not this date)."""
    if ProfileStatus(profile.status) is ProfileStatus.PAUSED and not is_finished(profile):
        return "None while paused"
    return format_date(profile.next_issue_date) if profile.next_issue_date else "—"


def profile_summary(profile: RecurringProfile, client_name: str, client_archived: bool = False) -> dict:

    schedule = recurrence.Frequency(profile.frequency).describe(profile.every)
    if profile.frequency != "weekly" and profile.day_of_month:
        schedule += f", day {profile.day_of_month}"
    return {
        "id": str(profile.id),
        "client": client_name,
        "schedule": schedule,
        "next_issue": _next_issue_text(profile),
        "status": status_text(profile),
        "issued": str(profile.issued_count),
        "auto_send": "Email automatically" if profile.auto_send else "Draft for review",
        "client_archived": "yes" if client_archived else "",
    }


def profile_invoices(profile_id: int) -> list[dict]:
    """The invoices a profile issued, newest period first, each with what became of it:
    left as a draft, emailed (to whom, when), marked as sent by hand, or why not."""
    with read_session() as session:
        rows = session.execute(
            select(RecurringRun, Invoice).outerjoin(Invoice, Invoice.id == RecurringRun.invoice_id)
            .where(RecurringRun.profile_id == profile_id).order_by(RecurringRun.period_start.desc())
        ).all()
        invoice_ids = [invoice.id for _, invoice in rows if invoice is not None]
        emails: dict[int, EmailMessage] = {}
        if invoice_ids:
            for message in session.execute(
                select(EmailMessage)
                .where(EmailMessage.invoice_id.in_(invoice_ids), EmailMessage.kind == KIND_INVOICE)
                .order_by(EmailMessage.id)
            ).scalars():
                emails[message.invoice_id] = message  # the latest invoice email of each
    tz_name = business_timezone() if emails else ""
    out = []
    for run, invoice in rows:
        out.append({
            "invoice_id": str(invoice.id) if invoice else "",
            "number": display_number(invoice.number, invoice.id) if invoice else "(deleted draft)",
            "period": format_date(run.period_start),
            "status": InvoiceStatus(invoice.status).value if invoice else "",
            "amount": format_money(invoice.amount, invoice.currency) if invoice else "",
            "note": delivery_text(run.send_state, invoice, emails.get(invoice.id) if invoice else None, tz_name),
        })
    return out


def delivery_text(send_state: str, invoice: Invoice | None, email: EmailMessage | None, tz_name: str) -> str:
    """What happened to an issued invoice, from what the app recorded: the run's send state
    (auto-send), the invoice's status, and its latest invoice email (by the profile or by hand)."""
    if invoice is None:
        return "Deleted before it was sent"
    if send_state == SEND_PENDING:
        return "Sending"
    if send_state not in ("", SEND_QUEUED):
        return send_state  # why the automatic email was not sent ("Left as a draft: ...")
    if email is not None:
        status = DeliveryStatus(email.status)
        if status is DeliveryStatus.DONE:
            sent_on = email.sent_at or email.created_at
            when = sent_on.replace(tzinfo=sent_on.tzinfo or UTC).astimezone(ZoneInfo(tz_name)).date()
            return f"Emailed to {email.recipient} on {format_date(when)}"
        if status is DeliveryStatus.FAILED:
            return f"Email to {email.recipient} failed: {email.last_error}" if email.last_error else (
                f"Email to {email.recipient} failed")
        if email.last_error:
            return f"Email to {email.recipient} not delivered yet, retrying: {email.last_error}"
        return f"Being emailed to {email.recipient}"
    if InvoiceStatus(invoice.status) is InvoiceStatus.DRAFT:
        return "Draft (not sent)"
    return "Marked as sent (not emailed)"


def count_runs(profile_id: int) -> int:
    with read_session() as session:
        return session.execute(
            select(func.count()).select_from(RecurringRun).where(RecurringRun.profile_id == profile_id)
        ).scalar_one()


def form_invoice_extras(profile: RecurringProfile) -> dict:
    """The profile's invoice discount and tax-inclusive prices (the form does not show them),
    as ``ProfileInput`` takes them; empty when it has neither."""
    extras: dict = {}
    if profile.discount_kind:
        spec = drafts.DISCOUNT_PERCENT if profile.discount_kind == "percent" else drafts.DISCOUNT_AMOUNT
        extras.update(discount_kind=profile.discount_kind, discount_value=format_number(profile.discount_value, spec))
    if profile.tax_inclusive:
        extras["tax_inclusive"] = True
    return extras


def form_values(profile: RecurringProfile) -> dict:
    """A profile as the form shows it (strings)."""
    return {
        "client_id": str(profile.client_id),
        "project_id": str(profile.project_id or ""),
        "currency": profile.currency,
        "frequency": profile.frequency,
        "every": str(profile.every),
        "start_date": profile.start_date.isoformat(),
        "end_date": profile.end_date.isoformat() if profile.end_date else "",
        "occurrences": str(profile.occurrences or ""),
        "day_of_month": str(profile.day_of_month or ""),
        "payment_terms_days": str(profile.payment_terms_days),
        "auto_send": profile.auto_send,
        "catch_up": profile.catch_up,
        "notes": profile.notes,
    }

