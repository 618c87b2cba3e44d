"""EPUB renderer: the shared XHTML pages packaged by ebooklib, one book per leaflet or booklet.

A book is: cover, title page (booklets), contents (the navigation document), one page per
leaflet, and "About this guide" (booklets). ebooklib writes the package document and the NCX;
the pages, the navigation document and the ZIP bytes are ours, because ebooklib re-serialises
`EpubHtml` pages (dropping `epub:type` and head content), builds a flat nav, and stamps ZIP
entries with the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ebooklib import epub
from lxml import etree

from leaflet_builder.errors import LeafletError
from leaflet_builder.i18n import N_, Wording
from leaflet_builder.model import (
    UNDATED,
    Asset,
    Booklet,
    Heading,
    HeroImage,
    Image,
    Leaflet,
    Link,
    plain_text,
    walk_blocks,
)
from leaflet_builder.render import RenderContext
from leaflet_builder.render.archive import write_zip
from leaflet_builder.render.epub.cover import CoverText, cover_alt, draw_cover
from leaflet_builder.render.glossary_links import link_first_mentions
from leaflet_builder.render.pages import layout_css, render_leaflet_page, render_template
from leaflet_builder.render.shared import (
    DRAFT_LABEL,
    PageTarget,
    format_date,
    guide_reviews,
    guide_sources,
    guide_texts,
    output_date,
    project_lines,
    shown_hero,
    wording_view,
    words,
)

# the EPUB's own pages and landmarks, said in the book's language
COVER, CONTENTS, ABOUT_GUIDE = N_("Cover"), N_("Contents"), N_("About this guide")
XHTML = "application/xhtml+xml"
STYLESHEETS = ("style.css", "epub.css")
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
# a fixed namespace so that the same organisation and slug give the same identifier forever
IDENTIFIER_NAMESPACE = uuid.UUID("6f0e7c1e-3c1b-5d7a-9a43-1e5f0c2b7d10")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

BookKind = Literal["leaflet", "booklet"]


@dataclass(frozen=True)
class _Book:
    """What one EPUB is made of, whether it holds one leaflet or a booklet's worth."""

    kind: BookKind
    slug: str
    title: str
    subtitle: str
    language: str
    rtl: bool
    leaflets: tuple[Leaflet, ...]
    cover: HeroImage | None = None


@dataclass
class _Page:
    """A content document of the book, in spine order."""

    uid: str
    file_name: str
    title: str
    content: str
    nav_children: list[dict[str, Any]] = field(default_factory=list)


def book_identifier(organisation: str, kind: str, slug: str) -> str:
    """`urn:uuid:` derived from organisation, kind and slug: the same on every build."""
    return f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, f'{organisation}/{kind}/{slug}')}"


def _date_label(ctx: RenderContext, when: dt.datetime, language: str) -> str:
    """The date a reader sees: none for a book whose leaflets state no date (UNDATED is for
    the package's metadata, not a date to show a patient)."""
    if ctx.build_date is None and when <= UNDATED:
        return ""
    return format_date(when.date(), words(ctx, language))


def modified_date(ctx: RenderContext, leaflets: tuple[Leaflet, ...]) -> dt.datetime:
    """The book's date in UTC (see `output_date`), never before what a ZIP can store."""
    return max(output_date(ctx, leaflets), UNDATED)  # the earliest ZIP can store


class EpubRenderer:
    """The `epub` format of render/formats.py (leaflets and booklets)."""

    def render_leaflet(self, leaflet: Leaflet, ctx: RenderContext) -> bytes:
        meta = leaflet.meta
        book = _Book("leaflet", leaflet.slug, meta.title, meta.summary, meta.language,
                     meta.is_rtl, (leaflet,))
        return _render_book(book, ctx, leaflet.path)

    def render_booklet(self, booklet: Booklet, leaflets: list[Leaflet], ctx: RenderContext) -> bytes:
        if not leaflets:
            raise LeafletError(booklet.path, 1, "a booklet needs at least one leaflet to make an EPUB")
        book = _Book("booklet", booklet.slug, booklet.title, booklet.subtitle or "",
                     booklet.language, booklet.is_rtl, tuple(leaflets), booklet.cover)
        return _render_book(book, ctx, booklet.path)


# --- building one book -----------------------------------------------------------------------


def _render_book(book: _Book, ctx: RenderContext, source: Any) -> bytes:
    slugs = {leaflet.slug for leaflet in book.leaflets}
    images = _image_names(book)
    target = _target(slugs, images)
    when = modified_date(ctx, book.leaflets)
    is_draft = any(leaflet.meta.is_draft for leaflet in book.leaflets)
    organisation = ctx.settings.organisation or ""
    said = words(ctx, book.language)
    common = {
        **wording_view(said),
        "lang": book.language, "dir": "rtl" if book.rtl else "ltr",
        "stylesheet_links": list(STYLESHEETS), "settings": project_lines(ctx.settings, book.language, book.rtl),
        "book": {"kind": book.kind, "slug": book.slug, "title": book.title,
                 "subtitle": book.subtitle, "language": book.language},
        "organisation": organisation, "is_draft": is_draft,
        "draft_label": said.gettext(DRAFT_LABEL),
        "guide_texts": guide_texts(project_lines(ctx.settings, book.language, book.rtl)),
    }
    cover_src, cover_bytes, cover_type, alt = _cover(book, ctx, is_draft, said)
    pages: list[_Page] = [_Page("cover", "cover.xhtml", book.title, _frame(
        ctx, "epub/cover.xhtml", common, page_title=book.title, page_class="cover",
        body_type="cover", cover={"src": cover_src, "alt": alt}))]
    if book.kind == "booklet":
        pages.append(_Page("titlepage", "titlepage.xhtml", book.title, _frame(
            ctx, "epub/titlepage.xhtml", common, page_title=book.title, page_class="titlepage",
            body_type="frontmatter", date_label=_date_label(ctx, when, book.language))))
    leaflet_pages = [_leaflet_page(leaflet, ctx, target, slugs) for leaflet in book.leaflets]
    back: list[_Page] = []
    if book.kind == "booklet":
        about = said.gettext(ABOUT_GUIDE)
        back.append(_Page("about", "about.xhtml", about, _frame(
            ctx, "epub/about.xhtml", common, page_title=about, page_class="about",
            body_type="backmatter", reviews=_reviews(book, said), sources=_sources(book))))
    toc = [{"title": page.title, "href": page.file_name, "children": page.nav_children}
           for page in (*pages[1:], *leaflet_pages, *back)]
    contents = said.gettext(CONTENTS)
    landmarks = [
        {"type": "cover", "href": "cover.xhtml", "title": said.gettext(COVER)},
        {"type": "toc", "href": "nav.xhtml#toc", "title": contents},
        {"type": "bodymatter", "href": leaflet_pages[0].file_name, "title": leaflet_pages[0].title},
    ]
    nav = _Page("nav", "nav.xhtml", contents, _frame(
        ctx, "epub/nav.xhtml", common, page_title=contents, page_class="contents",
        body_type="frontmatter", toc_title=contents, toc=toc, landmarks=landmarks))
    spine = [*pages, nav, *leaflet_pages, *back]

    ebook = epub.EpubBook()
    _set_metadata(ebook, book, ctx, when, organisation, has_images=True)
    css = layout_css(ctx, list(ctx.layout.setting("stylesheets_epub", default=["style.css"])))
    ebook.add_item(epub.EpubItem(uid="style", file_name="style.css", media_type="text/css",
                                 content=css.encode("utf-8")))
    ebook.add_item(epub.EpubItem(uid="epub-style", file_name="epub.css", media_type="text/css",
                                 content=ctx.layout.read_text("templates/epub/epub.css")
                                 .encode("utf-8")))
    cover_item = epub.EpubItem(uid="cover-image", file_name=cover_src, media_type=cover_type,
                               content=cover_bytes)
    cover_item.properties = ["cover-image"]
    ebook.add_item(cover_item)
    for index, (asset, name) in enumerate(images.values(), start=1):
        ebook.add_item(epub.EpubItem(uid=f"image-{index}", file_name=name,
                                     media_type=asset.media_type, content=asset.read_bytes()))
    items = []
    for page in spine:
        item = epub.EpubItem(uid=page.uid, file_name=page.file_name, media_type=XHTML,
                             content=page.content.encode("utf-8"))
        if page is nav:
            item.properties = ["nav"]
        ebook.add_item(item)
        items.append(item)
    ebook.add_item(epub.EpubNcx())
    ebook.toc = _ncx_toc(toc)
    ebook.spine = items
    if book.rtl:
        ebook.set_direction("rtl")
    return _package(ebook, when, source)


def _leaflet_page(leaflet: Leaflet, ctx: RenderContext, target: PageTarget,
                  slugs: set[str]) -> _Page:
    terms = {slug: term for slug, term in ctx.glossary.items() if slug in slugs}
    linked = link_first_mentions(leaflet, terms)
    content = render_leaflet_page(linked, ctx, target, stylesheet_links=list(STYLESHEETS))
    headings = [block for block in walk_blocks(leaflet.blocks) if isinstance(block, Heading)]
    return _Page(f"page-{leaflet.slug}", f"{leaflet.slug}.xhtml", leaflet.meta.title, content,
                 _heading_tree(headings, f"{leaflet.slug}.xhtml"))


def _heading_tree(headings: list[Heading], file_name: str) -> list[dict[str, Any]]:
    """Headings nested by level (a skipped level nests under the nearest higher one)."""
    root: list[dict[str, Any]] = []
    stack: list[tuple[int, list[dict[str, Any]]]] = [(0, root)]
    for heading in headings:
        children: list[dict[str, Any]] = []
        entry = {"title": plain_text(heading.children), "href": f"{file_name}#{heading.anchor}",
                 "children": children}
        while stack[-1][0] >= heading.level:
            stack.pop()
        stack[-1][1].append(entry)
        stack.append((heading.level, children))
    return root


def _frame(ctx: RenderContext, template: str, common: Mapping[str, Any], **view: Any) -> str:
    return render_template(ctx, template, {**common, **view})


def _target(slugs_in_book: set[str], images: Mapping[str, tuple[Asset, str]]) -> PageTarget:
    def page_of(slug: str) -> str | None:
        return f"{slug}.xhtml" if slug in slugs_in_book else None

    def link_href(link: Link) -> str | None:
        return page_of(link.target_slug) if link.target_slug else link.href

    def image_src(asset: Asset) -> str:
        return images[asset.relative][1]

    return PageTarget(name="epub", xhtml=True, link_href=link_href, image_src=image_src,
                      related_href=page_of)


def _image_names(book: _Book) -> dict[str, tuple[Asset, str]]:
    """source-relative path -> (asset, a safe name inside the book), in a stable order.

    EPUBCheck warns about spaces and other characters in file names, so images are renamed.
    """
    assets: dict[str, Asset] = {}
    for leaflet in book.leaflets:
        hero = shown_hero(leaflet)
        if hero is not None:
            assets.setdefault(hero.asset.relative, hero.asset)
        for block in walk_blocks(leaflet.blocks):
            if isinstance(block, Image):
                assets.setdefault(block.asset.relative, block.asset)
    named: dict[str, tuple[Asset, str]] = {}
    for index, relative in enumerate(sorted(assets), start=1):
        stem, _, ext = relative.rsplit("/", 1)[-1].rpartition(".")
        safe = re.sub(r"[^a-z0-9]+", "-", (stem or ext).lower()).strip("-") or "image"
        named[relative] = (assets[relative], f"images/{index:03d}-{safe}.{ext.lower()}")
    return named


def _cover(book: _Book, ctx: RenderContext, is_draft: bool, said: Wording
           ) -> tuple[str, bytes, str, str]:
    """(file name, bytes, media type, alt text) of the cover image."""
    if book.cover is not None:
        asset = book.cover.asset
        ext = asset.relative.rsplit(".", 1)[-1].lower()
        return f"images/cover.{ext}", asset.read_bytes(), asset.media_type, book.cover.alt
    text = CoverText(title=book.title, subtitle=book.subtitle,
                     organisation=ctx.settings.organisation or "",
                     draft_label=said.gettext(DRAFT_LABEL) if is_draft else "", rtl=book.rtl,
                     cover_word=said.gettext(COVER))
    colours = ctx.layout.setting("colours", default={}) or {}
    png = draw_cover(text, accent=str(colours.get("accent", "005eb8")),
                     warning=str(colours.get("warning", "b00020")))
    return "images/cover.png", png, "image/png", cover_alt(text)


def _reviews(book: _Book, said: Wording) -> list[dict[str, Any]]:
    return list(guide_reviews(book.leaflets, lambda slug: f"{slug}.xhtml", said))


def _sources(book: _Book) -> list[Any]:
    """Every leaflet's sources once each, in the order they first appear."""
    return guide_sources(book.leaflets)


def _ncx_toc(toc: list[dict[str, Any]]) -> list[Any]:
    """The same nested contents as the nav document, in ebooklib's shape for the NCX."""
    counter = iter(range(1, 10_000))

    def convert(entries: list[dict[str, Any]]) -> list[Any]:
        out: list[Any] = []
        for entry in entries:
            if entry["children"]:
                section = epub.Section(entry["title"], entry["href"])
                out.append((section, convert(entry["children"])))
            else:
                out.append(epub.Link(entry["href"], entry["title"], f"np-{next(counter)}"))
        return out

    return convert(toc)


# --- metadata and package --------------------------------------------------------------------


def _set_metadata(ebook: epub.EpubBook, book: _Book, ctx: RenderContext, when: dt.datetime,
                  organisation: str, *, has_images: bool) -> None:
    ebook.set_identifier(book_identifier(organisation, book.kind, book.slug))
    ebook.set_title(book.title)
    ebook.set_language(book.language)
    if organisation:
        ebook.add_metadata("DC", "publisher", organisation)
        ebook.add_metadata("DC", "creator", organisation)
    ebook.add_metadata("DC", "date", when.date().isoformat())
    if book.subtitle:
        ebook.add_metadata("DC", "description", book.subtitle)
    for name, value in _accessibility(book, has_images, words(ctx, book.language)):
        ebook.add_metadata(None, "meta", value, {"property": name})
    if organisation:
        ebook.add_metadata(None, "meta", organisation, {"property": "a11y:certifiedBy"})


def _accessibility(book: _Book, has_images: bool, said: Wording) -> list[tuple[str, str]]:
    """EPUB Accessibility 1.1 metadata: only what is true of these books; the summary a
    reading system reads out is in the book's language."""
    modes = ["textual", "visual"] if has_images else ["textual"]
    features = ["structuralNavigation", "tableOfContents", "readingOrder",
                "displayTransformability"]
    if has_images:
        features.append("alternativeText")
    summary = said.gettext(
        "This publication meets EPUB Accessibility 1.1 and WCAG 2.2 Level AA. It has a table "
        "of contents, headings for every section, text alternatives for every image, table "
        "headers, a logical reading order and no fixed layout, so text can be resized and "
        "restyled. It has no flashing, sound or motion hazards.")
    meta = [("schema:accessMode", mode) for mode in modes]
    meta.append(("schema:accessModeSufficient", "textual"))
    meta += [("schema:accessibilityFeature", feature) for feature in features]
    meta.append(("schema:accessibilityHazard", "none"))
    meta.append(("schema:accessibilitySummary", summary))
    meta.append(("dcterms:conformsTo", CONFORMS_TO))
    return meta


def _package(ebook: epub.EpubBook, when: dt.datetime, source: Any) -> bytes:
    """Write with ebooklib, then re-pack with fixed entry times and order (same bytes every build)."""
    raw = io.BytesIO()
    try:
        epub.write_epub(raw, ebook, {"raise_exceptions": True, "mtime": when,
                                     "epub2_guide": False, "epub3_landmark": False})
    except Exception as exc:  # noqa: BLE001 - ebooklib/lxml errors become one located message
        raise LeafletError(source, 0, f"could not package the EPUB: {type(exc).__name__}: {exc}") \
            from None
    opf = f"{ebook.FOLDER_NAME}/content.opf"
    return repack_deterministic(raw.getvalue(), when, {opf: _package_language(ebook)})


def _package_language(ebook: epub.EpubBook) -> Callable[[bytes], bytes]:
    """Add `xml:lang` (and `dir` for right-to-left books) to the package element.

    ebooklib writes neither; Ace requires the package language, and reading systems use it
    for the metadata's own language.
    """
    def finish(data: bytes) -> bytes:
        root = etree.fromstring(data)
        root.set(XML_LANG, ebook.language)
        if ebook.direction == "rtl":
            root.set("dir", "rtl")
        return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))

    return finish


def repack_deterministic(data: bytes, when: dt.datetime,
                         fixes: Mapping[str, Callable[[bytes], bytes]] | None = None) -> bytes:
    """The same ZIP with `mimetype` first and stored, fixed times, attributes and order.

    `fixes` maps an entry name to a function that corrects its bytes on the way through.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = source.namelist()
        ordered = ["mimetype", *[name for name in names if name != "mimetype"]]
        entries = [(name, fixes[name](source.read(name)) if fixes and name in fixes
                    else source.read(name)) for name in ordered]
    return write_zip(entries, when.astimezone(dt.UTC), stored=frozenset({"mimetype"}))


RENDERER = EpubRenderer()
