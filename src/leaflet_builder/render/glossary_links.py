"""Rendering stage, model to model: link the first mention of each glossary term to its entry.

Any HTML-family renderer can call `link_first_mentions` on a leaflet before rendering it; the
links it adds are ordinary `Link(target_slug=...)` nodes, so each format's `PageTarget` decides
where they point (or shows the text alone when the entry is not in the same output).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from leaflet_builder.model import (
    Block,
    Callout,
    Emphasis,
    Inline,
    Leaflet,
    Link,
    ListBlock,
    ListItem,
    Paragraph,
    Strong,
    Table,
    TableCell,
    Text,
)

# Not inside a word, nor glued to a hyphenated word ("anti-TNF therapy" is not "TNF therapy").
_BEFORE = r"(?<![\w-])"
_AFTER = r"(?![\w-])"


def link_first_mentions(leaflet: Leaflet, terms: Mapping[str, str]) -> Leaflet:
    """The leaflet with the first mention of each term (glossary slug -> term) linked to it.

    A leaflet never links to itself; headings and callout titles are left alone (a link in a
    heading is read out with every heading list), and so is text already inside a link.
    """
    wanted = {slug: term for slug, term in terms.items() if slug != leaflet.slug and term.strip()}
    if not wanted:
        return leaflet
    linker = _Linker(wanted)
    return dataclasses.replace(leaflet, blocks=linker.blocks(leaflet.blocks))


def term_pattern(term: str) -> str:
    """A regular expression for a term and its simple English plural or singular."""
    words = re.escape(term.strip())
    lower = term.lower()
    if lower.endswith("ies") and len(term) > 4:
        words = re.escape(term[:-3]) + "(?:y|ies)"
    elif lower.endswith("s") and not lower.endswith("ss") and len(term) > 3:
        words = re.escape(term[:-1]) + "s?"
    else:
        words += "(?:s|es)?"
    return _BEFORE + words + _AFTER


class _Linker:
    """Walks blocks in reading order, remembering which terms it has linked already."""

    def __init__(self, terms: Mapping[str, str]) -> None:
        # longest first, so "breast cancer" wins over "cancer" where both are entries
        ordered = sorted(terms.items(), key=lambda item: (-len(item[1]), item[0]))
        self._slugs = [slug for slug, _ in ordered]
        self._regex = re.compile(
            "|".join(f"({term_pattern(term)})" for _, term in ordered), re.IGNORECASE)
        self._linked: set[str] = set()

    def blocks(self, blocks: tuple[Block, ...]) -> tuple[Block, ...]:
        return tuple(self._block(block) for block in blocks)

    def _block(self, block: Block) -> Block:
        if len(self._linked) == len(self._slugs):
            return block
        if isinstance(block, Paragraph):
            return dataclasses.replace(block, children=self._inlines(block.children))
        if isinstance(block, ListBlock):
            items = tuple(ListItem(self.blocks(item.blocks), item.line) for item in block.items)
            return dataclasses.replace(block, items=items)
        if isinstance(block, Callout):
            return dataclasses.replace(block, blocks=self.blocks(block.blocks))
        if isinstance(block, Table):
            rows = tuple(tuple(self._cell(cell) for cell in row) for row in block.rows)
            return dataclasses.replace(block, rows=rows)
        return block  # headings, images

    def _cell(self, cell: TableCell) -> TableCell:
        return dataclasses.replace(cell, children=self._inlines(cell.children))

    def _inlines(self, nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
        result: list[Inline] = []
        for node in nodes:
            if isinstance(node, Text):
                result.extend(self._text(node.text))
            elif isinstance(node, (Strong, Emphasis)):
                result.append(dataclasses.replace(node, children=self._inlines(node.children)))
            elif isinstance(node, Link) and node.target_slug:
                self._linked.add(node.target_slug)  # the author linked this entry already
                result.append(node)
            else:  # links, code and line breaks keep their text as it is
                result.append(node)
        return tuple(result)

    def _text(self, text: str) -> list[Inline]:
        pieces: list[Inline] = []
        start = 0
        for match in self._regex.finditer(text):
            slug = self._slugs[(match.lastindex or 1) - 1]
            if slug in self._linked:
                continue
            self._linked.add(slug)
            if match.start() > start:
                pieces.append(Text(text[start:match.start()]))
            pieces.append(Link(href="", children=(Text(match.group(0)),), target_slug=slug))
            start = match.end()
        if start < len(text):
            pieces.append(Text(text[start:]))
        return pieces if pieces else [Text(text)]
