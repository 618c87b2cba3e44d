"""Check stage: run every rule over a project and collect findings and per-leaflet figures."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from leaflet_builder.check import (
    clearprint,
    glossary,
    glyphs,
    images,
    lists,
    marks,
    metadata,
    readability,
    translations,
    wordblocks,
)
from leaflet_builder.check.context import CheckContext, finding
from leaflet_builder.check.findings import ALWAYS_ON, RULES, Finding
from leaflet_builder.errors import LeafletError, Location
from leaflet_builder.i18n import language_diagnostics
from leaflet_builder.layouts import load_layout
from leaflet_builder.project import Project, document_languages
from leaflet_builder.source.schema import did_you_mean


@dataclass(frozen=True)
class LeafletSummary:
    """One row of the summary table."""

    slug: str
    path: Path
    status: str
    grade: float | None = None
    smog: float | None = None
    words: int = 0
    sentences: int = 0
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class CheckReport:
    findings: list[Finding]
    leaflets: list[LeafletSummary]
    booklets: int
    max_grade: float

    def count(self, level: str) -> int:
        return sum(1 for f in self.findings if f.level == level)

    def failed(self, strict: bool = False) -> bool:
        """Errors fail the check; with `strict`, warnings do too."""
        return self.count("error") > 0 or (strict and self.count("warning") > 0)


def run_checks(project: Project, today: dt.date | None = None,
               layout_names: Sequence[str] = ()) -> CheckReport:
    """Every rule over every leaflet, booklet and layout in use; disabled rules left out."""
    ctx = CheckContext(project, today or dt.date.today())
    found = [Finding("source", d.level, d.location, d.message,
                     d.location.path.stem if d.location.path.suffix == ".md" else None)
             for d in project.diagnostics.items]
    for name in layout_names or (project.settings.default_layout,):
        try:
            ctx.layouts.append(load_layout(name, project.root))
        except LeafletError as exc:
            location = exc.location
            project_yaml = project.source_dir / "project.yaml"
            if not layout_names and location.path == Path("layouts") / name:
                # the name was typed in project.yaml: point there, not at a missing folder
                location = Location(project_yaml, project.settings.line_of("default_layout"))
                found.append(Finding("source", "error", location,
                                     f"default_layout: {exc.message}"))
            else:
                found.append(Finding("source", "error", location, exc.message))
    measured: dict[str, readability.Readability] = {}
    for slug, leaflet in sorted(project.leaflets.items()):
        found += metadata.check_leaflet(leaflet, ctx)
        grade_findings, measured[slug] = readability.check_leaflet(leaflet, ctx)
        found += grade_findings
        found += lists.check_leaflet(leaflet, ctx)
        found += images.check_leaflet(leaflet, ctx)
        found += glyphs.check_leaflet(leaflet, ctx)
        found += translations.check_leaflet(leaflet, ctx)
        found += marks.check_leaflet(leaflet, ctx)
    for booklet in project.booklets.values():
        found += images.check_booklet(booklet, ctx)
    found += metadata.check_project(ctx)
    found += glossary.check_project(ctx)
    for layout in ctx.layouts:
        found += clearprint.check_layout(layout, ctx)
        found += wordblocks.check_layout(layout, ctx)
    found += [finding("language-wording", d.location.path, d.location.line, d.message,
                      level=d.level) for d in language_diagnostics(
                          document_languages(project), [(lay.name, lay.folders)
                                                        for lay in ctx.layouts])]
    found = _without_disabled(found, ctx)
    # leaflets (and settings) in file order first, booklets last: a booklet's "(see above)"
    # points at a leaflet's messages, which must then be above it
    booklets_dir = project.source_dir / "booklets"
    found.sort(key=lambda f: (f.location.path.parent == booklets_dir, f.sort_key()))
    booklet_count = len(project.booklets) + len(project.failed_booklets)  # broken ones too
    return CheckReport(found, _summaries(project, measured, found), booklet_count,
                       ctx.max_grade)


def _without_disabled(found: list[Finding], ctx: CheckContext) -> list[Finding]:
    disabled = set(ctx.project.settings.check.disable)
    kept = [f for f in found if f.rule not in disabled or f.rule in ALWAYS_ON]
    project_yaml = ctx.project.source_dir / "project.yaml"
    line = ctx.project.settings.line_of("check.disable")
    for rule in sorted(disabled):
        if rule not in RULES:
            kept.append(finding("check-config", project_yaml, line,
                                f"check.disable: no rule '{rule}' (a typo?)"
                                + (did_you_mean(rule, RULES) or "; rules: " + ", ".join(
                                    r for r in RULES if r not in ALWAYS_ON))))
        elif rule in ALWAYS_ON:
            kept.append(finding("check-config", project_yaml, line,
                                f"check.disable: '{rule}' cannot be switched off"))
    return kept


def _summaries(project: Project, measured: dict[str, readability.Readability],
               found: list[Finding]) -> list[LeafletSummary]:
    per_slug: dict[str, Counter[str]] = {}
    for item in found:
        if item.slug:
            per_slug.setdefault(item.slug, Counter())[item.level] += 1
    rows: list[LeafletSummary] = []
    for slug in sorted(set(project.leaflets) | project.failed | project.withdrawn):
        counts = dict(per_slug.get(slug, Counter()))
        leaflet = project.leaflets.get(slug)
        if leaflet is None:
            status = "withdrawn" if slug in project.withdrawn else "unreadable"
            rows.append(LeafletSummary(slug, project.source_dir / f"{slug}.md", status,
                                       counts=counts))
            continue
        scores = measured[slug]
        rows.append(LeafletSummary(slug, leaflet.path, leaflet.meta.status, scores.grade,
                                   scores.smog, scores.words, scores.sentences, counts))
    return rows
