"""PDF renderer: WeasyPrint lays out the shared HTML page as a tagged PDF (PDF/UA-1)."""

from __future__ import annotations

import functools
from typing import Any

from leaflet_builder.model import Asset, Booklet, Leaflet, Link
from leaflet_builder.render import RenderContext
from leaflet_builder.render.fetcher import ConfinedFetcher
from leaflet_builder.render.fonts import font_face_css, font_files
from leaflet_builder.render.pages import css_string, layout_css, render_leaflet_page
from leaflet_builder.render.shared import PageTarget, leaflet_view


def _link_href(link: Link) -> str | None:
    # a leaflet printed alone cannot link to another; its text stays
    return None if link.target_slug else link.href


PDF_TARGET = PageTarget(
    name="pdf", xhtml=False, link_href=_link_href, image_src=lambda asset: asset.path.as_uri(),
    related_href=lambda slug: None,
)


@functools.lru_cache(maxsize=1)
def _font_config() -> Any:
    # one font configuration per process: WeasyPrint's font loading is its slowest start-up step
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def footer_css(title: str, label: str) -> str:
    """The running footer's text for one document (title · version or DRAFT)."""
    text = f"{title} · {label}" if label else title
    return f"@page {{ @bottom-left {{ content: {css_string(text)}; }} }}"


class PdfRenderer:
    format = "pdf"
    extension = "pdf"
    supports_booklets = True

    def render_leaflet(self, leaflet: Leaflet, ctx: RenderContext) -> bytes:
        view = leaflet_view(leaflet, ctx, PDF_TARGET)
        css = "\n".join([font_face_css(), layout_css(ctx), footer_css(leaflet.meta.title,
                                                                        view["footer_label"])])
        page = render_leaflet_page(leaflet, ctx, PDF_TARGET, inline_css=css)
        return self._write(page, ctx, leaflet.meta.title, leaflet.meta.language)

    def render_booklet(self, booklet: Booklet, leaflets: list[Leaflet], ctx: RenderContext) -> bytes:
        raise NotImplementedError("booklet PDFs arrive with the print issue")

    def _write(self, page: str, ctx: RenderContext, title: str, language: str) -> bytes:
        from weasyprint import HTML

        fetcher = ConfinedFetcher([ctx.source_dir, *ctx.layout.folders], list(font_files()))
        document = HTML(string=page, base_url=ctx.source_dir.as_uri() + "/", url_fetcher=fetcher)
        pdf: bytes = document.write_pdf(
            pdf_variant="pdf/ua-1", font_config=_font_config(), pdf_tags=True,
            presentational_hints=False,
        )
        return pdf


RENDERER = PdfRenderer()
