"""Pydantic schemas for front matter, project.yaml and booklets, and friendly error messages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from leaflet_builder.errors import Diagnostics
from leaflet_builder.source.yamlmap import LinePath, line_for

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# BCP 47, loosely: a primary language subtag and optional subtags (en, en-GB, cy, ar-EG, zh-Hant)
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


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

    _required_text = field_validator("title", "summary")(_non_empty)
    _lang = field_validator("language")(_language)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        # `version: 1.2` is a float to YAML; authors mean the text they typed
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @field_validator("replaced_by")
    @classmethod
    def _replacement_slug(cls, value: str | None) -> str | None:
        if value is not None and not SLUG_RE.fullmatch(value):
            raise ValueError(f"'{value}' is not a leaflet slug (lowercase letters, digits, hyphens)")
        return value

    @field_validator("related", "aliases")
    @classmethod
    def _slugs(cls, value: list[str]) -> list[str]:
        for slug in value:
            if not SLUG_RE.fullmatch(slug):
                raise ValueError(f"'{slug}' is not a leaflet slug (lowercase letters, digits, hyphens)")
        return value


class CheckSchema(_Strict):
    max_grade: float = 8.0
    plain_terms: list[str] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)


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

    _lang = field_validator("language")(_language)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s]+", value):
            raise ValueError("must be an http:// or https:// address")
        return value.rstrip("/") if value else value


class BookletSchema(_Strict):
    title: str
    subtitle: str | None = None
    language: str | None = None
    leaflets: list[str]
    cover: ImageSchema | None = None

    _title = field_validator("title")(_non_empty)
    _lang = field_validator("language")(_language)

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
    """Turn each pydantic error into `path:line: field: what is wrong` for authors."""
    allowed = None
    for error in exc.errors():
        loc = tuple(error["loc"])
        field = ".".join(str(part) for part in loc) or "(document)"
        kind = error["type"]
        line = line_for(lines, loc, default_line)
        if kind == "missing":
            message = f"{field}: required field is missing"
            line = default_line if len(loc) == 1 else line_for(lines, loc[:-1], default_line)
        elif kind == "extra_forbidden":
            if allowed is None:
                allowed = _allowed_fields(exc.title)
            message = f"unknown field '{field}' (a typo?)"
            if allowed and len(loc) == 1:
                message += f"; allowed fields: {', '.join(allowed)}"
        elif kind == "literal_error":
            expected = error.get("ctx", {}).get("expected", "")
            message = f"{field}: must be {expected} (got {error.get('input')!r})"
        elif kind.startswith("date"):
            message = f"{field}: must be a date written YYYY-MM-DD (got {error.get('input')!r})"
        elif kind in {"string_type", "list_type", "dict_type", "model_type", "int_type",
                      "float_type", "int_parsing", "float_parsing"}:
            want = {"string_type": "text", "list_type": "a list", "dict_type": "a mapping",
                    "model_type": "a mapping", "int_type": "a whole number",
                    "int_parsing": "a whole number", "float_type": "a number",
                    "float_parsing": "a number"}[kind]
            message = f"{field}: must be {want} (got {error.get('input')!r})"
        else:
            text = str(error["msg"]).removeprefix("Value error, ")
            message = f"{field}: {text}"
        diagnostics.error(path, line, message)


def _allowed_fields(model_name: str) -> list[str]:
    models: dict[str, type[BaseModel]] = {
        "FrontMatter": FrontMatter, "ProjectSchema": ProjectSchema, "BookletSchema": BookletSchema,
        "SourceSchema": SourceSchema, "ImageSchema": ImageSchema, "CheckSchema": CheckSchema,
    }
    model = models.get(model_name)
    return list(model.model_fields) if model else []
