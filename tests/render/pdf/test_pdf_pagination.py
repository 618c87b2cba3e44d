"""How the PDF pages read, measured with pdfplumber: one-line footers, no large holes at a page's foot."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO, SHIPPED_SOURCE, leaflet_text, make_project, run_cli

pdfplumber = pytest.importorskip("pdfplumber")

LAYOUTS_DIR = REPO / "layouts"
MM = 72 / 25.4
# Blocks the layouts keep whole (or keep with what follows) may leave a hole above them: the
# first words of a page that starts with one. End matter, callouts, the disclaimer, the QR code.
WATERMARK_PT = 40
BOOKLETS = {p.stem for p in (SHIPPED_SOURCE / "booklets").glob("*.yaml")}
KEPT_WHOLE_OPENINGS = ("About this leaflet", "Related leaflets", "Note:", "Tip:", "Important:",
                       "This leaflet gives general information", "Read this leaflet online",
                       "When to call us")  # the shared warning box, a callout kept whole


def kept_whole_openings() -> tuple[str, ...]:
    """The same openings in every shipped catalogue's words (a Welsh page's "When to call us"
    box is kept whole too): the layout's headings as the Welsh and Arabic leaflets print them."""
    from leaflet_builder.i18n import wording

    headings = ("About this leaflet", "Related leaflets", "When to call us")
    translated = {wording(lang).gettext(heading) for lang in ("cy", "ar") for heading in headings}
    return KEPT_WHOLE_OPENINGS + tuple(sorted(translated))


@dataclass(frozen=True)
class Geometry:
    """A layout's bottom margin and body text, from its layout.yaml (mm and pt)."""

    margin_bottom_mm: float
    body_pt: float
    line_height: float


def layout_geometry(layout: str) -> Geometry:
    """The clinic layout's page and type values, overridden by the layout's own."""
    settings: dict[str, dict[str, float]] = {"page": {}, "type": {}}
    for name in ("clinic", layout):
        own = yaml.safe_load((LAYOUTS_DIR / name / "layout.yaml").read_text(encoding="utf-8"))
        for key, values in settings.items():
            values.update(own.get(key, {}))
    page, kind = settings["page"], settings["type"]
    return Geometry(page["margin_bottom_mm"], kind["body_pt"],
                    kind["line_height"])


@dataclass(frozen=True)
class Page:
    """One page as pdfplumber reads it: the trimmed page (without bleed) and its words."""

    trim: tuple[float, float, float, float]  # x0, top, x1, bottom
    words: tuple[dict[str, Any], ...]


@functools.lru_cache(maxsize=64)
def read_pages(path: Path) -> tuple[Page, ...]:
    """Every page of a PDF, read once per test run (pdfplumber takes about 0.1 s a page)."""
    with pdfplumber.open(path) as pdf:
        return tuple(Page(trim_box(page), tuple(filter(is_text, page.extract_words())))
                     for page in pdf.pages)


def trim_box(page: Any) -> tuple[float, float, float, float]:
    """The TrimBox in pdfplumber's coordinates (top down from the MediaBox's top edge)."""
    attrs = page.page_obj.attrs
    x0, y0, x1, y1 = (float(v) for v in attrs.get("TrimBox", attrs["MediaBox"]))
    return x0, float(page.height) - y1, x1, float(page.height) - y0


def is_text(word: dict[str, Any]) -> bool:
    """Not a letter of the DRAFT watermark, which is page background drawn about 80 pt high."""
    return float(word["height"]) < WATERMARK_PT


def lines_of(words: list[dict[str, Any]]) -> list[float]:
    """The distinct text lines the words sit on (their tops, 2 pt apart at least).

    An Arabic word beside a Latin one on the same line has its box some 5 pt lower (Noto Sans
    Arabic's deeper descent): across the two scripts, boxes that overlap by half a word's
    height share a line (a wrapped line's boxes do not overlap the line above at all).
    """
    lines: list[dict[str, Any]] = []  # the first word of each line
    for word in sorted(words, key=lambda w: w["top"]):
        if lines and (word["top"] - lines[-1]["top"] <= 2 or (
                _arabic(word) != _arabic(lines[-1])
                and lines[-1]["bottom"] - word["top"] >= (word["bottom"] - word["top"]) / 2)):
            continue
        lines.append(word)
    return [word["top"] for word in lines]


def _arabic(word: dict[str, Any]) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in word["text"])


@dataclass(frozen=True)
class Footer:
    """One page's footer: the title's words, then the page number's ("Page N of M")."""

    title: list[dict[str, Any]]
    number: list[dict[str, Any]]

    def text(self) -> str:
        return " ".join(w["text"] for w in self.title + self.number)


def footer_words(page: Page, geometry: Geometry) -> list[dict[str, Any]]:
    margin_top = page.trim[3] - geometry.margin_bottom_mm * MM
    return [w for w in page.words if w["top"] >= margin_top - 1]


def body_words(page: Page, geometry: Geometry) -> list[dict[str, Any]]:
    margin_top = page.trim[3] - geometry.margin_bottom_mm * MM
    return [w for w in page.words if w["top"] < margin_top - 1]


def page_footer(page: Page, geometry: Geometry, number: int | None = None,
                total: int | None = None) -> Footer:
    """The footer split at the page number ("Page N of M", its four words from the last
    "Page"): the title is the rest — before it in a left-to-right leaflet, after it (on the
    right) in an Arabic one, where the two sides change places.

    In another language's wording ("Tudalen 1 o 3"), given the page's `number` and the
    `total`: the footer's first line splits at its widest gap, and the page number is the
    side that holds both numbers.
    """
    words = footer_words(page, geometry)  # line by line, left to right
    starts = [i for i, w in enumerate(words) if w["text"] == "Page"]
    if starts:
        first = starts[-1]
        return Footer(words[:first] + words[first + 4:], words[first:first + 4])
    if number is None or total is None or not words:
        return Footer(words, [])
    top = lines_of(words)[0]
    line = sorted((w for w in words if lines_of([*(v for v in words if v["top"] == top), w])
                   == [top]), key=lambda w: w["x0"])
    gaps = [line[i + 1]["x0"] - line[i]["x1"] for i in range(len(line) - 1)]
    if not gaps:
        return Footer(words, [])
    cut = gaps.index(max(gaps)) + 1
    sides = [side for side in (line[cut:], line[:cut])
             if {str(number), str(total)} <= {_digits(w["text"]) for w in side}]
    if not sides:
        return Footer(words, [])
    side = min(sides, key=len)
    return Footer([w for w in words if w not in side], side)


def _digits(text: str) -> str:
    return text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))


# the print layout's wallet-card pages (print/wallet-card.css): 85 x 55 mm, 5.5 mm bottom margin
CARD_GEOMETRY = Geometry(margin_bottom_mm=5.5, body_pt=9, line_height=1.2)
CARD_TRIM_PT = (85 * MM, 55 * MM)


def page_geometry(page: Page, geometry: Geometry) -> Geometry:
    """The layout's geometry, or the wallet card's on a card-size page."""
    width, height = page.trim[2] - page.trim[0], page.trim[3] - page.trim[1]
    is_card = abs(width - CARD_TRIM_PT[0]) < 1 and abs(height - CARD_TRIM_PT[1]) < 1
    return CARD_GEOMETRY if is_card else geometry


def assert_footers_on_one_line(path: Path, default: Geometry) -> None:
    """Each page with text has a one-line title and page number, level with each other.

    A page with no text (a booklet's blank left-hand page) has no footer; neither has the
    booklet's cover.
    """
    pages = read_pages(path)
    for number, page in enumerate(pages, start=1):
        geometry = page_geometry(page, default)
        footer = page_footer(page, geometry, number, len(pages))
        where = f"{path.parent.name}/{path.name} page {number}: {footer.text()!r}"
        if not body_words(page, geometry) or (number == 1 and path.stem in BOOKLETS):
            assert not footer.title and not footer.number, where
            continue
        assert footer.title and footer.number, f"{where}: a side of the footer is empty"
        assert len(lines_of(footer.title)) == 1, f"{where}: the title wraps"
        assert lines_of(footer.title) == lines_of(footer.number), f"{where}: not one line"
        if any(w["text"] == "Page" for w in footer.number):
            assert " ".join(w["text"] for w in footer.number) == f"Page {number} of {len(pages)}", \
                where
        else:  # the layout's wording in the leaflet's language (an i18n catalogue)
            assert len(footer.number) <= 5, where


def leaflet_pdfs(folder: Path) -> list[Path]:
    return sorted(folder / f"{md.stem}.pdf" for md in SHIPPED_SOURCE.glob("*.md"))


def test_the_shipped_leaflets_and_booklet_have_one_line_footers_in_clinic(
        shipped_build: Path) -> None:
    geometry = layout_geometry("clinic")
    for path in leaflet_pdfs(shipped_build / "clinic") + [
            shipped_build / "clinic" / f"{slug}.pdf" for slug in sorted(BOOKLETS)]:
        assert_footers_on_one_line(path, geometry)


def front_matter_title(slug: str) -> str:
    text = (SHIPPED_SOURCE / f"{slug}.md").read_text(encoding="utf-8")
    title: str = yaml.safe_load(text.split("---")[1])["title"]
    return title


def test_each_booklet_page_names_its_section_in_the_footer(shipped_build: Path) -> None:
    """Contents, each leaflet's own title in the booklet's order (short enough for one line),
    then "About this guide"."""
    booklet = yaml.safe_load((SHIPPED_SOURCE / "booklets" / "immunotherapy-guide.yaml")
                             .read_text(encoding="utf-8"))
    geometry = layout_geometry("clinic")
    pages = read_pages(shipped_build / "clinic" / "immunotherapy-guide.pdf")
    footers = [" ".join(w["text"] for w in page_footer(page, geometry).title)
               for page in pages[1:]]
    sections = [footer for i, footer in enumerate(footers) if i == 0 or footer != footers[i - 1]]
    assert sections == ["Contents · DRAFT"] + [f"{front_matter_title(slug)} · DRAFT"
                                               for slug in booklet["leaflets"]] + [
        "About this guide · DRAFT"]


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["print", "large-print"])
def test_the_shipped_pdfs_have_one_line_footers_in_print_layouts(
        shipped_pdf_builds: Path, layout: str) -> None:
    geometry = layout_geometry(layout)
    for path in leaflet_pdfs(shipped_pdf_builds / layout) + [
            shipped_pdf_builds / layout / f"{slug}.pdf" for slug in sorted(BOOKLETS)]:
        assert_footers_on_one_line(path, geometry)


LONG_TITLE = ("Immune checkpoint inhibitors for advanced melanoma, kidney and bladder cancer: "
              "what to expect during and after your treatment at the day unit")


@pytest.mark.parametrize("layout", ["clinic", "large-print"])
def test_a_very_long_title_stays_within_two_footer_lines_on_the_page(
        tmp_path: Path, layout: str) -> None:
    body = "## About it\n\n" + "This treatment is still being written up for patients. " * 60
    make_project(tmp_path, {"long": leaflet_text(body + "\n", title=LONG_TITLE)})
    result = run_cli("build", "--format", "pdf", "--layout", layout, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    geometry = layout_geometry(layout)
    pages = read_pages(tmp_path / "dist" / layout / "long.pdf")
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        footer = page_footer(page, geometry)
        where = f"{layout} page {number}: {footer.text()!r}"
        assert footer.title and len(lines_of(footer.title)) <= 2, where
        assert len(lines_of(footer.number)) == 1, where
        # beside the page number, never under it, and never past the foot of the page
        assert max(w["x1"] for w in footer.title) < min(w["x0"] for w in footer.number), where
        assert max(w["bottom"] for w in footer.title + footer.number) <= page.trim[3], where


def test_no_page_of_a_shipped_leaflet_ends_with_a_large_hole(shipped_build: Path) -> None:
    """A page ends early only by what keeping a heading with its first lines needs.

    That is the largest hole the rule "a heading never ends a page" may leave: the heading (an
    h2 with its spacing, about 2.6 lines of body text) and the two lines of what follows that
    must go with it (orphans), plus a line of slack. A page followed by a block the layout
    keeps whole (a callout, the "About this leaflet" list) may end earlier.
    """
    geometry = layout_geometry("clinic")
    body_line = geometry.body_pt * geometry.line_height
    allowed = 5.5 * body_line
    holes = []
    kept_whole = kept_whole_openings()
    for path in leaflet_pdfs(shipped_build / "clinic"):
        pages = read_pages(path)
        for number, (page, following) in enumerate(itertools.pairwise(pages), start=1):
            area_bottom = page.trim[3] - geometry.margin_bottom_mm * MM
            hole = area_bottom - max(w["bottom"] for w in body_words(page, geometry))
            opening = " ".join(w["text"] for w in body_words(following, geometry)[:8])
            if hole > allowed and not opening.startswith(kept_whole):
                holes.append(f"{path.name} page {number}: {hole / body_line:.1f} empty lines "
                             f"before {opening!r}")
    assert not holes, holes
