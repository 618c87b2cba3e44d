"""Numbers, drug names, phone numbers and punctuation inside Arabic sit where an Arabic reader
expects them, in Word, PDF, EPUB and the web page (issue 13, item 3).

Word: runs of Arabic are marked `w:rtl`, runs of Latin letters and digits are not, paragraphs
are `w:bidi`; the layouts' own wording is Arabic in an Arabic leaflet (issue 13, item 1), and
English, read left to right, in a right-to-left leaflet whose language has no catalogue (an
Urdu one here); the footer is title · DRAFT · "Page N of M" with its fields in their own runs. LibreOffice's PDF of the
handout is read back with pdfplumber to see the order a reader sees. The HTML, EPUB and PDF
isolate a left-to-right stretch of several words or number groups (a phone number) with LRI …
PDI, so "0100 000 0000" is not shown as "0000 000 0100".
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.helpers import leaflet_text, make_project, require_tool, run_cli

docx = pytest.importorskip("docx")
pdfplumber = pytest.importorskip("pdfplumber")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PHONE = "0100 000 0000"
DOSE = "يُعطى دواء Pembrolizumab مرة كل 3 أسابيع، عن طريق التنقيط في الوريد."
CALL = f"رقم الهاتف: {PHONE} (متاح 24 ساعة)."
TITLE = "العلاج المناعي"
EMBEDDING = {0x202A: None, 0x202C: None}
# a list of English titles inside an Arabic leaflet (sources, other languages are such lists)
LATIN_ITEMS = "- Cancer Research UK: Immunotherapy.\n- NHS: Side effects (2026)."


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bidi")
    make_project(root, {slug: leaflet_text(f"## مواعيد العلاج\n\n{DOSE}\n\n{CALL}\n\n"
                                           f"{LATIN_ITEMS}\n",
                                           title=TITLE, summary="معلومات للمرضى.",
                                           language=slug) for slug in ("ar", "ur")},
                 project={"organisation": "Example Cancer Centre"})
    result = run_cli("build", "--format", "docx", "--format", "pdf", "--format", "html",
                     "--format", "epub", "--layout", "clinic", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "dist" / "clinic"


def runs(paragraph: Any) -> list[tuple[str, bool]]:
    """(text, marked w:rtl) of each text run of a paragraph, in document order."""
    found = []
    for run in paragraph._p.iter(f"{W}r"):
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        if text:
            found.append((text, run.find(f"{W}rPr/{W}rtl") is not None))
    return found


def body_paragraph(document: Any, start: str) -> Any:
    return next(p for p in document.paragraphs if p.text.startswith(start))


def test_word_runs_are_marked_by_direction(dist: Path) -> None:
    document = docx.Document(str(dist / "ar.docx"))
    for source in (DOSE, CALL):
        paragraph = body_paragraph(document, source[:8])
        assert paragraph._p.find(f"{W}pPr/{W}bidi") is not None
        pieces = runs(paragraph)
        # logical order, nothing lost (the embedding marks around a phone number aside)
        assert "".join(text for text, _ in pieces).translate(EMBEDDING) == source
        for text, rtl in pieces:
            text = text.translate(EMBEDDING)
            arabic = any("\u0600" <= char <= "\u06ff" for char in text)
            latin_or_digit = any(char.isascii() and char.isalnum() for char in text)
            assert rtl == (arabic or not latin_or_digit), (text, rtl)
    call = runs(body_paragraph(document, CALL[:8]))
    text = "".join(piece for piece, _ in call)
    assert f"\u202a{PHONE}\u202c" in text  # embedded left to right: not 0000 000 0100
    assert (PHONE, False) in call and ("Pembrolizumab", False) in runs(
        body_paragraph(document, DOSE[:8]))


def test_word_english_wording_reads_left_to_right(dist: Path) -> None:
    document = docx.Document(str(dist / "ur.docx"))  # Urdu: no catalogue, English wording
    disclaimer = body_paragraph(document, "This leaflet gives general information")
    assert disclaimer._p.find(f"{W}pPr/{W}bidi") is None
    assert not any(rtl for _, rtl in runs(disclaimer))


def test_word_list_of_english_items_keeps_the_arabic_list_direction(dist: Path) -> None:
    """A list item of Latin letters only, in an Arabic handout, is still an item of a
    right-to-left list (its bullet on the right, as the PDF and web page show it): the
    paragraph keeps `w:bidi`, and its text is one left-to-right embedding (LRE … PDF), so
    its full stop and brackets stay at its end."""
    document = docx.Document(str(dist / "ar.docx"))
    for start in ("Cancer Research UK", "NHS: Side effects"):
        item = next(p for p in document.paragraphs
                    if p.text.translate(EMBEDDING).startswith(start))
        assert item._p.find(f"{W}pPr/{W}numPr") is not None  # it is a list item
        assert item._p.find(f"{W}pPr/{W}bidi") is not None, start
        assert item.text.startswith("\u202a") and item.text.endswith("\u202c"), item.text
        assert not any(rtl for _, rtl in runs(item))


def test_word_arabic_wording_reads_right_to_left(dist: Path) -> None:
    document = docx.Document(str(dist / "ar.docx"))
    disclaimer = body_paragraph(document, "تقدم هذه النشرة معلومات عامة")
    assert disclaimer._p.find(f"{W}pPr/{W}bidi") is not None
    assert all(rtl for _, rtl in runs(disclaimer))


def test_word_footer_runs_in_reading_order(dist: Path) -> None:
    document = docx.Document(str(dist / "ur.docx"))
    footer = document.sections[0].footer.paragraphs[-1]
    assert footer._p.find(f"{W}pPr/{W}bidi") is not None
    pieces = runs(footer)
    assert pieces[0] == (f"{TITLE} · ", True)
    assert [text for text, rtl in pieces if not rtl][:4] == ["DRAFT", "Page ", "1", " of "]
    _assert_page_fields(footer)


def test_word_arabic_footer_runs_in_reading_order(dist: Path) -> None:
    """All Arabic: title · مسودة · صفحة PAGE من NUMPAGES, the words in right-to-left runs."""
    document = docx.Document(str(dist / "ar.docx"))
    footer = document.sections[0].footer.paragraphs[-1]
    assert footer._p.find(f"{W}pPr/{W}bidi") is not None
    assert runs(footer) == [(f"{TITLE} · مسودة · ", True), ("صفحة ", True), ("1", False),
                            (" من ", True), ("1", False)]
    _assert_page_fields(footer)


def _assert_page_fields(footer: Any) -> None:
    # each field in runs of its own: begin, instruction, separate, result, end
    kinds = [(child.tag.split("}")[1], child.get(f"{W}fldCharType"))
             for run in footer._p.iter(f"{W}r") for child in run
             if child.tag in (f"{W}fldChar", f"{W}instrText")]
    assert kinds == [("fldChar", "begin"), ("instrText", None), ("fldChar", "separate"),
                     ("fldChar", "end")] * 2
    instructions = [t.text.strip() for t in footer._p.iter(f"{W}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]


def test_libreoffice_shows_word_text_in_reading_order(dist: Path, tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(dist / "ar.docx")],
                   check=True, capture_output=True, timeout=180)
    lines = visual_lines(tmp_path / "ar.pdf")
    # left to right on the page, as a reader's eye goes over a left-to-right stretch
    assert any(PHONE in line for line in lines), lines
    assert not any("worries" in line for line in lines), lines  # the Arabic disclaimer
    footer = lines[-1]
    assert "\u0600" <= footer.rstrip()[-1] <= "\u06ff", footer  # the title on the right
    # seen left to right: "1 من 1 صفحة · مسودة · title", each Arabic word reversed
    assert footer.startswith("1 نم 1 ةحفص"), footer
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(dist / "ur.docx")],
                   check=True, capture_output=True, timeout=180)
    english = visual_lines(tmp_path / "ur.pdf")
    assert any(line.endswith("worries you have.") for line in english), english
    assert english[-1].startswith("DRAFT · Page 1 of 1"), english[-1]


def visual_lines(pdf_path: Path) -> list[str]:
    """Each line of the first page as it sits on the page, left to right (Arabic letters
    therefore come out reversed)."""
    with pdfplumber.open(pdf_path) as pdf:
        words = pdf.pages[0].extract_words(keep_blank_chars=True, x_tolerance=1.5)
        lines: dict[int, list[dict[str, Any]]] = {}
        for word in words:
            lines.setdefault(round(word["bottom"] / 4), []).append(word)
        return [" ".join(w["text"] for w in sorted(line, key=lambda w: w["x0"])).strip()
                for _, line in sorted(lines.items())]


def test_pdf_shows_the_phone_number_left_to_right(dist: Path) -> None:
    lines = visual_lines(dist / "ar.pdf")
    assert any(PHONE in line for line in lines), lines
    # in an Urdu leaflet (no catalogue) the layout's English disclaimer is marked English,
    # left to right: its full stop ends it
    lines = visual_lines(dist / "ur.pdf")
    assert any(PHONE in line for line in lines), lines
    assert any(line.endswith("worries you have.") for line in lines), lines


def test_html_and_epub_isolate_left_to_right_stretches(dist: Path) -> None:
    html = (dist / "ar.html").read_text(encoding="utf-8")
    root = etree.fromstring(html.encode(), etree.HTMLParser())
    assert root.get("dir") == "rtl"
    assert f"\u2066{PHONE}\u2069" in html
    assert "\u2066Pembrolizumab" not in html  # one word alone needs no isolate
    disclaimer = root.find(".//p[@class='disclaimer']")
    assert disclaimer is not None and disclaimer.get("dir") == "rtl"  # the Arabic wording
    assert disclaimer.get("lang") == "ar"
    english = etree.fromstring((dist / "ur.html").read_bytes(), etree.HTMLParser())
    disclaimer = english.find(".//p[@class='disclaimer']")
    assert disclaimer is not None and disclaimer.get("dir") == "ltr"
    assert disclaimer.get("lang") == "en"
    with zipfile.ZipFile(dist / "ar.epub") as book:
        pages = [book.read(name).decode() for name in book.namelist()
                 if name.endswith(".xhtml") and "nav" not in name]
    assert any(f"\u2066{PHONE}\u2069" in page for page in pages)


def test_isolates_and_segments() -> None:
    from leaflet_builder.render.bidi import direction_segments, isolate_ltr

    assert isolate_ltr("الجرعة 200 mg كل 3 أسابيع") == "الجرعة \u2066200 mg\u2069 كل 3 أسابيع"
    assert isolate_ltr("Page 1 of 2") == "Page 1 of 2"  # no Arabic: nothing to isolate
    assert direction_segments("عن طريق Pembrolizumab 3 مرة.") == [
        ("عن طريق ", True), ("Pembrolizumab 3", False), (" مرة.", True)]
