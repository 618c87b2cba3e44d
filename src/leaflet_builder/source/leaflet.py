"""Reading one leaflet file: front matter -> LeafletMeta, body -> blocks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from leaflet_builder.errors import Diagnostic, Diagnostics, LeafletError, Level, Location
from leaflet_builder.model import (
    UNDATED,
    Asset,
    HeroImage,
    Leaflet,
    LeafletMeta,
    ProjectSettings,
    SourceRef,
)
from leaflet_builder.source.assets import resolve_asset
from leaflet_builder.source.files import read_source_text, text_digest
from leaflet_builder.source.markdown import parse_body
from leaflet_builder.source.references import check_references
from leaflet_builder.source.schema import SLUG_RE, FrontMatter, report_validation_error
from leaflet_builder.source.yamlmap import LinePath, load_yaml_with_lines

# Past this many messages a file is better fixed in rounds: the rest are counted in one line.
MAX_MESSAGES_PER_FILE = 50


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter YAML, body, number of lines before the body)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        first = next((i for i, line in enumerate(lines) if line.strip()), 0)
        if lines and lines[first].strip() == "---":  # only empty lines before it
            raise LeafletError(path, 1, "missing front matter: the '---' line must be the very "
                                        "first line — delete the empty line(s) above it")
        raise LeafletError(path, 1, "missing front matter: the file must start with a line '---', "
                                    "then 'title:', 'summary:' and 'status:', then '---'")
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 1
    raise LeafletError(path, 1, "front matter is not closed: add a line '---' after the last field")


def read_leaflet(
    path: Path, source_dir: Path, settings: ProjectSettings, diagnostics: Diagnostics,
    known: frozenset[str] | None = None,
) -> Leaflet | None:
    """Read and validate one leaflet; all its problems go to `diagnostics`, errors give None.

    `known`: the slugs of the project's leaflets, which `related` and `slug.md` links must
    name (not checked when None).
    """
    found = Diagnostics()
    try:
        leaflet = _read_leaflet(path, source_dir, settings, found, known)
    except LeafletError as exc:  # a mistake after which the rest of the file cannot be read
        found.items.append(exc.diagnostic)
        leaflet = None
    except RecursionError:
        found.error(path, 0, "the text is nested too deeply to read; simplify the lists "
                             "or emphasis")
        leaflet = None
    diagnostics.items.extend(in_line_order(path, found.items))
    return None if found.errors else leaflet


def in_line_order(path: Path, items: list[Diagnostic]) -> list[Diagnostic]:
    """One file's messages by line; past the cap, errors come before warnings, the rest counted."""
    by_line = sorted(items, key=lambda d: d.location.line)
    if len(by_line) <= MAX_MESSAGES_PER_FILE:
        return by_line
    ranked = sorted(by_line, key=lambda d: d.level != "error")  # stable: still by line
    shown, hidden = ranked[:MAX_MESSAGES_PER_FILE], ranked[MAX_MESSAGES_PER_FILE:]
    level: Level = "error" if any(d.level == "error" for d in hidden) else "warning"
    problems = "problem" if len(hidden) == 1 else "problems"
    more = Diagnostic(Location(path, 0), f"... and {len(hidden)} more {problems} in this file — "
                                         "fix the ones above and build again to see them", level)
    return [*sorted(shown, key=lambda d: d.location.line), more]


def _read_leaflet(
    path: Path, source_dir: Path, settings: ProjectSettings, diagnostics: Diagnostics,
    known: frozenset[str] | None,
) -> Leaflet | None:
    """Read one leaflet, recording mistakes and reading on; raise only when the rest is unreadable."""
    slug = path.stem
    if not SLUG_RE.fullmatch(slug):  # the content can still be read: report its problems too
        diagnostics.error(path, 0, f"file name '{path.name}' is not a valid slug: use lowercase "
                                   "letters, digits and hyphens, e.g. 'car-t-cell-therapy.md'")
    # These raise: a file too big, not UTF-8 or without its '---' lines has no text (or no
    # known start of the body) to read on in.
    text = read_source_text(path, root=source_dir)
    yaml_text, body, body_offset = split_front_matter(text, path)
    front, data, lines = _read_front_matter(yaml_text, path, diagnostics)
    blocks = parse_body(body, path, source_dir, body_offset, diagnostics)
    hero_asset = _check_hero_image(data, path, source_dir, lines, diagnostics)
    if known is not None and (front is None or front.status != "withdrawn"):  # not built
        related = (list(enumerate(front.related)) if front is not None
                   else _raw_related(data))
        related_lines = [(target, lines.get(("related", i), lines.get(("related",), 1)))
                         for i, target in related]
        check_references(slug, path, related_lines, blocks, known, diagnostics)
    # a cross-field rule, run on the fields as written: another field's mistake must not hide it
    _check_approval(data, path, lines, diagnostics)
    _check_translation_fields(data, path, lines, diagnostics)
    if front is None:
        return None
    hero = None
    if front.image is not None and hero_asset is not None:
        hero = HeroImage(hero_asset, front.image.alt)
    review_due = front.review_due
    if review_due is None and front.reviewed is not None:
        review_due = _add_years(front.reviewed, settings.review_interval_years)
    if diagnostics.errors:
        return None
    meta = LeafletMeta(
        title=front.title, summary=front.summary, status=front.status,
        language=front.language or settings.language, kind=front.kind,
        pronunciation=front.pronunciation, part_of_speech=front.part_of_speech,
        origin=front.origin, reviewed=front.reviewed, reviewer=front.reviewer,
        review_due=review_due, version=front.version,
        sources=tuple(SourceRef(s.title, s.url, s.accessed) for s in front.sources),
        related=tuple(front.related), tags=tuple(front.tags), image=hero,
        replaced_by=front.replaced_by, aliases=tuple(front.aliases),
        translation_of=front.translation_of, translation_version=front.translation_version,
        field_lines=tuple((str(key[0]), line) for key, line in lines.items() if len(key) == 1),
    )
    return Leaflet(slug=slug, path=path, meta=meta, blocks=blocks,
                   source_date=_source_date(front), source_digest=text_digest(text))


def _read_front_matter(
    yaml_text: str, path: Path, diagnostics: Diagnostics
) -> tuple[FrontMatter | None, dict[str, Any], dict[LinePath, int]]:
    """The validated front matter (None, reported, when wrong), its raw fields, each key's line.

    A broken front matter does not stop the reading: the body is read after it all the same.
    """
    try:
        data, lines = load_yaml_with_lines(yaml_text, path, first_line=2)
    except LeafletError as exc:
        diagnostics.items.append(exc.diagnostic)
        return None, {}, {}
    if not isinstance(data, dict):
        diagnostics.error(path, 2, "front matter must be a set of 'field: value' lines")
        return None, {}, lines
    try:
        return FrontMatter.model_validate(data), data, lines
    except ValidationError as exc:
        report_validation_error(exc, path, lines, diagnostics)
        return None, data, lines


def _raw_related(data: dict[str, Any]) -> list[tuple[int, str]]:
    """`related` as written (with each entry's index), when another field's mistake left no
    validated front matter."""
    value = data.get("related")
    if not isinstance(value, list):
        return []
    # an entry that is no slug at all is the schema's to report: one mistake, one message
    return [(i, item) for i, item in enumerate(value)
            if isinstance(item, str) and SLUG_RE.fullmatch(item)]


def _check_hero_image(
    data: dict[str, Any], path: Path, source_dir: Path, lines: dict[LinePath, int],
    diagnostics: Diagnostics,
) -> Asset | None:
    """The hero image's file, checked from the raw fields so that another field's mistake does
    not hide this one; None when absent (a missing or non-text `src` is the schema's to report)."""
    image = data.get("image")
    src = image.get("src") if isinstance(image, dict) else None
    if not isinstance(src, str) or not src.strip():
        return None
    try:  # the same whitespace rule as the schema's fields
        return resolve_asset(src.strip(), source_dir, path, lines.get(("image", "src"), 1))
    except LeafletError as exc:
        diagnostics.items.append(exc.diagnostic)
        return None


def _check_approval(
    data: dict[str, Any], path: Path, lines: dict[LinePath, int], diagnostics: Diagnostics
) -> None:
    """An approved leaflet must say who reviewed it and when (SOURCE-FORMAT: required when approved).

    Judged from the raw fields, so a bad `reviewed` date and a missing `reviewer` are both
    reported in one run; a field that is there but wrong is the schema's to report.
    """
    if data.get("status") != "approved":
        return
    for key in ("reviewed", "reviewer"):
        if data.get(key) is None:
            diagnostics.error(path, lines.get(("status",), 1),
                              f"{key}: required when status is 'approved' — add '{key}:' "
                              + ("with the date of the last review (YYYY-MM-DD)"
                                 if key == "reviewed" else "with the name of who reviewed it"))


def _check_translation_fields(
    data: dict[str, Any], path: Path, lines: dict[LinePath, int], diagnostics: Diagnostics
) -> None:
    """`translation_version` says which version of the original a translation follows; without
    `translation_of` there is no original, and the stale-translation check could never run."""
    if data.get("translation_version") is not None and data.get("translation_of") is None:
        diagnostics.error(path, lines.get(("translation_version",), 1),
                          "translation_version: only a translation has one — add "
                          "'translation_of:' with the slug of the original leaflet, or remove "
                          "this line")


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _source_date(front: FrontMatter) -> dt.datetime:
    """The date the content itself states (review, else latest source access), else UNDATED.

    Output dates come from here rather than the clock, so rebuilding changes nothing. Not the
    file's modification time: a checkout, a copy or a touch would change every output's bytes.
    """
    dates = [d for d in [front.reviewed, *(s.accessed for s in front.sources)] if d is not None]
    if dates:
        day = max(dates)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return UNDATED
