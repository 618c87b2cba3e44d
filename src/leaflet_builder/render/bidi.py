"""Right-to-left text with left-to-right pieces in it: numbers, drug names, phone numbers.

The Unicode bidi algorithm lays an Arabic paragraph out right to left, but it resolves the
spaces *between* two numbers by the paragraph's direction: "0100 000 0000" inside Arabic came
out on paper as "0000 000 0100" — another phone number. Two remedies, one per kind of output:

- HTML, PDF and EPUB: a left-to-right run of several words or number groups inside right-to-left
  text is wrapped in the Unicode isolates LRI … PDI (U+2066, U+2069), the plain-text form of
  HTML's `<bdi dir="ltr">`; browsers, reading systems and WeasyPrint lay it out left to right
  as one unit. They are invisible, and the PDF text layer drops them.
- Word: a paragraph's text is split into runs by direction; runs of Arabic (and the spaces and
  punctuation between runs of different directions) are marked `w:rtl`, runs of Latin letters
  and digits are not, which is how Word and LibreOffice tell the two apart; a left-to-right
  stretch of several number groups is embedded with LRE … PDF (U+202A, U+202C), which Word
  has honoured longer than the isolates.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

from leaflet_builder.model import Leaflet, Text

LRI, PDI = "\u2066", "\u2069"
LEFT_TO_RIGHT_MARK = "\u200e"
# the older embedding pair, which Word has honoured longer than the isolates
LRE, POP = "\u202a", "\u202c"
# what a template isolated (the 24-hour number in "When to call us"), as Word takes it
AS_EMBEDDING = str.maketrans({LRI: LRE, PDI: POP})


def direction(char: str) -> str:
    """'R' for right-to-left letters (and Arabic digits), 'L' for left-to-right letters and
    European digits, 'N' for the rest (spaces, punctuation)."""
    kind = unicodedata.bidirectional(char)
    if kind in ("R", "AL", "AN"):
        return "R"
    if kind in ("L", "EN"):
        return "L"
    return "N"


def direction_segments(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, right_to_left) runs, in logical order.

    Spaces and punctuation between two runs of one direction belong to them ("Page 1 of 2");
    between runs of different directions, or at either end, they are right to left: in a
    right-to-left paragraph that is the side they sit on.
    """
    runs: list[list[Any]] = []  # [direction, text]
    for char in text:
        kind = direction(char)
        if runs and runs[-1][0] == kind:
            runs[-1][1] += char
        else:
            runs.append([kind, char])
    # a neutral run between two runs of the same strong direction joins them
    merged: list[list[Any]] = []
    for index, (kind, piece) in enumerate(runs):
        before = merged[-1][0] if merged else None
        after = runs[index + 1][0] if index + 1 < len(runs) else None
        if kind == "N" and before is not None and before == after or merged and merged[-1][0] == kind:
            merged[-1][1] += piece
        else:
            merged.append([kind, piece])
    segments: list[tuple[str, bool]] = []
    for kind, piece in merged:
        if segments and segments[-1][1] == (kind != "L"):
            segments[-1] = (segments[-1][0] + piece, segments[-1][1])
        else:
            segments.append((piece, kind != "L"))
    return segments


def isolate_ltr(text: str, start: str = LRI, end: str = PDI) -> str:
    """Wrap each left-to-right stretch of several words or number groups in LRI … PDI
    (or `start` … `end`).

    A stretch runs from a left-to-right letter or digit to the last one before a right-to-left
    letter; one word or number alone is left as it is (the algorithm keeps it whole).
    """
    kinds = [direction(char) for char in text]
    if "R" not in kinds:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        if kinds[index] != "L":
            out.append(text[index])
            index += 1
            continue
        last = index
        scan = index
        while scan < len(text) and kinds[scan] != "R":
            if kinds[scan] == "L":
                last = scan
            scan += 1
        stretch = text[index:last + 1]
        isolate = "N" in kinds[index:last + 1]
        out.append(f"{start}{stretch}{end}" if isolate else stretch)
        index = last + 1
    return "".join(out)


def isolate_leaflet(leaflet: Leaflet) -> Leaflet:
    """The leaflet with `isolate_ltr` applied to every text of its body."""
    return dataclasses.replace(leaflet, blocks=tuple(_isolate(block) for block in leaflet.blocks))


def _isolate(node: Any) -> Any:
    if isinstance(node, Text):
        return dataclasses.replace(node, text=isolate_ltr(node.text))
    if isinstance(node, tuple):
        return tuple(_isolate(item) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: _isolate(getattr(node, f.name)) for f in dataclasses.fields(node)
                   if isinstance(getattr(node, f.name), (tuple, Text))
                   or dataclasses.is_dataclass(getattr(node, f.name))}
        return dataclasses.replace(node, **changes) if changes else node
    return node
