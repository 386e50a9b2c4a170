"""The editor's taxes and discounts, mixed into ``EditorState``: per line up to two taxes and
a discount, the invoice discount, the tax-inclusive switch, and the live breakdown
(subtotal, discounts, each tax with its base, total) from the one total function."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import reflex as rx

from invoice_crm.domain import totals as T
from invoice_crm.domain.drafts import DISCOUNT_AMOUNT, DISCOUNT_PERCENT, parse_discount
from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.numbers import format_number, format_percent
from invoice_crm.services import figures, tax_rates
from invoice_crm.settings import get_settings

LINE_EXTRAS = ("discount_kind", "discount_value", "tax1", "tax2")
DISCOUNT_KINDS = [("", "No discount"), ("percent", "Percent"), ("amount", "Amount")]


def _discount_text(kind: str, value) -> str:
    """A stored discount as the business locale writes it (``12,5`` in de_DE)."""
    if not kind or value is None:
        return ""
    return format_number(value, DISCOUNT_PERCENT if kind == "percent" else DISCOUNT_AMOUNT)


def discount_placeholder() -> str:
    """The invoice discount's example, written as the business locale reads it (``25,00`` in
    fr_FR and de_DE): a placeholder must never suggest what the field then refuses."""
    percent = format_number(Decimal(10), DISCOUNT_PERCENT, places=0)
    return f"{percent} (percent) or {format_number(Decimal(25), DISCOUNT_AMOUNT)}"


def line_extras(li=None) -> dict[str, str]:
    """The editor's tax and discount keys of a line (empty for a new one)."""
    if li is None:
        return {"discount_kind": "", "discount_value": "", "tax1": "", "tax2": ""}
    return {
        "discount_kind": li.discount_kind or "",
        "discount_value": _discount_text(li.discount_kind, li.discount_value),
        "tax1": str(li.tax1_id or ""),
        "tax2": str(li.tax2_id or ""),
    }


def copied_line_extras(line: dict) -> dict[str, str]:
    """The same keys for a line of ``invoices.duplicate_as_input`` (taxes as ``tax_ids``)."""
    taxes = [str(i) for i in line.get("tax_ids", [])] + ["", ""]
    return {
        "discount_kind": line.get("discount_kind") or "",
        "discount_value": _discount_text(line.get("discount_kind"), line.get("discount_value")),
        "tax1": taxes[0],
        "tax2": taxes[1],
    }


class EditorTaxesMixin(rx.State, mixin=True):
    tax_options: list[dict[str, str]] = []
    invoice_discount_kind: str = ""
    invoice_discount_value: str = ""
    tax_inclusive: bool = False
    invoice_discount_placeholder: str = ""
    # A draft saved with a rate the catalogue has changed since: said, as saving applies today's.
    tax_rate_note: str = ""

    async def _load_tax_options(self, keep: set[str] | None = None) -> None:
        rows = await asyncio.to_thread(tax_rates.list_tax_rates)
        keep = keep or set()
        self.tax_options = [
            {
                "id": str(t.id),
                "label": f"{t.name} {format_percent(t.rate)}" + (" (compound)" if t.compound else ""),
                "name": t.name,
                "rate": format(t.rate, "f"),
                "compound": "yes" if t.compound else "",
            }
            for t in rows
            if not t.archived or str(t.id) in keep
        ]

    def _note_changed_rates(self, lines=()) -> None:
        """The taxes of the draft's lines whose rate was edited in Settings since it was saved:
        the invoice page shows the rate copied then, these totals and a save use today's."""
        options = {o["id"]: o for o in self.tax_options}
        changed: dict[str, str] = {}
        for li in lines:
            for tax_id, name, rate in ((li.tax1_id, li.tax1_name, li.tax1_rate), (li.tax2_id, li.tax2_name, li.tax2_rate)):
                option = options.get(str(tax_id or ""))
                if option is not None and rate is not None and Decimal(option["rate"]) != rate:
                    changed[option["id"]] = f"{name} {format_percent(rate)} → {format_percent(Decimal(option['rate']))}"
        self.tax_rate_note = (
            "Changed in Settings since this draft was saved: " + ", ".join(changed.values())
            + ". The totals here use today's rates, and saving the draft applies them." if changed else ""
        )

    def _load_invoice_terms(self, inv=None) -> None:
        self.invoice_discount_placeholder = discount_placeholder()  # the locale as of this opening
        self.invoice_discount_kind = (inv.discount_kind or "") if inv is not None else ""
        self.invoice_discount_value = _discount_text(inv.discount_kind, inv.discount_value) if inv is not None else ""
        self.tax_inclusive = bool(inv.tax_inclusive) if inv is not None else False

    def _terms_input(self) -> dict:
        return {
            "discount_kind": self.invoice_discount_kind,
            "discount_value": self.invoice_discount_value,
            "tax_inclusive": self.tax_inclusive,
        }

    @rx.event
    def set_line_extra(self, index: int, field: str, value: str):
        if field in LINE_EXTRAS and 0 <= index < len(self.lines):
            changed = {field: value}
            if field == "discount_kind" and not value:
                changed["discount_value"] = ""  # "No discount": the value goes with it
            self.lines[index] = {**self.lines[index], **changed}
            self.errors.pop(f"lines.{index}.discount", None)
            self.errors.pop(f"lines.{index}.taxes", None)

    @rx.event
    def set_invoice_discount_kind(self, value: str):
        self.invoice_discount_kind = value
        if not value:  # "No discount": the value goes with it
            self.invoice_discount_value = ""
        self.errors.pop("discount", None)

    @rx.event
    def set_invoice_discount_value(self, value: str):
        self.invoice_discount_value = value
        self.errors.pop("discount", None)

    @rx.event
    def set_tax_inclusive(self, value: bool):
        self.tax_inclusive = value

    @rx.var
    def _live_totals(self) -> T.Totals | None:
        """The totals of the lines as typed (backend only): computed once per change, read by
        both the total and the breakdown. The lines' numbers are those ``_read_lines`` read."""
        options = {o["id"]: o for o in self.tax_options}
        specs = []
        for index, (line, (_view, priced)) in enumerate(zip(self.lines, self._read_lines, strict=True)):
            if priced is None:  # a number that does not read (yet) adds nothing
                continue
            quantity, price = priced.quantity, priced.unit_price
            try:
                discount = parse_discount(line.get("discount_kind"), line.get("discount_value"), field=f"lines.{index}.discount")
            except ValidationError:
                discount = {"discount_kind": "", "discount_value": Decimal(0)}
            taxes = []
            for slot in ("tax1", "tax2"):
                option = options.get(line.get(slot, "") or "")
                if option is not None and all(t.key != option["id"] for t in taxes):
                    taxes.append(T.TaxRate(option["id"], option["name"], Decimal(option["rate"]), slot == "tax2" and option["compound"] == "yes"))
            specs.append(T.LineSpec(quantity, price, T.Discount(discount["discount_kind"], discount["discount_value"]), tuple(taxes)))
        try:
            terms = parse_discount(self.invoice_discount_kind, self.invoice_discount_value, field="discount")
        except ValidationError:
            terms = {"discount_kind": "", "discount_value": Decimal(0)}
        try:
            return T.compute_totals(
                specs, currency=self.currency, invoice_discount=T.Discount(terms["discount_kind"], terms["discount_value"]),
                tax_inclusive=self.tax_inclusive, rounding=get_settings().invoice_tax_rounding,
            )
        except ValidationError:
            return None

    @rx.var
    def live_breakdown(self) -> list[dict[str, str]]:
        totals = self._live_totals
        if totals is None:
            return [{"key": "error", "label": "A discount is more than what it discounts", "value": "—"}]
        return figures.breakdown_rows(totals, settled=False)
