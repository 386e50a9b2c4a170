"""Clients, projects and leads: create and edit what invoices need."""

from __future__ import annotations

from sqlalchemy import String, bindparam, func, select
from sqlmodel import Session

from invoice_crm.db import read_session, write_session
from invoice_crm.db_search import folded
from invoice_crm.db_types import utcnow
from invoice_crm.domain.emails import clean_email
from invoice_crm.domain.errors import NotFound, Problems, ValidationError, check_each
from invoice_crm.domain.leads import LeadStatus, status_with_invoices
from invoice_crm.domain.lifecycle import OPEN
from invoice_crm.domain.text import clean_text
from invoice_crm.models import Client, Invoice, Lead, Project
from invoice_crm.services import idempotency
from invoice_crm.services.activity import enqueue_sheet_syncs


def client_fields(name, email, company, address, tax_number="") -> dict:
    """The clean fields of a client form; refused ones raise FieldErrors naming every one."""
    return check_each({
        "tax_number": lambda: clean_text(tax_number, field="tax_number", label="Tax number", max_length=50, required=False),
        "name": lambda: clean_text(name, field="name", label="Name", max_length=200, required=True, multiline=False),
        "email": lambda: clean_email(email),
        "company": lambda: clean_text(company, field="company", label="Company", max_length=200, required=False, multiline=False),
        "address": lambda: clean_text(address, field="address", label="Address", max_length=1000, required=False),
    })


def create_client(
    name: str,
    email: str = "",
    company: str = "",
    address: str = "",
    tax_number: str = "",
    *,
    idempotency_key: str | None = None,
    is_sample: bool = False,
) -> Client:
    """A new client; a repeated key (the same form submitted twice) returns the first one."""
    fields = client_fields(name, email, company, address, tax_number)

    def work(session: Session) -> Client:
        client = Client(**fields, is_sample=is_sample)
        session.add(client)
        session.flush()
        return client

    return idempotency.run_once(idempotency_key, "create_client", work, lambda c: c.id, lambda i: _load(Client, i))


def _load(model, row_id: int | None):
    with read_session() as session:
        row = session.get(model, row_id) if row_id is not None else None
    if row is None:
        raise NotFound(f"{model.__name__} not found", field="id")
    return row


def update_client(
    client_id: int, name: str, email: str = "", company: str = "", address: str = "", tax_number: str = ""
) -> Client:
    fields = client_fields(name, email, company, address, tax_number)
    with write_session() as session:
        client = _require(session, Client, client_id, "Client")
        renamed = client.name != fields["name"]
        for key, value in fields.items():
            setattr(client, key, value)
        if renamed:  # the client's name is a column of each of its invoices' sheet rows
            enqueue_sheet_syncs(
                session, session.execute(select(Invoice.id).where(Invoice.client_id == client_id)).scalars()
            )
        return client


def create_project(
    client_id: int | None, name: str, *, idempotency_key: str | None = None, is_sample: bool = False
) -> Project:
    """A new project; a repeated key returns the first one. A refused client and name are
    reported together (FieldErrors), so the form shows each beside its field."""

    def work(session: Session) -> Project:
        problems = Problems()
        clean = problems.check(lambda: _project_name(name))
        problems.check(lambda: _chosen_client(session, client_id))
        problems.raise_any()
        _refuse_same_project(session, client_id, clean)
        project = Project(client_id=client_id, name=clean, is_sample=is_sample)
        session.add(project)
        session.flush()
        return project

    return idempotency.run_once(idempotency_key, "create_project", work, lambda p: p.id, lambda i: _load(Project, i))


def _project_name(name: str) -> str:
    return clean_text(name, field="name", label="Project name", max_length=200, required=True, multiline=False)


def _refuse_same_project(session: Session, client_id: int, name: str, project_id: int | None = None) -> None:
    """Two projects of one name for one client cannot be told apart in any menu: refused
    beside the name, whatever its case (folded by the database, as client names are)."""
    query = select(Project.name).where(
        Project.client_id == client_id, folded(Project.name) == folded(bindparam("name", name, type_=String)),
    )
    if project_id is not None:
        query = query.where(Project.id != project_id)
    same = session.execute(query.limit(1)).scalar()
    if same is not None:
        raise ValidationError(f"This client already has a project named {same}", field="name")


def _chosen_client(session: Session, client_id: int | None) -> None:
    if client_id is None or session.get(Client, client_id) is None:
        raise ValidationError("Choose a client", field="client_id")


def update_project(project_id: int, name: str) -> Project:
    name = _project_name(name)
    with write_session() as session:
        project = _require(session, Project, project_id, "Project")
        _refuse_same_project(session, project.client_id, name, project.id)
        project.name = name
        return project


def create_lead(
    client_id: int | None,
    title: str,
    status: str = LeadStatus.NEW.value,
    *,
    idempotency_key: str | None = None,
    is_sample: bool = False,
) -> Lead:
    """A new lead; a repeated key returns the first one. A refused client and title are
    reported together (FieldErrors)."""
    status = _lead_status(status)

    def work(session: Session) -> Lead:
        problems = Problems()
        clean = problems.check(lambda: _lead_title(title))
        problems.check(lambda: _chosen_client(session, client_id))
        problems.raise_any()
        lead = Lead(client_id=client_id, title=clean, status=status, is_sample=is_sample)
        session.add(lead)
        session.flush()
        return lead

    return idempotency.run_once(idempotency_key, "create_lead", work, lambda le: le.id, lambda i: _load(Lead, i))


def _lead_title(title: str) -> str:
    return clean_text(title, field="title", label="Lead title", max_length=200, required=True, multiline=False)


def update_lead_title(lead_id: int, title: str) -> Lead:
    title = _lead_title(title)
    with write_session() as session:
        lead = _require(session, Lead, lead_id, "Lead")
        lead.title = title
        lead.updated_at = utcnow()
        return lead


def set_lead_status(lead_id: int, status: str) -> Lead:
    status = _lead_status(status)
    with write_session() as session:
        lead = _require(session, Lead, lead_id, "Lead")
        if status is LeadStatus.PAID:
            unpaid = session.execute(
                select(func.count(Invoice.id)).where(Invoice.lead_id == lead.id, Invoice.status.in_(OPEN))
            ).scalar_one()
            if status_with_invoices(status, unpaid) is not status:
                raise ValidationError(
                    f"{lead.title} has {unpaid} unpaid invoice{'s' if unpaid != 1 else ''}: "
                    "it moves to Paid when they are paid",
                    field="status",
                )
        lead.status = status
        lead.updated_at = utcnow()
        return lead


def _lead_status(raw: str) -> LeadStatus:
    try:
        return LeadStatus(str(raw).upper())
    except ValueError:
        raise ValidationError("Unknown lead status", field="status") from None


def _require(session: Session, model, obj_id: int, label: str):
    obj = session.get(model, obj_id)
    if obj is None:
        raise NotFound(f"{label} not found")
    return obj
