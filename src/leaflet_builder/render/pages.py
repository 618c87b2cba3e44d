"""The HTML pages shared by the HTML, PDF and EPUB renderers (one template set, one place)."""

from __future__ import annotations

from typing import Any

from leaflet_builder.model import Leaflet
from leaflet_builder.render import RenderContext
from leaflet_builder.render.shared import PageTarget, leaflet_view


def render_leaflet_page(
    leaflet: Leaflet, ctx: RenderContext, target: PageTarget, **extra: Any
) -> str:
    """One leaflet as a complete HTML (or XHTML) page from the layout's `leaflet.html`."""
    view = leaflet_view(leaflet, ctx, target)
    view.setdefault("stylesheet_links", [])
    view.setdefault("inline_css", "")
    view.update(extra)
    return ctx.layout.env.get_template("leaflet.html").render(view)


def render_template(ctx: RenderContext, name: str, view: dict[str, Any]) -> str:
    """Render any layout template (booklet covers, contents, shared blocks)."""
    return ctx.layout.env.get_template(name).render(view)


def layout_css(ctx: RenderContext, names: list[str] | None = None) -> str:
    """The layout's stylesheets joined, in the order the layout lists them."""
    files = names if names is not None else list(ctx.layout.setting("stylesheets", default=["style.css"]))
    return "\n".join(ctx.layout.read_text(name) for name in files)


def css_string(text: str) -> str:
    """A CSS string literal for `content:` (quotes, backslashes, controls escaped).

    `<`, `>` and `&` are escaped too: the CSS goes into a `<style>` element, where a title
    holding `</style><a href=...>` would otherwise end the style and inject markup.
    """
    escaped = "".join(
        f"\\{ord(c):x} " if c in '"\\<>&' or ord(c) < 0x20 or ord(c) == 0x7f else c for c in text
    )
    return f'"{escaped}"'
