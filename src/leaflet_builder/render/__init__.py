"""Rendering stage: one module per format, all reading the same model and shared blocks.

Adding a format is one module with a `RENDERER` plus one line in `FORMATS`.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from leaflet_builder.model import Booklet, Leaflet, ProjectSettings

if TYPE_CHECKING:  # not at run time: `leaflet --help` must not load Jinja2 and YAML
    from leaflet_builder.layouts import Layout

# format -> module; import is lazy so `leaflet --help` does not load WeasyPrint
FORMATS: dict[str, str] = {
    "pdf": "leaflet_builder.render.pdf",
    "docx": "leaflet_builder.render.docx",
    "epub": "leaflet_builder.render.epub",
    "html": "leaflet_builder.render.html",
}
# formats whose RENDERER.supports_booklets is True, known without importing them (a no-op
# rebuild must not load WeasyPrint); tests/test_build.py checks this matches the renderers
BOOKLET_FORMATS: frozenset[str] = frozenset({"pdf", "epub"})
# the web site (render/site/) is made from the other outputs after they are written, so it
# is a format of the build but not a renderer of single documents
SITE_FORMAT = "site"
ALL_FORMATS: tuple[str, ...] = (*FORMATS, SITE_FORMAT)


@dataclass(frozen=True)
class RenderContext:
    """Everything a renderer may know besides the document: per-run, picklable, no globals."""

    settings: ProjectSettings
    layout: Layout
    source_dir: Path
    titles: Mapping[str, str] = field(default_factory=dict)  # slug -> title of every leaflet
    glossary: Mapping[str, str] = field(default_factory=dict)  # glossary slug -> term
    build_date: dt.datetime | None = None  # from SOURCE_DATE_EPOCH, when set
    # slug -> its translation family, (slug, language, title) each, the original first
    # (project.translation_families): "This leaflet in other languages"
    translations: Mapping[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict)


class Renderer(Protocol):
    """What each format module exports as `RENDERER`."""

    format: str
    extension: str
    supports_booklets: bool

    def render_leaflet(self, leaflet: Leaflet, ctx: RenderContext) -> bytes: ...

    def render_booklet(self, booklet: Booklet, leaflets: list[Leaflet], ctx: RenderContext) -> bytes: ...


def get_renderer(fmt: str) -> Renderer:
    module = importlib.import_module(FORMATS[fmt])
    renderer: Renderer = module.RENDERER
    return renderer
