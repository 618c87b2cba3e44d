"""A web address in an Arabic leaflet reads left to right, as it is typed (issue 13, item 3).

The sources' addresses and "Read this leaflet online" sit inside right-to-left paragraphs.
Left to the paragraph's direction, the `/` and `:` at a line break and the `-` where a long
address wraps are placed by the Arabic direction: the page showed "//:https" and
"-https://example.org/leaflets/when-to-call-the-24" — an address a patient would type
wrongly. Each address is its own left-to-right stretch (`dir="ltr"`). The PDF's lines are read
back with pdfplumber in the order they sit on the page; the HTML and EPUB are read with lxml.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.helpers import leaflet_text, make_project, run_cli

pdfplumber = pytest.importorskip("pdfplumber")

SOURCE_URL = ("https://www.example.org/about-cancer/treatment/immunotherapy/"
              "side-effects-of-immunotherapy-and-when-to-call-the-24-hour-line")
SLUG = "when-to-call-the-24-hour-line-and-what-to-say-ar"
BASE = "https://example.org/leaflets"
# a source named in English inside the Arabic list (the shipped drafts' "About this
# translation"): its hyphen and full stop stay where an English reader put them
ENGLISH_TITLE = ("About this translation: a draft of the English leaflet on the 24-hour line, "
                 "made with a language model and checked by back-translation into English. "
                 "It must be reviewed by a qualified translator before patient use.")
BODY = "## متى تتصل بنا\n\nاتصل بنا فورا إذا ارتفعت درجة حرارتك.\n"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bidi-urls")
    sources = [{"title": "مصدر المعلومات عن العلاج المناعي والآثار الجانبية",
                "url": SOURCE_URL, "accessed": "2026-11-27"},
               {"title": ENGLISH_TITLE, "accessed": "2026-11-27"}]
    make_project(root, {SLUG: leaflet_text(BODY, title="متى تتصل بنا", summary="معلومات للمرضى.",
                                           language="ar", sources=sources)},
                 project={"organisation": "Example Cancer Centre", "base_url": BASE})
    result = run_cli("build", "--format", "pdf", "--format", "html", "--format", "epub",
                     "--layout", "clinic", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "dist" / "clinic"


def visual_lines(pdf_path: Path) -> list[str]:
    """Every line of every page as it sits on the page, left to right."""
    found = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            lines: dict[int, list[dict[str, Any]]] = {}
            for word in page.extract_words(keep_blank_chars=True, x_tolerance=1.5):
                lines.setdefault(round(word["bottom"] / 4), []).append(word)
            found += [" ".join(w["text"] for w in sorted(line, key=lambda w: w["x0"])).strip()
                      for _, line in sorted(lines.items())]
    return found


def url_pieces(lines: list[str]) -> str:
    """The Latin address characters of the lines that hold part of an address, top to bottom,
    each line's pieces left to right: an address laid out left to right reads back whole."""
    latin = re.compile(r"[A-Za-z0-9:/.\-_]+")
    pieces = []
    for line in lines:
        found = latin.findall(line)
        if any("/" in piece or "-" in piece for piece in found):
            pieces.append("".join(p for p in found if "/" in p or "-" in p or "." in p))
    return "".join(pieces)


def test_pdf_addresses_read_left_to_right(dist: Path) -> None:
    lines = visual_lines(dist / f"{SLUG}.pdf")
    text = url_pieces(lines)
    assert SOURCE_URL in text, lines
    assert f"{BASE}/{SLUG}" in text, lines
    assert not any("//:" in line or re.search(r"(^|\s)-https", line) for line in lines), lines


def test_html_and_epub_mark_addresses_left_to_right(dist: Path) -> None:
    root = etree.fromstring((dist / f"{SLUG}.html").read_bytes(), etree.HTMLParser())
    with zipfile.ZipFile(dist / f"{SLUG}.epub") as book:
        pages = [etree.fromstring(book.read(name)) for name in book.namelist()
                 if name.endswith(".xhtml") and "nav" not in name]
    for links in (addresses([root]), addresses(pages)):
        assert {a.text for a in links} >= {SOURCE_URL}, links
        assert all(a.get("dir") == "ltr" for a in links), [etree.tostring(a) for a in links]


def addresses(pages: list[Any]) -> list[Any]:
    """The links of these pages whose text is a web address."""
    return [a for page in pages for a in page.iter("{*}a", "a")
            if (a.text or "").startswith("https://")]


def test_pdf_english_source_title_reads_left_to_right(dist: Path) -> None:
    lines = visual_lines(dist / f"{SLUG}.pdf")
    english = [line for line in lines if re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", line)]
    assert any(re.search(r"\buse\.", line) for line in lines), lines
    # a comma, full stop or hyphen moved to the other end of a line, before a word
    assert not any(re.search(r"(^|\s)[.,-][A-Za-z]", line) for line in english), english


def test_html_and_epub_isolate_an_english_source_title(dist: Path) -> None:
    root = etree.fromstring((dist / f"{SLUG}.html").read_bytes(), etree.HTMLParser())
    with zipfile.ZipFile(dist / f"{SLUG}.epub") as book:
        pages = [etree.fromstring(book.read(name)) for name in book.namelist()
                 if name.endswith(".xhtml") and "nav" not in name]
    for document in ([root], pages):
        spans = [span for page in document for span in page.iter("{*}span", "span")
                 if span.text == ENGLISH_TITLE]
        assert spans and all(span.get("dir") == "ltr" for span in spans), spans
