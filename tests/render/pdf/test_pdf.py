"""PDF outputs opened with independent readers: pikepdf (structure), pdfplumber (text, sizes),
poppler and zbar (rendered pages). One build of a small project in all three PDF layouts."""

from __future__ import annotations

import collections
import itertools
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO, leaflet_text, make_project, png_bytes, require_tool, run_cli

pikepdf = pytest.importorskip("pikepdf")
pdfplumber = pytest.importorskip("pdfplumber")

BASE_URL = "https://example.org/leaflets"
LAYOUTS = ("clinic", "print", "large-print")
MM = 72 / 25.4
SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01T00:00:00Z

APPROVED_BODY = """\
## What it is

Immunotherapy helps your immune system find and kill cancer cells. Read more at the
[Cancer Research UK website](https://www.cancerresearchuk.org/immunotherapy). See also
[the draft leaflet](draft.md).

### How it is given

1. Through a drip into a vein.
2. As an injection under the skin.

- tiredness
- a rash
  - itchy skin

| Treatment | What it does |
|-----------|--------------|
| Rituximab | Locks on to a protein on B cells |
| Interferon | Boosts the immune system |

![A nurse setting up a drip](images/drip.png)

::: note Good to know
Your care team will tell you what to expect.
:::

::: tip Keep your card with you
Show it to any doctor.
:::

::: warning When to call your care team
Call if you have a fever of 38°C or higher.
:::
"""

DRAFT_BODY = "## About it\n\n" + "This treatment is still being written up for patients. " * 40 + "\n"
ARABIC_BODY = "## ما هو العلاج المناعي\n\nالعلاج المناعي هو علاج للسرطان يساعد جهازك المناعي.\n"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small project built once in every PDF layout, with a fixed SOURCE_DATE_EPOCH."""
    root = tmp_path_factory.mktemp("pdf")
    make_project(root, {
        "approved": leaflet_text(APPROVED_BODY, title="Immunotherapy", status="approved",
                                 version="2.1", reviewed="2025-06-01", reviewer="Dr A Nurse",
                                 related=["draft"]),
        "draft": leaflet_text(DRAFT_BODY, title="A draft leaflet"),
        "arabic": leaflet_text(ARABIC_BODY, title="العلاج المناعي", summary="علاج للسرطان.",
                               language="ar"),
    }, project={"organisation": "Example Cancer Centre", "language": "en-GB",
                "base_url": BASE_URL},
       booklets={"guide": {"title": "A guide for patients",
                           "leaflets": ["approved", "draft", "arabic"]}},
       files={"images/drip.png": png_bytes(300, 150)})
    args = ["build", "--format", "pdf"] + [f"--layout={name}" for name in LAYOUTS]
    result = run_cli(*args, cwd=root, env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
    assert result.returncode == 0, result.stderr
    return root / "dist"


def open_pdf(dist: Path, layout: str, slug: str) -> Any:
    return pikepdf.open(dist / layout / f"{slug}.pdf")


def page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def struct_elements(pdf: Any) -> list[Any]:
    """Every structure element of the tagged PDF, depth first."""
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            walk(node.get("/K"))

    walk(pdf.Root.StructTreeRoot.K)
    return found


def layout_type(layout: str) -> dict[str, float]:
    """The `type:` values a layout declares (clinic's, overridden by the layout's own)."""
    root = REPO / "layouts"
    values = dict(yaml.safe_load((root / "clinic" / "layout.yaml").read_text())["type"])
    if layout != "clinic":
        values.update(yaml.safe_load((root / layout / "layout.yaml").read_text()).get("type", {}))
    return values


# --- pages and boxes -------------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["clinic", "large-print"])
def test_office_layouts_are_a4_without_bleed(dist: Path, layout: str) -> None:
    with open_pdf(dist, layout, "approved") as pdf:
        for page in pdf.pages:
            assert [round(float(v)) for v in page.MediaBox] == [0, 0, 595, 842]
            assert [round(float(v)) for v in page.TrimBox] == [0, 0, 595, 842]


def test_print_layout_is_a5_trim_with_3mm_bleed_and_a_slug(dist: Path) -> None:
    for slug in ("approved", "guide"):
        with open_pdf(dist, "print", slug) as pdf:
            for page in pdf.pages:
                trim = [float(v) for v in page.TrimBox]
                bleed = [float(v) for v in page.BleedBox]
                media = [float(v) for v in page.MediaBox]
                assert trim[2] - trim[0] == pytest.approx(148 * MM, abs=0.5)
                assert trim[3] - trim[1] == pytest.approx(210 * MM, abs=0.5)
                for outer, inner, sign in zip(bleed, trim, (-1, -1, 1, 1)):
                    assert (outer - inner) * sign == pytest.approx(3 * MM, abs=0.1)
                # a slug of at least 5 mm beyond the bleed on every side, for the crop marks
                for outer, inner, sign in zip(media, bleed, (-1, -1, 1, 1)):
                    assert (outer - inner) * sign >= 5 * MM - 0.1


def crop_mark_lines(path: Path) -> list[tuple[list[float], list[dict[str, Any]]]]:
    """Each page's TrimBox, BleedBox, MediaBox (PDF user space) and its straight lines."""
    found = []
    with pikepdf.open(path) as pdf, pdfplumber.open(path) as plumb:
        for page, plumbed in zip(pdf.pages, plumb.pages):
            boxes = [float(v) for key in ("/TrimBox", "/BleedBox", "/MediaBox")
                     for v in page.obj[key]]
            found.append((boxes, list(plumbed.lines)))
    return found


def test_print_crop_marks_sit_in_the_slug_outside_the_bleed(dist: Path) -> None:
    """Eight marks a page, about 3 mm from the trim, in the slug: never in the bleed."""
    for slug in ("approved", "guide"):
        for number, (boxes, lines) in enumerate(crop_mark_lines(dist / "print" / f"{slug}.pdf"), 1):
            trim, bleed, media = boxes[0:4], boxes[4:8], boxes[8:12]
            marks = []
            for line in lines:
                # back to PDF user space, where the boxes are: with a MediaBox that starts
                # below zero (the slug), pdfplumber keeps x but shifts y up by -MediaBox[1]
                x0, x1 = float(line["x0"]), float(line["x1"])
                y0, y1 = float(line["y0"]) + media[1], float(line["y1"]) + media[1]
                inside_bleed = (x1 > bleed[0] + 0.05 and x0 < bleed[2] - 0.05
                                and y1 > bleed[1] + 0.05 and y0 < bleed[3] - 0.05)
                if inside_bleed:
                    continue  # artwork (rules, table borders), not a mark
                marks.append((x0, y0, x1, y1))
                assert media[0] <= x0 and x1 <= media[2] and media[1] <= y0 and y1 <= media[3]
                # offset from the trim: starts about 3 mm out, on the trim line's extension
                gap = max(trim[0] - x1, x0 - trim[2], trim[1] - y1, y0 - trim[3])
                assert 3 * MM - 0.1 <= gap <= 4 * MM, (slug, number, line)
            assert len(marks) == 8, (slug, number, marks)


def xmp(pdf: Any) -> dict[str, str]:
    with pdf.open_metadata() as meta:
        return {str(k): str(v) for k, v in meta.items()}


def test_print_pdfs_are_pdf_x4_with_a_cmyk_output_intent_and_stay_tagged(dist: Path) -> None:
    for slug in ("approved", "draft", "arabic", "guide"):
        with open_pdf(dist, "print", slug) as pdf:
            meta = xmp(pdf)
            assert meta["{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion"] == "PDF/X-4"
            assert str(pdf.docinfo.Trapped) == "/False"
            intents = [i for i in pdf.Root.OutputIntents if str(i.S) == "/GTS_PDFX"]
            assert len(intents) == 1 and str(intents[0].OutputConditionIdentifier)
            profile = intents[0].DestOutputProfile.read_bytes()
            assert profile[36:40] == b"acsp" and profile[16:20] == b"CMYK"
            assert profile[12:16] == b"prtr" and int(intents[0].DestOutputProfile.N) == 4
            for page in pdf.pages:
                assert "/TrimBox" in page.obj and "/BleedBox" in page.obj
                # RGB only as managed colour: DefaultRGB (ICC-based) wherever RGB may be drawn
                spaces = page.Resources.ColorSpace
                assert str(spaces.DefaultRGB[0]) == "/ICCBased"
                for form in page.Resources.get("/XObject", {}).values():
                    if "/Resources" in form and "/ColorSpace" in form.Resources:
                        assert "/DefaultRGB" in form.Resources.ColorSpace
            fonts = [f for page in pdf.pages for f in page.Resources.get("/Font", {}).values()]
            for font in fonts:
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            # still tagged for screen readers (PDF/UA-1 is not claimed in print)
            assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root
            assert struct_elements(pdf)


@pytest.mark.parametrize("layout", ["clinic", "large-print"])
def test_screen_reader_layouts_stay_pdf_ua_without_pdf_x(dist: Path, layout: str) -> None:
    with open_pdf(dist, layout, "approved") as pdf:
        meta = xmp(pdf)
        assert meta["{http://www.aiim.org/pdfua/ns/id/}part"] == "1"
        assert not any("GTS_PDFXVersion" in key for key in meta)
        assert "/OutputIntents" not in pdf.Root


def test_print_backgrounds_run_into_the_bleed(dist: Path, tmp_path: Path) -> None:
    require_tool("pdftoppm")
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(dist / "print" / "approved.pdf"), str(tmp_path / "first")], check=True)
    from PIL import Image

    with open_pdf(dist, "print", "approved") as pdf:
        page = pdf.pages[0]
        media_top, bleed_top = float(page.MediaBox[3]), float(page.BleedBox[3])
    image = Image.open(tmp_path / "first.png").convert("RGB")
    # the title band is blue right up to the bleed's edge (3 mm beyond the trim), not white;
    # the slug beyond it, where the crop marks are, stays white
    r, g, b = image.getpixel((image.width // 2, round(media_top - bleed_top) + 1))
    assert b > 150 and r < 60, (r, g, b)
    assert image.getpixel((image.width // 2, 2)) == (255, 255, 255)


# --- tagged PDF (PDF/UA-1) -------------------------------------------------------------------

def test_tagged_structure_has_headings_lists_tables_figures_links(dist: Path) -> None:
    with open_pdf(dist, "clinic", "approved") as pdf:
        assert pdf.Root.MarkInfo.Marked
        assert str(pdf.Root.Lang) == "en-GB"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        assert str(pdf.docinfo.Title) == "Immunotherapy"
        elements = struct_elements(pdf)
        tags = collections.Counter(str(e.S) for e in elements)
        for tag in ("/H1", "/H2", "/H3", "/L", "/LI", "/Table", "/TH", "/TD", "/Figure", "/Link"):
            assert tags[tag], f"no {tag} in the structure tree: {tags}"
        headings = [int(str(e.S)[2:]) for e in elements if str(e.S) in ("/H1", "/H2", "/H3")]
        assert headings[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(headings))
        for th in (e for e in elements if str(e.S) == "/TH"):
            assert str(th.A.Scope) == "/Column"
        figures = [e for e in elements if str(e.S) == "/Figure"]
        alts = {str(f.Alt) for f in figures}
        assert "A nurse setting up a drip" in alts
        assert "QR code linking to this leaflet online" in alts
        assert all("/Alt" in f for f in figures)


def test_language_comes_from_the_leaflet(dist: Path) -> None:
    with open_pdf(dist, "clinic", "arabic") as pdf:
        assert str(pdf.Root.Lang) == "ar"


def test_bookmarks_follow_the_headings(dist: Path) -> None:
    with open_pdf(dist, "clinic", "approved") as pdf, pdf.open_outline() as outline:
        titles = []

        def collect(items: Any) -> None:
            for item in items:
                titles.append(item.title)
                collect(item.children)

        collect(outline.root)
    assert titles[0] == "Immunotherapy"
    assert {"What it is", "How it is given", "About this leaflet"} <= set(titles)


def test_links_are_clickable(dist: Path) -> None:
    with open_pdf(dist, "clinic", "approved") as pdf:
        uris = {str(annot.A.URI) for page in pdf.pages for annot in page.get("/Annots", [])
                if annot.get("/Subtype") == "/Link" and "/URI" in annot.get("/A", {})}
    assert "https://www.cancerresearchuk.org/immunotherapy" in uris
    assert f"{BASE_URL}/approved" in uris


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_font_is_embedded_and_packaged(dist: Path, layout: str) -> None:
    allowed = ("AtkinsonHyperlegible", "Atkinson-Hyperlegible", "NotoSans", "Noto-Sans",
               "IBMPlexMono", "IBM-Plex-Mono")
    for slug in ("approved", "arabic", "guide"):
        with open_pdf(dist, layout, slug) as pdf:
            fonts = {}
            for page in pdf.pages:
                for font in page.Resources.get("/Font", {}).values():
                    fonts[str(font.BaseFont)] = font
            assert fonts
            for name, font in fonts.items():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name
                assert name.split("+", 1)[-1].startswith(allowed), f"{name}: not a packaged font"


# --- footer, DRAFT, metadata -----------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUTS)
def test_footer_on_every_page(dist: Path, layout: str) -> None:
    expected = {"approved": "Immunotherapy · Version 2.1", "draft": "A draft leaflet · DRAFT"}
    for slug, label in expected.items():
        texts = page_texts(dist / layout / f"{slug}.pdf")
        assert len(texts) >= 2 or slug == "approved"
        for number, text in enumerate(texts, start=1):
            flat = " ".join(text.split())
            assert label in flat, f"{layout}/{slug} page {number}"
            assert f"Page {number} of {len(texts)}" in flat, f"{layout}/{slug} page {number}"


def texts_without_watermark(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [" ".join((page.filter(lambda o: o.get("object_type") != "char" or o["size"] < 40)
                          .extract_text() or "").split()) for page in pdf.pages]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_booklet_footer_names_the_section_each_page_is_in(dist: Path, layout: str) -> None:
    """None on the cover nor on a page left blank; "Contents", then each leaflet's own title."""
    path = dist / layout / "guide.pdf"
    texts = texts_without_watermark(path)
    starts = leaflet_start_pages(path, ["Immunotherapy", "A draft leaflet"],
                                 layout_type(layout)["title_pt"])
    assert "Page" not in texts[0]  # the cover
    assert texts[1].endswith(f"Contents · DRAFT Page 2 of {len(texts)}")
    sections = {"Immunotherapy": range(starts["Immunotherapy"], starts["A draft leaflet"]),
                "A draft leaflet": range(starts["A draft leaflet"], starts["A draft leaflet"] + 1)}
    for title, numbers in sections.items():
        for number in numbers:
            text = texts[number - 1]
            if not text:
                continue  # left blank so that the next leaflet starts on a right-hand page
            assert text.endswith(f"{title} · DRAFT Page {number} of {len(texts)}"), \
                f"{layout}/guide page {number}: {text[-80:]!r}"


WATERMARK_RED = (0xB0 / 255, 0x00 / 255, 0x20 / 255)


def watermark_shapes(page: Any) -> list[dict[str, Any]]:
    """The filled shapes of a page in the watermark's red (the letters of the DRAFT mark)."""
    return [c for c in page.curves if c.get("fill") and len(c.get("non_stroking_color") or ()) == 3
            and all(abs(a - b) < 0.01 for a, b in zip(c["non_stroking_color"], WATERMARK_RED))]


def draft_marks(path: Path) -> list[bool]:
    """Per page: whether a page-wide DRAFT mark lies across its middle (pdfplumber's view)."""
    marks = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            shapes = watermark_shapes(page)
            if not shapes:
                marks.append(False)
                continue
            left, right = min(c["x0"] for c in shapes), max(c["x1"] for c in shapes)
            top, bottom = min(c["top"] for c in shapes), max(c["bottom"] for c in shapes)
            marks.append(len(shapes) >= 5 and left < page.width / 2 < right
                         and top < page.height / 2 < bottom and right - left > page.width / 3)
    return marks


def fill_opacities(path: Path) -> set[float]:
    """Every fill opacity (/ca) the pages or the forms they draw set (pikepdf's view)."""
    found: set[float] = set()

    def visit(resources: Any, depth: int = 0) -> None:
        for state in resources.get("/ExtGState", {}).values():
            if "/ca" in state:
                found.add(round(float(state.ca), 3))
        for form in resources.get("/XObject", {}).values():
            if form.get("/Subtype") == "/Form" and "/Resources" in form and depth < 5:
                visit(form.Resources, depth + 1)

    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            visit(page.Resources)
    return found


@pytest.mark.parametrize("layout", LAYOUTS)
def test_draft_watermark_on_every_draft_page_and_never_on_approved(dist: Path, layout: str) -> None:
    assert all(draft_marks(dist / layout / "draft.pdf"))
    assert all(draft_marks(dist / layout / "guide.pdf"))
    assert not any(draft_marks(dist / layout / "approved.pdf"))
    assert not any("DRAFT" in text for text in page_texts(dist / layout / "approved.pdf"))


def test_watermark_is_a_faint_shape_not_text(dist: Path) -> None:
    assert 0.13 in fill_opacities(dist / "clinic" / "draft.pdf")  # a tint behind the text
    with pdfplumber.open(dist / "clinic" / "draft.pdf") as pdf:
        for page in pdf.pages:  # the letters are shapes: no big characters to extract
            assert not [c for c in page.chars if c["size"] > 30]


def test_watermark_is_not_content(dist: Path) -> None:
    with open_pdf(dist, "clinic", "draft") as pdf:
        # the watermark is page background (an artifact): nothing in the tree reads "DRAFT" big
        top = [str(e.S) for e in struct_elements(pdf)][:3]
        assert "/Div" not in top[:1]


def test_pdfs_are_deterministic(dist: Path, tmp_path: Path) -> None:
    with open_pdf(dist, "clinic", "approved") as pdf:
        assert str(pdf.docinfo.CreationDate).startswith("D:20260101000000")
        assert str(pdf.docinfo.ModDate).startswith("D:20260101000000")
        assert len(pdf.trailer.ID) == 2
    root = dist.parent
    result = run_cli("build", "--format", "pdf", "--layout", "clinic", "--out", str(tmp_path),
                     cwd=root, env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
    assert result.returncode == 0, result.stderr
    for slug in ("approved", "draft", "guide"):
        assert (tmp_path / "clinic" / f"{slug}.pdf").read_bytes() == \
            (dist / "clinic" / f"{slug}.pdf").read_bytes(), slug


# --- type sizes and measure ------------------------------------------------------------------

def char_sizes(path: Path) -> collections.Counter[float]:
    sizes: collections.Counter[float] = collections.Counter()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                if char["text"].strip():
                    sizes[round(char["size"], 1)] += 1
    return sizes


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_type_values_are_truthful(dist: Path, layout: str) -> None:
    declared = layout_type(layout)
    sizes = char_sizes(dist / layout / "draft.pdf")
    body = max(sizes, key=lambda size: sizes[size])
    assert body == pytest.approx(declared["body_pt"], abs=0.05)
    assert min(sizes) >= min(declared["small_pt"], declared["body_pt"]) - 0.05
    assert min(sizes) >= 12


def test_large_print_text_is_16pt_or_more_everywhere(dist: Path) -> None:
    for slug in ("approved", "draft", "arabic", "guide"):
        sizes = char_sizes(dist / "large-print" / f"{slug}.pdf")
        assert min(sizes) >= 16, f"{slug}: smallest text {min(sizes)} pt"
    headings = char_sizes(dist / "large-print" / "approved.pdf")
    assert max(headings) >= 24


def heading_sizes(path: Path, text: str) -> set[float]:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for line in page.extract_text_lines():
                if line["text"].strip() == text:
                    return {round(c["size"], 1) for c in line["chars"] if c["text"].strip()}
    raise AssertionError(f"no line {text!r} in {path}")


def test_large_print_headings_are_24_to_32_pt(dist: Path) -> None:
    """Every heading level as the README says: the title 32, a `##` and a `###` 24 or more."""
    path = dist / "large-print" / "approved.pdf"
    for text in ("Immunotherapy", "What it is", "How it is given", "About this leaflet"):
        sizes = heading_sizes(path, text)
        assert all(24 <= size <= 32 for size in sizes), (text, sizes)


def test_clinic_lines_are_about_65_characters(dist: Path) -> None:
    with pdfplumber.open(dist / "clinic" / "draft.pdf") as pdf:
        words_lines = [line["text"] for page in pdf.pages
                       for line in page.extract_text_lines() if abs(line["chars"][0]["size"] - 13) < 0.05]
    full = sorted(len(text) for text in words_lines)
    p90 = full[int(len(full) * 0.9)]
    assert 55 <= p90 <= 75, p90


# --- QR code -----------------------------------------------------------------------------------

@pytest.mark.external
@pytest.mark.parametrize("layout", LAYOUTS)
def test_qr_code_on_last_page_decodes_to_the_leaflet_url(dist: Path, layout: str,
                                                         tmp_path: Path) -> None:
    require_tool("pdftoppm")
    zbarimg = require_tool("zbarimg")
    path = dist / layout / "approved.pdf"
    with pdfplumber.open(path) as pdf:
        last = len(pdf.pages)
        assert f"{BASE_URL}/approved" in (pdf.pages[-1].extract_text() or "")
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", str(last), "-l", str(last),
                    "-singlefile", str(path), str(tmp_path / "last")], check=True)
    decoded = subprocess.run([zbarimg, "-q", "--raw", str(tmp_path / "last.png")],
                             capture_output=True, text=True, check=False)
    assert decoded.stdout.strip() == f"{BASE_URL}/approved"


# --- booklets ----------------------------------------------------------------------------------

def leaflet_start_pages(path: Path, titles: list[str], title_size: float) -> dict[str, int]:
    """The page each leaflet's big title appears on (1-based)."""
    found: dict[str, int] = {}
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            big = "".join(c["text"] for c in page.chars if c["size"] >= title_size - 0.1)
            for title in titles:
                if title.replace(" ", "") in big.replace(" ", "") and title not in found:
                    found[title] = number
    return found


@pytest.mark.parametrize("layout", LAYOUTS)
def test_booklet_contents_page_numbers_match_the_pages(dist: Path, layout: str) -> None:
    path = dist / layout / "guide.pdf"
    titles = ["Immunotherapy", "A draft leaflet"]
    texts = page_texts(path)
    assert "A guide for patients" in texts[0]
    contents = texts[1]
    assert "Contents" in contents
    listed = {}
    for line in contents.splitlines():
        for title in titles:
            number = re.search(r"(\d+)\s*$", line)
            if line.startswith(title) and number:
                listed[title] = int(number.group(1))
    starts = leaflet_start_pages(path, titles, layout_type(layout)["title_pt"])
    assert listed == starts
    if layout == "print":
        assert all(page % 2 == 1 for page in starts.values()), starts  # right-hand pages


def test_booklet_links_between_its_leaflets_are_internal(dist: Path) -> None:
    with open_pdf(dist, "clinic", "guide") as pdf:
        internal = [annot for page in pdf.pages for annot in page.get("/Annots", [])
                    if "/Dest" in annot or ("/A" in annot and "/D" in annot.A)]
    assert len(internal) >= 3  # contents entries at least


# --- right to left -----------------------------------------------------------------------------

def test_arabic_is_shaped_and_laid_out_right_to_left(dist: Path) -> None:
    with pdfplumber.open(dist / "clinic" / "arabic.pdf") as pdf:
        page = pdf.pages[0]
        arabic = [c for c in page.chars if "\u0600" <= c["text"] <= "\u06ff"
                  or "\ufe70" <= c["text"] <= "\ufeff"]
        assert arabic and all("Arabic" in c["fontname"] for c in arabic)
        # right-aligned: the title's right edge sits at the right margin, its left far from it
        title = [c for c in arabic if c["size"] >= 20]
        assert max(c["x1"] for c in title) > page.width * 0.6
        assert min(c["x0"] for c in title) > page.width * 0.4
        # the footer's title is on the right, where an Arabic reader starts; its "Page 1 of
        # N" is Arabic too (صفحة 1 من N), on the left
        footer = [c for c in arabic if c["top"] > page.height * 0.9]
        right = [c for c in footer if c["x0"] > page.width / 2]
        left = {c["text"] for c in footer if c["x1"] < page.width / 2}
        assert right and left == set("صفحةمن"), (left, len(right))


def test_watermark_drawing_falls_back_to_text_for_letters_the_font_lacks() -> None:
    from leaflet_builder.render.pdf.watermark import watermark_svg

    assert "<path" in watermark_svg("DRAFT") and "<text" not in watermark_svg("DRAFT")
    arabic = watermark_svg("مسودة <&>")  # Atkinson Hyperlegible has no Arabic letters
    assert "<path" not in arabic and "مسودة &lt;&amp;&gt;</text>" in arabic


@pytest.mark.parametrize(("settings", "expected"), [
    ("pdf:\n  standard: pdf/x-9\n", "pdf.standard must be one of pdf/ua-1, pdf/x-4"),
    ("pdf:\n  output_profile: missing.icc\n", "pdf.output_profile: no file 'missing.icc'"),
    ("pdf:\n  output_profile: layout.yaml\n", "pdf.output_profile: layout.yaml is not an ICC"),
    ("page:\n  slug_mm: 2\n", "page.slug_mm must be a number of millimetres, at least 5"),
])
def test_a_wrong_print_setting_in_a_layout_is_a_located_message(
        tmp_path: Path, settings: str, expected: str) -> None:
    make_project(tmp_path, {"one": leaflet_text("Some text.\n")})
    own = tmp_path / "layouts" / "shop"
    own.mkdir(parents=True)
    (own / "layout.yaml").write_text("extends: print\n" + settings, encoding="utf-8")
    result = run_cli("build", "--format", "pdf", "--layout", "shop", cwd=tmp_path)
    assert result.returncode == 1
    assert expected in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert "layouts/shop/layout.yaml: " in result.stderr, result.stderr
