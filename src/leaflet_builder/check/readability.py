"""Check stage: plain language — reading grades (Flesch-Kincaid, SMOG) and long sentences."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from leaflet_builder.check.context import CheckContext, finding
from leaflet_builder.check.findings import Finding
from leaflet_builder.check.prose import INTRO, Sentence
from leaflet_builder.check.syllables import count_syllables, textstat_language
from leaflet_builder.model import Leaflet

LONG_SENTENCE_WORDS = 25
SMOG_MIN_SENTENCES = 30  # SMOG's own sample size; below it the formula is not valid


@dataclass(frozen=True)
class Readability:
    """Counts over some sentences, and the grades worked out from them."""

    sentences: int
    words: int
    syllables: int
    polysyllables: int  # words of 3 syllables or more

    @property
    def grade(self) -> float | None:
        """Flesch-Kincaid grade (Kincaid et al. 1975), the formula textstat uses."""
        if not self.sentences or not self.words:
            return None
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59

    @property
    def smog(self) -> float | None:
        """SMOG grade (McLaughlin 1969), only from 30 sentences on."""
        if self.sentences < SMOG_MIN_SENTENCES:
            return None
        return 1.043 * math.sqrt(self.polysyllables * 30 / self.sentences) + 3.1291


def is_scored_language(tag: str) -> bool:
    """Flesch-Kincaid and SMOG are English formulas; other languages are not graded."""
    return tag.split("-")[0].lower() == "en"


def measure(sentences: Iterable[Sentence], plain_terms: frozenset[str] = frozenset(),
            language: str = "en-GB") -> Readability:
    """Count sentences, words and syllables; a plain term counts as one short word."""
    lang = textstat_language(language)
    n_sentences = n_words = n_syllables = n_poly = 0
    for sentence in sentences:
        n_sentences += 1
        for word in sentence.words:
            n_words += 1
            syllables = 1 if _is_plain(word, plain_terms) else _word_syllables(word, lang)
            n_syllables += syllables
            n_poly += syllables >= 3
    return Readability(n_sentences, n_words, n_syllables, n_poly)


def _is_plain(word: str, plain_terms: frozenset[str]) -> bool:
    lower = word.lower().replace("’", "'")
    return lower in plain_terms or lower.removesuffix("'s") in plain_terms


def _word_syllables(word: str, lang: str) -> int:
    # a hyphenated word is as long to read as its parts together
    return sum(count_syllables(part, lang) for part in word.replace("’", "'").split("-") if part)


def sections(sentences: list[Sentence]) -> Iterator[tuple[str, int, list[Sentence]]]:
    """The sentences of each `##` section, in order (the text before the first one too)."""
    current: list[Sentence] = []
    for sentence in sentences:
        if current and sentence.section_line != current[0].section_line:
            yield current[0].section, current[0].section_line, current
            current = []
        current.append(sentence)
    if current:
        yield current[0].section, current[0].section_line, current


def check_leaflet(leaflet: Leaflet, ctx: CheckContext) -> tuple[list[Finding], Readability]:
    """Long sentences everywhere; grades for English leaflets."""
    sentences = ctx.sentences(leaflet)
    found: list[Finding] = []
    for sentence in sentences:
        count = len(sentence.words)
        if count > LONG_SENTENCE_WORDS:
            found.append(finding("long-sentence", leaflet.path, sentence.line,
                                 f"sentence of {count} words (over {LONG_SENTENCE_WORDS}): "
                                 f"\"{_start(sentence.text)}\"; split it in two",
                                 slug=leaflet.slug))
    language = leaflet.meta.language
    if not is_scored_language(language):
        return found, measure((), language="en")
    plain = ctx.plain_terms
    whole = measure(sentences, plain, language)
    graded: list[tuple[float, str, int]] = []
    for title, line, members in sections(sentences):
        part = measure(members, plain, language)
        if part.grade is None:
            continue
        graded.append((part.grade, title, line))
        found.append(finding("section-grade", leaflet.path, line or 1,
                             f"section '{title}': reading grade {part.grade:.1f} "
                             f"({part.words} words, {part.sentences} sentences)",
                             slug=leaflet.slug))
    if whole.grade is not None and whole.grade > ctx.max_grade:
        hardest = max(graded)
        where = "the text before the first heading" if hardest[1] == INTRO else \
            f"'{hardest[1]}' (line {hardest[2]}, grade {hardest[0]:.1f})"
        found.append(finding("reading-grade", leaflet.path, 1,
                             f"reading grade {whole.grade:.1f} (Flesch-Kincaid) is above the "
                             f"project's maximum of {ctx.max_grade:g}; the hardest section is "
                             f"{where}: use shorter sentences and everyday words",
                             slug=leaflet.slug))
    if whole.smog is not None:
        above = " (above the maximum)" if whole.smog > ctx.max_grade else ""
        found.append(finding("smog-grade", leaflet.path, 1,
                             f"SMOG grade {whole.smog:.1f}{above} over {whole.sentences} "
                             "sentences", slug=leaflet.slug))
    return found, whole


def _start(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
