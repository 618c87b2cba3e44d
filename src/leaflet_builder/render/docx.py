"""DOCX renderer: a Word handout with real styles, lists, links, fields and the shared blocks.

A layout may ship `reference.docx` (as pandoc's `--reference-doc`): its styles, page size,
margins, header and footer design win; styles it lacks are added from the layout's design.
Without one, the handout starts from a lean package and every style comes from `layout.yaml`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml.ns import qn
from docx.parts.numbering import NumberingPart
from docx.shared import Emu, Mm
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from leaflet_builder.model import (
    Asset,
    Block,
    Booklet,
    Callout,
    Heading,
    Image,
    Inline,
    Leaflet,
    ListBlock,
    Paragraph,
    Table,
)
from leaflet_builder.render import RenderContext, docx_xml
from leaflet_builder.render.docx_html import HtmlBlocks, Piece, normalise
from leaflet_builder.render.docx_styles import DocxDesign, StyleIndex, add_styles
from leaflet_builder.render.pages import render_template
from leaflet_builder.render.shared import (
    DRAFT_LABEL,
    PageTarget,
    leaflet_url,
    leaflet_view,
    output_date,
)

# the order of leaflet_body.html; "body" is the leaflet's own content
DEFAULT_BLOCKS = ("shared/draft.html", "shared/title.html", "shared/glossary.html", "body",
                  "shared/when_to_call.html", "shared/related.html", "shared/disclaimer.html",
                  "shared/about.html")
# the words blocks.html puts before a callout's title
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT}
ASSET_SCHEME = "asset:"
EMU_PER_PX = 9525  # at 96 px an inch
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

    # --- whole document ---

    def render(self) -> bytes:
        view = leaflet_view(self.leaflet, self.ctx, self._target())
        html_blocks = HtmlBlocks(self, self.ctx.layout.setting("docx", "styles", default={}) or {})
        order = self.ctx.layout.setting("docx", "blocks", default=list(DEFAULT_BLOCKS))
        for name in order:
            if name == "body":
                self._write_hero(view)
                for block in self.leaflet.blocks:
                    self._block(block, None)
            else:
                html_blocks.convert(render_template(self.ctx, name, view))
        self._write_furniture(view)
        self._set_properties()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return docx_xml.repack(buffer.getvalue(), self.when)

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
        paragraph = self.doc.add_paragraph()
        self._style(paragraph, style)
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
            run = paragraph.add_run()
            if piece.kind == "break":
                run.add_break()
            elif piece.kind == "tab":
                run.add_tab()
            else:
                run.text = piece.text
                self._format_run(run, piece, linked=link_element is not None)
            if self.rtl:
                docx_xml.set_run_rtl(run._r.get_or_add_rPr())
            if link_element is not None:
                link_element.append(run._r)

    def _format_run(self, run: Run, piece: Piece, linked: bool) -> None:
        style = "Hyperlink" if linked else ("Verbatim Char" if piece.code else piece.style)
        if style and style in self.styles:
            docx_xml.set_style(run._r, self.styles.id_for(style))
        if piece.bold:
            run.bold = True
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
        style = f"Callout {block.callout.capitalize()}"
        title = self.paragraph(style)
        label = self.ctx.layout.callout_labels[block.callout] + (
            ": " if block.title else "")
        pieces = [Piece(label, style="Callout Title")] + [
            p if p.style else Piece(**{**p.__dict__, "style": "Callout Title"})
            for p in self._pieces(block.title, Piece())]
        self.write(title, normalise(pieces))
        for child in block.blocks:
            self._block(child, style)

    def _table(self, block: Table) -> None:
        if not self._blocks_since_table:
            self.paragraph("Normal")  # Word joins two tables that touch (pandoc #4315)
        columns = max(len(block.header), *(len(row) for row in block.rows)) if block.rows else \
            len(block.header)
        table = self.doc.add_table(rows=1 + len(block.rows), cols=columns)
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
            column.width = Emu(self.text_width // columns)
            for cell in column.cells:
                cell.width = Emu(self.text_width // columns)
        docx_xml.mark_header_row(table.rows[0]._tr)
        docx_xml.set_table_full_width(table._tbl, header_row=True)
        if self.rtl:
            docx_xml.set_table_rtl(table._tbl)
        self._blocks_since_table = False

    def _write_hero(self, view: dict[str, Any]) -> None:
        hero = self.meta.image
        # the title block may show the hero image itself (then it is among the assets)
        if hero is not None and hero.asset.relative not in self.assets:
            self._picture(hero.asset, hero.alt, "")

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
        # natural size at 96 px an inch, never wider than the text or taller than half a page
        width = min(asset.width * EMU_PER_PX, self.text_width)
        height = width * asset.height // max(asset.width, 1)
        if height > self.text_height // 2:
            height = self.text_height // 2
            width = height * asset.width // max(asset.height, 1)
        shape = paragraph.add_run().add_picture(io.BytesIO(asset.read_bytes()), Emu(width),
                                                Emu(height))
        docx_xml.set_picture_description(shape._inline, alt)

    # --- inlines from the model ---

    def _inlines(self, paragraph: DocxParagraph, nodes: tuple[Inline, ...]) -> None:
        self.write(paragraph, self._pieces(nodes, Piece()))

    def _pieces(self, nodes: tuple[Inline, ...], fmt: Piece) -> list[Piece]:
        out: list[Piece] = []
        for node in nodes:
            if node.kind == "text":
                out.append(Piece(**{**fmt.__dict__, "text": node.text}))  # type: ignore[union-attr]
            elif node.kind == "code":
                out.append(Piece(**{**fmt.__dict__, "text": node.text, "code": True}))  # type: ignore[union-attr]
            elif node.kind == "strong":
                out += self._pieces(node.children, Piece(**{**fmt.__dict__, "bold": True}))  # type: ignore[union-attr]
            elif node.kind == "emphasis":
                out += self._pieces(node.children, Piece(**{**fmt.__dict__, "italic": True}))  # type: ignore[union-attr]
            elif node.kind == "linebreak":
                out.append(Piece(kind="break"))
            elif node.kind == "link":
                url = (leaflet_url(self.ctx.settings, node.target_slug) if node.target_slug  # type: ignore[union-attr]
                       else node.href) or None  # type: ignore[union-attr]
                key = id(node) if url else None
                out += self._pieces(node.children, Piece(**{**fmt.__dict__, "link": url,  # type: ignore[union-attr]
                                                            "link_key": key}))
        return out

    # --- page furniture and properties ---

    def _write_furniture(self, view: dict[str, Any]) -> None:
        section = self.doc.sections[0]
        docx_xml.set_title_page_off(section._sectPr)
        header = section.header
        header.is_linked_to_previous = False
        lines: list[tuple[str, str]] = []
        if view["organisation"]:
            lines.append(("Header", view["organisation"]))
        if self.meta.is_draft:
            lines.append(("Draft Header", DRAFT_LABEL))
        for style, text in lines:
            paragraph = self._furniture_paragraph(header, style)
            self.write(paragraph, [Piece(text)])
        footer = section.footer
        footer.is_linked_to_previous = False
        paragraph = self._furniture_paragraph(footer, "Footer")
        words = " · ".join(part for part in (self.meta.title, view["footer_label"]) if part)
        self.write(paragraph, [Piece(f"{words} · Page ")])
        docx_xml.add_field(paragraph, "PAGE", "1")
        self.write(paragraph, [Piece(" of ")])
        docx_xml.add_field(paragraph, "NUMPAGES", "1")

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
        meta, settings = self.meta, self.ctx.settings
        when = self.when
        props = self.doc.core_properties
        props.title = meta.title
        props.subject = meta.summary
        props.keywords = ", ".join(meta.tags)
        props.author = settings.organisation or ""
        props.last_modified_by = settings.organisation or ""
        props.language = meta.language
        props.version = meta.version or ""
        props.revision = 1
        props.content_status = "Draft" if meta.is_draft else "Approved"
        props.category = "Patient information"
        props.identifier = leaflet_url(self.ctx.settings, self.leaflet.slug) or self.leaflet.slug
        props.comments = ""
        props.created = when
        props.modified = when


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
        docx_xml.set_document_defaults(
            styles_root, {"ascii": d.font, "hAnsi": d.font, "eastAsia": d.font,
                          "cs": d.complex_font}, d.body_pt, language, rtl)
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
    format = "docx"
    extension = "docx"
    supports_booklets = False

    def render_leaflet(self, leaflet: Leaflet, ctx: RenderContext) -> bytes:
        return DocxWriter(leaflet, ctx).render()

    def render_booklet(self, booklet: Booklet, leaflets: list[Leaflet], ctx: RenderContext) -> bytes:
        raise NotImplementedError("Word handouts are written per leaflet")


RENDERER = DocxRenderer()
