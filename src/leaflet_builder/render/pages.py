"""The HTML pages shared by the HTML, PDF and EPUB renderers (one template set, one place)."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError

from leaflet_builder.errors import LeafletError
from leaflet_builder.i18n import FALLBACK_LANGUAGE
from leaflet_builder.layout_urls import check_page
from leaflet_builder.layouts import LinkedTemplate
from leaflet_builder.model import Leaflet
from leaflet_builder.render import RenderContext
from leaflet_builder.render.shared import PageTarget, leaflet_view, template_data
from leaflet_builder.template_sandbox import TemplateTooLarge


def render_leaflet_page(
    leaflet: Leaflet, ctx: RenderContext, target: PageTarget, **extra: Any
) -> str:
    """One leaflet as a complete HTML (or XHTML) page from the layout's `leaflet.html`."""
    view = leaflet_view(leaflet, ctx, target)
    view.setdefault("stylesheet_links", [])
    view.setdefault("inline_css", "")
    view.update(extra)
    return render_template(ctx, "leaflet.html", view)


def render_template(ctx: RenderContext, name: str, view: dict[str, Any]) -> str:
    """Render any layout template (booklet covers, contents, shared blocks) with plain data.

    A template's mistake or a refused operation (the sandbox's SecurityError) is the layout's
    error, reported at the template's file and line — never a traceback. The layout's words
    (`_()`) are in the view's language (`lang`).
    """
    data = template_data(view)
    env = ctx.layout.environment(str(view.get("lang") or FALLBACK_LANGUAGE))
    try:
        page = env.get_template(name).render(data)
    except (LeafletError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - `{{ 1/0 }}`, endless includes: the layout's mistake
        raise _layout_error(ctx, name, exc) from None
    check_page(page, ctx.layout.folders, name)  # nothing remote for a reader's device to fetch
    return page


def _layout_error(ctx: RenderContext, name: str, exc: Exception) -> LeafletError:
    """The template file and line where rendering failed, from Jinja2's rewritten traceback."""
    path, line = ctx.layout.folders[0] / "templates" / name, 0
    if isinstance(exc, LinkedTemplate):
        return LeafletError(exc.path, 0, exc.message or "")
    if isinstance(exc, TemplateSyntaxError):
        # Jinja2 names the broken template but often leaves its file name out
        broken = exc.name or name
        path = next((folder / "templates" / broken for folder in ctx.layout.folders
                     if (folder / "templates" / broken).is_file()), Path(exc.filename or path))
        line = exc.lineno
    else:
        # Jinja2 rewrites the traceback so template frames carry the template's file and line;
        # the deepest frame in the most specific layout is the one its author wrote (an
        # endless `extends` recursing through the built-in templates is still theirs)
        frames = traceback.extract_tb(exc.__traceback__)
        for folder in ctx.layout.folders:
            own = [f for f in frames if f.filename.startswith(str(folder / "templates") + "/")]
            if own:
                path, line = Path(own[-1].filename), own[-1].lineno or 0
                break
    if isinstance(exc, TemplateError):
        message = exc.message or type(exc).__name__
    else:
        message = f"{type(exc).__name__}: {str(exc)[:300]}"
    if isinstance(exc, UndefinedError):
        message += (" — templates are given plain data only; the README's Layouts section "
                    "lists what they get")
    if isinstance(exc, TemplateTooLarge):
        message += " — a layout template must not build text or lists of that size"
    elif isinstance(exc, SecurityError):
        message += (" — a layout template may only read the plain data it is given (text, "
                    "numbers, dates, lists and mappings)")
    return LeafletError(path, line, f"layout '{ctx.layout.name}': template error: {message}")


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
