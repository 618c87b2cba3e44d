"""The EPUB format: one package, so the book writer's helpers sit beside it.

`book` packages the shared XHTML pages with ebooklib; `cover` draws a cover picture when the
source has none. The build finds the renderer here as `leaflet_builder.render.epub.RENDERER`.
"""

from leaflet_builder.render.epub.book import RENDERER

__all__ = ["RENDERER"]
