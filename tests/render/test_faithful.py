"""Every format says what the source says: list numbers, the hero image and callout titles.

One small project is built by the `leaflet` command in every format and PDF layout, and each
output is opened with an independent reader (pdfplumber and pikepdf for PDF, python-docx and
the raw numbering part for Word, zipfile + lxml for EPUB and HTML) and compared with the source.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import lxml.html
import pytest
from docx.oxml.ns import qn
from lxml import etree

from tests.helpers import leaflet_text, make_project, png_bytes, require_tool, run_cli

pikepdf = pytest.importorskip("pikepdf")
pdfplumber = pytest.importorskip("pdfplumber")

LAYOUTS = ("clinic", "print", "large-print")
XHTML_NS = {"x": "http://www.w3.org/1999/xhtml"}
HERO_ALT = "A nurse greeting a patient at the day unit"
BODY_ALT = "The day unit's front desk"
NHS_111 = "https://111.nhs.uk"

# numbered steps that start at 6, with a nested list that starts at 3 (a blank line before it:
# CommonMark lets only a list starting at 1 interrupt a paragraph)
STEPS_BODY = """\
## Your treatment plan

Steps 1 to 5 are in the first leaflet.

6. Infusion day
7. Check-up visit

   3. Blood test first
   4. Then see the nurse
8. Scan after three months

::: warning Call **999** or see [NHS 111](https://111.nhs.uk)
If you have a fever of 38°C or higher.
:::

::: tip Read [the word list](term.md) first
It explains the words we use.
:::

::: note Before you come in
Bring with you:

- your treatment card
- a list of your medicines
- something to read
:::
"""
# the body shows the hero's own picture, with alt text written for that place
DUPLICATE_BODY = f"""\
## Where to find us

![{BODY_ALT}](images/hero.png)

Come to the front desk.
"""
# a draft glossary entry long enough for two pages, with a label longer than its column
TERM_ORIGIN = "From the Latin immunis (exempt) and the Greek therapeia (healing)"
TERM_BODY = "## What it means\n\n" + "Immunotherapy uses your immune system to treat cancer. " \
    * 12 + "\n\n" + "".join(f"Paragraph {n} of the long part.\n\n" for n in range(1, 40))
# callouts holding lists, one after another down several pages: some fall on a page break
BOXES_BODY = "## Boxes\n\n" + "".join(
    f"Some words before box {n}. " * (1 + n % 4) + f"\n\n::: note Box {n}\n"
    + "".join(f"- box {n} item {i}\n" for i in range(1, 7)) + ":::\n\n" for n in range(1, 13))
# (number, text) as the source numbers them, in reading order
SOURCE_NUMBERS = [(6, "Infusion day"), (7, "Check-up visit"), (3, "Blood test first"),
                  (4, "Then see the nurse"), (8, "Scan after three months")]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("faithful")
    hero = {"src": "images/hero.png", "alt": HERO_ALT}
    make_project(root, {
        "steps": leaflet_text(STEPS_BODY, title="Your treatment plan", status="approved",
                              reviewed="2025-06-01", reviewer="Dr A Nurse", version="1.0",
                              image=hero),
        "duplicate": leaflet_text(DUPLICATE_BODY, title="Finding the day unit", image=hero),
        "boxes": leaflet_text(BOXES_BODY, title="Boxes"),
        "term": leaflet_text(TERM_BODY, title="Immunotherapy", kind="glossary",
                             pronunciation="ih-myoo-noh-THER-uh-pee", part_of_speech="noun",
                             origin=TERM_ORIGIN),
    }, project={"organisation": "Example Cancer Centre", "language": "en-GB",
                "feedback": "Tell us what you think of this leaflet: leaflets@example.org",
                "other_formats": "Ask us for this leaflet in large print or audio."},
       booklets={"guide": {"title": "A guide", "leaflets": ["steps", "duplicate", "term"]}},
       files={"images/hero.png": png_bytes(320, 200)})
    args = ["build", *(f"--layout={name}" for name in LAYOUTS)]
    result = run_cli(*args, cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "dist"


# --- readers ---------------------------------------------------------------------------------

def pdf_lines(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [line for page in pdf.pages for line in (page.extract_text() or "").splitlines()]


def numbers_in(lines: list[str]) -> list[tuple[int, str]]:
    """(number, text) of every numbered line whose text is one of the source's items."""
    wanted = {text for _, text in SOURCE_NUMBERS}
    found = []
    for line in lines:
        match = re.match(r"\s*(\d+)\.\s+(.*?)\s*$", line)
        if match and match.group(2) in wanted:
            found.append((int(match.group(1)), match.group(2)))
    return found


def pdf_figure_alts(path: Path) -> list[str]:
    alts: list[str] = []
    with pikepdf.open(path) as pdf:
        def walk(node: Any) -> None:
            if isinstance(node, pikepdf.Array):
                for child in node:
                    walk(child)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                if str(node.S) == "/Figure":
                    alts.append(str(node.get("/Alt", "")))
                walk(node.get("/K"))
        walk(pdf.Root.StructTreeRoot.K)
    return alts


def xhtml_pages(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as book:
        return {name: etree.fromstring(book.read(name)) for name in book.namelist()
                if name.endswith(".xhtml") and not name.endswith("nav.xhtml")}


def html_page(path: Path) -> Any:
    return lxml.html.fromstring(path.read_bytes())


def list_numbers_html(root: Any, ns: dict[str, str] | None = None) -> list[tuple[int, str]]:
    """(number, text) each item gets in a browser: its list's `start` plus its position."""
    prefix = "x:" if ns else ""
    found = []
    for ol in root.iterfind(f".//{prefix}ol", namespaces=ns or {}):
        start = int(ol.get("start", "1"))
        items = [li for li in ol if etree.QName(li).localname == "li"]
        for offset, li in enumerate(items):
            # an item's own text: before its first child, or its first paragraph's
            first = next(iter(li), None)
            text = (li.text or "").strip() or (
                (first.text or "").strip() if first is not None else "")
            found.append((start + offset, text))
    return [pair for pair in found if pair in SOURCE_NUMBERS]


# --- 1. numbered lists keep their numbers --------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdf_lists_start_where_the_source_starts(dist: Path, layout: str) -> None:
    assert numbers_in(pdf_lines(dist / layout / "steps.pdf")) == SOURCE_NUMBERS
    assert numbers_in(pdf_lines(dist / layout / "guide.pdf")) == SOURCE_NUMBERS


def test_html_and_epub_lists_start_where_the_source_starts(dist: Path) -> None:
    assert sorted(list_numbers_html(html_page(dist / "clinic" / "steps.html"))) == \
        sorted(SOURCE_NUMBERS)
    for book in ("steps", "guide"):
        pages = xhtml_pages(dist / "clinic" / f"{book}.epub")
        found = [pair for root in pages.values() for pair in list_numbers_html(root, XHTML_NS)]
        assert sorted(found) == sorted(SOURCE_NUMBERS), book


def docx_numbers(path: Path) -> list[tuple[int, str]]:
    """(number, text) of each numbered paragraph, worked out from the numbering part."""
    document = docx.Document(str(path))
    numbering = document.part.numbering_part.element
    starts: dict[tuple[str, str], int] = {}
    for num in numbering.findall(qn("w:num")):
        for override in num.findall(qn("w:lvlOverride")):
            start = override.find(qn("w:startOverride"))
            if start is not None:
                starts[(num.get(qn("w:numId")), override.get(qn("w:ilvl")))] = \
                    int(start.get(qn("w:val")))
    counters: dict[tuple[str, str], int] = {}
    found = []
    for paragraph in document.paragraphs:
        num_pr = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is None:
            continue
        key = (num_pr.find(qn("w:numId")).get(qn("w:val")),
               num_pr.find(qn("w:ilvl")).get(qn("w:val")))
        counters[key] = counters.get(key, starts.get(key, 1) - 1) + 1
        found.append((counters[key], paragraph.text))
    return [pair for pair in found if pair in SOURCE_NUMBERS]


def test_docx_lists_start_where_the_source_starts(dist: Path) -> None:
    assert docx_numbers(dist / "clinic" / "steps.docx") == SOURCE_NUMBERS


@pytest.mark.external
def test_libreoffice_shows_the_docx_numbers_of_the_source(dist: Path, tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(dist / "clinic" / "steps.docx")], check=True, capture_output=True,
                   timeout=300)
    text = subprocess.run([pdftotext, "-layout", str(tmp_path / "steps.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert numbers_in(text.splitlines()) == SOURCE_NUMBERS


# --- 2. the hero image, once, with its alt text ----------------------------------------------

@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdf_shows_the_hero_once_as_a_tagged_figure(dist: Path, layout: str) -> None:
    assert pdf_figure_alts(dist / layout / "steps.pdf").count(HERO_ALT) == 1
    alts = pdf_figure_alts(dist / layout / "duplicate.pdf")
    assert (alts.count(BODY_ALT), alts.count(HERO_ALT)) == (1, 0)
    alts = pdf_figure_alts(dist / layout / "guide.pdf")
    assert (alts.count(HERO_ALT), alts.count(BODY_ALT)) == (1, 1)


def test_html_shows_the_hero_once(dist: Path) -> None:
    alts = [img.get("alt") for img in html_page(dist / "clinic" / "steps.html").iter("img")]
    assert alts.count(HERO_ALT) == 1
    alts = [img.get("alt") for img in html_page(dist / "clinic" / "duplicate.html").iter("img")]
    assert (alts.count(BODY_ALT), alts.count(HERO_ALT)) == (1, 0)


def epub_image_alts(path: Path) -> list[str]:
    alts = []
    with zipfile.ZipFile(path) as book:
        names = set(book.namelist())
        for name, root in xhtml_pages(path).items():
            for img in root.iterfind(".//x:img", namespaces=XHTML_NS):
                if "cover" in img.get("class", ""):
                    continue
                # the picture itself is in the book, where the page says it is
                folder = name.rpartition("/")[0]
                assert f"{folder}/{img.get('src')}".lstrip("/") in names
                alts.append(img.get("alt"))
    return alts


def test_epub_shows_the_hero_once(dist: Path) -> None:
    assert epub_image_alts(dist / "clinic" / "steps.epub") == [HERO_ALT]
    assert epub_image_alts(dist / "clinic" / "duplicate.epub") == [BODY_ALT]
    assert sorted(epub_image_alts(dist / "clinic" / "guide.epub")) == sorted([HERO_ALT, BODY_ALT])


def docx_picture_alts(path: Path) -> list[str]:
    document = docx.Document(str(path))
    return [shape._inline.docPr.get("descr") for shape in document.inline_shapes]


def test_docx_shows_the_hero_once(dist: Path) -> None:
    assert docx_picture_alts(dist / "clinic" / "steps.docx") == [HERO_ALT]
    assert docx_picture_alts(dist / "clinic" / "duplicate.docx") == [BODY_ALT]


# --- 3. callout titles are Markdown ----------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdf_callout_title_has_bold_and_a_link(dist: Path, layout: str) -> None:
    with pdfplumber.open(dist / layout / "steps.pdf") as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages)
        words = [w for page in pdf.pages for w in page.extract_words(extra_attrs=["fontname"])]
        links = [link.get("uri") for page in pdf.pages for link in page.hyperlinks]
    assert "Call 999 or see NHS 111" in " ".join(text.split())
    assert "**" not in text and "[NHS" not in text and "](" not in text
    assert any(w["text"] == "999" and "Bold" in w["fontname"] for w in words)
    assert NHS_111 in links


def _callout_title(root: Any, ns: dict[str, str] | None = None) -> Any:
    prefix = "x:" if ns else ""
    titles = [p for p in root.iterfind(f".//{prefix}p", namespaces=ns or {})
              if "callout-title" in (p.get("class") or "") and "999" in "".join(p.itertext())]
    assert len(titles) == 1
    return titles[0]


def test_html_and_epub_callout_title_has_bold_and_a_link(dist: Path) -> None:
    title = _callout_title(html_page(dist / "clinic" / "steps.html"))
    assert [s.text for s in title.iter("strong")] == ["999"]
    assert [(a.get("href"), a.text) for a in title.iter("a")] == [(NHS_111, "NHS 111")]
    root = next(r for r in xhtml_pages(dist / "clinic" / "steps.epub").values()
                if "999" in "".join(r.itertext()))
    title = _callout_title(root, XHTML_NS)
    assert [s.text for s in title.iterfind(".//x:strong", namespaces=XHTML_NS)] == ["999"]
    assert [(a.get("href"), a.text) for a in title.iterfind(".//x:a", namespaces=XHTML_NS)] == \
        [(NHS_111, "NHS 111")]


def test_docx_callout_title_has_bold_runs_and_a_real_hyperlink(dist: Path) -> None:
    document = docx.Document(str(dist / "clinic" / "steps.docx"))
    title = next(p for t in document.tables for p in t.cell(0, 0).paragraphs if "999" in p.text)
    assert "**" not in title.text and "[" not in title.text
    assert "Call 999 or see NHS 111" in title.text
    assert [r.text for r in title.runs if r.bold] == ["999"]
    links = title._p.findall(qn("w:hyperlink"))
    assert len(links) == 1
    rel = document.part.rels[links[0].get(qn("r:id"))]
    assert (rel.target_ref, "".join(t.text for t in links[0].iter(qn("w:t")))) == (NHS_111, "NHS 111")


def test_callout_title_links_to_leaflets_resolve_where_the_leaflet_is(dist: Path) -> None:
    def title_links(root: Any, ns: dict[str, str] | None = None) -> list[str | None]:
        prefix = "x:" if ns else ""
        return [a.get("href") for p in root.iterfind(f".//{prefix}p", namespaces=ns or {})
                if "callout-title" in (p.get("class") or "") and "word list" in
                "".join(p.itertext()) for a in p.iterfind(f".//{prefix}a", namespaces=ns or {})]

    assert title_links(html_page(dist / "clinic" / "steps.html")) == ["term.html"]
    guide = xhtml_pages(dist / "clinic" / "guide.epub")["EPUB/steps.xhtml"]
    assert title_links(guide, XHTML_NS) == ["term.xhtml"]
    alone = xhtml_pages(dist / "clinic" / "steps.epub")["EPUB/steps.xhtml"]
    assert title_links(alone, XHTML_NS) == []  # not in this book: the words stay, unlinked
    assert "Tip: Read the word list first" in " ".join("".join(alone.itertext()).split())


def test_callout_title_links_are_checked(tmp_path: Path) -> None:
    body = ("::: note See [this](javascript:alert(1))\nx\n:::\n\n"
            "::: tip Read [the list](no-such-leaflet.md)\ny\n:::\n")
    make_project(tmp_path, {"bad": leaflet_text(body)})
    result = run_cli("build", "--format", "html", cwd=tmp_path)
    assert result.returncode == 1
    assert "source/bad.md:6: link 'javascript:alert(1)'" in result.stderr
    assert "source/bad.md:10: link to 'no-such-leaflet.md': no such leaflet" in result.stderr
    assert "Traceback" not in result.stderr


# --- 9. Word handouts: one box per callout, labels in their column, page 1 said once --------

def test_docx_callout_with_a_list_is_one_box_kept_on_one_page(dist: Path) -> None:
    document = docx.Document(str(dist / "clinic" / "steps.docx"))
    boxes = [t for t in document.tables if "Before you come in" in t.cell(0, 0).text]
    assert len(boxes) == 1
    box = boxes[0]
    assert (len(box.rows), len(box.columns)) == (1, 1)
    texts = [p.text for p in box.cell(0, 0).paragraphs]
    assert texts == ["Note: Before you come in", "Bring with you:", "your treatment card",
                     "a list of your medicines", "something to read"]
    assert box._tbl.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}/{qn('w:left')}").get(
        qn("w:color")) == "005eb8"
    assert box.rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
    # no paragraph draws a box of its own, directly or by its style
    for paragraph in box.cell(0, 0).paragraphs:
        assert paragraph._p.find(f".//{qn('w:pBdr')}") is None
        assert paragraph.style.element.find(f".//{qn('w:pBdr')}") is None


def test_docx_glossary_labels_have_a_column_of_their_own(dist: Path) -> None:
    document = docx.Document(str(dist / "clinic" / "term.docx"))
    panel = next(t for t in document.tables if "Say it" in t.cell(0, 0).text)
    rows = [tuple(cell.text for cell in row.cells) for row in panel.rows]
    assert rows == [("Say it", "ih-myoo-noh-THER-uh-pee"), ("Type of word", "noun"),
                    ("Where the word comes from", TERM_ORIGIN)]
    assert panel._tbl.find(f"{qn('w:tblPr')}/{qn('w:tblLayout')}").get(qn("w:type")) == "fixed"
    assert "\t" not in "".join(p.text for p in document.paragraphs)


def test_docx_page_one_names_organisation_and_draft_once(dist: Path) -> None:
    document = docx.Document(str(dist / "clinic" / "term.docx"))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert [p.text for p in section.first_page_header.paragraphs if p.text] == []
    assert [p.text for p in section.header.paragraphs] == ["Example Cancer Centre",
                                                           "DRAFT — not for patient use"]
    footer = section.first_page_footer.paragraphs[0]
    assert footer.text.startswith("Immunotherapy · DRAFT · Page ")


def _libreoffice_pdf(dist: Path, slug: str, tmp_path: Path) -> Path:
    soffice = require_tool("soffice")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(dist / "clinic" / f"{slug}.docx")], check=True, capture_output=True,
                   timeout=300)
    return tmp_path / f"{slug}.pdf"


@pytest.mark.external
def test_libreoffice_draws_one_bar_beside_the_whole_callout(dist: Path, tmp_path: Path) -> None:
    with pdfplumber.open(_libreoffice_pdf(dist, "steps", tmp_path)) as pdf:
        page = next(p for p in pdf.pages if "Before you come in" in (p.extract_text() or ""))
        words = page.extract_words()
        top = next(w["top"] for w in words if w["text"] == "Note:")
        bottom = next(w["bottom"] for w in words if w["text"] == "something")
        left = min(w["x0"] for w in words if top <= w["top"] <= bottom)
        blue = [line for line in page.lines if line["x0"] == line["x1"] and line["x0"] < left
                and line["bottom"] > top and line["top"] < bottom]
    assert len(blue) == 1, blue  # one bar, not one per paragraph
    assert blue[0]["top"] <= top and blue[0]["bottom"] >= bottom


@pytest.mark.external
def test_libreoffice_keeps_each_callout_on_one_page(dist: Path, tmp_path: Path) -> None:
    with pdfplumber.open(_libreoffice_pdf(dist, "boxes", tmp_path)) as pdf:
        pages = [" ".join((page.extract_text() or "").split()) for page in pdf.pages]
    assert len(pages) >= 3
    for n in range(1, 13):
        holding = {index for index, text in enumerate(pages) for line in
                   (f"Note: Box {n}", *(f"box {n} item {i}" for i in range(1, 7)))
                   if re.search(re.escape(line) + r"(?!\d)", text)}
        assert len(holding) == 1, (n, holding)


@pytest.mark.external
def test_libreoffice_keeps_glossary_labels_in_their_column_and_page_one_plain(
        dist: Path, tmp_path: Path) -> None:
    with pdfplumber.open(_libreoffice_pdf(dist, "term", tmp_path)) as pdf:
        assert len(pdf.pages) >= 2
        texts = [" ".join((p.extract_text() or "").split()) for p in pdf.pages]
        words = pdf.pages[0].extract_words()
    assert texts[0].count("Example Cancer Centre") == 1
    assert texts[0].count("DRAFT — not for patient use") == 1
    assert all("Example Cancer Centre" in text for text in texts[1:])  # later pages' header
    values = [next(w for w in words if w["text"] == first)
              for first in ("ih-myoo-noh-THER-uh-pee", "noun", "From")]
    assert max(v["x0"] for v in values) - min(v["x0"] for v in values) < 1  # one value column
    label = [w for w in words if w["text"] in ("Where", "comes")]
    assert label and max(w["x1"] for w in label) < values[0]["x0"]


# --- 10. EPUB: no repeated glossary text, "About this guide" on a phone, "this guide" ---------

def test_epub_glossary_entry_says_its_term_and_definition_once(dist: Path) -> None:
    for book in ("term", "guide"):
        root = xhtml_pages(dist / "clinic" / f"{book}.epub")["EPUB/term.xhtml"]
        body = root.find("x:body", XHTML_NS)
        assert "".join(body.itertext()).count("A short summary.") == 1, book
        exact = [e for e in body.iter() if isinstance(e.tag, str)
                 and " ".join("".join(e.itertext()).split()) == "Immunotherapy"
                 and not any(True for _ in e.iterancestors("{*}dfn"))]
        assert len([e for e in exact if etree.QName(e).localname == "h1"]) == 1
        assert not [e for e in exact if etree.QName(e).localname in ("dt", "dd", "p")], book
        entry = body.xpath(".//*[@epub:type='glossary']",
                           namespaces={"epub": "http://www.idpf.org/2007/ops"})
        assert len(entry) == 1
        kinds = {e.get("{http://www.idpf.org/2007/ops}type"): " ".join("".join(e.itertext()).split())
                 for e in entry[0].iter() if e.get("{http://www.idpf.org/2007/ops}type")}
        assert kinds["glossterm"] == "Immunotherapy"
        assert kinds["glossdef"] == "A short summary."
        # each EPUB role has its ARIA role beside it, as Ace asks
        roles = {e.get("{http://www.idpf.org/2007/ops}type"): e.get("role")
                 for e in entry[0].iter() if e.get("{http://www.idpf.org/2007/ops}type")}
        assert roles == {"glossary": "doc-glossary", "glossterm": "term", "glossdef": "definition"}


def test_epub_guide_speaks_of_this_guide(dist: Path) -> None:
    pages = xhtml_pages(dist / "clinic" / "guide.epub")
    for name in ("EPUB/titlepage.xhtml", "EPUB/about.xhtml"):
        text = " ".join("".join(pages[name].itertext()).split())
        assert "this leaflet" not in text.lower(), name
    assert "Ask us for this guide in large print" in " ".join(
        "".join(pages["EPUB/titlepage.xhtml"].itertext()).split())
    # a single leaflet's own book still says "this leaflet"
    alone = " ".join("".join(xhtml_pages(dist / "clinic" / "steps.epub")["EPUB/steps.xhtml"]
                             .itertext()).split())
    assert "Ask us for this leaflet in large print" in alone


# paints a corner red when any box on the page is wider than the screen or clips its content
# (a table scrolling inside its wrapper is cut off for a reader who cannot scroll sideways)
OVERFLOW_PROBE = """<script>//<![CDATA[
var mark = document.createElementNS("http://www.w3.org/1999/xhtml", "div");
document.body.appendChild(mark);
function probe() {
  var cut = false;
  document.querySelectorAll("body *").forEach(function (e) {
    var box = e.getBoundingClientRect();
    if (e !== mark && box.width && (box.right > window.innerWidth + 1 ||
        e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)) { cut = true; }
  });
  mark.setAttribute("style", "position:fixed;left:0;top:0;width:8px;height:8px;z-index:99;" +
                    "background:" + (cut ? "#ff0000" : "#00ff00"));
}
probe();
// the headless window takes its screenshot size after loading: measure again at that size
window.addEventListener("resize", probe);
setInterval(probe, 50);
//]]></script>"""


@pytest.mark.external
@pytest.mark.parametrize("width", [320, 360, 420])
def test_epub_about_this_guide_fits_a_phone_screen(dist: Path, tmp_path: Path,
                                                  width: int) -> None:
    chromium = require_tool("chromium")
    from PIL import Image

    with zipfile.ZipFile(dist / "clinic" / "guide.epub") as book:
        book.extractall(tmp_path / "book")
    page = tmp_path / "book" / "EPUB" / "about.xhtml"
    text = page.read_text(encoding="utf-8")
    assert "<table" not in text  # four columns never fit a phone: one short list per leaflet
    page.write_text(text.replace("</body>", OVERFLOW_PROBE + "</body>"), encoding="utf-8")
    shot = tmp_path / "about.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    f"--user-data-dir={tmp_path}/profile", f"--screenshot={shot}",
                    f"--window-size={width},900", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    with Image.open(shot) as image:
        assert image.size[0] == width
        assert image.convert("RGB").getpixel((3, 3)) == (0, 255, 0)
