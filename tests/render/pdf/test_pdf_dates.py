"""PDF dates come from the content, never the clock — embedded fonts included."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest

from leaflet_builder.layouts import load_layout
from leaflet_builder.project import load_project
from leaflet_builder.render import RenderContext, get_renderer
from tests.helpers import leaflet_text, make_project

REVIEWED = dt.date(2026, 3, 1)
FONT_EPOCH = dt.datetime(1904, 1, 1, tzinfo=dt.UTC)  # OpenType `head` dates count from here


def test_embedded_fonts_carry_the_documents_date_not_the_clock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Arabic text uses Noto Sans Arabic, a variable font that is rewritten when embedded
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    source = make_project(tmp_path, {"ar": leaflet_text(
        "## عنوان\n\nنص عربي قصير.\n", title="مرحبا", language="ar", status="approved",
        reviewed=REVIEWED, reviewer="Editor", sources=[{"title": "NHS"}])})
    project = load_project(source)
    ctx = RenderContext(project.settings, load_layout("clinic", None), project.source_dir,
                        project.titles())
    pdf = get_renderer("pdf").render_leaflet(project.leaflets["ar"], ctx)

    import pikepdf
    from fontTools.ttLib import TTFont

    expected = int((dt.datetime(2026, 3, 1, tzinfo=dt.UTC) - FONT_EPOCH).total_seconds())
    fonts = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for obj in document.objects:
            if isinstance(obj, pikepdf.Stream) and "/Length1" in obj:  # an embedded TrueType
                fonts.append(TTFont(io.BytesIO(obj.read_bytes())))
    from leaflet_builder.render.fonts import font_files

    packaged = {TTFont(path)["head"].modified for path in font_files()}
    dates = {font["head"].modified for font in fonts}
    # a font embedded as it is keeps its file's date; one rewritten (a variable-font
    # instance) gets the document's date — never the moment of the build
    assert fonts and dates <= packaged | {expected}, (dates, packaged, expected)
    assert expected in dates, "expected the Arabic font to be rewritten and dated"
    assert "SOURCE_DATE_EPOCH" not in os.environ  # the renderer leaves the environment as it was
