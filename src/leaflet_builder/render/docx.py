"""DOCX renderer: python-docx walks the model and writes Word's built-in styles."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.text.paragraph import Paragraph as DocxParagraph

from leaflet_builder.model import (
    Block, Booklet, Callout, Heading, Image, Inline, Leaflet, ListBlock, Paragraph, Table,
    plain_text,
)
from leaflet_builder.render import RenderContext


def _add_inlines(paragraph: DocxParagraph, nodes: tuple[Inline, ...], bold: bool = False,
                 italic: bool = False) -> None:
    for node in nodes:
        if node.kind == "text":
            run = paragraph.add_run(node.text)  # type: ignore[union-attr]
            run.bold, run.italic = bold or None, italic or None
        elif node.kind == "strong":
            _add_inlines(paragraph, node.children, True, italic)  # type: ignore[union-attr]
        elif node.kind == "emphasis":
            _add_inlines(paragraph, node.children, bold, True)  # type: ignore[union-attr]
        elif node.kind == "code":
            paragraph.add_run(node.text)  # type: ignore[union-attr]
        elif node.kind == "link":
            _add_inlines(paragraph, node.children, bold, italic)  # type: ignore[union-attr]
        elif node.kind == "linebreak":
            paragraph.add_run().add_break()


def _add_block(doc: DocxDocument, block: Block, list_level: int = 0) -> None:
    if isinstance(block, Heading):
        _add_inlines(doc.add_paragraph(style=f"Heading {min(block.level, 9)}"), block.children)
    elif isinstance(block, Paragraph):
        _add_inlines(doc.add_paragraph(), block.children)
    elif isinstance(block, ListBlock):
        base = "List Number" if block.ordered else "List Bullet"
        style = base if list_level == 0 else f"{base} {min(list_level + 1, 3)}"
        for item in block.items:
            first = True
            for child in item.blocks:
                if isinstance(child, Paragraph) and first:
                    _add_inlines(doc.add_paragraph(style=style), child.children)
                else:
                    _add_block(doc, child, list_level + 1 if isinstance(child, ListBlock) else list_level)
                first = False
    elif isinstance(block, Table):
        table = doc.add_table(rows=1 + len(block.rows), cols=len(block.header))
        for row_index, cells in enumerate((block.header, *block.rows)):
            for col, cell in enumerate(cells):
                _add_inlines(table.cell(row_index, col).paragraphs[0], cell.children,
                             bold=row_index == 0)
    elif isinstance(block, Image):
        doc.add_paragraph(f"[Image: {block.alt}]")
    elif isinstance(block, Callout):
        title = doc.add_paragraph()
        title.add_run(f"{block.callout.capitalize()}: {plain_text(block.title)}").bold = True
        for child in block.blocks:
            _add_block(doc, child, list_level)


class DocxRenderer:
    format = "docx"
    extension = "docx"
    supports_booklets = False

    def render_leaflet(self, leaflet: Leaflet, ctx: RenderContext) -> bytes:
        doc = Document()
        meta = leaflet.meta
        if meta.is_draft:
            doc.add_paragraph().add_run("DRAFT — not for patient use").bold = True
        doc.add_paragraph(meta.title, style="Title")
        doc.add_paragraph(meta.summary, style="Subtitle")
        for block in leaflet.blocks:
            _add_block(doc, block)
        doc.core_properties.title = meta.title
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()

    def render_booklet(self, booklet: Booklet, leaflets: list[Leaflet], ctx: RenderContext) -> bytes:
        raise NotImplementedError("Word handouts are written per leaflet")


RENDERER = DocxRenderer()
