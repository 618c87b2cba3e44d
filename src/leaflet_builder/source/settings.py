"""Reading `project.yaml` and booklet files into settings and Booklet models."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from leaflet_builder.errors import Diagnostics, LeafletError
from leaflet_builder.model import (
    Booklet,
    BookletTranslation,
    CheckSettings,
    HeroImage,
    ProjectLines,
    ProjectSettings,
    SiteSettings,
    UrgentSettings,
    primary_language,
)
from leaflet_builder.source.assets import resolve_asset
from leaflet_builder.source.files import read_source_text, text_digest
from leaflet_builder.source.schema import (
    SLUG_RE,
    BookletSchema,
    ProjectSchema,
    report_validation_error,
)
from leaflet_builder.source.yamlmap import LinePath, load_yaml_with_lines

LineMap = dict[LinePath, int]


SchemaT = TypeVar("SchemaT", bound=BaseModel)


def _read_yaml_file(
    path: Path, source_dir: Path, schema: type[SchemaT], shape_hint: str,
    diagnostics: Diagnostics, empty_ok: bool = False,
) -> tuple[SchemaT, LineMap, str] | None:
    """Read a YAML settings file and validate it; errors go to `diagnostics` and give None.

    Also returns the digest of the text read (Booklet.source_digest).
    """
    lines: LineMap = {}
    try:
        text = read_source_text(path, root=source_dir)
        data, lines = load_yaml_with_lines(text, path)
        if data is None and empty_ok:
            data = {}
        if not isinstance(data, dict):
            raise LeafletError(path, 1, shape_hint)
        return schema.model_validate(data), lines, text_digest(text)
    except LeafletError as exc:
        diagnostics.items.append(exc.diagnostic)
    except ValidationError as exc:
        report_validation_error(exc, path, lines, diagnostics)
    return None


def read_project_settings(source_dir: Path, diagnostics: Diagnostics) -> ProjectSettings | None:
    """Read `source/project.yaml` if present; None (with errors reported) when it is invalid."""
    path = source_dir / "project.yaml"
    if not path.exists():
        return ProjectSettings()
    read = _read_yaml_file(path, source_dir, ProjectSchema,
                           "project.yaml must be a set of 'setting: value' lines", diagnostics,
                           empty_ok=True)
    if read is None:
        return None
    schema, lines, _ = read
    return ProjectSettings(
        organisation=schema.organisation, language=schema.language, contact=schema.contact,
        base_url=schema.base_url, review_interval_years=schema.review_interval_years,
        default_layout=schema.default_layout, feedback=schema.feedback,
        other_formats=schema.other_formats,
        check=CheckSettings(schema.check.max_grade, tuple(schema.check.plain_terms),
                            tuple(schema.check.disable)),
        urgent=UrgentSettings(schema.urgent.phone, schema.urgent.fever_threshold_c,
                              schema.urgent.emergency_number) if schema.urgent else None,
        site=SiteSettings(large_print=schema.site.large_print),
        languages=tuple((tag, ProjectLines(lines.contact, lines.feedback, lines.other_formats))
                        for tag, lines in schema.languages.items()),
        field_lines=tuple((".".join(str(part) for part in key), line)
                          for key, line in lines.items()
                          if key and all(isinstance(part, str) for part in key)),
    )


def read_booklet(
    path: Path, source_dir: Path, settings: ProjectSettings, diagnostics: Diagnostics
) -> Booklet | None:
    """Read one booklet (with the lines of its fields and members); None on errors."""
    if not SLUG_RE.fullmatch(path.stem):
        diagnostics.error(path, 0, f"file name '{path.name}' is not a valid slug: use "
                                   "lowercase letters, digits and hyphens")
        return None
    read = _read_yaml_file(path, source_dir, BookletSchema,
                           "a booklet must be a set of 'field: value' lines with at least "
                           "'title' and 'leaflets'", diagnostics)
    if read is None:
        return None
    schema, lines, digest = read
    cover = None
    if schema.cover is not None:
        try:
            asset = resolve_asset(schema.cover.src, source_dir, path,
                                  lines.get(("cover", "src"), 1))
        except LeafletError as exc:
            diagnostics.items.append(exc.diagnostic)
            return None
        cover = HeroImage(asset, schema.cover.alt)
    language = schema.language or settings.language
    translations = _booklet_translations(schema, language, path, source_dir, lines, diagnostics,
                                         has_cover=cover is not None)
    if translations is None:
        return None
    booklet = Booklet(
        slug=path.stem, path=path, title=schema.title,
        language=language, leaflets=tuple(schema.leaflets),
        subtitle=schema.subtitle, cover=cover, source_digest=digest, translations=translations,
        field_lines=tuple((str(key[0]), line) for key, line in lines.items() if len(key) == 1),
        member_lines=tuple(lines.get(("leaflets", i), 1) for i in range(len(schema.leaflets))),
    )
    return booklet


def _booklet_translations(
    schema: BookletSchema, language: str, path: Path, source_dir: Path, lines: LineMap,
    diagnostics: Diagnostics, has_cover: bool,
) -> tuple[BookletTranslation, ...] | None:
    """The booklet's language versions; None (reported) when one is wrong."""
    found: list[BookletTranslation] = []
    ok = True
    for tag, entry in schema.translations.items():
        line = lines.get(("translations", tag), 1)
        if primary_language(tag) == primary_language(language):
            diagnostics.error(path, line, f"translations: '{tag}' is the booklet's own language "
                                          f"({language}) — list only the other languages")
            ok = False
            continue
        cover = None
        if entry.cover is not None:
            try:
                asset = resolve_asset(entry.cover.src, source_dir, path,
                                      lines.get(("translations", tag, "cover", "src"), line))
            except LeafletError as exc:
                diagnostics.items.append(exc.diagnostic)
                ok = False
                continue
            cover = HeroImage(asset, entry.cover.alt)
        elif has_cover:
            # the picture's alt text is words too: a Welsh guide must describe its cover in Welsh
            diagnostics.error(path, line, f"translations.{tag}: the booklet has a cover picture; "
                                          f"add 'cover:' with its src and its alt text in {tag}")
            ok = False
            continue
        found.append(BookletTranslation(tag, entry.title, entry.subtitle, cover, line))
    return tuple(found) if ok else None
