"""Numbers, money and dates as people read and write them in the business locale (Babel).

Reading is strict: a value is accepted only when the locale reads it one way. Babel's
``parse_decimal(strict=True)`` is the reader (it refuses misplaced grouping, so ``1,5``
under ``en_US`` is not read as 15); around it this module adds what Babel leaves to the
caller: the characters a field may hold (ASCII digits only: no exponent, ``inf``, ``nan``,
``1_0`` or full-width digits), currency signs and spaces, the field's range and decimal
places counted as typed, and one rule for the only shape both conventions read, each as a
different plausible value: a lone ``.`` or ``,`` followed by exactly three digits.

    en_US quantity  ``1,234``  -> refused: "use 1234 or 1.234"   (1234 or 1.234 hours?)
    en_US price     ``1,234``  -> 1234.00   (1.234 has three decimals: not a price)
    en_US price     ``1,5``    -> refused: "use 1.5"
    de_DE price     ``1,5``    -> 1.50      ``€ 1.234,50`` -> 1234.50
    any             ``1,234.5`` -> both separators: one reading only.

So an accepted text is never read as 10^k times what a reader of the other convention
would take it for. Every refusal is a ``ValidationError`` naming the field and its range;
nothing else escapes.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from invoice_crm.domain.errors import ValidationError

# Locales whose number, money and date formats are checked by the tests.
SUPPORTED_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "de_CH", "ja_JP")
DEFAULT_LOCALE = "en_US"

SPACES = " \u00a0\u202f\u2009\u2007"  # space, no-break, narrow no-break, thin, figure space
APOSTROPHES = "'\u2019"  # Swiss grouping: typed ' or printed ’
MINUS_SIGNS = "-\u2212"
MAX_TEXT = 40  # longer than any amount in range, however it is written

_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")

# A locale of each convention, to tell what a reader of the other convention meant.
_POINT_DECIMAL, _COMMA_DECIMAL = "en_US", "de_DE"


@dataclass(frozen=True)
class NumberField:
    """What a number field accepts: its label, decimal places and range (both ends included)."""

    label: str
    places: int
    minimum: Decimal
    maximum: Decimal
    grouped: bool = True  # shown with thousands grouping (money) or without (quantities)
    # The places a refusal writes its numbers with, when fewer (a currency's: 0 for the yen).
    said_places: int | None = None


# --- the business locale ---------------------------------------------------------------

_business_locale = DEFAULT_LOCALE


def check_locale(code: str) -> str:
    """``de_DE`` (or ``de-DE``) if supported, else ValueError naming the supported ones."""
    name = (code or "").strip().replace("-", "_")
    with contextlib.suppress(UnknownLocaleError, ValueError, TypeError):
        name = str(Locale.parse(name))
    if name not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale {code!r} (use one of {', '.join(SUPPORTED_LOCALES)})")
    return name


_locale_source = None  # a callable giving the saved locale ("" when none), set by the services


def use_business_locale(code: str) -> str:
    """Set the fallback locale (the environment's, set at start-up by settings)."""
    global _business_locale
    _business_locale = check_locale(code)
    return _business_locale


def use_locale_source(source) -> None:
    """Where the locale in effect comes from when a caller passes none: ``source()`` gives the
    business's saved locale (the Settings page's), or "" to use the fallback. The services
    install it (this module imports none of them); None removes it."""
    global _locale_source
    _locale_source = source


def business_locale() -> str:
    if _locale_source is not None:
        code = _locale_source()
        if code:
            return code
    return _business_locale


# --- formatting ------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _babel_locale(code: str) -> Locale:
    """The parsed locale, once per code: Babel parses a locale string again on every call."""
    return Locale.parse(code)


def _formatting_locale(locale: str | None) -> Locale:
    return _babel_locale(locale or business_locale())


def country_name(code: str, locale: str | None = None) -> str:
    """``Germany`` (en_US), ``Deutschland`` (de_DE) for ``DE``: how an address names its country.
    A code Babel does not know is returned as it is."""
    code = (code or "").upper()
    return _formatting_locale(locale).territories.get(code, code) if code else ""


def country_code(name: str, locale: str | None = None) -> str:
    """``DE`` for ``Germany`` (English) or ``Deutschland`` (de_DE), any case; "" when the
    name is no country's name in English or in ``locale``."""
    wanted = " ".join(str(name or "").split()).casefold()
    if not wanted:
        return ""
    for loc in dict.fromkeys(("en", locale or business_locale())):
        for code, label in _babel_locale(loc).territories.items():
            if len(code) == 2 and code.isalpha() and label.casefold() == wanted:
                return code
    return ""


def is_country_code(code: str) -> bool:
    """A two-letter region code (ISO 3166-1) that names a country or territory."""
    return len(code) == 2 and code.isalpha() and code.upper() in _babel_locale("en").territories


def format_currency(amount: Decimal, currency: str, locale: str | None = None) -> str:
    """``$1,234.50`` (en_US), ``1.234,50 €`` (de_DE): the amount rounded half-up to cents."""
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    # Keyed by the exact text: -0.00 and 0.00 are equal Decimals but are written differently.
    return _currency_text(str(value), currency.upper(), locale or business_locale())


@functools.lru_cache(maxsize=8192)
def _currency_text(value: str, currency: str, locale: str) -> str:
    """Babel's text for a rounded amount, remembered: a page of rows formats the same amounts
    again on every page change, and Babel's pattern work is most of a page's time."""
    # decimal_quantization=False: Babel never rounds (half-even) a cent away in a currency
    # with fewer digits (JPY), it shows it.
    pattern = _currency_pattern(currency, locale)
    if pattern is None:
        text = babel_numbers.format_currency(
            Decimal(value), currency, locale=_babel_locale(locale), decimal_quantization=False
        )
    else:
        text = pattern.apply(Decimal(value), _babel_locale(locale), decimal_quantization=False)
    # CLDR's currency spacing, which Babel leaves out: a code is not glued to the digits
    # (``SEK 10.00``, not ``SEK10.00``).
    return _LETTER_DIGIT.sub("\u00a0", text)


@functools.lru_cache(maxsize=256)
def _currency_pattern(currency: str, locale: str) -> babel_numbers.NumberPattern | None:
    """The locale's currency pattern with this currency's sign and digits written in, once per
    currency and locale. ``format_currency`` looks them up again for every amount, and also
    works out the currency's plural display name, which the standard pattern never shows:
    half of its time. Applied as Babel applies it (tests/unit/test_numbers.py compares the
    two for every supported locale and currency). None for a pattern that names the currency."""
    loc = _babel_locale(locale)
    pattern = copy.copy(loc.currency_formats["standard"])
    symbol = babel_numbers.get_currency_symbol(currency, loc)
    if any("¤¤¤" in part for part in (*pattern.prefix, *pattern.suffix)):
        return None  # the currency's name, which depends on the amount: Babel writes it each time
    pattern.prefix = tuple(part.replace("¤¤", currency).replace("¤", symbol) for part in pattern.prefix)
    pattern.suffix = tuple(part.replace("¤¤", currency).replace("¤", symbol) for part in pattern.suffix)
    digits = babel_numbers.get_currency_precision(currency)
    pattern.frac_prec = (digits, digits)
    return pattern


def format_number(value: Decimal, spec: NumberField, locale: str | None = None, places: int | None = None) -> str:
    """A number as the field shows it: money with grouping and its places (``1,234.50``),
    quantities without grouping and without trailing zeros (``1234.5``)."""
    value = Decimal(value)
    if places is None:
        places = spec.places
        if not spec.grouped:  # quantities: only the places needed
            places = min(spec.places, _significant_places(value))
    pattern = ("#,##0" if spec.grouped else "0") + ("." + "0" * places if places > 0 else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=_formatting_locale(locale), decimal_quantization=True)


def format_count(value: int, locale: str | None = None) -> str:
    """A count as the locale groups it: ``5,011`` (en_US), ``5.011`` (de_DE)."""
    return babel_numbers.format_decimal(value, format="#,##0", locale=_formatting_locale(locale))


def count_of(value: int, one: str, other: str, locale: str | None = None) -> str:
    """A count with its noun, singular for exactly one (the messages are English):
    ``1 second``, ``36 other sessions``, ``1,200 rows``."""
    return f"{format_count(value, locale)} {one if value == 1 else other}"


def format_percent(rate: Decimal, locale: str | None = None) -> str:
    """A rate given in percent (``8.875`` is 8.875 %) as the locale writes a percentage:
    ``8.875%`` (en_US), ``8,875 %`` (de_DE, fr_FR); every decimal kept, none added."""
    return _percent_text(format(Decimal(rate).normalize(), "f"), locale or business_locale())


@functools.lru_cache(maxsize=1024)
def _percent_text(rate: str, locale: str) -> str:
    return babel_numbers.format_percent(
        Decimal(rate) / 100, locale=_babel_locale(locale), decimal_quantization=False
    )


def format_date(value: date | None, locale: str | None = None, style: str = "medium") -> str:
    """``Nov 5, 2026`` (en_US), ``05.11.2026`` (de_DE); ``style="long"``: ``November 5, 2026``.
    Empty for no date. Only for text shown to people: the sheet, Stripe and date inputs keep ISO."""
    if value is None:
        return ""
    return _date_text(value, style, locale or business_locale())


@functools.lru_cache(maxsize=4096)
def _date_text(value: date, style: str, locale: str) -> str:
    return babel_dates.format_date(value, format=style, locale=_babel_locale(locale))


@functools.lru_cache(maxsize=64)
def decimal_and_group(locale: str) -> tuple[str, str]:
    """The locale's decimal sign and grouping sign (``,`` and ``.`` under de_DE)."""
    loc = _babel_locale(locale)
    return babel_numbers.get_decimal_symbol(loc), babel_numbers.get_group_symbol(loc)


@functools.lru_cache(maxsize=64)
def medium_date_shape(locale: str) -> re.Pattern:
    """What ``format_date`` (medium) can write in the locale, as a pattern with a ``year``
    group: ``MMM d, y`` -> month letters, a day, a comma, four digits. Matching it says only
    that a text may be a date; compare with ``format_date`` to know. A date followed by a time
    is not matched."""
    pattern = babel_dates.get_date_format("medium", locale=_babel_locale(locale)).pattern
    parts = []
    for token in re.findall(r"'[^']*'|y+|M+|L+|d+|[^'yMLd]+", pattern):
        if token.startswith("'"):
            parts.append(re.escape(token.strip("'")))
        elif token[0] == "y":
            parts.append(r"(?P<year>\d{4})")
        elif token[0] in "ML" and len(token) >= 3:
            parts.append(r"[^\W\d_]+\.?")
        elif token[0] in "MLd":
            parts.append(r"\d{1,2}")
        else:
            parts.append(re.escape(token))
    # Not the date of a moment ("Nov 27, 2026, 8:32 PM"): its time would be left as written.
    return re.compile("".join(parts) + r"(?![,\s]*\d{1,2}:\d{2})")


def format_long_date(value: date | None, locale: str | None = None) -> str:
    """The date spelled out as the locale writes it (``14. März 2025``, ``14 mars 2025``,
    ``2025年3月14日``), the day before the month where the locale puts the month first
    (``14 March 2025`` under en_US): read the same way by any reader of the language."""
    if value is None:
        return ""
    loc = locale or business_locale()
    return _date_text(value, _long_pattern(loc), loc)


@functools.lru_cache(maxsize=64)
def _long_pattern(locale: str) -> str:
    pattern = babel_dates.get_date_format("long", locale=_babel_locale(locale)).pattern
    return "d MMMM y" if pattern.lstrip().startswith("M") else pattern


def format_month(value: date | None, locale: str | None = None) -> str:
    """The month of ``value`` as a heading reads it: ``Nov 2026`` (en_US), ``Nov. 2026``
    (de_DE), Babel's ``yMMM`` skeleton. Empty for no date; machine files keep ``2026-11``."""
    if value is None:
        return ""
    return _month_text(date(value.year, value.month, 1), locale or business_locale())


@functools.lru_cache(maxsize=1024)
def _month_text(value: date, locale: str) -> str:
    return babel_dates.format_skeleton("yMMM", value, locale=_babel_locale(locale))


def format_timestamp(value: datetime | None, tz_name: str, locale: str | None = None) -> str:
    """A moment as people read it, on the clock of ``tz_name`` (the business timezone, passed
    in: this module reads no settings): ``Nov 26, 2026, 8:32 PM`` (en_US), ``26.11.2026, 20:32``
    (de_DE): the locale's medium date and short time, joined as the locale joins them. A naive
    value is taken as UTC (how the database stores moments). Empty for none. Only for text
    shown to people: exports, the sheet, Stripe and logs keep ISO UTC."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(ZoneInfo(tz_name))
    loc = _formatting_locale(locale)
    return (
        babel_dates.get_datetime_format("medium", locale=loc)
        .replace("'", "")
        .replace("{0}", babel_dates.format_time(local, "short", tzinfo=local.tzinfo, locale=loc))
        .replace("{1}", babel_dates.format_date(local.date(), "medium", locale=loc))
    )


def _in_words(spec: NumberField) -> NumberField:
    """The field as its refusals write numbers: with a currency's places where it has fewer."""
    return spec if spec.said_places is None else replace(spec, places=spec.said_places, said_places=None)


def range_text(spec: NumberField, locale: str | None = None) -> str:
    said = _in_words(spec)
    return f"between {format_number(said.minimum, said, locale)} and {format_number(said.maximum, said, locale)}"


# --- parsing ---------------------------------------------------------------------------


def parse_number(
    raw: object, spec: NumberField, *, field: str, locale: str | None = None, currency: str | None = None,
    minor_places: int | None = None,
) -> Decimal:
    """The exact value of ``raw`` (text as typed, or a Decimal/int from code) for ``spec``,
    quantized to its places; ``ValidationError`` (naming ``field`` and the range) otherwise.
    ``minor_places``: the currency's own (0 for the yen): a refusal writes its range and its
    suggestions with no more places than the currency has, never suggesting "1,234.50" for an
    amount in yen, which the yen's check would refuse in turn."""
    loc = locale or business_locale()
    if minor_places is not None and minor_places < spec.places:
        spec = replace(spec, said_places=minor_places)
    if isinstance(raw, bool | float):
        raise ValidationError(f"{spec.label} must be given exactly, not as a float", field=field)
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
        if not value.is_finite():
            raise _not_a_number(spec, field, loc)
        return _in_range(value, None, spec, field, loc)
    text = str(raw if raw is not None else "").strip(SPACES + "\t\r\n")
    if not text:
        raise ValidationError(f"{spec.label} is required", field=field)
    if len(text) > MAX_TEXT:
        raise _not_a_number(spec, field, loc)
    negative, body = _sign_and_body(text, spec, field, loc, currency)
    value = _read(body, spec, field, loc)
    if negative and value:
        value = -value
    return _in_range(value, _fraction_digits(value), spec, field, loc)


def _sign_and_body(text: str, spec: NumberField, field: str, loc: str, currency: str | None) -> tuple[bool, str]:
    """Take off one sign and one currency sign or code (before or after the number)."""
    negative = False
    body = text
    if body[0] in MINUS_SIGNS or body[0] == "+":
        negative, body = body[0] != "+", body[1:].lstrip(SPACES)
    tokens = _currency_tokens(currency, loc)
    upper = body.upper()
    for token in tokens:
        if upper.startswith(token.upper()):
            body = body[len(token) :].lstrip(SPACES)
            if not negative and body[:1] and (body[0] in MINUS_SIGNS or body[0] == "+"):
                negative, body = body[0] != "+", body[1:].lstrip(SPACES)
            break
        if upper.endswith(token.upper()):
            body = body[: -len(token)].rstrip(SPACES)
            break
    if not body:
        raise _not_a_number(spec, field, loc)
    return negative, body


def _currency_tokens(currency: str | None, loc: str) -> list[str]:
    """What may stand for the field's currency: its code, the locale's and the English
    symbol, and the bare sign a symbol is made of (``$`` for ``CA$``); longest first."""
    if not currency:
        return []
    code = currency.upper()
    tokens = {code, babel_numbers.get_currency_symbol(code, loc), babel_numbers.get_currency_symbol(code, "en_US")}
    for bare in ("$", "¥", "￥", "£", "€", "kr"):
        if any(bare in token for token in tokens):
            tokens.add(bare)
    if "¥" in tokens or "￥" in tokens:
        tokens |= {"¥", "￥"}
    if code in ("SEK", "NOK", "DKK"):
        tokens |= {"kr", "kr."}
    if code == "JPY":  # 110,000円: how amounts are written in Japanese text
        tokens.add("円")
    if code == "CHF":  # Fr. 12.50 / 12.50 Fr.: the franc's everyday sign
        tokens |= {"Fr.", "Fr"}
    return sorted(tokens, key=len, reverse=True)


def _read(body: str, spec: NumberField, field: str, loc: str) -> Decimal:
    """The locale's one reading of ``body`` (digits and separators only), or a refusal with a hint."""
    decimal_symbol = babel_numbers.get_decimal_symbol(loc)
    group_symbol = babel_numbers.get_group_symbol(loc)
    for char in body:
        if char in "0123456789.," or char in SPACES or (char in APOSTROPHES and group_symbol in APOSTROPHES):
            continue
        if char.isdigit() or unicodedata.digit(char, None) is not None:
            raise ValidationError(
                f"{spec.label} must be written with the digits 0-9, {range_text(spec, loc)}", field=field
            )
        raise _not_a_number(spec, field, loc)
    primary = _babel_read(body, loc)
    other = "," if decimal_symbol == "." else "."
    lone_group = (
        other == group_symbol and decimal_symbol not in body and body.count(other) == 1 and _kinds(body) == {other}
    )
    if primary is not None and not (lone_group and len(body.split(other)[1]) == 3 and spec.places >= 3):
        return primary
    # Refused: either unreadable here, or a lone separator before three digits in a field
    # with three places (1,234 hours or 1.234?). Say what the locale would need.
    said = _in_words(spec)
    readings = []
    for reader in (_POINT_DECIMAL, _COMMA_DECIMAL):
        value = _babel_read(body, reader)
        if value is not None and _fits(value.normalize() if said is not spec else value, said) and value not in readings:
            readings.append(value)
    if not readings:
        raise _not_a_number(spec, field, loc)
    hint = " or ".join(format_number(v, said, loc, places=min(_fraction_digits(v), said.places)) for v in readings)
    raise ValidationError(f"{spec.label} is unclear here: use {hint}", field=field)


def _kinds(body: str) -> set[str]:
    """The separators used, spaces counted as one kind and apostrophes as another."""
    return {" " if c in SPACES else "'" if c in APOSTROPHES else c for c in body if not c.isdigit()}


def _babel_read(body: str, loc: str) -> Decimal | None:
    """Babel's strict reading, with typed spaces or apostrophes taken as the locale's
    grouping; None when it refuses (misplaced grouping, two decimal signs, ...)."""
    decimal_symbol = babel_numbers.get_decimal_symbol(loc)
    group_symbol = babel_numbers.get_group_symbol(loc)
    kinds = _kinds(body) - {decimal_symbol}
    if len(kinds) > 1:  # two kinds of grouping in one number
        return None
    text = body
    for kind in kinds:
        if kind == " ":
            text = "".join(group_symbol if c in SPACES else c for c in text)
        elif kind == "'" and group_symbol in APOSTROPHES:
            text = "".join(group_symbol if c in APOSTROPHES else c for c in text)
        elif kind != group_symbol:  # a separator this locale does not use
            return None
    if not text[0].isdigit() and text[0] != decimal_symbol:
        return None
    try:
        value = babel_numbers.parse_decimal(text, locale=loc, strict=True)
    except (babel_numbers.NumberFormatError, InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _fraction_digits(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _significant_places(value: Decimal) -> int:
    """Decimal places of a value from code, trailing zeros aside (2.500 has 1), exactly."""
    text = format(value, "f")
    return len(text.partition(".")[2].rstrip("0"))


def _fits(value: Decimal, spec: NumberField) -> bool:
    return _fraction_digits(value) <= spec.places and spec.minimum <= value <= spec.maximum


def _in_range(value: Decimal, typed_places: int | None, spec: NumberField, field: str, loc: str) -> Decimal:
    """Range first (so nothing huge is ever expanded), then the places: as typed for text
    (``1.50`` has two), significant for values from code (``Decimal('2.500')`` has one)."""
    if not spec.minimum <= value <= spec.maximum:
        raise ValidationError(f"{spec.label} must be {range_text(spec, loc)}", field=field)
    if typed_places is None:
        typed_places = _significant_places(value)
    if typed_places > spec.places:
        said = _in_words(spec)
        what = "must be a whole number" if said.places == 0 else f"can have at most {said.places} decimal places"
        raise ValidationError(f"{spec.label} {what}, {range_text(spec, loc)}", field=field)
    return value.quantize(Decimal(1).scaleb(-spec.places))


def _not_a_number(spec: NumberField, field: str, loc: str) -> ValidationError:
    return ValidationError(f"{spec.label} must be a number {range_text(spec, loc)}", field=field)
