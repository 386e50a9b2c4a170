"""The freelancer's business as set in Settings: the rules each field must keep.

Pure checks, no database: tax numbers (python-stdnum where the country has a known format),
bank details (schwifty), the logo (type and size read from the content, SVG refused when it
could run script or fetch anything), colours, locales, and the email templates' placeholders.
Every refusal is a ``ValidationError`` naming the field.
"""

from __future__ import annotations

import io
import re
import string
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from PIL import Image, UnidentifiedImageError
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import vat as gb_vat
from stdnum.us import ein as us_ein

from invoice_crm.domain import numbers
from invoice_crm.domain.errors import ValidationError

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_PIXELS = 4000
LOGO_TOO_LARGE = f"The logo must be at most {MAX_LOGO_BYTES // 1024} KB"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_LOCALE = re.compile(r"^[a-z]{2,3}(?:_[A-Z]{2})?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_HOST_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", re.IGNORECASE)
_PORT_ONLY = re.compile(r"^[^/:]+\.[^/:]+:\d+(/|$)")  # example.com:8080 is a host and port, not a scheme
_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)
_PHONE = re.compile(r"^[0-9+()./\- ]{3,40}$")


# --- Tax numbers --------------------------------------------------------------------------

def tax_number_kind(country: str) -> str:
    """What the tax number is called where the country has a checked format ("" elsewhere)."""
    country = (country or "").upper()
    if country == "GB":
        return "GB VAT number"
    if country == "US":
        return "US EIN"
    if _eu_code(country):
        return "EU VAT number"
    return ""


def _eu_code(country: str) -> str:
    code = "el" if country == "GR" else country.lower()
    return code.upper() if code in eu_vat.MEMBER_STATES or code == "el" else ""


def clean_tax_number(raw: object, country: str, *, field: str = "tax_number") -> str:
    """The number in its standard form when the country has a format; as typed elsewhere."""
    number = str(raw or "").strip()
    if not number:
        return ""
    if len(number) > 50:
        raise ValidationError("Tax number must be at most 50 characters", field=field)
    country = (country or "").upper()
    kind = tax_number_kind(country)
    try:
        if country == "GB":
            return "GB" + gb_vat.validate(number)
        if country == "US":
            return us_ein.format(us_ein.validate(number))
        if kind:
            compact = eu_vat.compact(number)
            if compact[:2].isdigit():
                compact = _eu_code(country) + compact
            return eu_vat.validate(compact)
    except StdnumError:
        raise ValidationError(f"This is not a valid {kind} (check the digits and the country)", field=field) from None
    return number


# --- Bank details -------------------------------------------------------------------------

def clean_iban(raw: object) -> str:
    text = str(raw or "").strip()
    if not text:
        return ""
    try:
        return IBAN(text).formatted
    except SchwiftyException as err:
        raise ValidationError(f"This is not a valid IBAN: {err}", field="iban") from None


def clean_bic(raw: object) -> str:
    text = str(raw or "").strip().replace(" ", "")
    if not text:
        return ""
    try:
        return str(BIC(text))
    except SchwiftyException as err:
        raise ValidationError(f"This is not a valid BIC: {err}", field="bic") from None


def payment_instruction_lines(iban: str, bic: str, free_text: str) -> list[str]:
    """What the client reads to pay by bank transfer: IBAN/BIC first, then the free text."""
    lines = []
    if iban:
        lines.append(f"IBAN: {iban}")
    if bic:
        lines.append(f"BIC: {bic}")
    lines.extend(line.strip() for line in (free_text or "").splitlines() if line.strip())
    return lines


# --- Small fields -------------------------------------------------------------------------

def clean_colour(raw: object) -> str:
    text = str(raw or "").strip() or "#2563eb"
    if not _COLOUR.match(text):
        raise ValidationError("Brand colour must look like #1a2b3c", field="brand_color")
    return text.lower()


def rejected_upload_message(codes: str, too_large: str) -> str:
    """Why the browser kept a dropped file back, from react-dropzone's error codes (comma
    separated): the field's own ``too_large`` message, or what to do instead."""
    found = set(str(codes or "").split(","))
    if "file-too-large" in found:
        return too_large
    if "too-many-files" in found:
        return "Drop one file at a time"
    return "That file could not be taken; choose another"


def clean_country(raw: object) -> str:
    """The country as its two-letter code: typed as the code (``de``) or by its name in English
    or the business locale (``Germany``, ``Deutschland``)."""
    text = str(raw or "").strip()
    if not text:
        return ""
    if _COUNTRY.match(text.upper()) and numbers.is_country_code(text.upper()):
        return text.upper()
    named = numbers.country_code(text[:100])
    if not named:
        raise ValidationError("Country must be a two-letter code such as DE, GB or US, or a country's name", field="country")
    return named


def clean_website(raw: object) -> str:
    """An http(s) address with a real host name (``example.com``; ``https://`` is added when
    left out). Anything else is refused rather than printed: ``javascript:alert(1)`` would
    otherwise become ``https://javascript:alert(1)`` on every PDF."""
    text = str(raw or "").strip()
    if not text:
        return ""
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", text, re.IGNORECASE)
    if scheme and not text.lower().startswith(("http://", "https://")) and not _PORT_ONLY.match(text):
        raise ValidationError("Website must be an http:// or https:// address such as https://example.com", field="website")
    if not text.lower().startswith(("http://", "https://")):
        text = "https://" + text
    if len(text) > 200 or not _URL.match(text) or not _has_real_host(text):
        raise ValidationError("Website must be an address such as https://example.com", field="website")
    return text


def _has_real_host(url: str) -> bool:
    """A host name with a dot and letters or digits on each side of every dot; no user:password@."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number)
    except ValueError:
        return False
    if "@" in parts.netloc:
        return False
    try:
        host = host.encode("idna").decode("ascii")  # bücher.de is xn--bcher-kva.de
    except UnicodeError:
        return False
    labels = host.split(".")
    return len(labels) >= 2 and all(_HOST_LABEL.match(label) for label in labels)


def clean_phone(raw: object) -> str:
    text = str(raw or "").strip()
    if text and not _PHONE.match(text):
        raise ValidationError("Phone may hold digits, spaces and + ( ) - . / only", field="phone")
    return text


def clean_locale(raw: object) -> str:
    """A locale that money, numbers and dates can be written and read in (numbers.SUPPORTED_LOCALES)."""
    text = str(raw or "").strip().replace("-", "_") or "en_US"
    refused = ValidationError(f"Locale must be one of {', '.join(numbers.SUPPORTED_LOCALES)}", field="locale")
    if not _LOCALE.match(text):
        raise refused  # (it said "must look like en_US, de_DE or fr": fr alone is not taken)
    try:
        return numbers.check_locale(text)
    except ValueError:
        raise refused from None


def clean_timezone(raw: object) -> str:
    text = str(raw or "").strip() or "UTC"
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("Unknown timezone (use a name such as Europe/Berlin)", field="timezone") from None
    return text


def clean_terms(raw: object) -> int:
    text = str(raw if raw is not None else "").strip() or "0"
    if not text.isdigit() or int(text) > 365:
        raise ValidationError("Payment terms must be a whole number of days from 0 to 365", field="payment_terms_days")
    return int(text)


# --- Logo ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Logo:
    content: bytes
    mime_type: str  # image/png, image/jpeg or image/svg+xml


_SVG_FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "object", "embed", "handler", "listener"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def check_svg(content: bytes) -> None:
    """Refuse an SVG that could run script or reach out: script and foreign elements, on*
    handlers, javascript:/data:/external references, entities (defusedxml refuses those)."""
    try:
        root = SafeET.fromstring(content)
    except (SafeET.ParseError, DefusedXmlException, ValueError):
        raise ValidationError("The logo is not a readable SVG image", field="logo") from None
    if _local(root.tag) != "svg":
        raise ValidationError("The logo is not an SVG image", field="logo")
    for element in root.iter():
        if _local(element.tag) in _SVG_FORBIDDEN_TAGS:
            raise ValidationError(f"SVG logos may not contain <{_local(element.tag)}> (it could run script)", field="logo")
        for name, value in element.attrib.items():
            attr = _local(name)
            if attr.startswith("on"):
                raise ValidationError(f"SVG logos may not contain event handlers ({attr})", field="logo")
            if attr == "href" and value.strip() and not value.strip().startswith("#"):
                raise ValidationError("SVG logos may not link to other files or scripts", field="logo")
            if "javascript:" in value.lower() or "url(http" in value.lower().replace(" ", ""):
                raise ValidationError("SVG logos may not reference scripts or outside files", field="logo")
        if _local(element.tag) == "style" and ("@import" in (element.text or "") or "url(" in (element.text or "")):
            raise ValidationError("SVG logos may not load outside styles or files", field="logo")


def check_logo(content: bytes) -> Logo:
    """The logo's real type from its bytes (the file name is not trusted), and its size."""
    if not content:
        raise ValidationError("The logo file is empty", field="logo")
    if len(content) > MAX_LOGO_BYTES:
        raise ValidationError(LOGO_TOO_LARGE, field="logo")
    head = content[:512].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in content[:4096].lower():
        check_svg(content)
        return Logo(content, "image/svg+xml")
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError("The logo must be a PNG, JPEG or SVG image (this file is not one)", field="logo") from None
    if kind not in ("PNG", "JPEG"):
        raise ValidationError(f"The logo must be a PNG, JPEG or SVG image (this is {kind})", field="logo")
    if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
        raise ValidationError(f"The logo must be at most {MAX_LOGO_PIXELS} pixels on each side", field="logo")
    return Logo(content, "image/png" if kind == "PNG" else "image/jpeg")


# --- Email templates ----------------------------------------------------------------------

PLACEHOLDERS = ("number", "client_name", "amount", "due_date", "pay_link", "business_name", "paid_on")
# A reminder is for an invoice not paid yet: it has no {paid_on} (always empty there).
REMINDER_PLACEHOLDERS = tuple(p for p in PLACEHOLDERS if p != "paid_on")


def placeholder_help(names: tuple[str, ...] = PLACEHOLDERS) -> str:
    """The line under a template field, naming what it may use."""
    return "Placeholders: " + " ".join("{" + p + "}" for p in names)


def check_template(text: str, *, field: str, allowed: tuple[str, ...] = PLACEHOLDERS) -> str:
    """A template may use only the known placeholders, in {braces}."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        raise ValidationError("Unbalanced { or } (write {{ or }} for a literal brace)", field=field) from None
    unknown = sorted(n for n in names if n not in allowed)
    if unknown:
        known = ", ".join("{" + p + "}" for p in allowed)
        raise ValidationError(f"Unknown placeholder {{{unknown[0]}}}; use {known}", field=field)
    return text


def render_template(text: str, values: dict[str, str]) -> str:
    return text.format_map({name: values.get(name, "") for name in PLACEHOLDERS})
