"""The tax rate catalogue: list, create, edit, archive. A rate is copied onto each line that
uses it, so editing or archiving one never changes an invoice already made."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from invoice_crm.db import read_session, write_session
from invoice_crm.domain import drafts
from invoice_crm.domain.errors import NotFound, ValidationError, check_each
from invoice_crm.domain.numbers import NumberField, format_percent, parse_number
from invoice_crm.models import TaxRate

RATE = NumberField("Rate", 4, Decimal("0"), Decimal("100"), grouped=False)


def _clean(name: object, rate: object, registration_number: object) -> tuple[str, Decimal, str]:
    """The form's clean values; FieldErrors names every refused field at once."""
    values = check_each({
        "name": lambda: drafts.clean_text(name, field="tax_name", label="Name", max_length=64, required=True),
        "rate": lambda: parse_number(
            rate if isinstance(rate, Decimal) else str(rate or "").strip().rstrip("%").strip(), RATE, field="tax_rate"
        ),
        "number": lambda: drafts.clean_text(
            registration_number, field="tax_registration", label="Registration number", max_length=64, required=False
        ),
    })
    return values["name"], values["rate"], values["number"]


def list_tax_rates(include_archived: bool = True) -> list[TaxRate]:
    with read_session() as session:
        query = select(TaxRate).order_by(TaxRate.archived, TaxRate.name, TaxRate.id)
        if not include_archived:
            query = query.where(TaxRate.archived.is_(False))
        return list(session.execute(query).scalars())


def create_tax_rate(name: object, rate: object, registration_number: object = "", compound: bool = False) -> TaxRate:
    name, value, number = _clean(name, rate, registration_number)
    with write_session() as session:
        taken = session.execute(
            select(TaxRate.id).where(TaxRate.name == name, TaxRate.rate == value, TaxRate.archived.is_(False))
        ).first()
        if taken:
            raise ValidationError(f"{name} {format_percent(value)} is already in the list", field="tax_name")
        tax = TaxRate(name=name, rate=value, registration_number=number, compound=bool(compound))
        session.add(tax)
        session.flush()
        return tax


def update_tax_rate(tax_id: int, name: object, rate: object, registration_number: object = "", compound: bool = False) -> TaxRate:
    name, value, number = _clean(name, rate, registration_number)
    with write_session() as session:
        tax = session.get(TaxRate, tax_id)
        if tax is None:
            raise NotFound("Tax rate not found", field="tax_id")
        tax.name, tax.rate, tax.registration_number, tax.compound = name, value, number, bool(compound)
        return tax


def set_archived(tax_id: int, archived: bool) -> TaxRate:
    with write_session() as session:
        tax = session.get(TaxRate, tax_id)
        if tax is None:
            raise NotFound("Tax rate not found", field="tax_id")
        tax.archived = archived
        return tax
