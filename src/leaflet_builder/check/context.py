"""Check stage: what every rule may look at (the project, the layouts in use, today)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from leaflet_builder.check.findings import RULES, Finding
from leaflet_builder.check.prose import Sentence, leaflet_sentences
from leaflet_builder.errors import Level, Location
from leaflet_builder.layouts import Layout
from leaflet_builder.model import Leaflet
from leaflet_builder.project import Project


@dataclass
class CheckContext:
    project: Project
    today: dt.date
    layouts: list[Layout] = field(default_factory=list)
    _sentences: dict[str, list[Sentence]] = field(default_factory=dict, repr=False)

    def sentences(self, leaflet: Leaflet) -> list[Sentence]:
        """The leaflet's prose sentences (worked out once per check run)."""
        if leaflet.slug not in self._sentences:
            self._sentences[leaflet.slug] = leaflet_sentences(leaflet)
        return self._sentences[leaflet.slug]

    @property
    def max_grade(self) -> float:
        return self.project.settings.check.max_grade

    @property
    def plain_terms(self) -> frozenset[str]:
        """Words not counted as hard, lowercased (each word of a multi-word term)."""
        return frozenset(word.lower() for term in self.project.settings.check.plain_terms
                         for word in term.split())


def finding(rule: str, path: Path, line: int, message: str, *, level: Level | None = None,
            slug: str | None = None) -> Finding:
    """A finding of `rule` at its usual level (or the one given)."""
    return Finding(rule, level or RULES[rule].level, Location(path, line), message, slug)

