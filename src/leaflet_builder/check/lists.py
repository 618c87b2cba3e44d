"""Check stage: a paragraph that announces a list must be followed by one."""

from __future__ import annotations

import re

from leaflet_builder.check.context import CheckContext, finding
from leaflet_builder.check.findings import Finding
from leaflet_builder.check.prose import LineFinder, prose_text, split_sentences
from leaflet_builder.model import Block, Callout, Image, Leaflet, ListBlock, Paragraph, Table

# Ends that promise what follows: any closing colon ("These include:", "such as:", "are:"),
# and the same words left hanging without one ("Side effects include").
_ANNOUNCES_RE = re.compile(
    r"(?::\s*$)|(?:\b(?:such as|include|includes|including|for example|e\.g\.|the following)\s*$)",
    re.IGNORECASE)
_FOLLOWERS = (ListBlock, Table, Image)
_FIX = "(each item on its own line starting '- ', after a blank line)"


def check_leaflet(leaflet: Leaflet, ctx: CheckContext) -> list[Finding]:
    try:
        source_lines = leaflet.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        source_lines = []
    found: list[Finding] = []
    _check_blocks(leaflet, leaflet.blocks, source_lines, found)
    return found


def _check_blocks(leaflet: Leaflet, blocks: tuple[Block, ...], source_lines: list[str],
                  found: list[Finding]) -> None:
    for index, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            _check_paragraph(leaflet, block, following, source_lines, found)
        elif isinstance(block, ListBlock):
            for item in block.items:
                _check_blocks(leaflet, item.blocks, source_lines, found)
        elif isinstance(block, Callout):
            _check_blocks(leaflet, block.blocks, source_lines, found)


def _check_paragraph(leaflet: Leaflet, block: Paragraph, following: Block | None,
                     source_lines: list[str], found: list[Finding]) -> None:
    # The list was lost into the paragraph: a line announces it and the items follow as
    # lines of the same paragraph (their '- ' markers or the blank line gone).
    lines = _paragraph_lines(source_lines, block.line)
    for number, source_line in lines[:-1]:
        if source_line.rstrip().endswith(":"):
            found.append(finding(
                "dangling-list", leaflet.path, number,
                f"\"…{_tail(source_line)}\" announces a list, but the lines after it are part of the "
                f"same paragraph: write them as a list {_FIX}", slug=leaflet.slug))
            return
    text = prose_text(block.children).strip()
    if _ANNOUNCES_RE.search(text) and not isinstance(following, _FOLLOWERS):
        what = "nothing" if following is None else f"a {following.kind.replace('_', ' ')}"
        sentences = split_sentences(text)
        line = LineFinder(leaflet.path).find(sentences[-1], block.line) if sentences else \
            block.line
        found.append(finding(
            "dangling-list", leaflet.path, line,
            f"\"…{_tail(text)}\" announces a list, but {what} follows: add the list {_FIX} "
            "or reword the sentence", slug=leaflet.slug))


_BLOCK_START_RE = re.compile(r"^\s*(?:[-*+]\s|\d{1,9}[.)]\s|#|:::|\||>)")


def _paragraph_lines(source_lines: list[str], first: int) -> list[tuple[int, str]]:
    """The source lines of the paragraph starting at line `first`.

    It ends at a blank line or where another block starts (a list item, heading, callout,
    table), which Markdown lets interrupt a paragraph.
    """
    lines: list[tuple[int, str]] = []
    for number in range(first, len(source_lines) + 1):
        line = source_lines[number - 1]
        if not line.strip() or (lines and _BLOCK_START_RE.match(line)):
            break
        lines.append((number, line))
    return lines


def _tail(text: str) -> str:
    return " ".join(text.split()[-4:])
