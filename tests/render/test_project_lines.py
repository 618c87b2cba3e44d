"""The project's own lines — contact, feedback, other formats — in the leaflet's language
(issue 13, item 1: everything around a leaflet in its language).

project.yaml's `contact`, `feedback` and `other_formats` end every leaflet. They were English
in the Welsh and Arabic leaflets: an Arabic reader got "Ask us for this leaflet in ... another
language" in English. `languages: {cy: {...}}` gives them per language; a leaflet in a language
the project has no lines for keeps the project's, and `leaflet check` warns (tests/check).
Each format is read back with an independent reader (pypdf, python-docx, lxml, zipfile).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.helpers import leaflet_text, make_project, run_cli

pypdf = pytest.importorskip("pypdf")
docx = pytest.importorskip("docx")
pdfplumber = pytest.importorskip("pdfplumber")

ENGLISH = {"contact": "Oncology nurse line: 0100 000 0000",
           "feedback": "Tell us what you think of this leaflet: leaflets@example.org",
           "other_formats": "Ask us for this leaflet in large print or another language."}
WELSH = {"contact": "Llinell y nyrsys canser: 0100 000 0000",
         "feedback": "Dywedwch wrthym beth yw eich barn am y daflen hon: leaflets@example.org",
         "other_formats": "Gofynnwch i ni am y daflen hon mewn print bras neu iaith arall."}
ARABIC_FEEDBACK = "أخبرنا برأيك في هذه النشرة: leaflets@example.org"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project-lines")
    make_project(root, {
        "fever": leaflet_text("Call us if you have a fever.\n", title="Fever"),
        "fever-cy": leaflet_text("Ffoniwch ni os oes gennych dwymyn.\n", title="Twymyn",
                                 language="cy", translation_of="fever"),
        # only feedback in Arabic: the other two lines stay as the project writes them
        "fever-ar": leaflet_text("اتصل بنا إذا كانت لديك حمى.\n", title="الحمى",
                                 language="ar", translation_of="fever"),
    }, project={"organisation": "Example Cancer Centre", "language": "en-GB", **ENGLISH,
                "languages": {"cy": WELSH, "ar": {"feedback": ARABIC_FEEDBACK}}})
    result = run_cli("build", "--layout", "clinic", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "dist"


def pdf_text(path: Path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split())
                    for page in pypdf.PdfReader(path).pages)


def docx_text(path: Path) -> str:
    return " ".join(p.text for p in docx.Document(str(path)).paragraphs)


def page_text(path: Path) -> str:
    root = etree.fromstring(path.read_bytes(), etree.HTMLParser())
    return " ".join(" ".join(root.itertext()).split())


def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return " ".join(" ".join(etree.fromstring(book.read(name)).itertext())
                        for name in book.namelist() if name.endswith(".xhtml"))


READERS = {"pdf": pdf_text, "docx": docx_text, "html": page_text, "epub": epub_text}


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_welsh_leaflet_ends_in_welsh(dist: Path, fmt: str) -> None:
    text = READERS[fmt](dist / "clinic" / f"fever-cy.{fmt}")
    for key, english in ENGLISH.items():
        assert WELSH[key] in text, (fmt, key, text[-600:])
        assert english not in text, (fmt, key)


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_english_leaflet_keeps_the_project_lines(dist: Path, fmt: str) -> None:
    text = READERS[fmt](dist / "clinic" / f"fever.{fmt}")
    for key, english in ENGLISH.items():
        assert english in text, (fmt, key)
        assert WELSH[key] not in text, (fmt, key)


def test_a_language_with_some_lines_keeps_the_project_ones_for_the_rest(dist: Path) -> None:
    # the isolate marks around the address are layout instructions, not words
    text = page_text(dist / "clinic" / "fever-ar.html").translate({0x2066: None, 0x2069: None})
    assert ARABIC_FEEDBACK in text
    assert ENGLISH["feedback"] not in text
    assert ENGLISH["contact"] in text and ENGLISH["other_formats"] in text


def test_site_footer_of_a_welsh_page_is_welsh(dist: Path) -> None:
    welsh = page_text(dist / "site" / "fever-cy" / "index.html")
    assert welsh.count(WELSH["contact"]) >= 1 and ENGLISH["contact"] not in welsh
    english = page_text(dist / "site" / "fever" / "index.html")
    assert ENGLISH["contact"] in english and WELSH["contact"] not in english


def test_arabic_line_keeps_its_address_left_to_right(dist: Path) -> None:
    """The e-mail address inside the Arabic line is isolated as the leaflet's own text is:
    shown as typed, not broken up around its "@" and "."."""
    html = (dist / "clinic" / "fever-ar.html").read_text(encoding="utf-8")
    assert "\u2066leaflets@example.org\u2069" in html
    words = [w["text"] for page in pdfplumber.open(dist / "clinic" / "fever-ar.pdf").pages
             for w in page.extract_words()]
    assert "leaflets@example.org" in words, words
