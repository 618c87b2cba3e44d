"""Rendering stage: one module per format, all reading the same model and shared blocks.

Adding a format is one module with a `RENDERER` plus one line in the table of formats
(`render/formats.py`), which says everything else the build needs to know about it.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from leaflet_builder.model import Booklet, Leaflet, ProjectSettings
from leaflet_builder.render.formats import FORMATS

if TYPE_CHECKING:  # not at run time: `leaflet --help` must not load Jinja2 and YAML
    from leaflet_builder.layouts import Layout


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
    """What each format module exports as `RENDERER`: how to render, nothing more.

    What the format is — its name, extension, whether booklets have it — is written once, in
    the table (render/formats.py): the build reads it there without importing a renderer.
    A format without booklets raises NotImplementedError from render_booklet.
    """

    def render_leaflet(self, leaflet: Leaflet, ctx: RenderContext) -> bytes: ...

    def render_booklet(self, booklet: Booklet, leaflets: list[Leaflet], ctx: RenderContext) -> bytes: ...


def get_renderer(fmt: str) -> Renderer:
    """The renderer of a format in the table (render/formats.py), its module imported now."""
    module = FORMATS[fmt].module
    if module is None:
        raise ValueError(f"the {fmt} format has no renderer of single documents")
    renderer: Renderer = importlib.import_module(module).RENDERER
    return renderer
