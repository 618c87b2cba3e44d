"""EPUB structure, links, metadata, languages and bytes, read back with zipfile + lxml."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from leaflet_builder.model import Heading, Leaflet, Link, Paragraph, Text, plain_text, walk_blocks
from leaflet_builder.project import Project
from leaflet_builder.render.epub.book import book_identifier
from leaflet_builder.render.glossary_links import link_first_mentions
from tests.epub_books import NS, XML_LANG, OpenBook, load_test_project, render_all
from tests.helpers import SHIPPED_SOURCE


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return load_test_project(tmp_path_factory.mktemp("epub-project"))


@pytest.fixture(scope="module")
def books(project: Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render_all(project, tmp_path_factory.mktemp("epub-out"))


def _text(element: object) -> str:
    return " ".join("".join(element.itertext()).split())  # type: ignore[attr-defined]


# --- container and bytes ---------------------------------------------------------------------


def test_mimetype_first_stored_and_every_entry_has_the_content_date(books: dict[str, Path]) -> None:
    for path in books.values():
        book = OpenBook(path)
        first = book.infos[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert first.extra == b"" and book.files["mimetype"] == b"application/epub+zip"
        assert len({info.date_time for info in book.infos}) == 1


def test_two_renders_are_byte_identical_and_dated_from_the_build_date(
        project: Project, tmp_path: Path) -> None:
    when = dt.datetime(2030, 5, 6, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    first = render_all(project, tmp_path / "a", when)
    second = render_all(project, tmp_path / "b", when)
    for slug, path in first.items():
        assert path.read_bytes() == second[slug].read_bytes(), slug
    book = OpenBook(first["guide"])
    assert book.meta("dcterms:modified") == ["2030-05-06T07:30:00Z"]  # UTC, not local time
    assert book.dc("date") == ["2030-05-06"]
    assert {info.date_time for info in book.infos} == {(2030, 5, 6, 7, 30, 0)}


def test_without_a_build_date_the_date_is_the_newest_leaflet(books: dict[str, Path],
                                                             project: Project) -> None:
    members = [project.leaflets[slug] for slug in project.booklets["guide"].leaflets]
    newest = max(leaflet.source_date for leaflet in members).astimezone(dt.UTC)
    assert OpenBook(books["guide"]).meta("dcterms:modified") == [newest.strftime("%Y-%m-%dT%H:%M:%SZ")]


# --- structure -------------------------------------------------------------------------------


def test_booklet_spine_is_cover_title_contents_leaflets_about(books: dict[str, Path],
                                                              project: Project) -> None:
    book = OpenBook(books["guide"])
    slugs = project.booklets["guide"].leaflets
    assert book.spine_hrefs() == ["cover.xhtml", "titlepage.xhtml", "nav.xhtml",
                                  *[f"{slug}.xhtml" for slug in slugs], "about.xhtml"]
    titles = [_text(book.xml(href).find("x:head/x:title", NS)) for href in book.spine_hrefs()]
    assert titles[3:-1] == [project.leaflets[slug].meta.title for slug in slugs]
    assert titles[-1] == "About this guide"
    assert not any(title.endswith((".xhtml", ".html")) or not title for title in titles)


def test_leaflet_book_has_cover_contents_and_its_page(books: dict[str, Path]) -> None:
    assert OpenBook(books["features"]).spine_hrefs() == ["cover.xhtml", "nav.xhtml",
                                                         "features.xhtml"]


def test_nav_nests_headings_under_every_leaflet_and_has_landmarks(
        books: dict[str, Path], project: Project) -> None:
    book = OpenBook(books["guide"])
    nav = book.nav()
    toc = nav.xpath("//x:nav[@epub:type='toc']", namespaces=NS)[0]
    assert toc.get("role") == "doc-toc"
    top = {a.get("href"): li for li in toc.xpath("x:ol/x:li", namespaces=NS)
           for a in li.xpath("x:a", namespaces=NS)}
    for slug in project.booklets["guide"].leaflets:
        leaflet = project.leaflets[slug]
        entry = top[f"{slug}.xhtml"]
        assert _text(entry.find("x:a", NS)) == leaflet.meta.title
        nested = [_text(a) for a in entry.xpath(".//x:ol//x:a", namespaces=NS)]
        headings = [plain_text(b.children) for b in walk_blocks(leaflet.blocks)
                    if isinstance(b, Heading)]
        assert nested == headings
    # a level-2 heading sits inside its level-1 heading's list
    features = top["features.xhtml"]
    assert features.xpath("x:ol/x:li[x:a='Your treatment']/x:ol/x:li/x:a/text()",
                          namespaces=NS) == ["On the day"]
    marks = {a.get("{http://www.idpf.org/2007/ops}type"): a.get("href")
             for a in nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)}
    assert marks == {"cover": "cover.xhtml", "toc": "nav.xhtml#toc",
                     "bodymatter": "features.xhtml"}


def test_every_nav_and_ncx_target_exists(books: dict[str, Path]) -> None:
    for path in books.values():
        book = OpenBook(path)
        hrefs = book.nav().xpath("//x:a/@href", namespaces=NS)
        ncx = book.xml(book.manifest["ncx"].get("href"))
        hrefs += ncx.xpath("//ncx:content/@src", namespaces=NS)
        assert hrefs
        for href in hrefs:
            page = book.xml(href)
            if "#" in href:
                assert page.xpath(f"//*[@id='{href.split('#')[1]}']"), href


def test_ncx_lists_every_leaflet(books: dict[str, Path], project: Project) -> None:
    book = OpenBook(books["guide"])
    ncx = book.xml(book.manifest["ncx"].get("href"))
    labels = ncx.xpath("//ncx:navPoint/ncx:navLabel/ncx:text/text()", namespaces=NS)
    for slug in project.booklets["guide"].leaflets:
        assert project.leaflets[slug].meta.title in labels


def test_about_this_guide_shows_reviews_sources_and_contact(books: dict[str, Path]) -> None:
    about = _text(OpenBook(books["guide"]).xml("about.xhtml"))
    for text in ("Test Clinic", "Monoclonal antibodies", "10 January 2026 by Dr Test",
                 "Approved, version 2", "Not yet reviewed", "A trusted source",
                 "https://example.org/source", "Call 0100 000", "Tell us what you think",
                 "Ask us for large print"):
        assert text in about, text


def test_generated_cover_and_own_cover(books: dict[str, Path], project: Project) -> None:
    book = OpenBook(books["guide"])
    cover = book.item_with("cover-image")
    image = Image.open(__import__("io").BytesIO(book.files[book.base + cover.get("href")]))
    assert image.size[1] > image.size[0] >= 600
    img = book.xml("cover.xhtml").xpath("//x:img", namespaces=NS)[0]
    assert img.get("src") == cover.get("href")
    assert "A test guide" in img.get("alt") and "Test Clinic" in img.get("alt")
    own = OpenBook(books["covered"])
    own_cover = own.files[own.base + own.item_with("cover-image").get("href")]
    assert own_cover == (project.source_dir / "images" / "cover.png").read_bytes()
    assert own.xml("cover.xhtml").xpath("//x:img/@alt", namespaces=NS) == ["A plain blue square"]


def test_images_are_packaged_under_safe_names_with_alt_text(books: dict[str, Path]) -> None:
    book = OpenBook(books["features"])
    imgs = book.xml("features.xhtml").xpath("//x:img", namespaces=NS)
    assert [img.get("alt") for img in imgs] == ["A nurse sets up a drip"]
    src = imgs[0].get("src")
    assert re.fullmatch(r"images/[a-z0-9-]+\.png", src)
    assert book.base + src in book.files


# --- links and glossary ----------------------------------------------------------------------


def test_related_leaflets_in_the_booklet_are_links_others_are_text(books: dict[str, Path]) -> None:
    page = OpenBook(books["guide"]).xml("features.xhtml")
    related = page.xpath("//x:section[contains(@class,'related')]//x:li", namespaces=NS)
    links = {_text(li): li.xpath("x:a/@href", namespaces=NS) for li in related}
    assert links["Immunotherapy"] == ["immunotherapy.xhtml"]
    assert links["Imiwnotherapi: gwybodaeth i gleifion"] == ["welsh.xhtml"]
    assert links["العلاج المناعي"] == []  # not in this booklet


def test_first_mention_of_a_glossary_term_links_to_its_entry(books: dict[str, Path]) -> None:
    page = OpenBook(books["guide"]).xml("features.xhtml")
    body = page.xpath("//x:div[@class='body']", namespaces=NS)[0]
    to_entry = body.xpath(".//x:a[@href='immunotherapy.xhtml']", namespaces=NS)
    assert [_text(a) for a in to_entry] == ["Immunotherapy"]  # the first of two mentions only
    assert body.xpath(".//x:a[@href='monoclonal-antibodies.xhtml']/text()",
                      namespaces=NS) == ["monoclonal antibodies"]
    assert not body.xpath(".//x:h2//x:a | .//x:h3//x:a", namespaces=NS)
    # in a book without the entry, the term stays plain text
    alone = OpenBook(books["features"]).xml("features.xhtml")
    assert not alone.xpath("//x:div[@class='body']//x:a[contains(@href,'immunotherapy')]",
                           namespaces=NS)


def test_glossary_entry_has_epub_semantics_and_word_facts(books: dict[str, Path]) -> None:
    page = OpenBook(books["guide"]).xml("immunotherapy.xhtml")
    glossary = page.xpath("//*[@epub:type='glossary']", namespaces=NS)
    assert len(glossary) == 1 and glossary[0].get("role") == "doc-glossary"
    assert _text(glossary[0].xpath(".//*[@epub:type='glossterm']", namespaces=NS)[0]) == \
        "Immunotherapy"
    assert _text(glossary[0].xpath(".//*[@epub:type='glossdef']", namespaces=NS)[0]) == \
        "A treatment that helps your immune system."
    text = _text(glossary[0])
    for fact in ("ih-myoo-noh-THER-uh-pee", "noun", "From the Latin word immunis."):
        assert fact in text


def test_link_first_mentions_unit() -> None:
    leaflet = Leaflet("page", Path("page.md"), None, (  # type: ignore[arg-type]
        Heading(1, (Text("Interferons"),), "interferons", 1),
        Paragraph((Text("An interferon. More interferons."),), 2),
        Paragraph((Link("", (Text("therapies"),), target_slug="therapies"),
                   Text(" and biological therapies and antibody therapy")), 3),
    ))
    terms = {"interferons": "Interferons", "therapies": "Biological therapies",
             "antibodies": "Monoclonal antibodies", "page": "Page"}
    linked = link_first_mentions(leaflet, terms)
    assert linked.blocks[0] == leaflet.blocks[0]  # headings untouched
    first = linked.blocks[1].children  # type: ignore[union-attr]
    assert [type(n).__name__ for n in first] == ["Text", "Link", "Text"]
    assert first[1] == Link("", (Text("interferon"),), target_slug="interferons")
    # the author already linked that entry: no second link
    assert [n for n in linked.blocks[2].children if isinstance(n, Link)] == [  # type: ignore[union-attr]
        leaflet.blocks[2].children[0]]  # type: ignore[union-attr]


# --- metadata and languages ------------------------------------------------------------------


def test_package_metadata_and_accessibility(books: dict[str, Path]) -> None:
    book = OpenBook(books["guide"])
    assert book.dc("title") == ["A test guide"]
    assert book.dc("language") == ["en-GB"] and book.opf.get(XML_LANG) == "en-GB"
    assert book.dc("publisher") == ["Test Clinic"]
    identifier = book.dc("identifier")
    assert identifier == [book_identifier("Test Clinic", "booklet", "guide")]
    uuid.UUID(identifier[0].removeprefix("urn:uuid:"))
    assert OpenBook(books["features"]).dc("identifier") != identifier
    assert set(book.meta("schema:accessMode")) == {"textual", "visual"}
    assert book.meta("schema:accessModeSufficient") == ["textual"]
    features = set(book.meta("schema:accessibilityFeature"))
    assert {"tableOfContents", "structuralNavigation", "alternativeText"} <= features
    assert "pageNavigation" not in features and "printPageNumbers" not in features
    assert book.meta("schema:accessibilityHazard") == ["none"]
    assert book.meta("schema:accessibilitySummary")[0]
    assert book.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]


def test_identifier_is_stable_across_projects(tmp_path: Path) -> None:
    assert book_identifier("Test Clinic", "booklet", "guide") == \
        book_identifier("Test Clinic", "booklet", "guide")
    assert book_identifier("Other", "booklet", "guide") != \
        book_identifier("Test Clinic", "booklet", "guide")


def test_every_page_has_lang_and_xml_lang(books: dict[str, Path], project: Project) -> None:
    for slug, path in books.items():
        book = OpenBook(path)
        for href in book.spine_hrefs():
            html = book.xml(href)
            assert html.get("lang") and html.get("lang") == html.get(XML_LANG), (slug, href)
            page_slug = href.removesuffix(".xhtml")
            if page_slug in project.leaflets:
                assert html.get("lang") == project.leaflets[page_slug].meta.language
    welsh = OpenBook(books["guide"]).xml("welsh.xhtml")
    assert welsh.get("lang") == "cy" and "ŵyr" in _text(welsh)


def test_arabic_books_run_right_to_left(books: dict[str, Path]) -> None:
    for slug in ("arabic", "arabic-guide"):
        book = OpenBook(books[slug])
        spine = book.opf.find("opf:spine", NS)
        assert spine.get("page-progression-direction") == "rtl"
        assert book.opf.get("dir") == "rtl" and book.dc("language") == ["ar"]
        for href in book.spine_hrefs():
            assert book.xml(href).get("dir") == "rtl", (slug, href)
    english = OpenBook(books["guide"]).opf.find("opf:spine", NS)
    assert english.get("page-progression-direction") is None


# --- style -----------------------------------------------------------------------------------


def test_layout_css_is_shared_and_drafts_are_marked(books: dict[str, Path], project: Project) -> None:
    book = OpenBook(books["guide"])
    layout_css = (SHIPPED_SOURCE.parents[0] / "layouts" / "clinic" / "style.css").read_text()
    assert book.files[book.base + "style.css"].decode() == layout_css
    css = book.files[book.base + "epub.css"].decode()
    assert "@media (max-width" in css
    page = book.xml("features.xhtml")
    links = page.xpath("//x:link[@rel='stylesheet']/@href", namespaces=NS)
    assert links == ["style.css", "epub.css"]
    assert page.xpath("//*[contains(@class,'draft-banner')]", namespaces=NS)
    approved = book.xml("monoclonal-antibodies.xhtml")
    assert not approved.xpath("//*[contains(@class,'draft-banner')]", namespaces=NS)
    kinds = {a.get("class") for a in page.xpath("//x:aside", namespaces=NS)}
    assert kinds == {"callout callout-warning", "callout callout-tip", "callout callout-note"}
