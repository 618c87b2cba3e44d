"""The layouts' own words in the leaflet's language, in every format (issue 13, item 1).

A small project with a Welsh and an Arabic leaflet (and a Welsh guide) is built in every
format; each output is opened with an independent reader (pdftotext and pypdf, python-docx,
zipfile + lxml) and must say "Page 1 of N", DRAFT, "About this leaflet" and the review date in
the leaflet's language. Then: every message of the templates and the code is translated in
en, cy and ar (Babel's own extractor finds them), a language with no catalogue builds in
English with one warning, a project layout overrides one message, and a broken layout
catalogue is a `path:line` error.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html

from tests.helpers import leaflet_text, make_project, require_tool, run_cli

docx = pytest.importorskip("docx")
pypdf = pytest.importorskip("pypdf")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XHTML = "{http://www.w3.org/1999/xhtml}"
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")

LEAFLETS = {
    "cy": leaflet_text("## Beth yw imiwnotherapi\n\nMae imiwnotherapi yn helpu eich system "
                       "imiwnedd i ymladd canser.\n\n::: warning\nFfoniwch ni os oes gennych "
                       "dwymyn.\n:::\n",
                       title="Imiwnotherapi", summary="Triniaeth ar gyfer canser.",
                       language="cy", version="1.0", reviewed="2026-11-21",
                       review_due="2027-11-21",
                       sources=[{"title": "GIG", "url": "https://www.nhs.uk",
                                 "accessed": "2026-03-04"}]),
    "ar": leaflet_text("## ما هو العلاج المناعي\n\nالعلاج المناعي هو علاج للسرطان يساعد "
                       "جهازك المناعي على إيجاد الخلايا السرطانية.\n",
                       title="العلاج المناعي", summary="علاج للسرطان.", language="ar",
                       version="1.0", reviewed="2026-11-21", review_due="2027-11-21"),
}
WELSH = {"page": "Tudalen 1 o", "draft": "DRAFFT — nid i'w rhoi i gleifion",
         "about": "Am y daflen hon", "date": "21 Tachwedd 2026"}
ARABIC = {"page": "صفحة 1 من", "draft": "مسودة — ليست للاستخدام مع المرضى",
          "about": "عن هذه النشرة", "date": "21 نوفمبر 2026"}


URGENT = {"phone": "0100 000 0000", "fever_threshold_c": 37.5, "emergency_number": "999"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("languages")
    make_project(root, LEAFLETS, project={"organisation": "Example Cancer Centre",
                                          "language": "cy", "urgent": URGENT},
                 booklets={"canllaw": {"title": "Canllaw imiwnotherapi", "language": "cy",
                                       "leaflets": ["cy"]}})
    result = run_cli("build", "--format", "pdf", "--format", "docx", "--format", "epub",
                     "--format", "html", "--format", "site", cwd=root)
    assert result.returncode == 0, result.stderr
    return root, result


def words_of(text: str) -> str:
    return " ".join(BIDI_CONTROLS.sub("", text).split())


def pdf_texts(path: Path) -> dict[str, str]:
    pdftotext = require_tool("pdftotext")
    raw = subprocess.run([pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    reader = pypdf.PdfReader(path)
    return {"pdftotext": words_of(raw),
            "pypdf": words_of("\n".join(page.extract_text() for page in reader.pages))}


def test_welsh_pdf_says_the_layout_words_in_welsh(built: tuple[Path, object]) -> None:
    root, _ = built
    path = root / "dist" / "clinic" / "cy.pdf"
    pages = len(pypdf.PdfReader(path).pages)
    for reader, text in pdf_texts(path).items():
        for phrase in (*WELSH.values(), "Pwysig", "cyrchwyd 4 Mawrth 2026"):
            assert phrase in text, (reader, phrase, text[:3000])
        assert f"Tudalen {pages} o {pages}" in text, reader
        assert not re.search(r"\bPage \d|About this leaflet|not for patient use|November",
                             text), reader


def test_welsh_booklet_pdf_contents_footer_and_about_this_guide(built: tuple[Path, object]
                                                               ) -> None:
    root, _ = built
    path = root / "dist" / "clinic" / "canllaw.pdf"
    pages = len(pypdf.PdfReader(path).pages)
    text = pdf_texts(path)["pdftotext"]
    for phrase in ("Cynnwys", "Cynnwys · DRAFFT", "Am y canllaw hwn · DRAFFT",
                   "Cynhyrchwyd y canllaw hwn gan Example Cancer Centre.",
                   "Pryd yr adolygwyd pob taflen", "Drafft, fersiwn 1.0",
                   f"Tudalen {pages} o {pages}"):
        assert phrase in text, phrase
    assert "About this guide" not in text and "Contents" not in text


def test_arabic_pdf_says_the_layout_words_in_arabic(built: tuple[Path, object]) -> None:
    root, _ = built
    # readers put the words of a right-to-left line back in order each their own way around
    # numbers and dashes (test_bidi and test_pdf_text_layer hold them to the order): here,
    # every word of each phrase must be read, whole
    for reader, text in pdf_texts(root / "dist" / "clinic" / "ar.pdf").items():
        got = set(re.findall(r"[\u0600-\u06ff]+|\d+", text))
        for phrase in ARABIC.values():
            assert set(re.findall(r"[\u0600-\u06ff]+|\d+", phrase)) <= got, (reader, phrase)
        assert "About this leaflet" not in text and "Page 1" not in text, reader


@pytest.mark.parametrize(("slug", "said"), [("cy", WELSH), ("ar", ARABIC)])
def test_word_header_and_footer_in_the_leaflets_language(built: tuple[Path, object], slug: str,
                                                        said: dict[str, str]) -> None:
    root, _ = built
    document = docx.Document(str(root / "dist" / "clinic" / f"{slug}.docx"))
    section = document.sections[0]
    header = [p.text for p in section.header.paragraphs if p.text]
    assert header == ["Example Cancer Centre", said["draft"]]
    footer = section.footer.paragraphs[-1]
    assert BIDI_CONTROLS.sub("", footer.text).endswith(said["page"] + " 1"), footer.text
    assert [t.text.strip() for t in footer._p.iter(f"{W}instrText")] == ["PAGE", "NUMPAGES"]
    # every paragraph of the body, tables (the "About this leaflet" list) included
    body = "\n".join("".join(t.text or "" for t in p.iter(f"{W}t"))
                     for p in document.element.body.iter(f"{W}p"))
    assert said["about"] in body and said["date"] in BIDI_CONTROLS.sub("", body)


def test_numbers_in_the_arabic_when_to_call_block_read_left_to_right(
        built: tuple[Path, object]) -> None:
    """The block's sentences are Arabic now: its phone number and fever threshold are
    isolated left to right, or "0100 000 0000" shows as "0000 000 0100" and 37.5°C as C°37.5."""
    root, _ = built
    page = (root / "dist" / "clinic" / "ar.html").read_text(encoding="utf-8")
    assert "اتصل فورا بخطنا" in page
    for number in ("0100 000 0000", "37.5°C", "999"):
        assert f"\u2066{number}\u2069" in page, number
    welsh = (root / "dist" / "clinic" / "cy.html").read_text(encoding="utf-8")
    assert "\u2066" not in welsh and "0100 000 0000" in welsh


def test_bold_layout_words_are_bold_in_an_arabic_handout(built: tuple[Path, object]) -> None:
    """Word emboldens Arabic letters by `w:bCs` (complex script bold), not `w:b` alone: the
    "When to call us" heading, now Arabic, must carry it to look bold."""
    root, _ = built
    document = docx.Document(str(root / "dist" / "clinic" / "ar.docx"))
    title = [run for run in document.element.body.iter(f"{W}r")
             if "متى تتصل بنا" in "".join(t.text or "" for t in run.iter(f"{W}t"))]
    assert title and all(run.find(f"{W}rPr/{W}bCs") is not None for run in title)


def _epub_page(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as book:
        found = [n for n in book.namelist() if n.endswith(name)]
        return etree.fromstring(book.read(found[0]))


def test_epub_navigation_and_guide_pages_in_welsh(built: tuple[Path, object]) -> None:
    root, _ = built
    guide = root / "dist" / "clinic" / "canllaw.epub"
    nav = _epub_page(guide, "nav.xhtml")
    assert nav.get("lang") == "cy"
    assert nav.findtext(f".//{XHTML}h1") == "Cynnwys"
    assert nav.findtext(f".//{XHTML}title") == "Cynnwys"
    landmarks = [a.text for a in nav.iter(f"{XHTML}a")
                 if a.get("{http://www.idpf.org/2007/ops}type") in ("cover", "toc")]
    assert landmarks == ["Clawr", "Cynnwys"]
    about = _epub_page(guide, "about.xhtml")
    text = words_of(" ".join(about.itertext()))
    assert "Am y canllaw hwn" in text and "21 Tachwedd 2026" in text and "Statws" in text
    leaflet = _epub_page(root / "dist" / "clinic" / "ar.epub", "nav.xhtml")
    assert leaflet.findtext(f".//{XHTML}h1") == "المحتويات"
    # the accessibility summary a reading system reads out, in the book's language
    package = _epub_page(guide, ".opf")
    summary = [meta.text for meta in package.iter("{http://www.idpf.org/2007/opf}meta")
               if meta.get("property") == "schema:accessibilitySummary"]
    assert summary and summary[0].startswith("Mae'r cyhoeddiad hwn yn bodloni EPUB")


def test_site_pages_in_the_leaflets_language(built: tuple[Path, object]) -> None:
    root, _ = built
    site = root / "dist" / "site"
    page = html.parse(str(site / "cy" / "index.html")).getroot()
    text = words_of(page.text_content())
    assert page.get("lang") == "cy"
    for phrase in ("Neidio i'r prif gynnwys", "Adolygwyd y dudalen ddiwethaf: 21 Tachwedd 2026",
                   "Lawrlwytho'r daflen hon", WELSH["about"]):
        assert phrase in text, phrase
    arabic = words_of(html.parse(str(site / "ar" / "index.html")).getroot().text_content())
    assert "انتقل إلى المحتوى الرئيسي" in arabic and ARABIC["about"] in arabic
    # the download list joined as Arabic joins a list (،), sizes in Arabic units
    assert re.search(r"\(PDF، [^)]*Word، EPUB\)", arabic), arabic
    assert "كيلوبايت" in arabic and " kB" not in arabic
    assert re.search(r"\(PDF, [^)]*Word, EPUB\)", text) and " kB" in text
    home = html.parse(str(site / "index.html")).getroot()  # the project's language: Welsh
    assert home.findtext(".//h1") == "Taflenni gwybodaeth i gleifion"
    words = json.loads(home.find(".//form").get("data-words"))  # what search.js says
    assert words["none"].startswith("Heb ddod o hyd i unrhyw daflen")
    assert words["found"]["few"] == "Tair taflen wedi'u canfod"
    assert words["found"]["other"] == "{n} o daflenni wedi'u canfod"
    assert (site / "404.html").read_text(encoding="utf-8").count("Heb ddod o hyd i'r dudalen")


# --- catalogues ---------------------------------------------------------------------------------


def untranslated(catalog: object, language: str) -> set[str]:
    """The msgids of `catalog` the packaged `language` catalogue lacks or leaves empty."""
    from leaflet_builder.i18n import LOCALE_DIR, read_catalogue

    messages, _ = read_catalogue(LOCALE_DIR / language / "LC_MESSAGES" / "messages.po")
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}  # type: ignore[attr-defined]
    return {msgid for msgid in wanted if not all(messages.get(msgid, ("",)))}


@pytest.mark.parametrize("language", ["en", "cy", "ar"])
def test_every_message_is_translated(language: str) -> None:
    from leaflet_builder.i18n_extract import extract

    catalog = extract()
    assert len(catalog) > 80  # the extractor found the templates' and the code's messages
    assert untranslated(catalog, language) == set()


def test_a_new_template_string_is_reported_untranslated(tmp_path: Path) -> None:
    """The completeness test fails when a template gains a string no catalogue has."""
    from leaflet_builder.i18n_extract import extract
    from leaflet_builder.layouts import builtin_layouts_dir

    layouts = tmp_path / "layouts"
    shutil.copytree(builtin_layouts_dir(), layouts)
    about = layouts / "clinic" / "templates" / "shared" / "about.html"
    about.write_text(about.read_text(encoding="utf-8") +
                     "<p>{{ _('Ask us about parking') }}</p>\n{% trans %}Bring a friend{% endtrans %}\n",
                     encoding="utf-8")
    catalog = extract(layouts)
    for language in ("en", "cy", "ar"):
        assert untranslated(catalog, language) == {"Ask us about parking", "Bring a friend"}


def test_the_pot_template_is_up_to_date() -> None:
    """locale/messages.pot is what the extractor gives today (README: how to refresh it)."""
    from leaflet_builder.i18n import LOCALE_DIR
    from leaflet_builder.i18n_extract import extract, pot_text

    assert (LOCALE_DIR / "messages.pot").read_text(encoding="utf-8") == pot_text(extract())


# --- languages with no catalogue, overrides, broken catalogues -------------------------------------


def test_a_language_without_a_catalogue_builds_in_english_with_one_warning(tmp_path: Path) -> None:
    make_project(tmp_path, {slug: leaflet_text("Tekst.\n", title=f"Ulotka {slug}", language="pl")
                            for slug in ("jeden", "dwa", "trzy")})
    result = run_cli("build", "--format", "html", "--format", "docx", "--format", "pdf",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "language 'pl'" in line]
    assert len(warnings) == 1, result.stderr
    assert "source/dwa.md:" in warnings[0] and "layouts/clinic/locale/pl/LC_MESSAGES" in \
        warnings[0]
    page = (tmp_path / "dist" / "clinic" / "jeden.html").read_text(encoding="utf-8")
    assert "About this leaflet" in page
    assert 'class="disclaimer" lang="en"' in page  # English words marked English
    check = run_cli("check", cwd=tmp_path)
    assert sum("language 'pl'" in line for line in check.stdout.splitlines()) == 1, check.stdout


def _own_layout(root: Path, po: str) -> Path:
    folder = root / "layouts" / "mine"
    (folder / "locale" / "cy" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
    path = folder / "locale" / "cy" / "LC_MESSAGES" / "messages.po"
    path.write_text(po, encoding="utf-8")
    return path


PO_HEAD = 'msgid ""\nmsgstr ""\n"Language: cy\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def test_a_project_layout_overrides_one_message(tmp_path: Path) -> None:
    make_project(tmp_path, {"cy": LEAFLETS["cy"]})
    _own_layout(tmp_path, PO_HEAD + 'msgid "About this leaflet"\nmsgstr "Ynglŷn â’r daflen hon"\n')
    result = run_cli("build", "--format", "html", "--layout", "mine", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = words_of(html.parse(str(tmp_path / "dist" / "mine" / "cy.html")).getroot()
                    .text_content())
    assert "Ynglŷn â’r daflen hon" in text and "Am y daflen hon" not in text
    assert "Mae'r daflen hon yn rhoi gwybodaeth gyffredinol." in text  # the rest: packaged


@pytest.mark.parametrize(("po", "line", "words"), [
    ('msgid "About this leaflet"\nmsgstr "Am y daflen\n', 7, "syntax error"),
    (('msgid "Call %(emergency)s if you have chest pain, severe breathlessness or a fit, or if '
      'you cannot stay awake."\nmsgstr "Ffoniwch 999 os oes gennych boen yn eich brest."\n'), 6,
     "placeholders"),
    ('msgid "Version %(version)s"\nmsgstr "Fersiwn %(version)9999999s"\n', 6, "not a placeholder"),
])
def test_a_broken_layout_catalogue_is_a_file_line_error(tmp_path: Path, po: str, line: int,
                                                        words: str) -> None:
    make_project(tmp_path, {"cy": LEAFLETS["cy"], "en": leaflet_text()},
                 project={"default_layout": "mine"})
    _own_layout(tmp_path, PO_HEAD + po)
    result = run_cli("build", "--format", "html", cwd=tmp_path)
    assert result.returncode == 1
    where = f"layouts/mine/locale/cy/LC_MESSAGES/messages.po:{line}: "
    assert where in result.stderr and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "dist" / "mine" / "en.html").is_file()  # the English leaflet is built
    check = run_cli("check", cwd=tmp_path)
    assert where in check.stdout and "Traceback" not in check.stderr, check.stdout


def test_an_edited_layout_catalogue_is_read_again(tmp_path: Path) -> None:
    """`leaflet watch` renders in one long process: a catalogue edited between two builds is
    read again, not served from what the process read before."""
    import os

    from leaflet_builder.layouts import load_layout

    make_project(tmp_path, {"cy": LEAFLETS["cy"]})
    path = _own_layout(tmp_path, PO_HEAD + 'msgid "Contents"\nmsgstr "Cynnwys un"\n')
    layout = load_layout("mine", tmp_path)
    render = "{{ _('Contents') }}"
    assert layout.environment("cy").from_string(render).render() == "Cynnwys un"
    path.write_text(PO_HEAD + 'msgid "Contents"\nmsgstr "Cynnwys dau"\n', encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert layout.environment("cy").from_string(render).render() == "Cynnwys dau"


def test_a_layout_catalogue_linked_out_of_the_layout_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.po"
    outside.write_text(PO_HEAD + 'msgid "Contents"\nmsgstr "Secret"\n', encoding="utf-8")
    make_project(tmp_path, {"cy": LEAFLETS["cy"], "en": leaflet_text()},
                 project={"default_layout": "mine"})
    path = _own_layout(tmp_path, "")
    path.unlink()
    path.symlink_to(outside)
    result = run_cli("build", "--format", "html", cwd=tmp_path)
    assert result.returncode == 1
    assert "messages.po: message catalogue is a symbolic link" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "Secret" not in result.stderr
    assert (tmp_path / "dist" / "mine" / "en.html").is_file()
    assert "Traceback" not in run_cli("check", cwd=tmp_path).stderr


def test_an_arabic_draft_is_marked_with_the_arabic_word(tmp_path: Path) -> None:
    """The watermark says مسودة, its letters joined (initial meem, medial seen, final waw,
    isolated dal and teh marbuta) and drawn as outlines, never page text; an Urdu draft (no
    catalogue) keeps the English DRAFT. Read back: the red shapes across the page differ."""
    import pdfplumber

    from leaflet_builder.render.pdf.watermark import joined_forms, watermark_svg
    from tests.render.pdf.test_pdf import draft_marks, watermark_shapes

    assert joined_forms("مسودة") == "\ufee3\ufeb4\ufeee\ufea9\ufe93"
    svg = watermark_svg("مسودة")
    assert "<path" in svg and "<text" not in svg and svg != watermark_svg("DRAFT")
    body = "## ما هو العلاج المناعي\n\nالعلاج المناعي هو علاج للسرطان.\n"
    make_project(tmp_path, {lang: leaflet_text(body, title="العلاج المناعي", language=lang)
                            for lang in ("ar", "ur")})
    assert run_cli("build", "--format", "pdf", cwd=tmp_path).returncode == 0
    boxes = {}
    for lang in ("ar", "ur"):
        path = tmp_path / "dist" / "clinic" / f"{lang}.pdf"
        assert all(draft_marks(path)), lang
        with pdfplumber.open(path) as pdf:
            shapes = watermark_shapes(pdf.pages[0])
        boxes[lang] = (round(min(c["x0"] for c in shapes)), round(max(c["x1"] for c in shapes)),
                       round(min(c["top"] for c in shapes)), round(max(c["bottom"] for c in shapes)))
    assert boxes["ar"] != boxes["ur"], boxes
