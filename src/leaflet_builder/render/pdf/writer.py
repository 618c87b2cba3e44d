"""PDF renderer: WeasyPrint lays out the shared HTML page as a tagged PDF (PDF/UA-1)."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from leaflet_builder.errors import LeafletError
from leaflet_builder.i18n import Wording
from leaflet_builder.model import Booklet, Leaflet, Link
from leaflet_builder.render import RenderContext
from leaflet_builder.render.coverage import missing_glyphs
from leaflet_builder.render.fonts import font_configuration, font_face_css, font_files
from leaflet_builder.render.pages import (
    css_string,
    layout_css,
    render_leaflet_page,
    render_template,
)
from leaflet_builder.render.pdf.fetcher import VIRTUAL_SOURCE_URL, ConfinedFetcher, source_url
from leaflet_builder.render.pdf.hyphenation import register_extra_dictionaries
from leaflet_builder.render.pdf.print import (
    PrintSettings,
    color_profiles,
    finish_for_print,
    print_settings,
    reference_number,
)
from leaflet_builder.render.pdf.text_layer import exact_text_layer
from leaflet_builder.render.pdf.watermark import can_outline, watermark_svg
from leaflet_builder.render.qr import qr_view
from leaflet_builder.render.shared import (
    DRAFT_MARK,
    PageTarget,
    booklet_view,
    guide_reviews,
    guide_sources,
    leaflet_view,
    output_date,
    page_of_parts,
    words,
)

ENGLISH_PAGE_OF = '"Page " counter(page) " of " counter(pages)'

BOOKLET_STYLESHEET = "booklet.css"
BOOKLET_TEMPLATE = "pdf/booklet.html"


def _link_href(link: Link) -> str | None:
    # a leaflet printed alone cannot link to another; its text stays
    return None if link.target_slug else link.href


PDF_TARGET = PageTarget(
    name="pdf", xhtml=False, link_href=_link_href, image_src=lambda asset: source_url(asset.relative),
    related_href=lambda slug: None,
)


def booklet_target(members: frozenset[str]) -> PageTarget:
    """Links between leaflets of one booklet become links inside the PDF."""

    def link_href(link: Link) -> str | None:
        if link.target_slug:
            return f"#leaflet-{link.target_slug}" if link.target_slug in members else None
        return link.href

    return PageTarget(
        name="pdf", xhtml=False, link_href=link_href, image_src=lambda asset: source_url(asset.relative),
        related_href=lambda slug: f"#leaflet-{slug}" if slug in members else None,
    )


@dataclass(frozen=True)
class PdfMeta:
    """What the PDF says about itself: fixed by the content, so a rebuild is byte-identical."""

    identity: str  # layout, kind and slug: the stable part of the file identifier (/ID)
    date: dt.datetime


def page_of_css(said: Wording) -> str:
    """`"Page " counter(page) " of " counter(pages)` in the document's language.

    The catalogue's "Page %(page)s of %(pages)s" is cut at its placeholders, which become
    CSS counters, so a language may put the numbers where its grammar wants them. The
    numbers are Western digits (`decimal`) in every language, Arabic too: the digits of
    the leaflets' own phone numbers and doses, and of NHS letters (README: Languages).
    """
    counters = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}
    return " ".join(counters.get(part) or css_string(part) for part in page_of_parts(said))


def footer_css(title: str, label: str, rtl: bool = False,
               page_of: str = ENGLISH_PAGE_OF) -> str:
    """The running footer's text for one document (title · version or DRAFT) and its
    "Page N of M" in the document's language (`page_of_css`).

    The title sits where reading starts: left in left-to-right scripts, right in Arabic.
    """
    text = f"{title} · {label}" if label else title
    if not rtl:
        return (f"@page {{ @bottom-left {{ content: {css_string(text)}; }} "
                f"@bottom-right {{ content: {page_of}; }} }}")
    return (f"@page {{ @bottom-left {{ content: {page_of}; "
            "text-align: left; width: auto; } "
            f"@bottom-right {{ content: {css_string(text)}; text-align: right; width: 75%; "
            "white-space: normal; } }")


def watermark_css(mark: str = DRAFT_MARK) -> str:
    """A draft's DRAFT mark (in the document's language) as every page's background:
    painted, never read out as content."""
    # in a script the outlines cannot draw (one that needs shaping other than Arabic), the
    # mark stays the Latin DRAFT: the banner and every page's footer say it in the
    # document's language (README: Languages)
    svg = watermark_svg(mark if can_outline(mark) else DRAFT_MARK)
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'@page {{ background-image: url("{uri}"); background-repeat: no-repeat; '
            "background-position: center; background-size: contain; }")


def leaflet_html(leaflet: Leaflet, ctx: RenderContext) -> str:
    """The HTML page WeasyPrint lays out for one leaflet (its CSS comes from `leaflet_css`)."""
    return render_leaflet_page(leaflet, ctx, PDF_TARGET, qr=qr_view(ctx.settings, leaflet.slug))


def leaflet_css(leaflet: Leaflet, ctx: RenderContext) -> list[str]:
    """The stylesheets of one leaflet's PDF: the layout's, then its footer and watermark."""
    label = leaflet_view(leaflet, ctx, PDF_TARGET)["footer_label"]
    said = words(ctx, leaflet.meta.language)
    footer = footer_css(leaflet.meta.title, label, leaflet.meta.is_rtl, page_of_css(said))
    return pdf_css(ctx, footer, leaflet.meta.is_draft, mark=said.gettext(DRAFT_MARK))


def pdf_css(ctx: RenderContext, footer: str, draft: bool, booklet: bool = False,
            mark: str = DRAFT_MARK) -> list[str]:
    """The fonts and the layout's stylesheets, the document's footer, a draft's watermark
    (`mark`, the word DRAFT in the document's language)."""
    layout_part = [font_face_css(), layout_css(ctx)]
    if booklet:
        layout_part.append(ctx.layout.read_text(BOOKLET_STYLESHEET))
    return ["\n".join(layout_part), footer] + ([watermark_css(mark)] if draft else [])


def parsed_stylesheets(css: list[str], ctx: RenderContext, source: Any) -> list[Any]:
    """The stylesheets as WeasyPrint objects, each text parsed once per process.

    They go to WeasyPrint in this cascade order rather than as one `<style>` in the page:
    the layout's part and the watermark are the same for every document, so each process
    parses them once (that took about 40 ms a document). A stylesheet that asked for a
    refused file (an `@import` or font outside the project) fails every document using it,
    with the same message as a refused image.
    """
    stylesheets = []
    for text in css:
        stylesheet, fetcher = _parse_stylesheet(text, ctx.source_dir, ctx.layout.folders)
        fetcher.raise_if_refused(source)
        stylesheets.append(stylesheet)
    return stylesheets


@functools.lru_cache(maxsize=32)
def _parse_stylesheet(text: str, source_dir: Any, layout_folders: tuple[Any, ...]
                      ) -> tuple[Any, ConfinedFetcher]:
    from weasyprint import CSS

    fetcher = _fetcher(source_dir, layout_folders)
    stylesheet = CSS(string=text, base_url=VIRTUAL_SOURCE_URL, url_fetcher=fetcher,
                     font_config=font_configuration())
    return stylesheet, fetcher


def _fetcher(source_dir: Any, layout_folders: tuple[Any, ...]) -> ConfinedFetcher:
    return ConfinedFetcher([source_dir, *layout_folders], list(font_files()),
                           virtual_source=source_dir)


class PdfRenderer:
    """The `pdf` format of render/formats.py (leaflets and booklets), through WeasyPrint."""

    def render_leaflet(self, leaflet: Leaflet, ctx: RenderContext) -> bytes:
        _refuse_missing_glyphs(leaflet, ctx)
        page = leaflet_html(leaflet, ctx)
        meta = PdfMeta(f"{ctx.layout.name}/leaflet/{leaflet.slug}",
                       output_date(ctx, [leaflet]))
        stylesheets = parsed_stylesheets(leaflet_css(leaflet, ctx), ctx, leaflet.path)
        return _write(page, stylesheets, ctx, meta, leaflet.path)

    def render_booklet(self, booklet: Booklet, leaflets: list[Leaflet], ctx: RenderContext) -> bytes:
        for leaflet in leaflets:
            _refuse_missing_glyphs(leaflet, ctx)
        target = booklet_target(frozenset(leaflet.slug for leaflet in leaflets))
        view = booklet_view(booklet, leaflets, ctx)
        items = []
        for leaflet in leaflets:
            leaflet_data = leaflet_view(leaflet, ctx, target)
            # one publication: the guide's "About this guide" says once what each leaflet's
            # disclaimer, "About this leaflet" and QR code said twelve times
            leaflet_data["in_booklet"] = True
            items.append({
                "slug": leaflet.slug, "title": leaflet.meta.title, "lang": leaflet_data["lang"],
                "dir": leaflet_data["dir"],
                # rendered by the same template a single leaflet uses: one design, one place
                "body": Markup(render_template(ctx, "leaflet_body.html", leaflet_data)),
            })
        said = words(ctx, booklet.language)
        mark = said.gettext(DRAFT_MARK)
        footer = footer_css(booklet.title, mark if view["is_draft"] else "", booklet.is_rtl,
                            page_of_css(said))
        cover = booklet.cover
        page = render_template(ctx, BOOKLET_TEMPLATE, {
            **view, "items": items, "inline_css": "",
            "reviews": guide_reviews(leaflets, lambda slug: f"#leaflet-{slug}", said),
            "sources": guide_sources(leaflets),
            "cover_src": source_url(cover.asset.relative) if cover else None,
        })
        meta = PdfMeta(f"{ctx.layout.name}/booklet/{booklet.slug}",
                       output_date(ctx, leaflets))
        css = pdf_css(ctx, footer, view["is_draft"], booklet=True, mark=mark)
        stylesheets = parsed_stylesheets(css, ctx, booklet.path)
        return _write(page, stylesheets, ctx, meta, booklet.path)


def _refuse_missing_glyphs(leaflet: Leaflet, ctx: RenderContext) -> None:
    """A character no font of the layout has would print as an empty box: refuse the PDF."""
    missing = missing_glyphs(leaflet.path, ctx.layout)
    if missing:
        first, *others = missing
        more = "; also " + ", ".join(f"'{m.char}' ({m.script}, line {m.line})" for m in others)
        raise LeafletError(leaflet.path, first.line, first.message(ctx.layout.name)
                           + (more if others else "")
                           + ": it would print as an empty box; use a layout with a font for "
                             "it (see the README's fonts)")


def _write(page: str, stylesheets: list[Any], ctx: RenderContext, meta: PdfMeta,
           source: Any) -> bytes:
    from weasyprint import HTML

    register_extra_dictionaries()  # Welsh hyphenation, which pyphen lacks

    settings = print_settings(ctx.layout)  # PDF/UA-1, or PDF/X-4 with crop marks for print
    fetcher = _fetcher(ctx.source_dir, ctx.layout.folders)
    html = HTML(string=page, base_url=VIRTUAL_SOURCE_URL, url_fetcher=fetcher)
    document = html.render(stylesheets=stylesheets, font_config=font_configuration(),
                           color_profiles=color_profiles(settings), pdf_tags=True,
                           presentational_hints=False)
    fetcher.raise_if_refused(source)  # a refused URL is a located error, not a log line
    _refuse_overfull_card(document, source)
    when = meta.date.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    document.metadata.created = when
    document.metadata.modified = when
    document.metadata.generator = "leaflet-builder"
    # /ID: stable for one output (same file, new version keeps its first half), per PDF spec
    identifier = hashlib.sha256(f"{meta.identity}|{when}".encode()).hexdigest()[:32].encode()
    try:
        # exact_text_layer: every glyph reads back as the letters it draws (WeasyPrint #2841)
        with _fonts_dated(meta.date), exact_text_layer():
            # tagged in every standard: a PDF/X-4 print file keeps its structure tree too
            pdf: bytes = document.write_pdf(
                pdf_variant=settings.standard, pdf_tags=True, pdf_identifier=identifier,
                finisher=lambda document, pdf: _finish(document, pdf, settings, meta.identity),
            )
    except Exception as exc:  # WeasyPrint's own errors reach the user as a located message
        raise LeafletError(source, 0, f"could not lay out the PDF: {type(exc).__name__}: {exc}"
                           ) from exc
    return pdf


# the alert card (layouts/print/wallet-card.css): 85 x 55 mm faces, four of them for a card
# folded once; WeasyPrint gives page sizes in CSS pixels (96 per inch)
CARD_SIZE_PX = (85 / 25.4 * 96, 55 / 25.4 * 96)
CARD_FACES = 4


def _refuse_overfull_card(document: Any, source: Any) -> None:
    """A wallet card that needs a fifth face would print its last lines ("Call 999 if …") on a
    face a card folded once does not have: refused, never printed short."""
    faces = sum(1 for page in document.pages
                if abs(page.width - CARD_SIZE_PX[0]) < 1 and abs(page.height - CARD_SIZE_PX[1]) < 1)
    if faces > CARD_FACES:
        raise LeafletError(source, 0, f"the wallet card needs {faces} faces, but a card folded "
                                      f"once has {CARD_FACES}: shorten the card's text (in a "
                                      "translation, the layout's words may be longer too) or "
                                      "print it from the A4 or A5 leaflet")


@contextlib.contextmanager
def _fonts_dated(when: dt.datetime) -> Iterator[None]:
    """Date the fonts fontTools rewrites while embedding (variable-font instances) by `when`.

    fontTools stamps a font it saves with the clock unless SOURCE_DATE_EPOCH is set, which
    put the moment of the build into every PDF that uses Noto Sans or Noto Sans Arabic. It
    reads the variable at each save, so it is set for this write only (renders in a worker
    run one at a time) and put back afterwards.
    """
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def _finish(document: Any, pdf: Any, settings: PrintSettings, identity: str) -> None:
    """Last touches WeasyPrint leaves out: header scopes (PDF/UA), the print slug and marks."""
    _add_header_scopes(pdf)
    finish_for_print(pdf, settings, identity)


def _add_header_scopes(pdf: Any) -> None:
    """Give every table header cell a /Scope (Column in a THead, Row elsewhere), as PDF/UA asks."""
    import pydyf

    by_number = {obj.number: obj for obj in pdf.objects if isinstance(obj, pydyf.Dictionary)}
    for obj in by_number.values():
        if obj.get("Type") != "/StructElem" or obj.get("S") != "/TH":
            continue
        row = by_number.get(reference_number(obj.get("P")))
        group = by_number.get(reference_number(row.get("P"))) if row is not None else None
        scope = "/Column" if group is not None and group.get("S") == "/THead" else "/Row"
        attributes = obj.get("A")
        if isinstance(attributes, pydyf.Dictionary):
            attributes["Scope"] = scope
        else:
            obj["A"] = pydyf.Dictionary({"O": "/Table", "Scope": scope})


RENDERER = PdfRenderer()
