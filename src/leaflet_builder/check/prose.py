"""Check stage: the prose of a leaflet as sentences with their source lines and sections."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from leaflet_builder.model import (
    Block,
    Callout,
    Heading,
    Inline,
    Leaflet,
    Link,
    ListBlock,
    Paragraph,
    plain_text,
)

WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\S+", re.IGNORECASE)
# A sentence ends at . ! ? (with closing quotes or brackets) followed by space.
_SENTENCE_END_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’')\]]))\s+")
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "etc.", "dr.", "mr.", "mrs.", "ms.", "no.", "vs.", "approx."})
INTRO = "(introduction)"


@dataclass(frozen=True)
class Sentence:
    """One sentence of prose: a sentence of a paragraph, or a whole list item."""

    text: str
    line: int
    section: str
    section_line: int

    @property
    def words(self) -> list[str]:
        return WORD_RE.findall(self.text)


def prose_text(inlines: tuple[Inline, ...]) -> str:
    """The readable words of some inlines: link text kept, link targets and URLs dropped."""
    return " ".join(_URL_RE.sub(" ", plain_text(inlines, keep_link=_is_prose_link)).split())


def _is_prose_link(link: Link) -> bool:
    """A link whose text is its address (or an email, a phone number) is not prose."""
    text = plain_text(link.children).strip()
    return bool(text) and text != link.href and not _URL_RE.fullmatch(text) \
        and not link.href.startswith("tel:")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations such as "e.g." inside one."""
    pieces = [p for p in _SENTENCE_END_RE.split(text) if p.strip()]
    sentences: list[str] = []
    for piece in pieces:
        last_word = sentences[-1].split()[-1].lower() if sentences else ""
        if last_word.lstrip("(\"“‘'") in _ABBREVIATIONS:
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [s.strip() for s in sentences]


class LineFinder:
    """Finds the source line of a sentence inside a block that may span several lines.

    The model keeps the first line of each block; a sentence further down a paragraph is
    found by matching its first letters against the file's letters (markup ignored).
    """

    def __init__(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        letters: list[str] = []
        lines: list[int] = []
        self._line_starts: list[int] = []
        for number, line in enumerate(text.splitlines(), start=1):
            self._line_starts.append(len(letters))
            for char in line:
                if char.isalnum():
                    letters.append(char.lower())
                    lines.append(number)
        self._letters = "".join(letters)
        self._lines = lines
        self._cursor = 0  # sentences come in document order: search on from the last one

    def find(self, sentence: str, block_line: int) -> int:
        """The line where `sentence` starts, searching from its block's first line."""
        if not self._letters or block_line < 1 or block_line > len(self._line_starts):
            return block_line
        start = max(self._line_starts[block_line - 1], self._cursor)
        key = "".join(c.lower() for c in sentence if c.isalnum())
        for size in (24, 10):
            if len(key) < 4:
                break
            found = self._letters.find(key[:size], start)
            if found >= 0:
                # the source holds at least the letters of the sentence (plus any link targets)
                self._cursor = found + len(key)
                return self._lines[found]
        return block_line


def leaflet_sentences(leaflet: Leaflet) -> list[Sentence]:
    """Every sentence of the leaflet's prose: headings, tables and URLs left out."""
    finder = LineFinder(leaflet.path)
    out: list[Sentence] = []
    section: dict[str, tuple[str, int]] = {"current": (INTRO, 0)}

    def add(text: str, line: int) -> None:
        for sentence in split_sentences(text):
            if WORD_RE.search(sentence):
                title, title_line = section["current"]
                out.append(Sentence(sentence, finder.find(sentence, line), title, title_line))

    def walk(blocks: tuple[Block, ...]) -> None:
        for block in blocks:
            if isinstance(block, Heading):
                if block.level == 1:
                    section["current"] = (plain_text(block.children).strip(), block.line)
            elif isinstance(block, Paragraph):
                # a list item counts as a sentence of its own, however it ends
                add(prose_text(block.children), block.line)
            elif isinstance(block, ListBlock):
                for item in block.items:
                    walk(item.blocks)
            elif isinstance(block, Callout):
                walk(block.blocks)

    walk(leaflet.blocks)
    return out
