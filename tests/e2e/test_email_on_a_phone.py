"""The HTML part of a client email, read on a phone: nothing is wider than the screen."""

from __future__ import annotations

import pytest

from invoice_crm.domain.email_html import Letterhead, html_body

pytestmark = pytest.mark.e2e

PAY_LINK = "https://invoices.example.com/pay/" + "Zx9-" * 11  # as long as a real pay link's token


def test_a_pay_link_wraps_instead_of_widening_the_message(browser):
    """The pay link did not wrap: the message was 510 px wide at 390."""
    text = f"Dear client,\n\nPlease find invoice INV-2026-0001 attached.\n\nPay online: {PAY_LINK}\n\nThank you"
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        page.set_content(html_body(text, Letterhead("Jane Doe Design", ("1 Rue de la Paix", "75002 Paris"))))
        assert page.get_by_role("link").get_attribute("href") == PAY_LINK
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
