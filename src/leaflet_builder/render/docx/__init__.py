"""The Word (DOCX) format: one package, so the writer's helpers sit beside it.

`writer` builds the document from the model and the layout's templates; `styles` makes the
Word styles from the layout's design; `html` turns the shared HTML blocks into runs and
paragraphs; `xml` holds the raw WordprocessingML python-docx has no API for. The build finds
the renderer here as `leaflet_builder.render.docx.RENDERER`.
"""

from leaflet_builder.render.docx.writer import RENDERER

__all__ = ["RENDERER"]
