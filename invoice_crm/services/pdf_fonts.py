"""The one place that chooses every PDF's fonts (invoice, credit note, receipt, statement,
report PDFs) and makes text printable with them (``pdf_text``).

A document is drawn by ``draw_document``: first with the core Helvetica, which needs no font
file and covers Windows-1252 ("€", "£", "é", "ü" print as typed; a few ms, a 2 KB PDF). When
some text would not print with it (``pdf_text`` notices: Polish "Ł", Czech "ř", Turkish "ş",
Greek, Cyrillic, a Japanese name or a ja_JP date such as 2026年11月27日), the document is drawn
again with DejaVu Sans Condensed (all of Latin Extended, Greek, Cyrillic) embedded, and IPAexGothic (kana
and kanji) as its fallback when the text has Japanese. fpdf2 embeds only the glyphs used, so the
PDF stays small (20-25 KB); embedding costs about 0.07 s (Latin Extended, Greek, Cyrillic) to
0.15 s (Japanese) a document, paid only by those documents (README, "Export benchmark").
The font files and their licences are in ``invoice_crm/fonts/``; nothing installed on the machine is
used. A character no font has (an emoji) prints as its base letter or "?" rather than failing.
"""

from __future__ import annotations

import copy
import io
import unicodedata
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FONTS_DIR = Path(__file__).resolve().parents[1] / "fonts"
CORE = "Helvetica"
UNICODE = "DejaVuSansCondensed"
JAPANESE = "IPAexGothic"
FILES = {
    (UNICODE, ""): "DejaVuSansCondensed.ttf",
    (UNICODE, "B"): "DejaVuSansCondensed-Bold.ttf",
    (JAPANESE, ""): "ipaexg.ttf",  # also for bold text: fpdf2 falls back to it whatever the style
}
ENCODING = "windows-1252"
# Letters Unicode does not decompose into a base letter plus an accent.
_FALLBACK = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i"})


@dataclass
class _Drawing:
    embedded: bool = False  # drawn with the embedded fonts (else the core ones)
    japanese: bool = False  # the Japanese fallback is needed (found by the core pass)
    lost: bool = False  # the core pass would have lost some text


_drawing: ContextVar[_Drawing | None] = ContextVar("pdf_drawing", default=None)


@lru_cache(maxsize=1)
def _coverage() -> tuple[frozenset[int], frozenset[int]]:
    """The code points DejaVu Sans Condensed has in both its weights, and those IPAexGothic has (read
    once per process, and only when some text is beyond Windows-1252)."""

    def cmap(name: str) -> frozenset[int]:
        return frozenset(TTFont(FONTS_DIR / name, lazy=True).getBestCmap())

    return cmap(FILES[UNICODE, ""]) & cmap(FILES[UNICODE, "B"]), cmap(FILES[JAPANESE, ""])


def _in_core(char: str) -> bool:
    try:
        char.encode(ENCODING)
        return True
    except UnicodeEncodeError:
        return False


def _printable(text: str, has: Callable[[str], bool]) -> str:
    """``text`` with each character ``has`` refuses reduced to its base letter, else "?"."""
    out = []
    for char in text:
        if has(char):
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char.translate(_FALLBACK)) if not unicodedata.combining(c))
        out.append(base if base and all(has(c) for c in base) else "?")
    return "".join(out)


def pdf_text(text: object) -> str:
    """Text as the fonts of the document being drawn can print it. With the core fonts (and
    outside ``draw_document``): kept where Windows-1252 has it, else its base letter, else "?";
    in the core pass of ``draw_document``, any such loss (a space other than a plain or no-break
    one aside) has the document drawn again with the embedded fonts. With those, kept where
    DejaVu Sans or IPAexGothic has it, else its base letter, else "?"."""
    text = str(text or "").replace("\t", " ")
    drawing = _drawing.get()
    if drawing is not None and drawing.embedded:
        latin, japanese = _coverage()
        have = latin | japanese if drawing.japanese else latin
        return _printable(text, lambda c: c in "\n\r" or ord(c) in have)
    printed = _printable(text, _in_core)
    if drawing is not None and printed != text:
        for char in text:
            if _in_core(char) or unicodedata.category(char) == "Zs":  # a narrow no-break space prints as a space
                continue
            drawing.lost = True
            latin, japanese = _coverage()
            drawing.japanese = drawing.japanese or (ord(char) not in latin and ord(char) in japanese)
    return printed


def use_font(pdf: FPDF, style: str = "", size: float = 0) -> None:
    """``pdf.set_font`` with the document's family (Helvetica, or DejaVu Sans Condensed, about as wide, when it is drawn
    with the embedded fonts, which have no italic: "I" is printed upright there)."""
    family = getattr(pdf, "text_family", CORE)
    pdf.set_font(family, style if family == CORE else style.replace("I", ""), size)


_UNUSED_TABLES = ("GSUB", "GPOS", "GDEF", "JSTF", "BASE")


@cache
def _parsed(family: str, style: str) -> tuple[TTFFont, bytes]:
    """A font as fpdf2's ``add_font`` reads it (its widths and character map: most of the time
    a document with embedded fonts took, 0.2 s for IPAexGothic), and its file, once a process."""
    scratch = FPDF()
    path = FONTS_DIR / FILES[family, style]
    scratch.add_font(family, style, str(path))
    return scratch.fonts[f"{family.lower()}{style}"], path.read_bytes()


def _font(family: str, style: str, *, index: int) -> TTFFont:
    """The parsed font for one more document: its widths and character map shared (read only),
    its own file object (fpdf2 subsets it in place at output) and its own record of the
    characters used."""
    parsed, data = _parsed(family, style)
    font = copy.copy(parsed)
    font.i = index
    font.ttfont = TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
    for tag in _UNUSED_TABLES:  # text is not shaped; subsetting them was half the time
        if tag in font.ttfont:
            del font.ttfont[tag]
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    return font


class AppPDF(FPDF):
    """An FPDF drawn with the fonts the document being drawn needs: the core Helvetica, or
    DejaVu Sans embedded, with IPAexGothic as its fallback when there is Japanese text."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.core_fonts_encoding = ENCODING
        self.text_family = CORE
        drawing = _drawing.get()
        if drawing is None or not drawing.embedded:
            return
        for family, style in FILES:
            if family != JAPANESE or drawing.japanese:
                self.fonts[f"{family.lower()}{style}"] = _font(family, style, index=len(self.fonts) + 1)
        if drawing.japanese:
            self.set_fallback_fonts([JAPANESE], exact_match=False)
        self.text_family = UNICODE

    def multi_cell(self, *args, align="L", **kwargs):
        # Left, not fpdf2's justified default: a wrapped business name, address or note set as
        # typed, without word gaps stretched to the margin.
        return super().multi_cell(*args, align=align, **kwargs)

    def keep_with_next(self, height: float) -> None:
        """A new page unless ``height`` mm fit on this one: a heading is not left alone at the
        foot of a page, its text on the next."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def _render_styled_text_line(self, *args, **kwargs):
        drawn = super()._render_styled_text_line(*args, **kwargs)
        if self._fallback_font_ids:
            # fpdf2 2.8.9 selects the fallback font inside a line's text object as if the choice
            # ended there, but a PDF's font outlives it: the next line in the same font (Latin
            # after a Japanese address) was drawn with the Japanese font, garbled. Select it again.
            self.current_font_is_set_on_page = False
        return drawn


def draw_document(draw: Callable[[], FPDF]) -> bytes:
    """The PDF ``draw`` makes (an ``AppPDF``, its text through ``pdf_text``, its fonts set by
    ``use_font``): drawn with the core fonts when they print all its text as typed, else drawn
    again with the embedded fonts."""
    first = _Drawing()
    token = _drawing.set(first)
    try:
        content = bytes(draw().output())  # the footer is drawn by output(): inside the pass
        if not first.lost:
            return content
        _drawing.set(_Drawing(embedded=True, japanese=first.japanese))
        return bytes(draw().output())
    finally:
        _drawing.reset(token)
