"""Every page's markup is valid where the HTML parser would otherwise rewrite it.

The production build prerenders each page; the browser parses that HTML and React hydrates it.
A block (a <div>, <p>, heading, table) inside a <p> is closed early by the parser, so the DOM no
longer matches React's tree: hydration fails and React re-renders the whole document, putting
the theme stylesheet after the component styles, so padding and widths are lost for the rest
of the visit (the login card after Sign out, the editor's selects). This test keeps such
nesting out of every page."""

from __future__ import annotations

import pytest
import reflex as rx

from invoice_crm.pages.client import client_page
from invoice_crm.pages.dashboard import dashboard_page
from invoice_crm.pages.directory import clients_page, leads_page, projects_page
from invoice_crm.pages.editor import edit_invoice_page, new_invoice_page
from invoice_crm.pages.imports import import_page
from invoice_crm.pages.invoice import invoice_page
from invoice_crm.pages.login import login_page
from invoice_crm.pages.pay import pay_missing_page, pay_page, pay_return_page
from invoice_crm.pages.recurring import (
    recurring_detail_page,
    recurring_edit_page,
    recurring_form_page,
    recurring_list_page,
)
from invoice_crm.pages.reports import reports_page
from invoice_crm.pages.settings import account_page, settings_page
from invoice_crm.pages.taxes import taxes_page

PAGES = [
    dashboard_page, clients_page, leads_page, projects_page, new_invoice_page, edit_invoice_page,
    invoice_page, login_page, pay_page, pay_return_page, pay_missing_page,
    recurring_list_page, recurring_form_page, recurring_detail_page, recurring_edit_page,
    client_page, import_page, account_page, reports_page, settings_page, taxes_page,
]
# Components that render a block element (div, p, h1…, table, form).
BLOCKS = {
    "Box", "Flex", "HStack", "VStack", "Stack", "Card", "Center", "Heading", "Grid", "Container",
    "Section", "Spacer", "TableRoot", "CalloutRoot", "Callout", "CalloutText", "Form", "FormRoot",
    "Separator", "Divider", "DialogDescription", "AlertDialogDescription",
}
PARAGRAPHS = {"CalloutText", "DialogDescription", "AlertDialogDescription"}


def _is_paragraph(component: rx.Component) -> bool:
    name = type(component).__name__
    if name == "Text":
        as_ = getattr(component, "as_", None)
        return as_ is None or getattr(as_, "_var_value", "p") == "p"
    return name in PARAGRAPHS


def _children(component: rx.Component) -> list[rx.Component]:
    if type(component).__name__ == "Foreach":
        return [component._render().render_component()]
    return [c for c in getattr(component, "children", []) if isinstance(c, rx.Component)]


def _violations(component: rx.Component, inside_p: str | None, path: str) -> list[str]:
    name = type(component).__name__
    here = f"{path}>{name}"
    found = []
    if inside_p and (name in BLOCKS or _is_paragraph(component)):
        found.append(f"{here} inside {inside_p}")
    if _is_paragraph(component):
        inside_p = inside_p or here
    for child in _children(component):
        found += _violations(child, inside_p, here)
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.__name__)
def test_no_block_inside_a_paragraph(page):
    assert _violations(page(), None, page.__name__) == []


def test_the_check_finds_a_paragraph_inside_a_paragraph():
    bad = rx.box(rx.text(rx.text("count"), " invoices"))
    assert _violations(bad, None, "bad")
    assert _violations(rx.callout.text(rx.hstack(rx.text("x"))), None, "bad")
    assert _violations(rx.text(rx.text.strong("1"), " invoice", rx.link("open", href="/")), None, "ok") == []
