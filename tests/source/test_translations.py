"""Translations know their original (issue 13, item 4): `translation_of` and
`translation_version` read and checked, "This leaflet in other languages" in every format,
the stale-translation check, and booklets built per language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leaflet_builder.project import load_project, translation_families
from tests.helpers import leaflet_text, make_project, require_module

WELSH_BODY = "## Beth yw imiwnotherapi?\n\nMae imiwnotherapi yn helpu eich system imiwnedd.\n"
ARABIC_BODY = "## ما هو العلاج المناعي؟\n\nيساعد العلاج المناعي جهازك المناعي على محاربة السرطان.\n"
ENGLISH_BODY = "## What is immunotherapy?\n\nImmunotherapy helps your immune system.\n"


def family(**extra: dict[str, Any]) -> dict[str, str]:
    """An English original with its Welsh and Arabic translations; `extra[slug]` changes or
    adds front-matter fields of one of them."""
    fields: dict[str, dict[str, Any]] = {
        "immunotherapy": {"title": "Immunotherapy", "language": "en", "version": "2.0"},
        "imiwnotherapi": {"title": "Imiwnotherapi", "language": "cy",
                          "summary": "Beth yw imiwnotherapi.", "translation_of": "immunotherapy",
                          "translation_version": "2.0"},
        "immunotherapy-ar": {"title": "العلاج المناعي", "language": "ar",
                             "summary": "ما هو العلاج المناعي.",
                             "translation_of": "immunotherapy", "translation_version": "2.0"},
    }
    bodies = {"immunotherapy": ENGLISH_BODY, "imiwnotherapi": WELSH_BODY,
              "immunotherapy-ar": ARABIC_BODY}
    return {slug: leaflet_text(bodies[slug], **{**front, **extra.get(slug, {})})
            for slug, front in fields.items()}


def messages(source: Path) -> list[str]:
    project = load_project(source)
    return [d.display(source.parent) for d in project.diagnostics.items]


def line_of(path: Path, key: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, start=1) if text.startswith(f"{key}:"))


# --- reading ---------------------------------------------------------------------------------


def test_a_family_reads_clean_and_knows_its_members(tmp_path: Path) -> None:
    source = make_project(tmp_path, family())
    project = load_project(source)
    assert not project.diagnostics.errors, [d.message for d in project.diagnostics.items]
    meta = project.leaflets["imiwnotherapi"].meta
    assert (meta.translation_of, meta.translation_version) == ("immunotherapy", "2.0")
    families = translation_families(project)
    expected = (("immunotherapy", "en", "Immunotherapy"), ("immunotherapy-ar", "ar", "العلاج المناعي"),
                ("imiwnotherapi", "cy", "Imiwnotherapi"))
    assert families["immunotherapy"] == families["imiwnotherapi"] == expected


def test_missing_original_is_an_error_with_its_line_and_a_suggestion(tmp_path: Path) -> None:
    leaflets = family(imiwnotherapi={"translation_of": "imunotherapy"})
    source = make_project(tmp_path, leaflets)
    project = load_project(source)
    line = line_of(source / "imiwnotherapi.md", "translation_of")
    assert (f"source/imiwnotherapi.md:{line}: translation_of: no leaflet 'imunotherapy' "
            "(no source/imunotherapy.md) — did you mean 'immunotherapy'?") in messages(source)[0]
    # that leaflet alone is not built; the original and the Arabic translation are
    assert "imiwnotherapi" in project.failed
    assert set(project.leaflets) == {"immunotherapy", "immunotherapy-ar"}


def test_same_language_as_the_original_is_an_error(tmp_path: Path) -> None:
    source = make_project(tmp_path, family(imiwnotherapi={"language": "en-GB"}))
    [message] = messages(source)
    assert "imiwnotherapi.md:" in message and "same language (en) as this leaflet (en-GB)" \
        in message and "set 'language:'" in message


def test_translation_of_a_translation_points_at_the_root(tmp_path: Path) -> None:
    source = make_project(tmp_path, family(**{"immunotherapy-ar": {
        "translation_of": "imiwnotherapi"}}))
    [message] = messages(source)
    assert message.startswith("source/immunotherapy-ar.md:")
    assert "'imiwnotherapi' is itself a translation of 'immunotherapy'" in message
    assert "'translation_of: immunotherapy'" in message


def test_translation_version_without_translation_of_is_an_error(tmp_path: Path) -> None:
    source = make_project(tmp_path, {"x": leaflet_text(translation_version="1.0")})
    [message] = messages(source)
    line = line_of(source / "x.md", "translation_version")
    assert message.startswith(f"source/x.md:{line}: translation_version: only a translation")


def test_two_translations_into_one_language_are_an_error(tmp_path: Path) -> None:
    leaflets = family()
    leaflets["imiwnotherapi-2"] = leaflets["imiwnotherapi"]
    source = make_project(tmp_path, leaflets)
    [message] = messages(source)
    assert message.startswith(("source/imiwnotherapi.md:", "source/imiwnotherapi-2.md:"))
    assert "one translation per language" in message


def test_build_fails_only_the_translation_whose_original_is_missing(tmp_path: Path) -> None:
    from tests.helpers import run_cli

    leaflets = family(imiwnotherapi={"translation_of": "nothing-here"})
    make_project(tmp_path, leaflets)
    result = run_cli("build", "--format", "html", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "source/imiwnotherapi.md:" in result.stderr and "no leaflet 'nothing-here'" \
        in result.stderr
    assert (tmp_path / "dist/clinic/immunotherapy.html").is_file()
    assert (tmp_path / "dist/clinic/immunotherapy-ar.html").is_file()
    assert not (tmp_path / "dist/clinic/imiwnotherapi.html").exists()




# --- leaflet check: stale translations -------------------------------------------------------


def check_json(root: Path) -> list[dict[str, Any]]:
    import json

    from tests.helpers import run_cli

    result = run_cli("check", "--format", "json", cwd=root)
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return findings


def stale(root: Path) -> list[dict[str, Any]]:
    return [f for f in check_json(root) if f["rule"] == "stale-translation"]


def test_a_current_translation_is_not_stale(tmp_path: Path) -> None:
    make_project(tmp_path, family())
    assert stale(tmp_path) == []


def test_check_warns_when_the_original_version_moved_on(tmp_path: Path) -> None:
    source = make_project(tmp_path, family(immunotherapy={"version": "2.1"}))
    found = stale(tmp_path)
    assert {f["slug"] for f in found} == {"imiwnotherapi", "immunotherapy-ar"}
    welsh = next(f for f in found if f["slug"] == "imiwnotherapi")
    assert welsh["level"] == "warning"
    assert welsh["path"] == "source/imiwnotherapi.md"
    assert welsh["line"] == line_of(source / "imiwnotherapi.md", "translation_version")
    original_line = line_of(source / "immunotherapy.md", "version")
    assert f"the original source/immunotherapy.md:{original_line} is at version 2.1" \
        in welsh["message"]
    assert "follows version 2.0" in welsh["message"]
    assert "set 'translation_version: 2.1'" in welsh["message"]


def test_check_warns_when_the_original_was_reviewed_after_the_translation(
        tmp_path: Path) -> None:
    reviewed = {"status": "approved", "reviewer": "A Nurse",
                "sources": [{"title": "NHS", "url": "https://www.nhs.uk"}]}
    source = make_project(tmp_path, family(
        immunotherapy={**reviewed, "reviewed": "2026-06-01"},
        imiwnotherapi={**reviewed, "reviewed": "2026-03-01"},
        **{"immunotherapy-ar": {**reviewed, "reviewed": "2026-06-01"}}))
    found = stale(tmp_path)
    assert [f["slug"] for f in found] == ["imiwnotherapi"]  # the Arabic one was reviewed then
    [welsh] = found
    assert welsh["line"] == line_of(source / "imiwnotherapi.md", "reviewed")
    original_line = line_of(source / "immunotherapy.md", "reviewed")
    assert f"the original source/immunotherapy.md:{original_line} was reviewed on 2026-06-01, " \
        "after this translation (2026-03-01)" in welsh["message"]


def test_check_reports_a_missing_original_as_an_error_with_its_line(tmp_path: Path) -> None:
    source = make_project(tmp_path, family(imiwnotherapi={"translation_of": "imunotherapy"}))
    errors = [f for f in check_json(tmp_path) if f["level"] == "error"]
    assert [(f["path"], f["line"]) for f in errors] == [
        ("source/imiwnotherapi.md", line_of(source / "imiwnotherapi.md", "translation_of"))]
    assert "no leaflet 'imunotherapy'" in errors[0]["message"]


# --- "This leaflet in other languages" in every format ----------------------------------------

HEADING = "This leaflet in other languages"
WELSH_HEADING = "Y daflen hon mewn ieithoedd eraill"  # the Welsh catalogue's wording
BASE_URL = "https://example.org/leaflets"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of a family in every format, with a mixed booklet holding the original and
    its Welsh translation (the Arabic one is outside the book)."""
    from tests.helpers import run_cli

    root = tmp_path_factory.mktemp("family")
    make_project(root, family(), project={"base_url": BASE_URL, "organisation": "Example",
                                          "site": {"large_print": False}},
                 booklets={"guide": {"title": "Guide", "leaflets": ["immunotherapy",
                                                                    "imiwnotherapi"]}})
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "dist"


def test_pdf_names_each_other_language_in_its_own_name_with_its_web_address(
        built: Path) -> None:
    pdfplumber = require_module("pdfplumber")
    with pdfplumber.open(built / "clinic" / "imiwnotherapi.pdf") as pdf:
        page = pdf.pages[0]
        text = page.extract_text()
        links = {link["uri"] for link in page.hyperlinks}
    assert WELSH_HEADING in text  # the Welsh leaflet says it in Welsh
    assert "English" in text
    # pdfplumber reads Arabic letters in visual order: compare as a set of letters in one word
    assert any(sorted(word) == sorted("العربية") for word in text.split())
    assert {f"{BASE_URL}/immunotherapy", f"{BASE_URL}/immunotherapy-ar"} <= links


def test_pdf_without_a_site_address_names_the_languages_without_links(tmp_path: Path) -> None:
    from tests.helpers import run_cli

    pdfplumber = require_module("pdfplumber")
    make_project(tmp_path, family())
    assert run_cli("build", "--format", "pdf", cwd=tmp_path).returncode == 0
    with pdfplumber.open(tmp_path / "dist/clinic/immunotherapy.pdf") as pdf:
        text = pdf.pages[0].extract_text()
        links = [link["uri"] for link in pdf.pages[0].hyperlinks]
    assert HEADING in text and "Cymraeg" in text
    assert not [uri for uri in links if "imiwnotherapi" in uri or "immunotherapy-ar" in uri]


def test_docx_runs_carry_each_language_and_direction(built: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(built / "clinic" / "immunotherapy.docx"))
    texts = [p.text for p in document.paragraphs]
    start = texts.index(HEADING)
    runs = {}
    for paragraph in document.paragraphs[start + 1:start + 3]:
        for run in paragraph._p.iter(qn("w:r")):
            text = "".join(t.text or "" for t in run.iter(qn("w:t")))
            lang = run.find(f"{qn('w:rPr')}/{qn('w:lang')}")
            rtl = run.find(f"{qn('w:rPr')}/{qn('w:rtl')}")
            runs[text] = (lang.get(qn("w:val")) if lang is not None else None, rtl is not None)
        links = [h.url for h in paragraph.hyperlinks]
        assert links and links[0].startswith(BASE_URL + "/")
    assert runs == {"العربية": ("ar", True), "Cymraeg": ("cy", False)}


def test_epub_book_links_a_translation_in_the_book_to_its_chapter(built: Path) -> None:
    import zipfile

    from lxml import etree

    xhtml = "{http://www.w3.org/1999/xhtml}"
    with zipfile.ZipFile(built / "clinic" / "guide.epub") as book:
        names = set(book.namelist())
        page_name = next(n for n in names if n.endswith("/immunotherapy.xhtml"))
        root = etree.fromstring(book.read(page_name))
    section = root.find(f".//{xhtml}section[@class='other-languages']")
    assert section is not None
    assert section.findtext(f"{xhtml}h2") == HEADING
    entries = {(a.get("lang"), a.get("dir"), a.get("hreflang"), a.text): a.get("href")
               for a in section.iter(f"{xhtml}a")}
    folder = page_name.rsplit("/", 1)[0]
    welsh = entries[("cy", "ltr", "cy", "Cymraeg")]
    assert f"{folder}/{welsh}" in names  # its chapter, inside the same book
    assert entries[("ar", "rtl", "ar", "العربية")] == f"{BASE_URL}/immunotherapy-ar"
    for a in section.iter(f"{xhtml}a"):
        assert a.get("{http://www.w3.org/XML/1998/namespace}lang") == a.get("lang")


def test_site_page_links_its_translations_and_lists_hreflang_alternates(built: Path) -> None:
    import lxml.html

    site = built / "site"
    page_path = site / "immunotherapy-ar" / "index.html"
    page = lxml.html.parse(str(page_path)).getroot()
    alternates = {link.get("hreflang"): link.get("href")
                  for link in page.head.iter("link") if link.get("rel") == "alternate"}
    assert alternates == {"ar": "./", "en": "../immunotherapy/", "cy": "../imiwnotherapi/"}
    section = page.find_class("other-languages")[0]
    links = {a.text: a for a in section.iter("a")}
    assert set(links) == {"English", "Cymraeg"}
    for a in links.values():
        assert a.get("lang") == a.get("hreflang")
        target = (page_path.parent / a.get("href") / "index.html").resolve()
        assert target.is_file()  # the link resolves to the translation's page
        assert lxml.html.parse(str(target)).getroot().get("lang") == a.get("lang")
    assert links["English"].get("dir") == "ltr"


# --- booklets per language ---------------------------------------------------------------------

SIDE_EFFECTS_EN = "## Side effects\n\nYou may feel tired.\n"
SIDE_EFFECTS_CY = "## Sgil-effeithiau\n\nEfallai y byddwch yn teimlo'n flinedig.\n"


@pytest.fixture(scope="module")
def guides(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A guide of two leaflets, asked for in Welsh (both translated) and Arabic (one is not)."""
    from tests.helpers import run_cli

    root = tmp_path_factory.mktemp("guides")
    leaflets = family()
    leaflets["side-effects"] = leaflet_text(SIDE_EFFECTS_EN, title="Side effects", language="en")
    leaflets["sgil-effeithiau"] = leaflet_text(SIDE_EFFECTS_CY, title="Sgil-effeithiau",
                                               language="cy", translation_of="side-effects")
    make_project(root, leaflets, project={"organisation": "Example",
                                          "site": {"large_print": False}},
                 booklets={"guide": {
                     "title": "Immunotherapy: a guide", "language": "en",
                     "leaflets": ["immunotherapy", "side-effects"],
                     "translations": {"cy": {"title": "Imiwnotherapi: canllaw"},
                                      "ar": {"title": "العلاج المناعي: دليل"}}}})
    result = run_cli("build", "--format", "pdf", "--format", "epub", "--format", "site",
                     cwd=root)
    assert result.returncode == 0, result.stderr
    return root, result.stderr


def test_welsh_booklet_is_built_from_the_welsh_translations(guides: tuple[Path, str]) -> None:
    pdfplumber = require_module("pdfplumber")
    root, _ = guides
    dist = root / "dist"
    with pdfplumber.open(dist / "clinic" / "guide.cy.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "Imiwnotherapi: canllaw" in text
    assert "Mae imiwnotherapi yn helpu eich system imiwnedd." in text
    assert "Efallai y byddwch yn teimlo'n flinedig." in text
    assert "Immunotherapy helps your immune system." not in text
    assert "You may feel tired." not in text
    with pdfplumber.open(dist / "clinic" / "guide.pdf") as pdf:  # the original is still English
        original = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "Immunotherapy helps your immune system." in original


def test_welsh_booklet_epub_chapters_are_the_translations(guides: tuple[Path, str]) -> None:
    import zipfile

    from lxml import etree

    root, _ = guides
    with zipfile.ZipFile(root / "dist" / "clinic" / "guide.cy.epub") as book:
        names = book.namelist()
        chapters = sorted(n.rsplit("/", 1)[-1] for n in names
                          if n.endswith(("imiwnotherapi.xhtml", "sgil-effeithiau.xhtml",
                                         "immunotherapy.xhtml", "side-effects.xhtml")))
        opf = etree.fromstring(book.read(next(n for n in names if n.endswith(".opf"))))
    assert chapters == ["imiwnotherapi.xhtml", "sgil-effeithiau.xhtml"]
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert opf.findtext(f".//{dc}language") == "cy"
    assert opf.findtext(f".//{dc}title") == "Imiwnotherapi: canllaw"


def test_booklet_language_left_out_loudly_when_a_member_is_not_translated(
        guides: tuple[Path, str]) -> None:
    from tests.helpers import manifest

    root, stderr = guides
    assert not (root / "dist" / "clinic" / "guide.ar.pdf").exists()
    line = next(i for i, text in enumerate(
        (root / "source/booklets/guide.yaml").read_text().splitlines(), start=1)
        if text.strip().startswith("ar:"))
    assert (f"source/booklets/guide.yaml:{line}: warning: translations: the ar booklet "
            "(guide.ar) is "
            "not built: no ar translation of 'side-effects'") in stderr
    entries = {(e["path"], e["language"]) for e in manifest(root / "dist") if e["kind"] == "booklet"}
    assert {("clinic/guide.cy.pdf", "cy"), ("clinic/guide.cy.epub", "cy"),
            ("clinic/guide.pdf", "en")} <= entries
    assert not [path for path, _ in entries if ".ar." in path]


def test_site_has_a_guide_page_per_language(guides: tuple[Path, str]) -> None:
    import lxml.html

    root, _ = guides
    page_path = root / "dist" / "site" / "guide.cy" / "index.html"
    page = lxml.html.parse(str(page_path)).getroot()
    assert page.get("lang") == "cy"
    hrefs = [a.get("href") for a in page.iter("a")]
    assert "../imiwnotherapi/" in hrefs and "../sgil-effeithiau/" in hrefs
    assert "../immunotherapy/" not in hrefs
    for href in ("../imiwnotherapi/", "guide.cy.pdf", "guide.cy.epub"):
        assert href in hrefs
        assert (page_path.parent / href).resolve().exists()


def test_booklet_translation_errors_have_their_line(tmp_path: Path) -> None:
    source = make_project(tmp_path, family(), booklets={"guide": {
        "title": "Guide", "language": "en", "leaflets": ["immunotherapy"],
        "translations": {"en-GB": {"title": "Guide"}, "cy": {"titel": "Canllaw"}}}})
    found = messages(source)
    lines = (source / "booklets/guide.yaml").read_text().splitlines()
    titel = next(i for i, text in enumerate(lines, start=1) if "titel" in text)
    assert any(m.startswith(f"source/booklets/guide.yaml:{titel}: unknown field "
                            "'translations.cy.titel' — did you mean 'title'?") for m in found), found


def test_booklet_translation_into_its_own_language_is_an_error(tmp_path: Path) -> None:
    source = make_project(tmp_path, family(), booklets={"guide": {
        "title": "Guide", "language": "en", "leaflets": ["immunotherapy"],
        "translations": {"en-GB": {"title": "Guide"}}}})
    [message] = messages(source)
    assert message.startswith("source/booklets/guide.yaml:")
    assert "'en-GB' is the booklet's own language (en)" in message


def test_a_new_translation_rebuilds_its_original(tmp_path: Path) -> None:
    from tests.helpers import run_cli

    leaflets = family()
    make_project(tmp_path, {"immunotherapy": leaflets["immunotherapy"]})
    assert run_cli("build", "--format", "html", cwd=tmp_path).returncode == 0
    page = tmp_path / "dist/clinic/immunotherapy.html"
    assert HEADING not in page.read_text(encoding="utf-8")
    make_project(tmp_path, {"imiwnotherapi": leaflets["imiwnotherapi"]})
    assert run_cli("build", "--format", "html", cwd=tmp_path).returncode == 0
    text = page.read_text(encoding="utf-8")
    assert HEADING in text
    assert '<a href="imiwnotherapi.html" hreflang="cy" lang="cy" dir="ltr">Cymraeg</a>' in text


def test_a_key_that_is_not_a_language_tag_is_an_error_at_its_file(tmp_path: Path) -> None:
    """`languages:` in project.yaml and a booklet's `translations:` are keyed by language: a
    key that is no BCP 47 tag is reported, saying what the entry is for."""
    make_project(tmp_path, {"immunotherapy": leaflet_text(title="Immunotherapy")},
                 project={"languages": {"Welsh please": {"contact": "Ffoniwch ni"}}},
                 booklets={"guide": {"title": "Guide", "leaflets": ["immunotherapy"],
                                     "translations": {"cy GB": {"title": "Canllaw"}}}})
    project = load_project(tmp_path / "source")
    messages = [(d.location.path.name, d.message) for d in project.diagnostics.errors]
    assert any(name == "project.yaml" and "'Welsh please' is not a language tag" in message
               and "contact, feedback and other_formats" in message
               for name, message in messages), messages
    assert any(name == "guide.yaml" and "'cy GB' is not a language tag" in message
               and "the booklet's title" in message for name, message in messages), messages
