"""What a leaflet's source says, as plain strings, to find again in every output format."""

from __future__ import annotations

import collections
import re
import unicodedata
from dataclasses import dataclass, field

from leaflet_builder.model import (
    Callout,
    Heading,
    Image,
    Inline,
    Leaflet,
    Link,
    ListBlock,
    Paragraph,
    Table,
    iter_inlines,
    plain_text,
    walk_blocks,
)


@dataclass
class Inventory:
    """Every piece of one leaflet a reader must find in each format."""

    title: str
    summary: str
    headings: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    list_items: list[str] = field(default_factory=list)
    table_cells: list[str] = field(default_factory=list)
    callout_titles: list[str] = field(default_factory=list)
    image_alts: list[str] = field(default_factory=list)
    link_targets: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [self.title, self.summary, *self.headings, *self.paragraphs, *self.list_items,
                *self.table_cells, *self.callout_titles]


def inventory(leaflet: Leaflet) -> Inventory:
    inv = Inventory(leaflet.meta.title, leaflet.meta.summary)
    for block in walk_blocks(leaflet.blocks):
        if isinstance(block, Heading):
            inv.headings.append(plain_text(block.children))
        elif isinstance(block, Paragraph):
            inv.paragraphs.append(plain_text(block.children))
            _links(block.children, inv)
        elif isinstance(block, ListBlock):
            for item in block.items:
                first = item.blocks[0] if item.blocks else None
                if isinstance(first, Paragraph):
                    inv.list_items.append(plain_text(first.children))
        elif isinstance(block, Table):
            for cell in (*block.header, *(c for row in block.rows for c in row)):
                inv.table_cells.append(plain_text(cell.children))
        elif isinstance(block, Callout):
            if block.title:
                inv.callout_titles.append(plain_text(block.title))
        elif isinstance(block, Image):
            inv.image_alts.append(block.alt)
    return inv


def _links(nodes: tuple[Inline, ...], inv: Inventory) -> None:
    for node in iter_inlines(nodes):
        if isinstance(node, Link) and node.href:
            inv.link_targets.append(node.href)


def squash(text: str) -> str:
    """Text with all white space, soft hyphens, list markers' spacing and bidi marks (layout
    instructions, not words: BIDI_CONTROLS) removed, NFC."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "").translate(BIDI_CONTROLS)
    return re.sub(r"\s+", "", text)


def missing(texts: list[str], haystack: str) -> list[str]:
    """The texts not found in `haystack` (compared without white space)."""
    squashed = squash(haystack)
    return [t for t in texts if t.strip() and squash(t) not in squashed]


# the invisible marks poppler and the bidi code put around right-to-left and left-to-right
# stretches (U+200E/U+200F, U+202A-U+202E, U+2066-U+2069): layout instructions, not words
BIDI_CONTROLS = dict.fromkeys([0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def word_counts(text: str) -> collections.Counter[str]:
    """Whole words and numbers, without bidi marks or punctuation (a display matter).

    For readers that give Arabic lines in visual order (pypdf, pdftotext -layout), where
    phrases cannot be compared: a word broken at a line end by the layout's hyphenation
    (WeasyPrint's U+2010, or a soft hyphen) is joined again.
    """
    text = unicodedata.normalize("NFC", text).translate(BIDI_CONTROLS)
    text = re.sub(r"[\u2010\u00ad]\s*\n\s*", "", text).replace("\u00ad", "")
    return collections.Counter(re.findall(r"[^\W\d_]+|\d+", text))


def missing_words(texts: list[str], haystack: str) -> collections.Counter[str]:
    """The words of `texts` (each text once) that `haystack` has fewer of."""
    return word_counts("\n".join(dict.fromkeys(texts))) - word_counts(haystack)
