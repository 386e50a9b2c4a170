"""The HTML part of a client email: the plain-text message as written, under the business's
letterhead (logo, name, address, tax number). Every text is escaped; the only markup is ours
(no script, no style sheet, no remote image: the logo is an inline part named by its cid)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

_LINK = re.compile(r"https?://[^\s<>\"']+")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Letterhead:
    business_name: str = ""
    address_lines: tuple[str, ...] = ()
    tax_line: str = ""
    contact_lines: tuple[str, ...] = ()  # email, phone, website
    brand_color: str = "#2563eb"
    logo_cid: str = ""  # "" when there is no logo


def _paragraph(text: str) -> str:
    """One paragraph: escaped, lines kept, links clickable (the pay link)."""
    out, last = [], 0
    for match in _LINK.finditer(text):
        out.append(escape(text[last:match.start()]))
        url = match.group(0).rstrip(".,;:)")
        # A pay link is one long word: it may break anywhere, or a phone's mail app widens
        # the whole message to fit it (510 px at 390).
        out.append(f'<a href="{escape(url, quote=True)}" style="word-break:break-all;overflow-wrap:anywhere">{escape(url)}</a>')
        last = match.start() + len(url)
    out.append(escape(text[last:]))
    return "".join(out).replace("\n", "<br>\n")


def html_body(text: str, head: Letterhead) -> str:
    """The message ``text`` (plain text, the same words as the text part) as HTML."""
    colour = head.brand_color if _COLOUR.match(head.brand_color or "") else "#2563eb"
    logo = (
        f'<img src="cid:{escape(head.logo_cid, quote=True)}" alt="{escape(head.business_name or "Logo", quote=True)}" '
        'style="max-height:64px;max-width:240px;display:block;margin-bottom:8px">'
        if head.logo_cid else ""
    )
    name = f'<div style="font-size:18px;font-weight:bold">{escape(head.business_name)}</div>' if head.business_name else ""
    details = [*head.address_lines, *head.contact_lines, head.tax_line]
    small = "<br>\n".join(escape(line) for line in details if line)
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(f'<p style="margin:0 0 1em">{_paragraph(p)}</p>' for p in paragraphs)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>\n'
        '<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;color:#1f2937;font-size:14px">\n'
        f'<div style="max-width:600px;margin:0 auto">\n'
        f'<div style="border-bottom:3px solid {colour};padding-bottom:12px;margin-bottom:16px">{logo}{name}'
        f'<div style="font-size:12px;color:#4b5563">{small}</div></div>\n'
        f"{body}\n</div>\n</body></html>\n"
    )
