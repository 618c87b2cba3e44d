"""Reader unit tests: Markdown and front matter become the typed model, with source lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from leaflet_builder.errors import Diagnostics
from leaflet_builder.model import (
    Callout,
    Code,
    Emphasis,
    Heading,
    Image,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    ProjectSettings,
    Strong,
    Table,
    Text,
    plain_text,
)
from leaflet_builder.project import load_project
from leaflet_builder.source.leaflet import read_leaflet
from tests.helpers import leaflet_text, make_project, png_bytes

BODY = """\
Intro with **bold**, *soft*, `code` and a [link](https://example.org).\\
After a break, see [the other one](other.md).

## First section

1. one
   - nested bullet
     1. deeper number
2. two

### A subsection

| Drug | Use |
|:-----|----:|
| A    | B   |
| C    | D   |

::: warning Call us
Ring if you feel unwell.

- fever
:::

![A blue square](images/square.png)
"""


def read(tmp_path: Path, text: str, files: dict[str, bytes] | None = None):
    source = make_project(tmp_path, {"one": text}, files=files)
    diagnostics = Diagnostics()
    leaflet = read_leaflet(source / "one.md", source, ProjectSettings(language="en-GB"), diagnostics)
    return leaflet, diagnostics


def test_body_becomes_typed_blocks_with_lines(tmp_path: Path) -> None:
    text = leaflet_text(BODY)
    leaflet, diagnostics = read(tmp_path, text, {"images/square.png": png_bytes()})
    assert leaflet is not None, diagnostics.items
    kinds = [type(b).__name__ for b in leaflet.blocks]
    assert kinds == ["Paragraph", "Heading", "ListBlock", "Heading", "Table", "Callout", "Image"]
    lines = text.split("\n")
    for block in leaflet.blocks:
        # every block's line is where its source starts in the file
        assert lines[block.line - 1].strip(), block
    intro = leaflet.blocks[0]
    assert isinstance(intro, Paragraph)
    types = [type(n) for n in intro.children]
    assert Strong in types and Emphasis in types and Code in types and LineBreak in types
    links = [n for n in intro.children if isinstance(n, Link)]
    assert links[0].href == "https://example.org"
    assert links[1].target_slug == "other" and links[1].href == ""
    heading = leaflet.blocks[1]
    assert isinstance(heading, Heading) and heading.level == 1 and heading.anchor == "first-section"
    assert lines[heading.line - 1] == "## First section"
    sub = leaflet.blocks[3]
    assert isinstance(sub, Heading) and sub.level == 2


def test_lists_nest_to_any_depth_and_mix_kinds(tmp_path: Path) -> None:
    leaflet, _ = read(tmp_path, leaflet_text(BODY), {"images/square.png": png_bytes()})
    assert leaflet is not None
    outer = leaflet.blocks[2]
    assert isinstance(outer, ListBlock) and outer.ordered and len(outer.items) == 2
    inner = outer.items[0].blocks[1]
    assert isinstance(inner, ListBlock) and not inner.ordered
    deepest = inner.items[0].blocks[1]
    assert isinstance(deepest, ListBlock) and deepest.ordered
    assert plain_text(deepest.items[0].blocks[0].children) == "deeper number"  # type: ignore[union-attr]


def test_table_callout_and_image(tmp_path: Path) -> None:
    leaflet, _ = read(tmp_path, leaflet_text(BODY), {"images/square.png": png_bytes(40, 30)})
    assert leaflet is not None
    table = leaflet.blocks[4]
    assert isinstance(table, Table)
    assert [plain_text(c.children) for c in table.header] == ["Drug", "Use"]
    assert [[plain_text(c.children) for c in row] for row in table.rows] == [["A", "B"], ["C", "D"]]
    assert table.header[0].align == "left" and table.header[1].align == "right"
    callout = leaflet.blocks[5]
    assert isinstance(callout, Callout) and callout.callout == "warning"
    assert plain_text(callout.title) == "Call us"
    assert [type(b) for b in callout.blocks] == [Paragraph, ListBlock]
    image = leaflet.blocks[6]
    assert isinstance(image, Image) and image.alt == "A blue square"
    assert (image.asset.width, image.asset.height, image.asset.media_type) == (40, 30, "image/png")
    assert image.asset.relative == "images/square.png"


def test_front_matter_becomes_metadata(tmp_path: Path) -> None:
    text = leaflet_text(
        "Text.\n", title="Interferons", summary="What interferons are.", kind="glossary",
        pronunciation="in-ter-FEER-onz", part_of_speech="noun", origin="From interfere.",
        status="approved", reviewed=dt.date(2025, 3, 1), reviewer="Clinical editor",
        version=1.2, sources=[{"title": "NHS", "url": "https://www.nhs.uk",
                               "accessed": dt.date(2025, 2, 1)}],
        tags=["treatment"],
    )
    leaflet, diagnostics = read(tmp_path, text)
    assert leaflet is not None, diagnostics.items
    meta = leaflet.meta
    assert meta.kind == "glossary" and meta.pronunciation == "in-ter-FEER-onz"
    assert meta.language == "en-GB"  # from the project
    assert meta.version == "1.2"  # YAML's float kept as the text the author typed
    assert meta.review_due == dt.date(2028, 3, 1)  # reviewed + default interval of 3 years
    assert meta.sources[0].accessed == dt.date(2025, 2, 1)
    assert not meta.is_draft
    assert meta.line_of("reviewer") == text.split("\n").index("reviewer: Clinical editor") + 1


def test_review_due_interval_comes_from_project(tmp_path: Path) -> None:
    source = make_project(tmp_path, {"one": leaflet_text(
        status="approved", reviewed=dt.date(2024, 2, 29), reviewer="Editor",
        sources=[{"title": "NHS"}])}, project={"review_interval_years": 2})
    project = load_project(source)
    assert project.leaflets["one"].meta.review_due == dt.date(2026, 2, 28)


def test_soft_breaks_become_spaces_and_text_runs_merge(tmp_path: Path) -> None:
    leaflet, diagnostics = read(tmp_path, leaflet_text("one\ntwo & <three> four\n"))
    assert leaflet is not None
    paragraph = leaflet.blocks[0]
    assert isinstance(paragraph, Paragraph)
    assert paragraph.children == (Text("one two &  four"),)
    assert [d.level for d in diagnostics.items] == ["warning"]  # the raw tag, dropped


def test_anchors_are_unique(tmp_path: Path) -> None:
    leaflet, _ = read(tmp_path, leaflet_text("## Side effects\n\n## Side effects\n"))
    assert leaflet is not None
    assert [b.anchor for b in leaflet.blocks if isinstance(b, Heading)] == [
        "side-effects", "side-effects-2"]


@pytest.mark.parametrize("ending", ["\r\n", "\n"])
def test_crlf_and_bom_are_accepted(tmp_path: Path, ending: str) -> None:
    text = "\ufeff" + leaflet_text("## Head\n\nText.\n").replace("\n", ending)
    leaflet, diagnostics = read(tmp_path, text)
    assert leaflet is not None, diagnostics.items
    assert leaflet.meta.title == "A test leaflet"
    assert leaflet.blocks[0].line == 6


def test_image_path_with_spaces_is_found(tmp_path: Path) -> None:
    leaflet, diagnostics = read(tmp_path, leaflet_text("![A chart](<images/a chart.png>)\n"),
                                {"images/a chart.png": png_bytes()})
    assert leaflet is not None, [d.display() for d in diagnostics.items]
    image = leaflet.blocks[0]
    assert isinstance(image, Image) and image.asset.relative == "images/a chart.png"


def test_percent_encoded_escape_is_still_refused(tmp_path: Path) -> None:
    leaflet, diagnostics = read(tmp_path, leaflet_text("![x](%2e%2e/secret.png)\n"),
                                {"../secret.png": png_bytes()})
    assert leaflet is None
    assert "leads outside source/" in diagnostics.errors[0].message
