"""Pydantic schemas for front matter, project.yaml and booklets, and friendly error messages."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from leaflet_builder.errors import Diagnostics
from leaflet_builder.source.yamlmap import LinePath, UnreadableDate, line_for

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# BCP 47, loosely: a primary language subtag and optional subtags (en, en-GB, cy, ar-EG, zh-Hant)
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def suggest_slug(text: str) -> str | None:
    """`text` made into a slug (lowercase, hyphens for the rest), or None if nothing is left."""
    fixed = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return fixed if SLUG_RE.fullmatch(fixed) else None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _non_empty(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


def _language(value: str | None) -> str | None:
    if value is not None and not LANGUAGE_RE.fullmatch(value):
        raise ValueError("must be a BCP 47 language tag such as en, en-GB, cy or ar")
    return value


Keyed = TypeVar("Keyed")


def _language_keys(value: dict[str, Keyed], what: str) -> dict[str, Keyed]:
    """A mapping keyed by language (`languages:`, a booklet's `translations:`): each key a
    BCP 47 tag, or the message says what the entry was for."""
    for tag in value:
        if not LANGUAGE_RE.fullmatch(str(tag)):
            raise ValueError(f"'{tag}' is not a language tag: each entry is a BCP 47 tag such "
                             f"as cy or ar, with {what} in that language")
    return value


class SourceSchema(_Strict):
    title: str
    url: str | None = None
    accessed: dt.date | None = None

    _title = field_validator("title")(_non_empty)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s]+", value):
            raise ValueError("must be an http:// or https:// address")
        return value


class ImageSchema(_Strict):
    src: str
    alt: str

    _src = field_validator("src")(_non_empty)
    _alt = field_validator("alt")(_non_empty)


class FrontMatter(_Strict):
    title: str
    summary: str
    kind: Literal["article", "glossary"] = "article"
    pronunciation: str | None = None
    part_of_speech: str | None = None
    origin: str | None = None
    language: str | None = None
    status: Literal["draft", "approved", "withdrawn"]
    reviewed: dt.date | None = None
    reviewer: str | None = None
    review_due: dt.date | None = None
    version: str | None = None
    sources: list[SourceSchema] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    image: ImageSchema | None = None
    # version 2: addresses that never die (the web site keeps a page at each)
    replaced_by: str | None = None
    aliases: list[str] = Field(default_factory=list)
    # version 2: a translation names its original and the original's version it was made from
    translation_of: str | None = None
    translation_version: str | None = None

    _required_text = field_validator("title", "summary")(_non_empty)
    _lang = field_validator("language")(_language)

    @field_validator("version", "translation_version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        # `version: 1.2` is a float to YAML; authors mean the text they typed (1.10, not 1.1)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return getattr(value, "typed", "") or str(value)
        return value

    @field_validator("replaced_by", "translation_of")
    @classmethod
    def _one_slug(cls, value: str | None) -> str | None:
        if value is not None and not SLUG_RE.fullmatch(value):
            fixed = suggest_slug(value)
            hint = f" — write '{fixed}'" if fixed else ""
            raise ValueError(f"'{value}' is not a leaflet slug (lowercase letters, digits, "
                             f"hyphens){hint}")
        return value

    @field_validator("related", "aliases")
    @classmethod
    def _slugs(cls, value: list[str]) -> list[str]:
        for slug in value:
            if not SLUG_RE.fullmatch(slug):
                fixed = suggest_slug(slug)
                hint = f" — write '{fixed}'" if fixed else ""
                raise ValueError(f"'{slug}' is not a leaflet slug (lowercase letters, digits, "
                                 f"hyphens){hint}")
        return value


class CheckSchema(_Strict):
    max_grade: float = 8.0
    plain_terms: list[str] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)


class UrgentSchema(_Strict):
    """`urgent:` — the 24-hour line and fever threshold every leaflet's "When to call us" shows.

    One setting, not a number typed into every leaflet: UK acute oncology lines mostly use
    37.5°C, some 38°C, and a trust that changes its line or threshold changes it here once.
    """

    phone: str
    fever_threshold_c: float = Field(default=37.5, ge=37.0, le=39.0)
    emergency_number: str = "999"

    _phone = field_validator("phone", "emergency_number")(_non_empty)

    @field_validator("phone", "emergency_number")
    @classmethod
    def _dialable(cls, value: str) -> str:
        # the number becomes a tel: link; letters would make a link no phone can dial
        if not re.fullmatch(r"\+?[0-9][0-9 ()-]*", value):
            raise ValueError("must be a phone number of digits and spaces, such as "
                             "'0100 000 0000'")
        return value


class SiteSchema(_Strict):
    """`site:` — what the web site (dist/site/) offers beyond the run's own outputs."""

    large_print: bool = True  # each leaflet's large-print PDF, made with the site


class ProjectLinesSchema(_Strict):
    """`languages: {cy: {...}}` in project.yaml: the project's own lines in one more language,
    shown on leaflets (and guides, site pages) in that language instead of the project's."""

    contact: str | None = None
    feedback: str | None = None
    other_formats: str | None = None


class ProjectSchema(_Strict):
    organisation: str | None = None
    language: str = "en"
    contact: str | None = None
    base_url: str | None = None
    review_interval_years: int = Field(default=3, ge=1, le=10)
    default_layout: str = "clinic"
    feedback: str | None = None
    other_formats: str | None = None
    check: CheckSchema = CheckSchema()
    urgent: UrgentSchema | None = None
    site: SiteSchema = SiteSchema()
    languages: dict[str, ProjectLinesSchema] = {}

    _lang = field_validator("language")(_language)

    @field_validator("languages")
    @classmethod
    def _language_tags(cls, value: dict[str, ProjectLinesSchema]
                       ) -> dict[str, ProjectLinesSchema]:
        return _language_keys(value, "the contact, feedback and other_formats lines")

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s]+", value):
            raise ValueError("must be an http:// or https:// address")
        return value.rstrip("/") if value else value


class BookletTranslationSchema(_Strict):
    """One language version of a booklet (`translations: {cy: {...}}`): its own title, and the
    cover's alt text in that language when the booklet has a cover picture."""

    title: str
    subtitle: str | None = None
    cover: ImageSchema | None = None

    _title = field_validator("title")(_non_empty)


class BookletSchema(_Strict):
    title: str
    subtitle: str | None = None
    language: str | None = None
    leaflets: list[str]
    cover: ImageSchema | None = None
    # version 2: the same booklet built per language, each member replaced by its translation
    translations: dict[str, BookletTranslationSchema] = Field(default_factory=dict)

    _title = field_validator("title")(_non_empty)
    _lang = field_validator("language")(_language)

    @field_validator("translations")
    @classmethod
    def _languages(cls, value: dict[str, BookletTranslationSchema]
                   ) -> dict[str, BookletTranslationSchema]:
        return _language_keys(value, "the booklet's title")

    @field_validator("leaflets")
    @classmethod
    def _some_leaflets(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("must list at least one leaflet slug")
        return value


def report_validation_error(
    exc: ValidationError, path: Path, lines: dict[LinePath, int], diagnostics: Diagnostics,
    default_line: int = 1,
) -> None:
    """Turn each pydantic error into `path:line: field: what is wrong` for authors.

    One mistake gives one message: a typo'd field (`sumary:`) is reported as unknown with the
    field it was meant to be, and that field is then not also reported as missing.
    """
    errors = exc.errors()
    allowed = _allowed_fields(exc.title)
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    meant: dict[tuple[Any, ...], str] = {}  # an unknown field's location -> the field meant
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden" and loc:
            fields = allowed if len(loc) == 1 else _sibling_fields(errors, loc)
            guess = close_match(str(loc[-1]), fields)
            if guess is not None:
                meant[loc] = guess
    explained = {loc[:-1] + (guess,) for loc, guess in meant.items()} & missing
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "missing" and loc in explained:
            continue  # told already, as the typo that should have been this field
        line, message = _describe(error, loc, lines, default_line, allowed, meant.get(loc))
        diagnostics.error(path, line, message)


def close_match(word: str, choices: Iterable[str]) -> str | None:
    """The one choice `word` is most likely a typo of, or None when none is close."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' — did you mean 'x'?' when `word` looks like a typo of a choice, else ''."""
    guess = close_match(word, choices)
    return f" — did you mean '{guess}'?" if guess is not None else ""


def _sibling_fields(errors: list[Any], loc: tuple[Any, ...]) -> list[str]:
    """The fields a nested mapping (sources.0, image, check) may have: those reported missing
    there first (the likeliest meant), then the rest of its model's."""
    missing = [str(e["loc"][-1]) for e in errors
               if e["type"] == "missing" and tuple(e["loc"])[:-1] == loc[:-1]]
    nested = _NESTED.get(str(loc[0])) if len(loc) in (2, 3) else None
    return missing or (list(nested.model_fields) if nested is not None else [])


def _describe(
    error: Any, loc: tuple[Any, ...], lines: dict[LinePath, int], default_line: int,
    allowed: list[str], meant: str | None,
) -> tuple[int, str]:
    """The line and the author's words for one pydantic error."""
    field = ".".join(str(part) for part in loc) or "(document)"
    kind = error["type"]
    line = line_for(lines, loc, default_line)
    if kind == "missing":
        line = default_line if len(loc) == 1 else line_for(lines, loc[:-1], default_line)
        name = loc[-1] if loc else "field"
        where = "" if len(loc) == 1 else " in this entry"
        return line, f"{field}: required field is missing — add a line '{name}: ...'{where}"
    if kind == "extra_forbidden":
        if meant is not None:
            return line, f"unknown field '{field}' — did you mean '{meant}'?"
        message = f"unknown field '{field}' (a typo?)"
        if allowed and len(loc) == 1:
            message += f"; allowed fields: {', '.join(allowed)}"
        return line, message
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        got = error.get("input")
        hint = did_you_mean(got, re.findall(r"'([^']*)'", expected)) if isinstance(got, str) else ""
        return line, f"{field}: must be {expected} (got {got!r}){hint}"
    got = error.get("input")
    if isinstance(got, UnreadableDate):
        return line, (f"{field}: invalid value ({got.problem}) — dates are written YYYY-MM-DD; "
                      "put other text in quotes")
    if kind.startswith("date"):
        return line, f"{field}: must be a date written YYYY-MM-DD (got {error.get('input')!r})"
    wants = {"string_type": "text", "list_type": "a list", "dict_type": "a mapping",
             "model_type": "a mapping", "int_type": "a whole number",
             "int_parsing": "a whole number", "float_type": "a number",
             "float_parsing": "a number"}
    how = {"list_type": " — put each item on its own line below, starting with '- '",
           "dict_type": " — put its fields on the lines below, indented by two spaces",
           "model_type": " — put its fields on the lines below, indented by two spaces"}
    if kind in wants:
        return line, f"{field}: must be {wants[kind]} (got {got!r}){how.get(kind, '')}"
    text = str(error["msg"]).removeprefix("Value error, ")
    return line, f"{field}: {text}"


# the model of each nested mapping, by the top-level field that holds it
_NESTED: dict[str, type[BaseModel]] = {
    "sources": SourceSchema, "image": ImageSchema, "cover": ImageSchema, "check": CheckSchema,
    "site": SiteSchema, "translations": BookletTranslationSchema,
}


def _allowed_fields(model_name: str) -> list[str]:
    models: dict[str, type[BaseModel]] = {
        "FrontMatter": FrontMatter, "ProjectSchema": ProjectSchema, "BookletSchema": BookletSchema,
        "SourceSchema": SourceSchema, "ImageSchema": ImageSchema, "CheckSchema": CheckSchema,
        "SiteSchema": SiteSchema, "BookletTranslationSchema": BookletTranslationSchema,
    }
    model = models.get(model_name)
    return list(model.model_fields) if model else []
