"""EPUB renderer: the shared XHTML pages packaged by ebooklib, one book per leaflet or booklet."""

from __future__ import annotations

import io

from ebooklib import epub

from leaflet_builder.model import Asset, Booklet, Leaflet, Link
from leaflet_builder.render import RenderContext
from leaflet_builder.render.pages import layout_css, render_leaflet_page
from leaflet_builder.render.shared import PageTarget


def _target(slugs_in_book: set[str]) -> PageTarget:
    def page_of(slug: str) -> str | None:
        return f"{slug}.xhtml" if slug in slugs_in_book else None

    def link_href(link: Link) -> str | None:
        return page_of(link.target_slug) if link.target_slug else link.href

    def image_src(asset: Asset) -> str:
        return asset.relative

    return PageTarget(name="epub", xhtml=True, link_href=link_href, image_src=image_src,
                      related_href=page_of)


class EpubRenderer:
    format = "epub"
    extension = "epub"
    supports_booklets = True

    def render_leaflet(self, leaflet: Leaflet, ctx: RenderContext) -> bytes:
        return self._book(leaflet.slug, leaflet.meta.title, leaflet.meta.language, [leaflet], ctx)

    def render_booklet(self, booklet: Booklet, leaflets: list[Leaflet], ctx: RenderContext) -> bytes:
        return self._book(booklet.slug, booklet.title, booklet.language, leaflets, ctx)

    def _book(self, slug: str, title: str, language: str, leaflets: list[Leaflet],
              ctx: RenderContext) -> bytes:
        book = epub.EpubBook()
        book.set_identifier(f"urn:leaflet:{slug}")
        book.set_title(title)
        book.set_language(language)
        css = epub.EpubItem(uid="style", file_name="style.css", media_type="text/css",
                            content=layout_css(ctx, ["style.css"]).encode("utf-8"))
        book.add_item(css)
        target = _target({leaflet.slug for leaflet in leaflets})
        pages = []
        for leaflet in leaflets:
            xhtml = render_leaflet_page(leaflet, ctx, target, stylesheet_links=["style.css"])
            page = epub.EpubItem(uid=f"page-{leaflet.slug}", file_name=f"{leaflet.slug}.xhtml",
                                 media_type="application/xhtml+xml", content=xhtml.encode("utf-8"))
            book.add_item(page)
            pages.append(page)
        book.toc = [epub.Link(f"{leaflet.slug}.xhtml", leaflet.meta.title, leaflet.slug)
                    for leaflet in leaflets]
        book.add_item(epub.EpubNav())
        book.add_item(epub.EpubNcx())
        book.spine = ["nav", *pages]
        buffer = io.BytesIO()
        epub.write_epub(buffer, book, {"raise_exceptions": True})
        return buffer.getvalue()


RENDERER = EpubRenderer()
