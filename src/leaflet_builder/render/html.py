"""HTML renderer: one standalone page per leaflet (CSS inlined, images embedded)."""

from __future__ import annotations

import base64

from leaflet_builder.model import Asset, Booklet, Leaflet, Link
from leaflet_builder.render import RenderContext
from leaflet_builder.render.pages import layout_css, render_leaflet_page
from leaflet_builder.render.shared import PageTarget


def _data_uri(asset: Asset) -> str:
    return f"data:{asset.media_type};base64,{base64.b64encode(asset.read_bytes()).decode('ascii')}"


def _sibling_page(slug: str) -> str:
    # every leaflet of the project is written beside this page in the same layout folder
    return f"{slug}.html"


def _link_href(link: Link) -> str | None:
    return _sibling_page(link.target_slug) if link.target_slug else link.href


HTML_TARGET = PageTarget(
    name="html", xhtml=False, link_href=_link_href, image_src=_data_uri, related_href=_sibling_page,
)


class HtmlRenderer:
    """The `html` format of render/formats.py: one self-contained page per leaflet."""

    def render_leaflet(self, leaflet: Leaflet, ctx: RenderContext) -> bytes:
        css = layout_css(ctx, list(ctx.layout.setting("html_stylesheets", default=["style.css"])))
        page = render_leaflet_page(leaflet, ctx, HTML_TARGET, inline_css=css)
        return page.encode("utf-8")

    def render_booklet(self, booklet: Booklet, leaflets: list[Leaflet], ctx: RenderContext) -> bytes:
        raise NotImplementedError("HTML is written per leaflet")


RENDERER = HtmlRenderer()
