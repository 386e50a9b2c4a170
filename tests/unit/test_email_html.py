"""The HTML part of client emails: the text as written, escaped, under the letterhead."""

from invoice_crm.domain.email_html import Letterhead, html_body

HEAD = Letterhead("Acme & Sons", ("1 Main St", "Springfield"), "Tax number: 12-3456789", ("hi@acme.example",),
                  "#123456", "logo.1@acme.example")


def test_text_is_escaped_and_kept_line_by_line():
    html = html_body("Hello <b>Bob</b>,\n\nLine one\nLine two", HEAD)
    assert "&lt;b&gt;Bob&lt;/b&gt;" in html and "<b>" not in html
    assert "Line one<br>\nLine two" in html
    assert "Acme &amp; Sons" in html and "1 Main St" in html and "Tax number: 12-3456789" in html


def test_only_http_links_become_links_and_a_trailing_stop_stays_text():
    html = html_body("Pay: https://pay.example/p/abc. Or javascript:alert(1)", HEAD)
    assert '<a href="https://pay.example/p/abc" style="word-break:break-all;overflow-wrap:anywhere">https://pay.example/p/abc</a>.' in html
    assert 'href="javascript' not in html


def test_logo_by_cid_only_when_there_is_one_and_a_bad_colour_is_not_used():
    assert 'src="cid:logo.1@acme.example"' in html_body("x", HEAD)
    plain = html_body("x", Letterhead("Acme", brand_color="red;background:url(http://x)"))
    assert "<img" not in plain and "url(" not in plain and "#2563eb" in plain
    assert "<script" not in plain.lower()
