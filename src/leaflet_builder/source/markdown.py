"""Markdown body -> document model blocks, each carrying the file line it came from.

Mistakes are collected, not raised: the offending block or inline is left out and reading goes
on, so an author sees every problem of a file in one run. Only the nesting bounds stop reading.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from leaflet_builder.errors import Diagnostics, LeafletError
from leaflet_builder.model import (
    Align,
    Block,
    Callout,
    CalloutKind,
    Code,
    Emphasis,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    Paragraph,
    Strong,
    Table,
    TableCell,
    Text,
    plain_text,
)
from leaflet_builder.source.assets import resolve_asset
from leaflet_builder.source.schema import close_match

CALLOUT_KINDS: tuple[CalloutKind, ...] = ("note", "tip", "warning")
LINK_SCHEMES = ("http", "https", "mailto", "tel")
MAX_NESTING = 20
MARKDOWN_IT_NESTING = 6 * MAX_NESTING
_LEAFLET_LINK_RE = re.compile(r"^(?:\./)?([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def make_parser() -> MarkdownIt:
    """CommonMark + GFM tables + `:::` containers; raw HTML parsed only so it can be dropped."""
    # markdown-it stops parsing (silently dropping the rest) at maxNesting token levels; a list
    # costs two levels, so keep its bound far above ours: our own check then reports too-deep
    # nesting as an error instead of content quietly going missing.
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MARKDOWN_IT_NESTING})
    md.enable("table")
    container_plugin(md, name="callout", validate=lambda *args: True)
    # markdown-it silently turns links with unsafe schemes into text; we want to see them
    # so the author gets an error instead of a leaflet that shows `[x](javascript:...)`.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    for name in md.inline.ruler.get_all_rules():
        rule = next(r for r in md.inline.ruler.__rules__ if r.name == name)
        md.inline.ruler.at(name, _remember_position(rule.fn))
    return md


def _remember_position(rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """Wrap an inline rule so each token it makes records where in the block's text it began.

    markdown-it gives lines for blocks only; a mistake inside a paragraph is found on its own
    line by counting the newlines before this offset (a code span, link title or inline HTML
    may span lines without a softbreak token, so counting breaks alone drifts).
    """
    def remembering(state: StateInline, silent: bool) -> bool:
        start, first = state.pos, len(state.tokens)
        matched = rule(state, silent)
        if matched and not silent:
            for token in state.tokens[first:]:
                token.meta.setdefault(_POSITION, start)
        return matched
    return remembering


_POSITION = "leaflet_builder.position"


_PARSER = make_parser()


@dataclass
class _Reader:
    """Per-file state while converting tokens: where we are and what was found."""

    path: Path
    source_dir: Path
    line_offset: int
    diagnostics: Diagnostics
    anchors: set[str] = field(default_factory=set)
    last_heading_level: int = 0
    reported: set[tuple[int, str]] = field(default_factory=set)

    def line(self, token: Token) -> int:
        return (token.map[0] if token.map else 0) + 1 + self.line_offset

    def error(self, line: int, message: str) -> None:
        """Record a mistake and read on; the same message for the same line is given once."""
        if (line, message) not in self.reported:
            self.reported.add((line, message))
            self.diagnostics.error(self.path, line, message)

    def stop(self, line: int, message: str) -> LeafletError:
        """A mistake after which reading on is pointless (raise it: the caller records it)."""
        return LeafletError(self.path, line, message)


def parse_body(
    text: str, path: Path, source_dir: Path, line_offset: int, diagnostics: Diagnostics
) -> tuple[Block, ...]:
    """Parse a Markdown body that starts at file line `line_offset + 1`.

    Mistakes go to `diagnostics` (the blocks are then incomplete and must not be built); only
    the nesting bounds raise a LeafletError.
    """
    try:
        tokens = _PARSER.parse(text)
        reader = _Reader(path, source_dir, line_offset, diagnostics)
        blocks, end = _read_blocks(reader, tokens, 0, close=None, depth=0)
    except RecursionError:  # belt and braces: the nesting bounds should come first
        raise LeafletError(path, line_offset + 1, "the text is nested too deeply to read — "
                                                  "simplify the lists, callouts or emphasis") from None
    assert end == len(tokens)
    return tuple(blocks)


def _read_blocks(
    reader: _Reader, tokens: list[Token], index: int, close: str | None, depth: int
) -> tuple[list[Block], int]:
    """Read blocks from `index` until the token type `close`; return them and the next index."""
    # Stops reading: past the bound every deeper line would give the same message again, and a
    # file nested this deep is machine-made or broken rather than a leaflet with one slip.
    if depth > MAX_NESTING:
        raise reader.stop(reader.line(tokens[index]) if index < len(tokens) else 0,
                          f"lists and callouts are nested more than {MAX_NESTING} levels "
                          "deep — use fewer levels (split the list or start a new section)")
    blocks: list[Block] = []
    while index < len(tokens):
        token = tokens[index]
        if close is not None and token.type == close:
            return blocks, index + 1
        handler = _BLOCK_HANDLERS.get(token.type)
        if handler is None:
            reader.error(reader.line(token), f"unsupported Markdown ({token.type})")
            index = _after_block(tokens, index)
            continue
        new_blocks, index = handler(reader, tokens, index, depth)
        blocks.extend(new_blocks)
    return blocks, index


def _after_block(tokens: list[Token], index: int) -> int:
    """The index just past the block starting at `index` (past its matching close, if any)."""
    opener = tokens[index]
    if opener.nesting != 1:
        return index + 1
    for end in range(index + 1, len(tokens)):
        if tokens[end].nesting == -1 and tokens[end].level == opener.level:
            return end + 1
    return len(tokens)


def _heading(reader: _Reader, tokens: list[Token], i: int, depth: int) -> tuple[list[Block], int]:
    token, inline = tokens[i], tokens[i + 1]
    line = reader.line(token)
    source_level = int(token.tag[1])
    # A '#' is read on as the '##' it should be, so the headings below it are judged as if fixed.
    level = max(source_level - 1, 1)
    if source_level == 1 and token.markup == "=":
        # a setext heading: text underlined with '===' has no '#' to change
        reader.error(line, "a line of '===' under text makes a top-level heading, but headings "
                           "start at '##' (the title comes from the front matter's 'title'); "
                           "write the heading as '## ' followed by its text and delete the "
                           "'===' line")
    elif source_level == 1:
        reader.error(line, "headings start at '##' (the title comes from the front matter's "
                           "'title'); change '#' to '##'")
    elif depth == 0 and level > reader.last_heading_level + 1:
        if reader.last_heading_level == 0:
            reader.error(line, f"the first heading is '{'#' * source_level}'; headings start "
                               "at '##' and do not skip levels")
        else:
            reader.error(line, f"heading level jumps from {'#' * (reader.last_heading_level + 1)}"
                               f" to {'#' * source_level}; do not skip levels")
    if depth == 0:
        # after a jump too: the headings below are then judged from this one, so one skipped
        # level gives one message, not one for every heading under it
        reader.last_heading_level = level
    children = _inlines(reader, inline, line, allow_images=False, where="a heading")
    return [Heading(level, children, _unique_anchor(reader, plain_text(children)), line)], i + 3


def _paragraph(reader: _Reader, tokens: list[Token], i: int, depth: int) -> tuple[list[Block], int]:
    inline = tokens[i + 1]
    line = reader.line(tokens[i])
    images: list[Image] = []
    children = _inlines(reader, inline, line, allow_images=True, where="", images=images)
    blocks: list[Block] = []
    if plain_text(children).strip():
        blocks.append(Paragraph(children, line))
    blocks.extend(images)
    return blocks, i + 3


def _list(reader: _Reader, tokens: list[Token], i: int, depth: int) -> tuple[list[Block], int]:
    token = tokens[i]
    ordered = token.type == "ordered_list_open"
    close = "ordered_list_close" if ordered else "bullet_list_close"
    start = int(token.attrGet("start") or 1) if ordered else 1
    items: list[ListItem] = []
    i += 1
    while tokens[i].type != close:
        item_token = tokens[i]
        blocks, i = _read_blocks(reader, tokens, i + 1, "list_item_close", depth + 1)
        items.append(ListItem(tuple(blocks), reader.line(item_token)))
    return [ListBlock(ordered, tuple(items), reader.line(token), start)], i + 1


def _table(reader: _Reader, tokens: list[Token], i: int, depth: int) -> tuple[list[Block], int]:
    line = reader.line(tokens[i])
    header: list[TableCell] = []
    rows: list[tuple[TableCell, ...]] = []
    row: list[TableCell] = []
    i += 1
    while tokens[i].type != "table_close":
        token = tokens[i]
        if token.type in ("th_open", "td_open"):
            style = str(token.attrGet("style") or "")
            match = re.search(r"text-align:(left|center|right)", style)
            align = cast(Align, match.group(1)) if match else None
            cell_line = reader.line(tokens[i + 1]) if tokens[i + 1].map else line
            children = _inlines(reader, tokens[i + 1], cell_line, allow_images=False,
                                where="a table cell")
            row.append(TableCell(children, align))
            i += 3
            continue
        if token.type == "tr_close":
            if not header:
                header = row
            else:
                rows.append(tuple(row))
            row = []
        i += 1
    return [Table(tuple(header), tuple(rows), line)], i + 1


def _callout(reader: _Reader, tokens: list[Token], i: int, depth: int) -> tuple[list[Block], int]:
    token = tokens[i]
    line = reader.line(token)
    kind, _, title = token.info.strip().partition(" ")
    if not kind:
        reader.error(line, "a callout needs its kind after ':::' — one of: "
                           f"{', '.join(CALLOUT_KINDS)} (e.g. '::: warning Call us if')")
    elif kind not in CALLOUT_KINDS:
        guess = close_match(kind.lower(), CALLOUT_KINDS)
        hint = f"did you mean '{guess}'? Kinds are" if guess else "use one of:"
        reader.error(line, f"unknown callout kind '{kind}'; {hint} "
                           f"{', '.join(CALLOUT_KINDS)} (e.g. '::: warning Call us if')")
    title_inlines = _callout_title(reader, title.strip(), line)
    # the text inside is read whatever the kind, so its own mistakes are reported now too
    blocks, i = _read_blocks(reader, tokens, i + 1, "container_callout_close", depth + 1)
    if not blocks and not title_inlines:
        reader.error(line, "empty callout: give it a title or some text, or remove it")
    if kind not in CALLOUT_KINDS:
        return blocks, i
    return [Callout(kind, title_inlines, tuple(blocks), line)], i


def _callout_title(reader: _Reader, title: str, line: int) -> tuple[Inline, ...]:
    """A callout's title read as inline Markdown, by the same rules as the body's text.

    The title is what a reader sees first (`Call **999**`), so its emphasis and links must not
    show as literal asterisks and brackets; its links are checked like any other.
    """
    if not title:
        return ()
    inline = next((t for t in _PARSER.parseInline(title) if t.type == "inline"), None)
    if inline is None:
        return (Text(title),)
    return _inlines(reader, inline, line, allow_images=False, where="a callout title")


def _raw_html(reader: _Reader, tokens: list[Token], i: int, depth: int) -> tuple[list[Block], int]:
    reader.diagnostics.warn(reader.path, reader.line(tokens[i]),
                            "raw HTML is not allowed in leaflets and was left out")
    return [], i + 1


def _rule(reader: _Reader, tokens: list[Token], i: int, depth: int) -> tuple[list[Block], int]:
    reader.diagnostics.warn(reader.path, reader.line(tokens[i]),
                            "horizontal rules (---) are not used in leaflets and were left out; "
                            "use a heading to start a new section")
    return [], i + 1


def _refuse(message: str) -> Callable[[_Reader, list[Token], int, int], tuple[list[Block], int]]:
    """A handler that reports `message` and leaves the block out."""
    def handler(reader: _Reader, tokens: list[Token], i: int, depth: int) -> tuple[list[Block], int]:
        opener = tokens[i]
        reader.error(reader.line(opener), message)
        if opener.nesting != 1:
            return [], i + 1
        # a block quote holds blocks: read them (and drop them) so their mistakes show now too
        close = opener.type.removesuffix("_open") + "_close"
        _, end = _read_blocks(reader, tokens, i + 1, close, depth + 1)
        return [], end
    return handler


_BLOCK_HANDLERS: dict[str, Callable[[_Reader, list[Token], int, int], tuple[list[Block], int]]] = {
    "heading_open": _heading,
    "paragraph_open": _paragraph,
    "bullet_list_open": _list,
    "ordered_list_open": _list,
    "table_open": _table,
    "container_callout_open": _callout,
    "html_block": _raw_html,
    "hr": _rule,
    "blockquote_open": _refuse("block quotes (>) are not supported; use a callout "
                               "(::: note Title ... :::) instead"),
    "fence": _refuse("code blocks are not supported in patient leaflets; write the text as a "
                     "paragraph or a list"),
    "code_block": _refuse("indented text is read as a code block, which leaflets do not "
                          "support; remove the indentation"),
}


def _inlines(
    reader: _Reader, token: Token, line: int, *, allow_images: bool, where: str,
    images: list[Image] | None = None,
) -> tuple[Inline, ...]:
    """Convert an inline token's children into model inlines (images go to `images`)."""
    stack: list[tuple[str, list[Inline], Token | None, int]] = [("root", [], None, line)]
    current_line = line
    source, counted, newlines = token.content, 0, 0
    for child in token.children or []:
        kind = child.type
        position = child.meta.get(_POSITION) if child.meta else None
        if isinstance(position, int) and position >= counted:  # offsets only grow: count on
            newlines += source.count("\n", counted, position)
            counted = position
            current_line = line + newlines
        if kind == "text":
            stack[-1][1].append(Text(child.content))
        elif kind == "softbreak":
            stack[-1][1].append(Text(" "))
        elif kind == "hardbreak":
            stack[-1][1].append(LineBreak())
        elif kind == "code_inline":
            stack[-1][1].append(Code(child.content))
        elif kind in ("strong_open", "em_open", "link_open"):
            if len(stack) > MAX_NESTING:  # stops reading, as the block nesting bound does
                raise reader.stop(current_line, f"emphasis and links are nested more than "
                                                f"{MAX_NESTING} levels deep — simplify the "
                                                "* and _ marks")
            stack.append((kind, [], child, current_line))
        elif kind in ("strong_close", "em_close", "link_close"):
            # a link's mistakes are in its opening '[...](', reported at that line
            opener, children, open_token, open_line = stack.pop()
            stack[-1][1].extend(_close_inline(reader, opener, tuple(children), open_token,
                                              open_line))
        elif kind == "image":
            if not allow_images or images is None:
                # the image is left out unchecked: one message for one misplaced image
                reader.error(current_line, f"images cannot be inside {where}; put the image "
                                           "in a paragraph of its own")
                continue
            image = _image(reader, child, current_line)
            if image is not None:
                images.append(image)
        elif kind == "html_inline":
            reader.diagnostics.warn(reader.path, current_line,
                                    f"raw HTML {child.content!r} is not allowed and was left out")
        else:
            # an opening and a closing token of the same kind give one message, not two
            name = kind.removesuffix("_open").removesuffix("_close")
            reader.error(current_line, f"unsupported Markdown ({name})")
    return tuple(_merge_text(stack[0][1]))


def _image(reader: _Reader, token: Token, line: int) -> Image | None:
    """The image an inline image token names, or None (reported) when its file is not usable."""
    # markdown-it percent-encodes destinations (`<images/a b.png>` -> a%20b.png);
    # the author wrote a file name, so decode it before looking for the file
    src = unquote(str(token.attrGet("src") or ""))
    alt = plain_text(_inlines(reader, token, line, allow_images=False, where="image alt text"))
    try:
        asset = resolve_asset(src, reader.source_dir, reader.path, line)
    except LeafletError as exc:  # one image, one message: its later checks need the file
        reader.error(exc.location.line, exc.message)
        return None
    return Image(asset, alt.strip(), line, str(token.attrGet("title") or ""))


def _close_inline(
    reader: _Reader, opener: str, children: tuple[Inline, ...], token: Token | None, line: int
) -> list[Inline]:
    """The finished inline; a refused link leaves only its text (so it is reported once)."""
    if opener == "strong_open":
        return [Strong(children)]
    if opener == "em_open":
        return [Emphasis(children)]
    assert token is not None
    href = str(token.attrGet("href") or "").strip()
    leaflet = _LEAFLET_LINK_RE.fullmatch(href)
    if leaflet:
        return [Link("", children, target_slug=leaflet.group(1), line=line)]
    scheme = _SCHEME_RE.match(href)
    if scheme is None:
        reader.error(line, _unaddressable_link(href, plain_text(children)))
        return list(children)
    if scheme.group(1).lower() not in LINK_SCHEMES:
        reader.error(line, f"link '{href}': the '{scheme.group(1)}:' scheme is not allowed — "
                           "links may be http, https, mailto or tel")
        return list(children)
    if not href[scheme.end():].strip("/"):  # `tel:`, `https://`: a link that goes nowhere
        reader.error(line, f"link '{href}': nothing follows '{href}' — add the "
                           + ("number" if scheme.group(1).lower() == "tel" else "address"))
        return list(children)
    return [Link(href, children, line=line)]


def _unaddressable_link(href: str, text: str) -> str:
    """What is wrong with a link that has no scheme, in terms of what the author typed."""
    if not href:
        return (f"the link '[{text}]()' has no address — put the address between the round "
                "brackets, e.g. (https://www.nhs.uk) or (another-leaflet.md), or remove the "
                "square brackets")
    if href.startswith("#"):
        return (f"link '{href}': links to a heading are not supported — link another leaflet "
                "as 'slug.md', or refer to the section by its heading's words")
    if href.lower().endswith(".md"):
        name = href.removeprefix("./")
        return (f"link '{href}': '{name}' is not a leaflet file name — leaflets are named with "
                "lowercase letters, digits and hyphens, e.g. 'car-t-cell-therapy.md'")
    if re.match(r"^[^@\s/]+@[^@\s/]+\.[^@\s/]+$", href):
        return f"link '{href}': an email address needs 'mailto:' in front — write (mailto:{href})"
    if _LEAFLET_LINK_RE.fullmatch(f"{href}.md"):
        return (f"link '{href}': to link another leaflet, add '.md' — write ({href}.md); "
                "for a web page, write its full address (https://...)")
    return (f"link '{href}': not a web address — write a full address (https://...), "
            "mailto:, tel:, or another leaflet as 'slug.md'")


def _merge_text(inlines: list[Inline]) -> list[Inline]:
    """Join neighbouring text nodes so renderers see whole runs."""
    merged: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
        else:
            merged.append(node)
    return merged


def _unique_anchor(reader: _Reader, text: str) -> str:
    base = slugify(text) or "section"
    anchor, n = base, 2
    while anchor in reader.anchors:
        anchor, n = f"{base}-{n}", n + 1
    reader.anchors.add(anchor)
    return anchor


def slugify(text: str) -> str:
    """A URL- and XML-id-safe anchor from heading text (letters of any script kept)."""
    normal = unicodedata.normalize("NFKD", text.lower())
    kept = "".join(c for c in normal if not unicodedata.combining(c))
    words = re.findall(r"\w+", kept)
    anchor = "-".join(words)
    return f"s-{anchor}" if anchor and not anchor[0].isalpha() else anchor
