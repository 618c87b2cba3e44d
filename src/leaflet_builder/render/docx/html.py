"""DOCX rendering, shared blocks: the layout's small HTML blocks as paragraphs with named styles.

The title, glossary, DRAFT, related, disclaimer and "About this leaflet" blocks are templates
in the layout, rendered for every format; this turns their little HTML (header, section,
h1-h4, p, ul/ol/li, dl/dt/dd, strong, em, a, br, img) into Word paragraphs. CSS classes name
the Word style (`CLASS_STYLES`, extended by the layout's `docx: styles:`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal, Protocol

import lxml.html
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml.html import HtmlElement

CLASS_STYLES: dict[str, str] = {
    "draft-banner": "Draft Banner",
    "organisation": "Organisation",
    "title": "Title",
    "summary": "Subtitle",
    "glossary-block": "Glossary Block",
    "about-list": "About Details",
    "about": "About Text",
    "disclaimer": "Disclaimer",
    "when-to-call": "Callout Warning",
    "when-to-call-list": "Callout Warning",  # its list items stay inside the box
    "qr-text": "About Text",
}
HEADING_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3",
                  "h5": "Heading 4", "h6": "Heading 5"}
CONTAINERS = {"div", "section", "header", "footer", "article", "aside", "nav", "main", "figure",
              "blockquote", "table", "tbody", "thead", "tr", "td", "th"}
INLINE_BLOCK_BREAKS = {"ul", "ol", "p", "dl", "div", "section", "figure", "table", "blockquote"}
SPACES = re.compile(r"[ \t\r\n\f]+")


@dataclass(frozen=True)
class Piece:
    """A stretch of text with its character formatting (or a line break / tab)."""

    text: str = ""
    kind: Literal["text", "break", "tab", "image"] = "text"
    bold: bool = False
    italic: bool = False
    code: bool = False
    style: str | None = None  # character style
    link: str | None = None  # URL
    link_key: int | None = None  # pieces of one link share a key
    lang: str | None = None  # a stretch in another language (`lang` in the HTML): its w:lang


class Sink(Protocol):
    """What the converter needs from the document writer."""

    def paragraph(self, style: str) -> DocxParagraph: ...

    def write(self, paragraph: DocxParagraph, pieces: list[Piece]) -> None: ...

    def new_list(self, ordered: bool, start: int = 1) -> int: ...

    def number(self, paragraph: DocxParagraph, num_id: int, level: int) -> None: ...

    def list_style(self, ordered: bool, depth: int) -> str: ...

    def continue_style(self, depth: int) -> str: ...

    def picture(self, src: str, alt: str) -> bool: ...

    def definitions(self, style: str, rows: list[tuple[list[Piece], list[Piece]]]) -> None: ...


def normalise(pieces: list[Piece]) -> list[Piece]:
    """HTML whitespace rules: runs of spaces collapse, none at the start or end of a paragraph."""
    out: list[Piece] = []
    at_line_start = True
    for piece in pieces:
        if piece.kind != "text":
            if piece.kind == "break" and out and out[-1].kind == "text":
                out[-1] = replace(out[-1], text=out[-1].text.rstrip(" "))
            out.append(piece)
            at_line_start = piece.kind == "break"
            continue
        text = SPACES.sub(" ", piece.text)
        if at_line_start or (out and out[-1].kind == "text" and out[-1].text.endswith(" ")):
            text = text.lstrip(" ")
        if text:
            out.append(replace(piece, text=text))
            at_line_start = False
    while out and out[-1].kind == "text" and out[-1].text.endswith(" "):
        stripped = out[-1].text.rstrip(" ")
        if stripped:
            out[-1] = replace(out[-1], text=stripped)
            break
        out.pop()
    return [p for p in out if p.kind != "text" or p.text]


class HtmlBlocks:
    """Converts one rendered shared block (an HTML fragment) into paragraphs of the document."""

    def __init__(self, sink: Sink, class_styles: Mapping[str, str]) -> None:
        self.sink = sink
        self.class_styles = {**CLASS_STYLES, **class_styles}
        self._link_keys = 0

    def convert(self, html: str) -> None:
        if not html.strip():
            return
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        self._blocks(root, "Normal", -1)

    def _style_for(self, element: HtmlElement) -> str | None:
        for name in (element.get("class") or "").split():
            if name in self.class_styles:
                return self.class_styles[name]
        return None

    def _blocks(self, container: HtmlElement, default: str, depth: int) -> None:
        loose: list[Piece] = []
        self._text(container.text, Piece(), loose)
        for child in container:
            if not isinstance(child.tag, str):  # comments, processing instructions
                self._text(child.tail, Piece(), loose)
                continue
            tag = child.tag.lower()
            if tag in CONTAINERS or tag in INLINE_BLOCK_BREAKS or tag in HEADING_STYLES or \
                    tag in ("li", "img"):
                self._flush(loose, default)
                self._block(child, tag, default, depth)
                self._text(child.tail, Piece(), loose)
            else:
                self._inline(child, Piece(), loose)
        self._flush(loose, default)

    def _flush(self, pieces: list[Piece], style: str) -> None:
        clean = normalise(pieces)
        pieces.clear()
        if clean:
            self.sink.write(self.sink.paragraph(style), clean)

    def _block(self, element: HtmlElement, tag: str, default: str, depth: int) -> None:
        own = self._style_for(element)
        if tag in HEADING_STYLES:
            self._paragraph(element, own or HEADING_STYLES[tag])
        elif tag == "p":
            self._paragraph(element, own or default)
        elif tag in ("ul", "ol"):
            self._list(element, tag == "ol", own, depth + 1)
        elif tag == "dl":
            self._definitions(element, own or "Definition List")
        elif tag == "img":
            if not self.sink.picture(element.get("src", ""), element.get("alt", "")):
                self._flush([Piece(element.get("alt", ""))], default)
        elif tag == "li":
            self._list_item(element, False, None, 0, self.sink.new_list(False))
        else:
            self._blocks(element, own or default, depth)

    def _paragraph(self, element: HtmlElement, style: str) -> None:
        pieces: list[Piece] = []
        self._inline_children(element, Piece(), pieces)
        clean = normalise(pieces)
        if clean:
            self.sink.write(self.sink.paragraph(style), clean)

    def _list(self, element: HtmlElement, ordered: bool, style: str | None, depth: int) -> None:
        start = int(element.get("start", "1")) if (element.get("start") or "").isdigit() else 1
        num_id = self.sink.new_list(ordered, start)
        for item in element:
            if isinstance(item.tag, str) and item.tag.lower() == "li":
                self._list_item(item, ordered, style, depth, num_id)

    def _list_item(self, item: HtmlElement, ordered: bool, style: str | None, depth: int,
                   num_id: int) -> None:
        pieces: list[Piece] = []
        numbered = False

        def flush() -> None:
            nonlocal numbered
            clean = normalise(pieces)
            pieces.clear()
            if not clean:
                return
            if numbered:
                self.sink.write(self.sink.paragraph(self.sink.continue_style(depth)), clean)
                return
            paragraph = self.sink.paragraph(style or self.sink.list_style(ordered, depth))
            self.sink.number(paragraph, num_id, depth)
            self.sink.write(paragraph, clean)
            numbered = True

        self._text(item.text, Piece(), pieces)
        for child in item:
            if not isinstance(child.tag, str):
                self._text(child.tail, Piece(), pieces)
                continue
            tag = child.tag.lower()
            if tag in ("ul", "ol"):
                flush()
                self._list(child, tag == "ol", self._style_for(child), depth)
            elif tag in INLINE_BLOCK_BREAKS:
                flush()
                self._inline_children(child, Piece(), pieces)
                flush()
            else:
                self._inline(child, Piece(), pieces)
                continue
            self._text(child.tail, Piece(), pieces)
        flush()

    def _definitions(self, element: HtmlElement, style: str) -> None:
        """A `dl` as rows of (label, value): the writer lays them out in two columns, so a long
        label wraps inside its own column instead of pushing its value along the line."""
        rows: list[tuple[list[Piece], list[Piece]]] = []
        for child in element:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag.lower()
            if tag == "dt":
                label: list[Piece] = []
                self._inline_children(child, Piece(style="Definition Label"), label)
                rows.append((normalise(label), []))
            elif tag == "dd":
                if not rows:  # a value without a label still shows, in the value column
                    rows.append(([], []))
                value = rows[-1][1]
                if value:
                    value.append(Piece("; "))
                self._inline_children(child, Piece(), value)
        rows = [(label, normalise(value)) for label, value in rows]
        if rows:
            self.sink.definitions(style, rows)

    # --- inlines ---

    def _text(self, text: str | None, fmt: Piece, out: list[Piece]) -> None:
        if text:
            out.append(replace(fmt, text=text, kind="text"))

    def _inline_children(self, element: HtmlElement, fmt: Piece, out: list[Piece]) -> None:
        self._text(element.text, fmt, out)
        for child in element:
            if isinstance(child.tag, str):
                self._inline(child, fmt, out)
            else:
                self._text(child.tail, fmt, out)

    def _inline(self, element: HtmlElement, fmt: Piece, out: list[Piece]) -> None:
        tag = element.tag.lower()
        inner = fmt
        if tag in ("strong", "b"):
            inner = replace(fmt, bold=True)
        elif tag in ("em", "i", "cite"):
            inner = replace(fmt, italic=True)
        elif tag == "code":
            inner = replace(fmt, code=True)
        elif tag == "a" and element.get("href"):
            self._link_keys += 1
            inner = replace(fmt, link=element.get("href"), link_key=self._link_keys)
        if element.get("lang"):  # a language name in its own language, e.g. العربية
            inner = replace(inner, lang=element.get("lang"))
        if tag == "br":
            out.append(Piece(kind="break"))
        elif tag == "img":
            out.append(Piece(kind="image", text=element.get("alt", ""), link=element.get("src")))
        else:
            self._inline_children(element, inner, out)
        self._text(element.tail, fmt, out)
