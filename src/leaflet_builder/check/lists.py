"""Check stage: a paragraph that announces a list must be followed by one."""

from __future__ import annotations

import re

from leaflet_builder.check.context import CheckContext, finding
from leaflet_builder.check.findings import Finding
from leaflet_builder.check.prose import prose_text
from leaflet_builder.model import Block, Callout, Image, Leaflet, ListBlock, Paragraph, Table

# Ends that promise what follows: any closing colon ("These include:", "such as:", "are:"),
# and the same words left hanging without one ("Side effects include").
_ANNOUNCES_RE = re.compile(
    r"(?::\s*$)|(?:\b(?:such as|include|includes|including|for example|e\.g\.|the following)\s*$)",
    re.IGNORECASE)
_FOLLOWERS = (ListBlock, Table, Image)


def check_leaflet(leaflet: Leaflet, ctx: CheckContext) -> list[Finding]:
    found: list[Finding] = []
    _check_blocks(leaflet, leaflet.blocks, found)
    return found


def _check_blocks(leaflet: Leaflet, blocks: tuple[Block, ...], found: list[Finding]) -> None:
    for index, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            text = prose_text(block.children).strip()
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if _ANNOUNCES_RE.search(text) and not isinstance(following, _FOLLOWERS):
                end = " ".join(text.split()[-4:])
                what = "nothing" if following is None else f"a {following.kind.replace('_', ' ')}"
                found.append(finding(
                    "dangling-list", leaflet.path, _last_line(leaflet, block),
                    f"\"…{end}\" announces a list, but {what} follows: add the list (each item "
                    "on its own line starting '- ', after a blank line) or reword the sentence",
                    slug=leaflet.slug))
        elif isinstance(block, ListBlock):
            for item in block.items:
                _check_blocks(leaflet, item.blocks, found)
        elif isinstance(block, Callout):
            _check_blocks(leaflet, block.blocks, found)


def _last_line(leaflet: Leaflet, block: Paragraph) -> int:
    # the announcing words close the paragraph; point at the sentence that holds them
    from leaflet_builder.check.prose import LineFinder, split_sentences

    sentences = split_sentences(prose_text(block.children))
    return LineFinder(leaflet.path).find(sentences[-1], block.line) if sentences else block.line
