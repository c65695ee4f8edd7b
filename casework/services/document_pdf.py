"""Plain-text PDF documents the core produces without Qt (the subject access record): A4
pages, headings, wrapped paragraphs, lines flagged for review, and a footer on every page
with the document's marking and "Page n of N".

Written with fpdf2, a maintained pure-Python PDF library (the core never imports Qt, so
QPdfWriter is not available here). The text is set in DejaVu Sans, shipped in
``resources/fonts`` with its licence (Bitstream Vera licence; DejaVu changes public
domain), so names outside Latin-1 ("Zoë Ní Bhriain", "Łukasz") print as written on any
machine; fpdf2 embeds only the glyphs used. A character DejaVu Sans has no glyph for is
printed as ``?``: the JSON written beside the PDF keeps every character exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import as_file, files

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TTFFont

__all__ = ["FONT", "MARKING", "Line", "render"]

#: The marking on every page (Government Security Classifications: personal data about a
#: young person is OFFICIAL, handled as OFFICIAL-SENSITIVE; local practice, as on the
#: printed chronology).
MARKING = "OFFICIAL-SENSITIVE: personal data"
FONT = "DejaVuSans"
_MARGIN = 50  # points
_STYLES = {  # bold, size, leading (points)
    "title": (True, 16, 22),
    "heading": (True, 12, 18),
    "body": (False, 10, 13),
    "flag": (True, 10, 13),
}


@dataclass(frozen=True)
class Line:
    """One paragraph: ``style`` is title, heading, body or flag (bold, for review);
    ``indent`` in points. A newline in ``text`` starts a new line in the paragraph."""

    text: str
    style: str = "body"
    indent: int = 0

    def __post_init__(self) -> None:
        if self.style not in _STYLES:
            raise ValueError(f"Unknown PDF line style {self.style!r}: use one of {list(_STYLES)}.")


class _Document(FPDF):
    def __init__(self, footer: str) -> None:
        super().__init__(orientation="portrait", unit="pt", format="A4")
        self._note = " ".join(p for p in (MARKING + ".", footer) if p)
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(auto=True, margin=_MARGIN)
        self.alias_nb_pages()
        with as_file(files("casework_resources").joinpath("fonts", "DejaVuSans.ttf")) as regular:
            self.add_font(FONT, "", regular)
        with as_file(files("casework_resources").joinpath("fonts", "DejaVuSans-Bold.ttf")) as bold:
            self.add_font(FONT, "B", bold)

    def footer(self) -> None:
        self.set_y(-_MARGIN / 2 - 8)
        self.set_font(FONT, "", 8)
        self.cell(0, 10, f"{self._note}  Page {self.page_no()} of {{nb}}")


def _glyphs(document: FPDF) -> frozenset[int]:
    """The characters the regular font can draw (the bold face has the same set)."""
    font = document.fonts[FONT.lower()]
    if not isinstance(font, TTFFont):
        raise TypeError(f"{FONT} was not loaded as a TrueType font")
    return frozenset(font.cmap)


def _printable(text: str, glyphs: frozenset[int]) -> str:
    return "".join(c if c in "\n\t" or ord(c) in glyphs else "?" for c in text)


def render(lines: Sequence[Line], *, footer: str = "") -> bytes:
    """The PDF file's bytes. ``footer`` is printed after the marking, with the page number,
    on every page."""
    document = _Document(footer)
    document.add_page()
    glyphs = _glyphs(document)
    for line in lines:
        bold, size, leading = _STYLES[line.style]
        document.set_font(FONT, "B" if bold else "", size)
        if line.style in ("title", "heading"):
            document.ln(leading / 2)
        document.set_x(_MARGIN + line.indent)
        document.multi_cell(
            0,
            leading,
            _printable(line.text, glyphs),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    return bytes(document.output())
