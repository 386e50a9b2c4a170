"""What the recurring pages show: the list of profiles, one profile with the invoices it
issued, and a profile as its form shows it (numbers in the business locale)."""

from __future__ import annotations

from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.domain import drafts, recurrence
from invoice_crm.domain.errors import DomainError, NotFound
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.money import format_money, format_price, format_quantity
from invoice_crm.domain.numbering import display_number
from invoice_crm.domain.numbers import format_date, format_number
from invoice_crm.models import Client, Invoice, ProfileStatus, Project, RecurringProfile, RecurringRun
from invoice_crm.services import figures
from invoice_crm.services import invoices as invoice_service
from invoice_crm.services.recurring import SEND_PENDING, SEND_QUEUED, profile_lines
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


def profile_view(profile_id: int | None) -> dict:
    """A profile's page: its summary, the terms in words, and which actions apply."""
    with read_session() as session:
        profile = session.get(RecurringProfile, profile_id) if profile_id is not None else None
        if profile is None:
            raise NotFound("Recurring profile not found", field="profile_id")
        client = session.get(Client, profile.client_id)
        project = session.get(Project, profile.project_id) if profile.project_id else None
        probe = Invoice(client_id=profile.client_id, issue_date=profile.start_date, currency=profile.currency,
                        discount_kind=profile.discount_kind, discount_value=profile.discount_value,
                        tax_inclusive=profile.tax_inclusive, tax_rounding=get_settings().invoice_tax_rounding)
        parsed = [drafts.parse_line(line, i) for i, line in enumerate(profile_lines(profile))]
        try:
            rows = invoice_service._line_rows(parsed, invoice_service._tax_rates(session, parsed))
        except DomainError:  # a tax rate deleted since: the next issue says so
            rows = None

    status = ProfileStatus(profile.status)
    if profile.end_date:
        ends = f"Ends {format_date(profile.end_date)}"
    elif profile.occurrences:
        ends = f"{profile.occurrences} invoices in all"
    else:
        ends = "No end"
    return {
        **profile_summary(profile, client.name if client else ""),
        "client_id": str(profile.client_id),
        "project": project.name if project else "",
        "amount": format_money(figures.compute(probe, rows).total, profile.currency) if rows is not None else "—",
        "starts": format_date(profile.start_date),
        "ends": ends,
        "terms": f"Due {profile.payment_terms_days} days after issue",
        "catch_up": "Each missed period" if profile.catch_up == "each" else "Only the latest period",
        "can_pause": "yes" if status is ProfileStatus.ACTIVE else "",
        "can_resume": "yes" if status is ProfileStatus.PAUSED else "",
        "can_edit": "yes" if status is not ProfileStatus.STOPPED else "",
    }


def list_profiles() -> list[dict]:
    """Every profile with its client, schedule, next issue date, status and invoices issued."""
    with read_session() as session:
        rows = session.execute(
            select(RecurringProfile, Client.name).join(Client, Client.id == RecurringProfile.client_id)
            .order_by(RecurringProfile.status, RecurringProfile.next_issue_date, RecurringProfile.id)
        ).all()
    return [profile_summary(p, name) for p, name in rows]


def status_text(profile: RecurringProfile) -> str:
    status = ProfileStatus(profile.status)
    if status is ProfileStatus.ACTIVE and profile.next_issue_date is None:
        return "Finished"
    return status.label


def _next_issue_text(profile: RecurringProfile) -> str:
    """The next issue date, or why there is none coming: a paused profile issues nothing until
    it is resumed (and then the next period after that day, not this date)."""
    if ProfileStatus(profile.status) is ProfileStatus.PAUSED:
        return "None while paused"
    return format_date(profile.next_issue_date) if profile.next_issue_date else "—"


def profile_summary(profile: RecurringProfile, client_name: str) -> dict:

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
    }


def profile_invoices(profile_id: int) -> list[dict]:
    """The invoices a profile issued, newest period first."""
    with read_session() as session:
        rows = session.execute(
            select(RecurringRun, Invoice).outerjoin(Invoice, Invoice.id == RecurringRun.invoice_id)
            .where(RecurringRun.profile_id == profile_id).order_by(RecurringRun.period_start.desc())
        ).all()
    out = []
    for run, invoice in rows:
        out.append({
            "invoice_id": str(invoice.id) if invoice else "",
            "number": display_number(invoice.number, invoice.id) if invoice else "(deleted draft)",
            "period": format_date(run.period_start),
            "status": InvoiceStatus(invoice.status).value if invoice else "",
            "amount": format_money(invoice.amount, invoice.currency) if invoice else "",
            "note": "" if run.send_state in ("", SEND_QUEUED) else ("Sending" if run.send_state == SEND_PENDING else run.send_state),
        })
    return out


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

