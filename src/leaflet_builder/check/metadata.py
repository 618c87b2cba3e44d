"""Check stage: metadata — approval, review dates, and the details every leaflet must show."""

from __future__ import annotations

import calendar
import datetime as dt

from leaflet_builder.check.context import CheckContext, finding
from leaflet_builder.check.findings import Finding
from leaflet_builder.model import Leaflet, primary_language

MAX_REVIEW_MONTHS = 36
DUE_SOON_MONTHS = 6


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_leaflet(leaflet: Leaflet, ctx: CheckContext) -> list[Finding]:
    """Approval fields and review dates of one leaflet."""
    meta, path, slug = leaflet.meta, leaflet.path, leaflet.slug
    found: list[Finding] = []
    if meta.status == "approved":
        missing = [name for name, value in (("reviewer", meta.reviewer),
                                            ("reviewed", meta.reviewed)) if not value]
        if not meta.sources:
            missing.append("sources (at least one)")
        for name in missing:
            found.append(finding("approval-fields", path, meta.line_of("status"),
                                 f"an approved leaflet needs {name}", slug=slug))
    due, reviewed = meta.review_due, meta.reviewed
    if due is None:
        return found
    due_line = meta.line_of("review_due") if "review_due" in dict(meta.field_lines) else \
        meta.line_of("reviewed")
    if reviewed is not None:
        if due <= reviewed:
            found.append(finding("review-order", path, due_line,
                                 f"review_due {due} must come after reviewed {reviewed}",
                                 slug=slug))
        elif due > add_months(reviewed, MAX_REVIEW_MONTHS):
            found.append(finding("review-interval", path, due_line,
                                 f"review_due {due} is more than {MAX_REVIEW_MONTHS} months after "
                                 f"reviewed {reviewed}; the latest is "
                                 f"{add_months(reviewed, MAX_REVIEW_MONTHS)}", slug=slug))
    if due < ctx.today:
        approved = meta.status == "approved"
        found.append(finding(
            "review-overdue", path, due_line,
            f"review was due on {due} ({(ctx.today - due).days} days ago)"
            + ("; the build refuses this leaflet until it is reviewed (or --allow-overdue)"
               if approved else "; review it before approval"),
            level="error" if approved else "warning", slug=slug))
    elif due <= add_months(ctx.today, DUE_SOON_MONTHS):
        found.append(finding("review-due-soon", path, due_line,
                             f"review is due on {due}, within {DUE_SOON_MONTHS} months: "
                             "plan it now", slug=slug))
    return found


PROJECT_DETAILS = (
    ("contact", "project-contact", "whom to contact (for example a nurse line)"),
    ("feedback", "project-feedback", "how to give feedback on the leaflet"),
    ("other_formats", "project-other-formats",
     "how to get the leaflet in other formats (large print, audio, other languages)"),
)


def check_project(ctx: CheckContext) -> list[Finding]:
    """The project names a contact, a way to give feedback and how to get other formats."""
    settings = ctx.project.settings
    path = ctx.project.source_dir / "project.yaml"
    found: list[Finding] = []
    for key, rule, what in PROJECT_DETAILS:
        if not (getattr(settings, key) or "").strip():
            found.append(finding(rule, path, 0,
                                 f"'{key}' is missing: every leaflet must say {what}; "
                                 f"add '{key}: ...' to project.yaml"))
    return found + _lines_in_other_languages(ctx)


def _lines_in_other_languages(ctx: CheckContext) -> list[Finding]:
    """One warning per language of the leaflets whose reader would get the project's contact,
    feedback or other-formats line in the project's language instead of their own."""
    settings = ctx.project.settings
    path = ctx.project.source_dir / "project.yaml"
    found: list[Finding] = []
    seen: set[str] = set()
    for slug, leaflet in sorted(ctx.project.leaflets.items()):
        language = leaflet.meta.language
        lines = settings.lines_for(language)
        if primary_language(language) == primary_language(settings.language) or \
                language.lower() in seen:
            continue
        seen.add(language.lower())
        missing = [key for key, _, _ in PROJECT_DETAILS
                   if (getattr(settings, key) or "").strip()
                   and not (getattr(lines, key, None) or "").strip()]
        if missing:
            listed = ", ".join(missing)
            found.append(finding(
                "project-lines-language", path, settings.line_of("languages"),
                f"{leaflet.path.name} is in '{language}' but project.yaml gives {listed} only "
                f"in '{settings.language}': its readers get them in that language; add "
                f"'languages: {{{language}: {{{missing[0]}: ...}}}}' to project.yaml with "
                "each line in that language", slug=slug))
    return found
