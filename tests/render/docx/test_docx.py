"""DOCX handouts read back with python-docx and the raw package: styles, lists, links, fields."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from leaflet_builder.layouts import available_layouts, load_layout
from leaflet_builder.model import glossary_terms
from leaflet_builder.project import Project, load_project
from leaflet_builder.render import RenderContext, get_renderer
from tests.helpers import SHIPPED_SOURCE, leaflet_text, make_project, png_bytes

W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
     "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
RT_LINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"

FEATURES = """\
## Before treatment

First list:

1. Ring the ward
2. Bring your letter

A paragraph between the lists, with [a website](https://example.org/help) and
[the other leaflet](other.md).

1. Second list first
2. Second list second
   - a nested bullet
     1. a nested number

### Costs

| Item | Price |
|:-----|------:|
| Parking | £3 |
| Tea | £1 |

![A nurse checking a drip](images/drip.png "The drip stand")

::: warning When to call us
Call straight away if you have:

- a fever
- new pain
:::
"""


def render(project: Project, slug: str, layout: str = "clinic", **settings: object) -> bytes:
    ctx = RenderContext(dataclasses.replace(project.settings, **settings),  # type: ignore[arg-type]
                        load_layout(layout, project.root), project.source_dir, project.titles(),
                        glossary_terms(project.leaflets.values()))
    return get_renderer("docx").render_leaflet(project.leaflets[slug], ctx)


def open_docx(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("docx")
    make_project(root, {
        "features": leaflet_text(FEATURES, title="Your treatment", summary="What to expect.",
                                 tags=["chemo", "day unit"], version="1.2", language="en-GB"),
        "other": leaflet_text("Other text.\n", title="The other leaflet", status="approved",
                              reviewed="2026-01-10", reviewer="Dr A", version="3"),
        "arabic": leaflet_text("## عنوان\n\nنص عربي.\n", title="عنوان", language="ar"),
    }, project={"organisation": "Example Clinic", "base_url": "https://example.org/leaflets"},
        files={"images/drip.png": png_bytes(1200, 600)})
    loaded = load_project(root / "source")
    assert not loaded.diagnostics.errors, loaded.diagnostics.items
    return loaded


@pytest.fixture(scope="module")
def features(project: Project) -> bytes:
    return render(project, "features")


def all_paragraphs(document: DocxDocument) -> list[DocxParagraph]:
    """Every paragraph of the body in reading order, those in tables (callout boxes) too."""
    return [DocxParagraph(p, document._body) for p in document.element.body.iter(qn("w:p"))]


def body_paragraphs(document: DocxDocument) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in all_paragraphs(document)]


def test_styles_come_from_the_layout_not_direct_formatting(features: bytes) -> None:
    document = open_docx(features)
    styles = document.styles
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "List Bullet",
                 "List Bullet 2", "List Bullet 3", "List Number", "List Number 2",
                 "List Number 3", "Callout Note", "Callout Tip", "Callout Warning",
                 "Callout Title", "Glossary Block", "About Details", "About Text", "Hyperlink",
                 "Leaflet Table"):
        assert name in styles, name
    clinic = load_layout("clinic", None)
    assert styles["Normal"].font.size.pt == round(float(clinic.setting("type", "body_pt")) * 2) / 2
    assert styles["Heading 1"].font.size.pt == float(clinic.setting("type", "h1_pt"))
    assert styles["Normal"].font.name == clinic.setting("fonts", "body")
    assert styles["Heading 1"].font.color.rgb == RGBColor.from_string("003087")
    # a callout is one box (a one-cell table) with the kind's bar on its side and its fill
    box = next(t for t in document.tables if "When to call us" in t.cell(0, 0).text)
    assert box._tbl.find("w:tblPr/w:tblBorders/w:left", W).get(qn("w:color")) == "b00020"
    assert box._tbl.find("w:tblPr/w:shd", W) is not None
    assert styles["Callout Warning"].element.find(".//w:pBdr", W) is None  # no box per paragraph
    paragraphs = body_paragraphs(document)
    assert ("Title", "Your treatment") in paragraphs
    assert ("Subtitle", "What to expect.") in paragraphs
    assert ("Heading 1", "Before treatment") in paragraphs
    assert ("Heading 2", "Costs") in paragraphs
    assert ("Callout Warning", "Important: When to call us") in paragraphs
    # no direct run formatting besides bold/italic: sizes and colours live in styles
    body = document.element.body
    assert not body.findall(".//w:r/w:rPr/w:sz", W)
    assert not body.findall(".//w:r/w:rPr/w:color", W)


def _num_ids(document: DocxDocument, texts: list[str]) -> list[tuple[int, int]]:
    found = []
    for paragraph in all_paragraphs(document):
        if paragraph.text in texts:
            num_pr = paragraph._p.pPr.find("w:numPr", W)
            found.append((int(num_pr.find("w:numId", W).get(qn("w:val"))),
                          int(num_pr.find("w:ilvl", W).get(qn("w:val")))))
    return found


def test_each_numbered_list_restarts_and_nesting_keeps_levels(features: bytes) -> None:
    document = open_docx(features)
    first = _num_ids(document, ["Ring the ward", "Bring your letter"])
    second = _num_ids(document, ["Second list first", "Second list second"])
    assert len({n for n, _ in first}) == 1 and len({n for n, _ in second}) == 1
    assert first[0][0] != second[0][0], "two lists share one numbering instance"
    numbering = document.part.numbering_part.element
    for num_id in (first[0][0], second[0][0]):
        num = numbering.find(f"w:num[@w:numId='{num_id}']", W)
        override = num.find("w:lvlOverride[@w:ilvl='0']/w:startOverride", W)
        assert override is not None and override.get(qn("w:val")) == "1"
        abstract_id = num.find("w:abstractNumId", W).get(qn("w:val"))
        lvl = numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract_id}']/w:lvl", W)
        assert lvl.find("w:numFmt", W).get(qn("w:val")) == "decimal"
    styles = {text: style for style, text in body_paragraphs(document)}
    assert styles["Ring the ward"] == "List Number"
    assert styles["a nested bullet"] == "List Bullet 2"
    assert styles["a nested number"] == "List Number 3"
    assert _num_ids(document, ["a nested bullet"])[0][1] == 1
    assert _num_ids(document, ["a nested number"])[0][1] == 2
    # bullets inside the callout keep the callout's box and are still a real list
    assert styles["a fever"] == "Callout Warning"
    assert _num_ids(document, ["a fever"])


def test_real_hyperlinks_and_leaflet_links(project: Project, features: bytes) -> None:
    document = open_docx(features)
    targets = {rel.target_ref for rel in document.part.rels.values() if rel.reltype == RT_LINK}
    assert "https://example.org/help" in targets
    assert "https://example.org/leaflets/other" in targets  # slug.md -> <base_url>/<slug>
    links = document.element.body.findall(".//w:hyperlink", W)
    assert links and all(link.get(qn("r:id")) in document.part.rels for link in links)
    run_styles = {r.find("w:rPr/w:rStyle", W).get(qn("w:val")) for link in links
                  for r in link.findall("w:r", W)}
    assert run_styles == {"Hyperlink"}
    # without base_url a link to another leaflet shows its text only
    plain = open_docx(render(project, "features", base_url=None))
    targets = {rel.target_ref for rel in plain.part.rels.values() if rel.reltype == RT_LINK}
    assert targets == {"https://example.org/help"}
    assert any("the other leaflet" in p.text for p in plain.paragraphs)


def test_table_has_a_repeating_header_row_and_no_merged_cells(features: bytes) -> None:
    document = open_docx(features)
    table = document.tables[0]
    assert table.style.name == "Leaflet Table"
    first_row = table.rows[0]._tr
    assert first_row.find("w:trPr/w:tblHeader", W) is not None
    assert all(row._tr.find("w:trPr/w:tblHeader", W) is None for row in table.rows[1:])
    assert not table._tbl.findall(".//w:gridSpan", W) and not table._tbl.findall(".//w:vMerge", W)
    assert [c.text for c in table.rows[0].cells] == ["Item", "Price"]
    assert table.rows[1].cells[1].paragraphs[0].alignment == 2  # right, as the source says
    assert table.rows[0].cells[0].paragraphs[0].style.name == "Table Heading"


def test_picture_is_inline_scaled_with_alt_text(features: bytes) -> None:
    document = open_docx(features)
    shapes = document.inline_shapes
    assert len(shapes) == 1
    doc_pr = shapes[0]._inline.docPr
    assert doc_pr.get("descr") == "A nurse checking a drip"
    assert "drip.png" not in (doc_pr.get("name") or "")
    section = document.sections[0]
    assert shapes[0].width <= section.page_width - section.left_margin - section.right_margin
    assert abs(shapes[0].width / shapes[0].height - 2.0) < 0.01
    assert ("Caption", "The drip stand") in body_paragraphs(document)
    assert not document.element.body.findall(".//wp:anchor", W)  # no floating pictures


def test_page_furniture_and_size(features: bytes) -> None:
    document = open_docx(features)
    section = document.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    page = load_layout("clinic", None).setting("page")
    assert round(section.left_margin / Mm(1)) == round(page["margin_left_mm"])
    assert round(section.top_margin / Mm(1)) == round(page["margin_top_mm"])
    header = [p.text for p in section.header.paragraphs]
    assert header == ["Example Clinic", "DRAFT — not for patient use"]
    footer = section.footer.paragraphs[0]
    instructions = [t.text.strip() for t in footer._p.findall(".//w:instrText", W)]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("Your treatment · DRAFT · Page ")
    assert " of " in footer.text


def test_properties_and_language(project: Project, features: bytes) -> None:
    document = open_docx(features)
    props = document.core_properties
    leaflet = project.leaflets["features"]
    assert props.title == "Your treatment"
    assert props.subject == "What to expect."
    assert props.keywords == "chemo, day unit"
    assert props.author == "Example Clinic"
    assert props.language == "en-GB"
    assert props.version == "1.2"
    assert props.content_status == "Draft"
    expected = leaflet.source_date.astimezone(dt.UTC).replace(microsecond=0)
    assert props.created == props.modified == expected  # from the source, not the clock
    lang = document.styles.element.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", W)
    assert lang.get(qn("w:val")) == "en-GB"


def test_right_to_left_leaflet(project: Project) -> None:
    document = open_docx(render(project, "arabic"))
    lang = document.styles.element.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", W)
    assert lang.get(qn("w:val")) == "ar" and lang.get(qn("w:bidi")) == "ar"
    heading = next(p for p in document.paragraphs if p.style.name == "Heading 1")
    assert heading._p.pPr.find("w:bidi", W) is not None
    assert heading.runs[0]._r.find("w:rPr/w:rtl", W) is not None
    assert document.sections[0]._sectPr.find("w:bidi", W) is not None


def _all_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return " ".join(package.read(n).decode("utf-8") for n in package.namelist()
                        if n.endswith(".xml"))


def test_draft_mark_only_on_drafts(project: Project, features: bytes) -> None:
    assert "DRAFT" in _all_text(features)
    approved = render(project, "other")
    assert "DRAFT" not in _all_text(approved)
    footer = open_docx(approved).sections[0].footer.paragraphs[0].text
    assert footer.startswith("The other leaflet · Version 3 · Page")


def test_bytes_are_deterministic(project: Project, features: bytes) -> None:
    assert render(project, "features") == features
    with zipfile.ZipFile(io.BytesIO(features)) as package:
        names = package.namelist()
        assert names[0] == "[Content_Types].xml"
        assert len({info.date_time for info in package.infolist()}) == 1
    assert not any(n.startswith(("docProps/thumbnail", "customXml", "word/theme")) for n in names)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    """Every shipped leaflet as a handout (rendered once for this module)."""
    out = tmp_path_factory.mktemp("shipped-docx")
    project = load_project(SHIPPED_SOURCE)
    for slug in project.leaflets:
        (out / f"{slug}.docx").write_bytes(render(project, slug))
    return project, out


def test_text_only_handouts_are_small(shipped: tuple[Project, Path]) -> None:
    project, out = shipped
    for slug in project.leaflets:
        size = (out / f"{slug}.docx").stat().st_size
        assert size < 60_000, (slug, size)


def _copy_layout(root: Path, name: str = "clinic") -> Path:
    target = root / "layouts" / name
    shutil.copytree(load_layout("clinic", None).folders[0], target)
    return target


def test_editing_a_shared_template_changes_the_docx(tmp_path: Path) -> None:
    make_project(tmp_path, {"one": leaflet_text("Body.\n")}, project={"organisation": "Org"})
    layout = _copy_layout(tmp_path)
    disclaimer = layout / "templates" / "shared" / "disclaimer.html"
    disclaimer.write_text('<p class="disclaimer">Ask the <strong>ward team</strong> first.</p>\n',
                          encoding="utf-8")
    document = open_docx(render(load_project(tmp_path / "source"), "one"))
    paragraphs = body_paragraphs(document)
    assert ("Disclaimer", "Ask the ward team first.") in paragraphs
    assert not any("does not replace advice" in text for _, text in paragraphs)


def test_project_reference_docx_supplies_styles_page_and_header(tmp_path: Path) -> None:
    make_project(tmp_path, {"one": leaflet_text("## A heading\n\n- item\n")},
                 project={"organisation": "Org"})
    folder = tmp_path / "layouts" / "branded"
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
    reference = docx.Document()
    section = reference.sections[0]
    section.page_width, section.page_height = Mm(216), Mm(279)  # US Letter
    section.left_margin = Mm(30)
    reference.styles["Heading 1"].font.color.rgb = RGBColor.from_string("C00000")
    section.header.is_linked_to_previous = False
    section.header.paragraphs[0].text = "LOGO"
    reference.add_paragraph("sample text the builder must drop")
    reference.save(str(folder / "reference.docx"))

    data = render(load_project(tmp_path / "source"), "one", layout="branded")
    document = open_docx(data)
    section = document.sections[0]
    assert round(section.page_width / Mm(1)) == 216 and round(section.left_margin / Mm(1)) == 30
    assert document.styles["Heading 1"].font.color.rgb == RGBColor.from_string("C00000")
    assert "Callout Warning" in document.styles  # what the reference lacks comes from the layout
    assert [p.text for p in section.header.paragraphs][:2] == ["LOGO", "Org"]
    texts = [p.text for p in document.paragraphs]
    assert "sample text the builder must drop" not in texts and "A heading" in texts
    assert not any(n.startswith("docProps/thumbnail") for n in zipfile.ZipFile(io.BytesIO(data))
                   .namelist())


def test_large_print_gives_at_least_16_point_text(tmp_path: Path) -> None:
    make_project(tmp_path, {"one": leaflet_text("Body.\n")})
    folder = tmp_path / "layouts" / "big"
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text("extends: clinic\ntype: {body_pt: 16, small_pt: 16}\n",
                                        encoding="utf-8")
    project = load_project(tmp_path / "source")
    layouts = ["big"] + (["large-print"] if "large-print" in available_layouts(None) else [])
    for name in layouts:
        document = open_docx(render(project, "one", layout=name))
        for style in document.styles:
            size = getattr(style, "font", None) and style.font.size
            if size is not None:
                assert size.pt >= 16, (name, style.name, size.pt)


def test_every_piece_of_every_shipped_leaflet(shipped: tuple[Project, Path]) -> None:
    from tests.content_inventory import inventory, missing

    project, out = shipped
    for slug, leaflet in project.leaflets.items():
        document = docx.Document(str(out / f"{slug}.docx"))
        cells = [p for t in document.tables for r in t.rows for c in r.cells for p in c.paragraphs]
        text = "\n".join(p.text for p in [*document.paragraphs, *cells])
        inv = inventory(leaflet)
        assert missing(inv.texts(), text) == [], slug
        descriptions = [s._inline.docPr.get("descr") for s in document.inline_shapes]
        assert sorted(descriptions) == sorted(inv.image_alts)
        targets = {r.target_ref for r in document.part.rels.values() if r.reltype == RT_LINK}
        assert set(inv.link_targets) <= targets, slug
        # the layout's heading in the leaflet's own language (the packaged catalogues)
        about = {"en": "About this leaflet", "cy": "Am y daflen hon", "ar": "عن هذه النشرة"}
        assert about[leaflet.meta.language.split("-")[0]] in text, slug
