"""Check stage: an Arabic-script word that ends in a vowel mark (tanween in فوراً, a final
shadda or kasra) reads apart from its word in the PDF's text layer for poppler.

pdftotext -raw (poppler, behind much search, indexing and some screen-reading tools) counts
Arabic marks as left-to-right characters and writes a mark that ends a right-to-left word
ahead of the word; no text-layer change can fix that while pdfplumber and pypdf stay right
(render/pdf/text_layer.py). Plain Arabic often leaves the final mark out (فورا), so the
writer is told where it happens and may choose; pypdf, pdfplumber and the tagged structure
read the word right either way.
"""

from __future__ import annotations

import re

from leaflet_builder.check.context import CheckContext, finding
from leaflet_builder.check.findings import Finding
from leaflet_builder.model import Leaflet

# an Arabic-script letter, then its marks (harakat, tanween, shadda, sukun, superscript alef),
# with no letter after them: the word ends at a mark
_WORD_FINAL_MARK = re.compile(
    r"[\u0620-\u064A\u0671-\u06D3\u06D5\u06EE-\u06FF][\u064B-\u065F\u0670]+"
    r"(?![\u0620-\u065F\u0670-\u06D3\u06D5\u06EE-\u06FF])")
_WORD = re.compile(r"[\u0620-\u065F\u0670-\u06D3\u06D5\u06EE-\u06FF]+")


def check_leaflet(leaflet: Leaflet, ctx: CheckContext) -> list[Finding]:
    try:
        lines = leaflet.path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []  # the reader reports an unreadable file
    found: list[Finding] = []
    for number, text in enumerate(lines, start=1):
        for match in _WORD_FINAL_MARK.finditer(text):
            word = next(w.group() for w in _WORD.finditer(text)
                        if w.start() <= match.start() < w.end())
            marks = match.group()[1:]
            found.append(finding(
                "word-final-mark", leaflet.path, number,
                f"'{word}' ends in a vowel mark ({' '.join(marks)}): pdftotext and other "
                f"poppler-based tools read the PDF's text with the mark apart from the word; "
                f"write '{word[:-len(marks)]}' if plain spelling will do (pypdf, pdfplumber "
                f"and the tagged structure read it right either way)", slug=leaflet.slug))
            break  # one finding per line is enough to find them
    return found
