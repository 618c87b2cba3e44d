"""DOCX renderer: a Word handout with real styles, lists, links, fields and the shared blocks.

A layout may ship `reference.docx` (as pandoc's `--reference-doc`): its styles, page size,
margins, header and footer design win; styles it lacks are added from the layout's design.
Without one, the handout starts from a lean package and every style comes from `layout.yaml`.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml.ns import qn
from docx.parts.numbering import NumberingPart
from docx.shared import Emu, Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from leaflet_builder.model import (
    Asset,
    Block,
    Booklet,
    Callout,
    Code,
    Emphasis,
    Heading,
    Image,
    Inline,
    Leaflet,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Strong,
    Table,
    Text,
    is_rtl_language,
)
from leaflet_builder.render import RenderContext
from leaflet_builder.render.bidi import (
    AS_EMBEDDING,
    LEFT_TO_RIGHT_MARK,
    LRE,
    POP,
    direction,
    direction_segments,
    isolate_ltr,
)
from leaflet_builder.render.docx import xml as docx_xml
from leaflet_builder.render.docx.html import HtmlBlocks, Piece, normalise
from leaflet_builder.render.docx.styles import DocxDesign, StyleIndex, add_styles
from leaflet_builder.render.fonts import word_script_fonts
from leaflet_builder.render.pages import render_template
from leaflet_builder.render.shared import (
    DRAFT_LABEL,
    PageTarget,
    leaflet_url,
    leaflet_view,
    output_date,
    page_of_parts,
    words,
)

# the order of leaflet_body.html; "body" is the leaflet's own content
DEFAULT_BLOCKS = ("shared/draft.html", "shared/title.html", "shared/glossary.html",
                  "shared/other_languages.html", "body",
                  "shared/when_to_call.html", "shared/related.html", "shared/disclaimer.html",
                  "shared/about.html")
# the words blocks.html puts before a callout's title
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT}
ASSET_SCHEME = "asset:"
EMU_PER_PX = 9525  # at 96 px an inch
PANEL_PADDING_MM = 2.5  # the inner margin of a callout's box and the glossary panel
# parts a reference document may carry that a handout does not need (and that grow the file)
UNNEEDED_RELS = (RT.THUMBNAIL, RT.CUSTOM_XML, RT.GLOSSARY_DOCUMENT,
                 "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
                 RT.WEB_SETTINGS)


@dataclass
class ListContext:
    style: str | None  # a callout's paragraph style, else the list styles by depth
    depth: int


class DocxWriter:
    """Per-leaflet writer state (document, numbering, assets): one instance per render."""

    def __init__(self, leaflet: Leaflet, ctx: RenderContext) -> None:
        self.leaflet = leaflet
        self.ctx = ctx
        self.meta = leaflet.meta
        # Word stores naive UTC times; one date for the properties and the ZIP entries alike
        self.when = output_date(ctx, [leaflet]).replace(tzinfo=None)
        self.rtl = leaflet.meta.is_rtl
        self.said = words(ctx, leaflet.meta.language)  # the layout's words in its language
        self.said_rtl = is_rtl_language(self.said.language)
        self.design = DocxDesign.from_layout(ctx.layout)
        reference = ctx.layout.find_file("reference.docx")
        self.from_reference = reference is not None
        base = prepared_base(self.design, _file_key(reference), self.meta.language, self.rtl)
        self.doc: DocxDocument = Document(io.BytesIO(base.package))
        self.numbering = _numbering(self.doc, self.design)
        self.numbering.adopt(base.list_definitions)
        self.styles = StyleIndex(self.doc)
        self.assets: dict[str, Asset] = {}
        self._blocks_since_table = True
        # where paragraphs and tables go: the body, or the cell of a callout's box
        self._container: Any = self.doc
        self._width = self.text_width
        self._first_in_cell: DocxParagraph | None = None
        # a panel (callout box, glossary) just ended here: the next paragraph keeps a gap
        self._after_panel: Any = None

    # --- whole document ---

    def render(self) -> bytes:
        view = leaflet_view(self.leaflet, self.ctx, self._target())
        html_blocks = HtmlBlocks(self, self.ctx.layout.setting("docx", "styles", default={}) or {})
        order = self.ctx.layout.setting("docx", "blocks", default=list(DEFAULT_BLOCKS))
        for name in order:
            if name == "body":
                for block in self.leaflet.blocks:
                    self._block(block, None)
            else:
                before = len(self.doc.paragraphs)
                html_blocks.convert(render_template(self.ctx, name, view))
                self._keep_boxes_whole(self.doc.paragraphs[before:])
        self._write_furniture(view)
        self._set_properties()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return docx_xml.repack(buffer.getvalue(), self.when)

    @staticmethod
    def _keep_boxes_whole(paragraphs: list[DocxParagraph]) -> None:
        """A shared block's box ("When to call us") is shaded paragraphs, not a table: without
        keep-with-next Word splits it at a page foot, the phone number on one page and "Call 999"
        on the next. Each paragraph of a run in one callout style keeps with the next."""
        for first, second in itertools.pairwise(paragraphs):
            style = first.style.name if first.style is not None else ""
            if style.startswith("Callout ") and second.style is not None \
                    and second.style.name == style:
                first.paragraph_format.keep_with_next = True

    def _target(self) -> PageTarget:
        def image_src(asset: Asset) -> str:
            self.assets[asset.relative] = asset
            return ASSET_SCHEME + asset.relative

        def link_href(link: Any) -> str | None:
            return leaflet_url(self.ctx.settings, link.target_slug) if link.target_slug else link.href

        return PageTarget(name="docx", xhtml=False, link_href=link_href, image_src=image_src,
                          related_href=lambda slug: leaflet_url(self.ctx.settings, slug))

    @property
    def text_width(self) -> int:
        section = self.doc.sections[0]
        return int((section.page_width or Mm(210)) - (section.left_margin or 0) -
                   (section.right_margin or 0))

    @property
    def text_height(self) -> int:
        section = self.doc.sections[0]
        return int((section.page_height or Mm(297)) - (section.top_margin or 0) -
                   (section.bottom_margin or 0))

    # --- Sink: what the shared-block converter calls ---

    def paragraph(self, style: str) -> DocxParagraph:
        self._blocks_since_table = True
        if self._first_in_cell is not None:  # a new cell's own empty paragraph comes first
            paragraph, self._first_in_cell = self._first_in_cell, None
        else:
            paragraph = self._container.add_paragraph()
        self._style(paragraph, style)
        if self._after_panel is self._container:
            # a table has no space after it, so the text below would touch the box
            paragraph.paragraph_format.space_before = Pt(self.design.body_pt * 0.6)
        self._after_panel = None
        if self.rtl:
            docx_xml.set_paragraph_rtl(paragraph._p.get_or_add_pPr())
        return paragraph

    def _style(self, paragraph: DocxParagraph, style: str) -> None:
        """Give a paragraph a style by name (Normal when the document lacks that style)."""
        docx_xml.set_style(paragraph._p, self.styles.id_for(style if style in self.styles
                                                             else "Normal"))

    def write(self, paragraph: DocxParagraph, pieces: list[Piece]) -> None:
        link_element = None
        link_key: int | None = None
        for piece in pieces:
            if piece.link_key != link_key:
                link_element = None
                link_key = piece.link_key
                if piece.link and piece.kind == "text":
                    link_element = docx_xml.add_hyperlink(paragraph, piece.link)
            if piece.kind == "image":
                self._inline_picture(paragraph, piece.link or "", piece.text)
                continue
            # in a right-to-left document, runs of Arabic are marked right to left and runs
            # of Latin letters and digits are not (render/bidi.py): Word and LibreOffice lay
            # numbers, drug names and phone numbers out left to right, where they belong
            marked = piece.text.translate(AS_EMBEDDING)  # a template's isolates, Word's way
            segments = (direction_segments(isolate_ltr(marked, LRE, POP))
                        if self.rtl and piece.kind == "text" else [(piece.text, self.rtl)])
            if piece.lang is not None and piece.kind == "text":
                # a stretch in another language (a language's own name): its direction is
                # that language's, and spell check and screen readers are told which it is
                segments = [(piece.text, is_rtl_language(piece.lang))]
            for text, rtl in segments:
                run = paragraph.add_run()
                if piece.kind == "break":
                    run.add_break()
                elif piece.kind == "tab":
                    run.add_tab()
                else:
                    run.text = text
                    self._format_run(run, piece, linked=link_element is not None)
                if rtl:
                    docx_xml.set_run_rtl(run._r.get_or_add_rPr())
                if piece.lang is not None:
                    docx_xml.set_language(run._r.get_or_add_rPr(), piece.lang, rtl)
                if link_element is not None:
                    link_element.append(run._r)
        if self.rtl:
            self._settle_direction(paragraph)

    def _settle_direction(self, paragraph: DocxParagraph) -> None:
        """A paragraph of an Arabic document with no right-to-left letter (the English
        wording of the shared blocks) reads left to right, as `dir="auto"` would have it.

        A list item stays an item of its right-to-left list (its bullet on the right, as the
        PDF and the web page show it), its text one left-to-right embedding, so a full stop
        or a closing bracket stays at the end of the English words."""
        kinds = {direction(char) for char in paragraph.text}
        if "L" not in kinds or "R" in kinds:
            return
        if docx_xml.is_list_item(paragraph._p):
            docx_xml.embed_ltr(paragraph._p, LRE, POP)
        else:
            docx_xml.set_paragraph_ltr(paragraph._p)

    def _format_run(self, run: Run, piece: Piece, linked: bool) -> None:
        style = "Hyperlink" if linked else ("Verbatim Char" if piece.code else piece.style)
        if style and style in self.styles:
            docx_xml.set_style(run._r, self.styles.id_for(style))
        if piece.bold:
            run.bold = True
            if self.rtl:  # Word and LibreOffice embolden Arabic letters by `w:bCs` only
                docx_xml.set_complex_script(run._r.get_or_add_rPr(), None, True)
        if piece.italic:
            run.italic = True

    def new_list(self, ordered: bool, start: int = 1) -> int:
        return self.numbering.new_list(ordered, start)

    def number(self, paragraph: DocxParagraph, num_id: int, level: int) -> None:
        docx_xml.set_numbering(paragraph._p.get_or_add_pPr(), num_id, min(level, docx_xml.MAX_LEVEL))

    def list_style(self, ordered: bool, depth: int) -> str:
        base = "List Number" if ordered else "List Bullet"
        return base if depth <= 0 else f"{base} {min(depth + 1, 3)}"

    def continue_style(self, depth: int) -> str:
        return "List Continue" if depth <= 0 else f"List Continue {min(depth + 1, 3)}"

    def picture(self, src: str, alt: str) -> bool:
        asset = self.assets.get(src.removeprefix(ASSET_SCHEME)) if src.startswith(ASSET_SCHEME) \
            else None
        if asset is None:
            return False
        self._picture(asset, alt, "")
        return True

    # --- the model's blocks ---

    def _block(self, block: Block, callout: str | None, depth: int = -1) -> None:
        if isinstance(block, Heading):
            self._inlines(self.paragraph(f"Heading {min(block.level, 6)}"), block.children)
        elif isinstance(block, Paragraph):
            self._inlines(self.paragraph(callout or "Normal"), block.children)
        elif isinstance(block, ListBlock):
            self._list(block, ListContext(callout, depth + 1))
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Image):
            self._picture(block.asset, block.alt, block.title)
        elif isinstance(block, Callout):
            self._callout(block)

    def _list(self, block: ListBlock, where: ListContext) -> None:
        num_id = self.numbering.new_list(block.ordered, block.start)
        for item in block.items:
            numbered = False
            for child in item.blocks:
                if isinstance(child, Paragraph):
                    if not numbered:
                        paragraph = self.paragraph(where.style or self.list_style(block.ordered,
                                                                                  where.depth))
                        self.number(paragraph, num_id, where.depth)
                        numbered = True
                    else:
                        paragraph = self.paragraph(where.style or self.continue_style(where.depth))
                    self._inlines(paragraph, child.children)
                elif isinstance(child, ListBlock):
                    self._list(child, ListContext(where.style, where.depth + 1))
                else:
                    self._block(child, where.style, where.depth)

    def _callout(self, block: Callout) -> None:
        """A callout as one box: a one-cell table with the kind's bar, lines and fill.

        The row does not split, so a callout that fits on a page stays on one page.
        """
        style = f"Callout {block.callout.capitalize()}"
        colour = self.design.callout[block.callout]
        cell = self._framed_table(1, bar=colour, fill=self.design.fills[block.callout],
                                  line=colour).cell(0, 0)
        outer = (self._container, self._width)
        self._container, self._width = cell, self._width - 2 * Mm(PANEL_PADDING_MM) - Mm(2)
        self._first_in_cell = cell.paragraphs[0]
        try:
            self._callout_content(block, style)
        finally:
            self._container, self._width = outer
            self._first_in_cell = None
        self._blocks_since_table = False
        self._after_panel = self._container

    def _framed_table(self, rows: int, *, bar: str | None, fill: str | None,
                      line: str | None = None, columns: tuple[int, ...] | None = None) -> Any:
        """A layout table (a panel, not data) across the current width."""
        if not self._blocks_since_table:
            self.paragraph("Normal")  # Word joins two tables that touch (pandoc #4315)
        widths = columns or (self._width,)
        table = self._container.add_table(rows, len(widths))
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Emu(width)
            for cell in column.cells:
                cell.width = Emu(width)
        docx_xml.frame_table(table._tbl, bar=bar, fill=fill, line=line,
                             padding_twips=Mm(PANEL_PADDING_MM).twips)
        if self.rtl:
            docx_xml.set_table_rtl(table._tbl)
        return table

    def definitions(self, style: str, rows: list[tuple[list[Piece], list[Piece]]]) -> None:
        """Label and value rows in two fixed columns (the glossary block, "About" details)."""
        label_width = min(int(Mm(self.design.label_width_mm)), self._width // 2)
        panel = style == "Glossary Block"
        table = self._framed_table(
            len(rows), bar=self.design.accent if panel else None,
            fill=self.design.fills["panel"] if panel else None,
            columns=(label_width, self._width - label_width))
        for index, (label, value) in enumerate(rows):
            for cell, pieces in zip(table.rows[index].cells, (label, value), strict=True):
                paragraph = cell.paragraphs[0]
                self._style(paragraph, style)
                if self.rtl:
                    docx_xml.set_paragraph_rtl(paragraph._p.get_or_add_pPr())
                # the rows of one block stay together on a page, as the PDF keeps them
                paragraph.paragraph_format.keep_with_next = index < len(rows) - 1
                self.write(paragraph, pieces)
        self._blocks_since_table = False
        self._after_panel = self._container

    def _callout_content(self, block: Callout, style: str) -> None:
        title = self.paragraph(style)
        label = self.ctx.layout.callout_labels_in(self.meta.language)[block.callout] + (
            ": " if block.title else "")
        pieces = [Piece(label, style="Callout Title")] + [
            p if p.style else replace(p, style="Callout Title")
            for p in self._pieces(block.title, Piece())]
        self.write(title, normalise(pieces))
        for child in block.blocks:
            self._block(child, style)

    def _table(self, block: Table) -> None:
        if not self._blocks_since_table:
            self.paragraph("Normal")  # Word joins two tables that touch (pandoc #4315)
        columns = max(len(block.header), *(len(row) for row in block.rows)) if block.rows else \
            len(block.header)
        table = self._container.add_table(1 + len(block.rows), columns)
        if "Leaflet Table" in self.styles:
            table.style = self.styles["Leaflet Table"]
        for row_index, cells in enumerate((block.header, *block.rows)):
            row = table.rows[row_index]
            for col in range(columns):
                paragraph = row.cells[col].paragraphs[0]
                self._style(paragraph, "Table Heading" if row_index == 0 else "Table Text")
                if self.rtl:
                    docx_xml.set_paragraph_rtl(paragraph._p.get_or_add_pPr())
                if col < len(cells):
                    cell = cells[col]
                    if cell.align:
                        paragraph.alignment = ALIGN[cell.align]
                    self._inlines(paragraph, cell.children)
        for column in table.columns:  # equal columns across the text width (LibreOffice needs it)
            column.width = Emu(self._width // columns)
            for cell in column.cells:
                cell.width = Emu(self._width // columns)
        docx_xml.mark_header_row(table.rows[0]._tr)
        docx_xml.set_table_full_width(table._tbl, header_row=True)
        if self.rtl:
            docx_xml.set_table_rtl(table._tbl)
        self._blocks_since_table = False

    def _picture(self, asset: Asset, alt: str, title: str) -> None:
        paragraph = self.paragraph("Figure" if title else "Normal")
        self._inline_picture(paragraph, ASSET_SCHEME + asset.relative, alt, asset)
        if title:
            self.write(self.paragraph("Caption"), [Piece(title)])

    def _inline_picture(self, paragraph: DocxParagraph, src: str, alt: str,
                        asset: Asset | None = None) -> None:
        asset = asset or self.assets.get(src.removeprefix(ASSET_SCHEME))
        if asset is None:
            if alt:
                paragraph.add_run(alt)
            return
        # natural size at 96 px an inch, never wider than the text (or the callout's box) or
        # taller than half a page
        width = min(asset.width * EMU_PER_PX, self._width)
        height = width * asset.height // max(asset.width, 1)
        if height > self.text_height // 2:
            height = self.text_height // 2
            width = height * asset.width // max(asset.height, 1)
        shape = paragraph.add_run().add_picture(io.BytesIO(word_readable(asset.read_bytes())),
                                                Emu(width),
                                                Emu(height))
        docx_xml.set_picture_description(shape._inline, alt)

    # --- inlines from the model ---

    def _inlines(self, paragraph: DocxParagraph, nodes: tuple[Inline, ...]) -> None:
        self.write(paragraph, self._pieces(nodes, Piece()))

    def _pieces(self, nodes: tuple[Inline, ...], fmt: Piece) -> list[Piece]:
        out: list[Piece] = []
        for node in nodes:
            match node:
                case Text():
                    out.append(replace(fmt, text=node.text))
                case Code():
                    out.append(replace(fmt, text=node.text, code=True))
                case Strong():
                    out += self._pieces(node.children, replace(fmt, bold=True))
                case Emphasis():
                    out += self._pieces(node.children, replace(fmt, italic=True))
                case LineBreak():
                    out.append(Piece(kind="break"))
                case Link():
                    url = (leaflet_url(self.ctx.settings, node.target_slug) if node.target_slug
                           else node.href) or None
                    key = id(node) if url else None
                    out += self._pieces(node.children, replace(fmt, link=url, link_key=key))
        return out

    # --- page furniture and properties ---

    def _write_furniture(self, view: dict[str, Any]) -> None:
        """Header and footer. Page 1 has a header of its own, without the organisation and
        DRAFT: the title block and the DRAFT banner say both just below it, and saying them
        twice on one page is noise. Every later page names them in the header, and every
        page's footer says DRAFT on a draft."""
        section = self.doc.sections[0]
        header = section.header
        header.is_linked_to_previous = False
        section.different_first_page_header_footer = True
        first = section.first_page_header
        first.is_linked_to_previous = False
        # the first page keeps a reference document's header design (a logo, a rule)
        docx_xml.copy_story(header.part, first.part)
        lines: list[tuple[str, str]] = []
        if view["organisation"]:
            lines.append(("Header", view["organisation"]))
        if self.meta.is_draft:
            lines.append(("Draft Header", self.said.gettext(DRAFT_LABEL)))
        for style, text in lines:
            paragraph = self._furniture_paragraph(header, style)
            self.write(paragraph, [Piece(text)])
        words = " · ".join(part for part in (self.meta.title, view["footer_label"]) if part)
        for footer in (section.footer, section.first_page_footer):
            footer.is_linked_to_previous = False
            paragraph = self._furniture_paragraph(footer, "Footer")
            # "Page N of M" is one left-to-right phrase, its fields in their own runs; in an
            # Arabic footer the title comes first, on the right, then the phrase
            self.write(paragraph, [Piece(f"{words} · ")])
            # the catalogue's "Page %(page)s of %(pages)s", its placeholders as Word fields
            # (Western digits in every language, as in the PDF: README, Languages)
            for part in page_of_parts(self.said):
                if part == "%(page)s":
                    docx_xml.add_field(paragraph, "PAGE", "1")
                elif part == "%(pages)s":
                    docx_xml.add_field(paragraph, "NUMPAGES", "1")
                elif self.said_rtl:
                    self.write(paragraph, [Piece(part)])  # Arabic words: right-to-left runs
                else:
                    self.write_ltr(paragraph, part)
            if self.rtl and not self.said_rtl:
                # a left-to-right mark closes the phrase: without it LibreOffice sets the last
                # field (a number at the end of a right-to-left line) apart, on the far left
                self.write_ltr(paragraph, LEFT_TO_RIGHT_MARK)

    def write_ltr(self, paragraph: DocxParagraph, text: str) -> None:
        """A left-to-right run (not marked `w:rtl`, even in an Arabic document)."""
        run = paragraph.add_run()
        run.text = text

    def _furniture_paragraph(self, story: Any, style: str) -> DocxParagraph:
        paragraphs: list[DocxParagraph] = story.paragraphs
        last = paragraphs[-1] if paragraphs else None
        if last is not None and not last.text and not last._p.xpath(".//w:drawing"):
            paragraph = last  # the empty paragraph Word puts in every new header or footer
        else:
            paragraph = cast(DocxParagraph, story.add_paragraph())
        self._style(paragraph, style)
        if self.rtl:
            docx_xml.set_paragraph_rtl(paragraph._p.get_or_add_pPr())
        return paragraph

    def _set_properties(self) -> None:
        """The document's core properties (what Word's File > Info and search tools show)."""
        meta, settings = self.meta, self.ctx.settings
        when = self.when
        props = self.doc.core_properties
        # Word's core properties hold at most 255 characters (python-docx raises beyond): a
        # longer title, summary, tag list or organisation is cut there, marked with "…"
        props.title = fit_property(meta.title)
        props.subject = fit_property(meta.summary)
        props.keywords = fit_property(", ".join(meta.tags))
        props.author = fit_property(settings.organisation or "")
        props.last_modified_by = fit_property(settings.organisation or "")
        props.language = fit_property(meta.language)
        props.version = fit_property(meta.version or "")
        props.revision = 1
        props.content_status = "Draft" if meta.is_draft else "Approved"
        props.category = "Patient information"
        props.identifier = leaflet_url(self.ctx.settings, self.leaflet.slug) or self.leaflet.slug
        props.comments = ""
        props.created = when
        props.modified = when


MAX_PROPERTY_CHARS = 255


def fit_property(text: str) -> str:
    """`text` cut to the length a core property may have, ending in "…" when cut."""
    return text if len(text) <= MAX_PROPERTY_CHARS else text[:MAX_PROPERTY_CHARS - 1] + "…"


def word_readable(data: bytes) -> bytes:
    """The picture as python-docx can embed it: PNG, or JPEG with a JFIF or Exif header.

    A CMYK or Adobe-marked JPEG (print artwork, Photoshop exports) is valid and shows in the
    other formats, but python-docx cannot read its header: it is converted to an RGB JPEG.
    """
    from docx.image.exceptions import UnrecognizedImageError
    from docx.image.image import Image as DocxImage

    try:
        DocxImage.from_blob(data)
        return data
    except UnrecognizedImageError:
        pass
    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as picture:
        picture.convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


@dataclass(frozen=True)
class PreparedBase:
    """A handout's starting package: styles, numbering definitions and page set up, no text."""

    package: bytes
    list_definitions: dict[bool, int]


def _file_key(path: Path | None) -> tuple[str, int, int] | None:
    """A reference document's identity for the cache: its path, size and change time."""
    if path is None:
        return None
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns


_PREPARED: dict[tuple[str, tuple[str, int, int] | None, str, bool], PreparedBase] = {}


def prepared_base(design: DocxDesign, reference: tuple[str, int, int] | None, language: str,
                  rtl: bool) -> PreparedBase:
    """Set up styles and page once per design, language and direction, and keep the result.

    Adding some forty styles through python-docx took half a handout's time; every handout
    of the same layout and language starts from the same package, so each worker builds it
    once and every handout loads a copy (the outputs are byte-identical to building it anew).
    """
    key = (repr(design), reference, language, rtl)  # the design holds dicts: not hashable
    if key not in _PREPARED:
        if len(_PREPARED) >= 16:  # a long watch session must not grow without bound
            _PREPARED.clear()
        _PREPARED[key] = _prepare(design, reference, language, rtl)
    return _PREPARED[key]


def _prepare(design: DocxDesign, reference: tuple[str, int, int] | None, language: str,
             rtl: bool) -> PreparedBase:
    doc = Document(reference[0] if reference else docx_xml.lean_package())
    if reference:
        _clear_reference(doc)
    numbering = _numbering(doc, design)
    _set_up_styles(doc, design, numbering, language, rtl, from_reference=reference is not None)
    _set_up_page(doc, design, rtl, from_reference=reference is not None)
    buffer = io.BytesIO()
    doc.save(buffer)
    return PreparedBase(buffer.getvalue(), numbering.abstract_ids)


def _numbering(doc: DocxDocument, design: DocxDesign) -> docx_xml.Numbering:
    indent = Mm(design.list_indent_mm).twips
    return docx_xml.Numbering(_numbering_root(doc), indent, indent)


def _clear_reference(doc: DocxDocument) -> None:
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    for rels in (doc.part.package.rels, doc.part.rels):
        for r_id, rel in list(rels.items()):
            if rel.reltype in UNNEEDED_RELS:
                del rels[r_id]


def _numbering_root(doc: DocxDocument) -> Any:
    try:
        return doc.part.numbering_part.element
    except (KeyError, NotImplementedError):
        blob = docx_xml.LEAN_PACKAGE["word/numbering.xml"].encode("utf-8")
        part = NumberingPart.load(PackURI("/word/numbering.xml"),
                                  "application/vnd.openxmlformats-officedocument."
                                  "wordprocessingml.numbering+xml", blob, doc.part.package)
        doc.part.relate_to(part, RT.NUMBERING)
        return part.element


def _set_up_styles(doc: DocxDocument, d: DocxDesign, numbering: docx_xml.Numbering,
                   language: str, rtl: bool, from_reference: bool) -> None:
    styles_root = doc.styles.element
    if from_reference:
        defaults = styles_root.find(qn("w:docDefaults"))
        r_pr = docx_xml.ensure(docx_xml.ensure(defaults if defaults is not None else
                                               docx_xml.ensure(styles_root, "docDefaults"),
                                               "rPrDefault"), "rPr")
        docx_xml.set_language(r_pr, language, rtl)
    else:
        script = word_script_fonts(language)
        docx_xml.set_document_defaults(
            styles_root, {"ascii": d.font, "hAnsi": d.font, "eastAsia": d.font,
                          "cs": d.complex_font, **script}, d.body_pt, language, rtl,
            complex_script="cs" in script)
    docx_xml.set_settings_language(doc.settings.element, language, rtl)
    add_styles(doc, d, numbering, keep_existing=from_reference)


def _set_up_page(doc: DocxDocument, d: DocxDesign, rtl: bool, from_reference: bool) -> None:
    section = doc.sections[0]
    page = d.page
    if not from_reference:
        section.page_width = Mm(page.get("width_mm", 210))
        section.page_height = Mm(page.get("height_mm", 297))
        section.top_margin = Mm(page.get("margin_top_mm", 20))
        section.bottom_margin = Mm(page.get("margin_bottom_mm", 22))
        section.left_margin = Mm(page.get("margin_left_mm", 22))
        section.right_margin = Mm(page.get("margin_right_mm", 22))
        # the header (organisation, DRAFT) sits high enough to clear the text below it
        section.header_distance = Mm(min(7, page.get("margin_top_mm", 20) / 3))
        section.footer_distance = Mm(min(8, page.get("margin_bottom_mm", 22) / 2))
    if rtl:
        docx_xml.set_section_rtl(section._sectPr)


class DocxRenderer:
    """The `docx` format of render/formats.py: Word handouts, per leaflet only."""

    def render_leaflet(self, leaflet: Leaflet, ctx: RenderContext) -> bytes:
        return DocxWriter(leaflet, ctx).render()

    def render_booklet(self, booklet: Booklet, leaflets: list[Leaflet], ctx: RenderContext) -> bytes:
        raise NotImplementedError("Word handouts are written per leaflet")


RENDERER = DocxRenderer()
