"""Check stage: findings, the rules that produce them, and the table of every rule."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leaflet_builder.errors import Level, Location

LEVEL_ORDER: dict[Level, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Rule:
    """One check: a stable id (used in `check.disable`), its usual level, why, and from where."""

    id: str
    level: Level
    reason: str
    standard: str


@dataclass(frozen=True)
class Finding:
    """One thing a careful editor would point out, with the line to fix."""

    rule: str
    level: Level
    location: Location
    message: str
    slug: str | None = None

    def display(self, relative_to: Path | None = None) -> str:
        """`path:line: level: rule-id: message`, as editors and CI logs expect it."""
        return f"{self.location.display(relative_to)}: {self.level}: {self.rule}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (str(self.location.path), self.location.line, LEVEL_ORDER[self.level], self.rule)


# Every rule, in the order the README lists them. Ids are a public interface: never rename one.
RULES: dict[str, Rule] = {rule.id: rule for rule in (
    Rule("source", "error",
         "The reader could not read the file, or dropped something from it (raw HTML); "
         "these come from the reader and cannot be switched off.",
         "SOURCE-FORMAT.md"),
    Rule("approval-fields", "error",
         "An approved leaflet must say who reviewed it, when, and on what evidence.",
         "PIF TICK; NHS information standard (sources, review)"),
    Rule("review-order", "error",
         "The next review date must come after the last review.",
         "NHS review pattern (reviewed / next review due)"),
    Rule("review-interval", "error",
         "The next review must be at most 36 months after the last one.",
         "NHS review pattern: 3 years; PIF TICK"),
    Rule("review-overdue", "error",
         "Information past its review date may be out of date: an error for approved leaflets "
         "(the build refuses them), a warning for drafts.",
         "PIF TICK; NHS review pattern"),
    Rule("review-due-soon", "warning",
         "The review falls due within 6 months: plan it now.",
         "NHS review pattern"),
    Rule("project-contact", "warning",
         "Every leaflet must say whom to contact.",
         "PIF TICK; NHS content style guide"),
    Rule("project-feedback", "warning",
         "Every leaflet must say how to give feedback.",
         "PIF TICK"),
    Rule("project-other-formats", "warning",
         "Every leaflet must say how to get it in other formats (large print, audio, languages).",
         "NHS Accessible Information Standard (DAPB1605)"),
    Rule("project-lines-language", "warning",
         "A leaflet in another language than project.yaml's shows the project's contact, "
         "feedback and other-formats lines as written (English) unless project.yaml gives "
         "them in its language (`languages:`).",
         "NHS Accessible Information Standard; Welsh Language Standards"),
    Rule("reading-grade", "warning",
         "Above grade 8 (Flesch-Kincaid) is too hard for most patients.",
         "NIH/AMA reading-level advice; CDC Clear Communication Index"),
    Rule("section-grade", "info",
         "The reading grade of each section shows where to simplify first.",
         "NIH/AMA reading-level advice"),
    Rule("smog-grade", "info",
         "SMOG, often preferred for health material, is valid only from 30 sentences on.",
         "McLaughlin 1969; NIH/AMA reading-level advice"),
    Rule("long-sentence", "warning",
         "Sentences over 25 words are hard to follow, more so for tired or anxious readers.",
         "NHS content style guide; CDC Clear Communication Index"),
    Rule("dangling-list", "error",
         "A sentence that announces a list must be followed by one; a missing list is lost "
         "content.",
         "NHS content style guide"),
    Rule("image-alt-missing", "error",
         "A picture without alternative text says nothing to a screen reader user.",
         "PDF/UA-1 (Matterhorn 13); EPUB Accessibility 1.1; WCAG 1.1.1"),
    Rule("image-alt-weak", "warning",
         "Alternative text that is a file name or a single word does not describe the picture.",
         "WCAG 1.1.1; Microsoft Word accessibility checker"),
    Rule("glossary-link", "info",
         "A medical term with its own glossary entry should be explained or linked at first use.",
         "CDC Clear Communication Index; NHS content style guide"),
    Rule("clear-print-size", "warning",
         "Body text under 12 pt (16 pt for large print) is hard to read with low vision.",
         "UKAAF G003; RNIB clear print"),
    Rule("clear-print-justified", "warning",
         "Justified text makes uneven gaps between words that low-vision readers lose their "
         "place in; text must be left-aligned.",
         "UKAAF G003; RNIB clear print"),
    Rule("word-blocks", "warning",
         "A layout's own docx.blocks list that leaves out a shared block its pages show: the "
         "Word handout would silently lack what the PDF and web page say.",
         "leaflet_builder (one source, every format says the same)"),
    Rule("missing-glyph", "error",
         "A character that no font of the layout can draw prints as an empty box, with no "
         "other sign; the PDF build refuses the leaflet.",
         "NHS Accessible Information Standard (information the reader can read)"),
    Rule("word-final-mark", "warning",
         "An Arabic-script word ending in a vowel mark (tanween in فوراً) is read with the mark "
         "apart from its word by pdftotext and other poppler-based tools (search, indexing).",
         "PDF/UA (text that reads back as written)"),
    Rule("stale-translation", "warning",
         "A translation made from an older version of its original, or reviewed before the "
         "original's last review, may no longer say what the original says.",
         "NHS Accessible Information Standard; Welsh Language Standards (equal treatment)"),
    Rule("language-wording", "warning",
         "A leaflet in a language the layout has no catalogue for gets the layout's own words "
         "(About this leaflet, Page 1 of 2, DRAFT, dates) in English; a layout catalogue that "
         "cannot be read fails every output in its language.",
         "NHS Accessible Information Standard; Welsh Language Standards"),
    Rule("check-config", "warning",
         "A rule id in check.disable that does not exist is probably a typo: the rule still runs.",
         "leaflet_builder"),
)}

# Reading errors are never hidden: an unreadable leaflet is not checked at all.
ALWAYS_ON = frozenset({"source", "check-config"})
