"""The PDF format: one package, so WeasyPrint's helpers sit beside the writer.

`writer` lays out the shared HTML page; `print` finishes print-room PDFs (PDF/X-4, bleed,
marks); `text_layer` keeps Arabic text copyable; `fetcher` confines what WeasyPrint may read;
`watermark` draws the DRAFT mark; `hyphenation` adds dictionaries pyphen lacks (data in
`hyphenation/`). The build finds the renderer here as `leaflet_builder.render.pdf.RENDERER`.
"""

from leaflet_builder.render.pdf.writer import RENDERER

__all__ = ["RENDERER"]
