"""A plain-text PDF writer for documents the core produces without Qt (the subject access
record): A4 pages, Helvetica, headings, wrapped paragraphs and flagged lines.

It writes PDF 1.4 by hand (ISO 32000-1: a header, numbered objects, a cross-reference
table and a trailer) using the standard Type 1 fonts every reader has, so nothing beyond
the standard library is needed. Text is encoded as WinAnsi (Windows-1252); a character it
cannot hold is written as ``?`` and the JSON beside the PDF keeps it exactly.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Line", "render"]

_PAGE_W, _PAGE_H = 595, 842  # A4 in points
_MARGIN = 50
_STYLES = {  # font resource, size, leading, wrap width in characters
    "title": ("F2", 16, 22, 60),
    "heading": ("F2", 12, 18, 80),
    "body": ("F1", 10, 13, 95),
    "flag": ("F2", 10, 13, 90),
}


@dataclass(frozen=True)
class Line:
    """One paragraph: ``style`` is title, heading, body or flag (bold, for review)."""

    text: str
    style: str = "body"
    indent: int = 0


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _pages(lines: Sequence[Line]) -> list[list[tuple[str, int, int, int, str]]]:
    """Lay the paragraphs out: per page, (font, size, x, y, text) for each printed line."""
    pages: list[list[tuple[str, int, int, int, str]]] = [[]]
    y = _PAGE_H - _MARGIN
    for line in lines:
        font, size, leading, width = _STYLES[line.style]
        parts = textwrap.wrap(line.text, width - line.indent // 5) or [""]
        if line.style in ("title", "heading"):
            y -= leading // 2
        for part in parts:
            if y - leading < _MARGIN:
                pages.append([])
                y = _PAGE_H - _MARGIN
            y -= leading
            pages[-1].append((font, size, _MARGIN + line.indent, y, part))
    return pages


def render(lines: Sequence[Line], *, footer: str = "") -> bytes:
    """The PDF file's bytes. ``footer`` is printed with the page number on every page."""
    laid_out = _pages(lines)
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree's number is known
    pages_id = add(b"")
    regular = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    bold = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    kids = []
    total = len(laid_out)
    for number, page in enumerate(laid_out, start=1):
        stream = bytearray()
        for font, size, x, y, text in page:
            stream += b"BT /%s %d Tf %d %d Td (" % (font.encode(), size, x, y)
            stream += _escape(text) + b") Tj ET\n"
        note = f"{footer}  Page {number} of {total}".strip()
        stream += b"BT /F1 8 Tf %d %d Td (" % (_MARGIN, _MARGIN // 2) + _escape(note) + b") Tj ET\n"
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + bytes(stream) + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] "
                b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_id, _PAGE_W, _PAGE_H, regular, bold, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    return bytes(out)
