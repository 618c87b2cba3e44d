"""DOCX rendering, raw WordprocessingML: the parts python-docx has no API for (one place only).

python-docx lacks hyperlinks, numbering instances, fields, paragraph borders and shading,
document language, right-to-left marks, table header rows and picture descriptions (its issues
#74, #25, #498, #727); the solutions here follow pandoc's DOCX writer: one abstract numbering
per list kind and one `w:num` per list with a start override on every level, `w:lang` in the
document defaults, `w:bidi`/`w:rtl` on paragraphs and runs, complex fields for PAGE/NUMPAGES.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run
from lxml import etree

from leaflet_builder.render.archive import write_zip

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"

# schema order of the children of w:pPr and w:rPr (ECMA-376 17.3.1.26 / 17.3.2.28): an
# element written out of order makes Word call the file corrupt
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange",
)
RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
    "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish",
    "oMath",
)
TRPR_ORDER = ("cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit",
              "trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden")


def make(tag: str, **attrs: str) -> BaseOxmlElement:
    """A `w:` element with `w:` attributes (`make("jc", val="left")`)."""
    element: BaseOxmlElement = parse_xml(f'<w:{tag} xmlns:w="{W_NS}"/>')
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), value)
    return element


def put_child(parent: BaseOxmlElement, child: BaseOxmlElement, order: tuple[str, ...]) -> None:
    """Insert or replace `child` in `parent`, keeping the schema's order of children."""
    local = etree.QName(child).localname
    for existing in parent.findall(qn(f"w:{local}")):
        parent.remove(existing)
    later = order[order.index(local) + 1:]
    parent.insert_element_before(child, *(f"w:{name}" for name in later))


def ensure(parent: BaseOxmlElement, tag: str) -> BaseOxmlElement:
    found: BaseOxmlElement | None = parent.find(qn(f"w:{tag}"))
    if found is None:
        found = make(tag)
        parent.insert(0, found)
    return found


# --- paragraphs and runs ---------------------------------------------------------------------


def set_paragraph_rtl(p_pr: BaseOxmlElement) -> None:
    put_child(p_pr, make("bidi"), PPR_ORDER)


def set_run_rtl(r_pr: BaseOxmlElement) -> None:
    put_child(r_pr, make("rtl"), RPR_ORDER)


def set_paragraph_ltr(p: BaseOxmlElement) -> None:
    """A left-to-right paragraph (English words in an Arabic document): no `w:bidi` on it,
    no `w:rtl` on its runs, so its full stop stays at its end."""
    for element in p.xpath("./w:pPr/w:bidi | .//w:r/w:rPr/w:rtl"):
        element.getparent().remove(element)


def is_list_item(p: BaseOxmlElement) -> bool:
    return bool(p.xpath("./w:pPr/w:numPr"))


def embed_ltr(p: BaseOxmlElement, start: str, end: str) -> None:
    """The paragraph's text as one embedding (`start` … `end`, LRE … PDF: the marks Word and
    LibreOffice honour), inside a paragraph that keeps its own direction."""
    for element in p.xpath(".//w:r/w:rPr/w:rtl"):  # neutral marks between Latin words
        element.getparent().remove(element)
    texts = [t for t in p.xpath(".//w:r/w:t") if t.text]
    if texts:
        texts[0].text = start + texts[0].text
        texts[-1].text = texts[-1].text + end


def set_border(p_pr: BaseOxmlElement, colour: str, sides: dict[str, int], space_pt: int = 4) -> None:
    """A paragraph border (`sides`: side -> width in eighths of a point)."""
    border = make("pBdr")
    for side in ("top", "left", "bottom", "right"):
        if side in sides:
            border.append(make(side, val="single", sz=str(sides[side]), space=str(space_pt),
                               color=colour))
    put_child(p_pr, border, PPR_ORDER)


def set_shading(p_pr: BaseOxmlElement, fill: str) -> None:
    put_child(p_pr, make("shd", val="clear", color="auto", fill=fill), PPR_ORDER)


def set_numbering(p_pr: BaseOxmlElement, num_id: int, level: int) -> None:
    num_pr = make("numPr")
    num_pr.append(make("ilvl", val=str(level)))
    num_pr.append(make("numId", val=str(num_id)))
    put_child(p_pr, num_pr, PPR_ORDER)


def set_outline_level(p_pr: BaseOxmlElement, level: int) -> None:
    put_child(p_pr, make("outlineLvl", val=str(level)), PPR_ORDER)


def add_hyperlink(paragraph: DocxParagraph, url: str) -> BaseOxmlElement:
    """An external `w:hyperlink` appended to `paragraph`; move runs into it to link them."""
    r_id = paragraph.part.relate_to(url, RT_HYPERLINK, is_external=True)
    link = make("hyperlink")
    link.set(qn("r:id"), r_id)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def add_field(paragraph: DocxParagraph, instruction: str, placeholder: str,
              style_run: Run | None = None) -> None:
    """A complex field (PAGE, NUMPAGES): begin, instruction, separate, shown result, end."""
    parts = [("fldChar", {"fldCharType": "begin"}), ("instrText", None),
             ("fldChar", {"fldCharType": "separate"}), ("t", None), ("fldChar", {"fldCharType": "end"})]
    for tag, attrs in parts:
        run = paragraph.add_run()
        if style_run is not None and style_run._r.rPr is not None:
            run._r.insert(0, _copy(style_run._r.rPr))
        if tag == "instrText":
            element = make("instrText")
            element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            element.text = f" {instruction} "
        elif tag == "t":
            element = make("t")
            element.text = placeholder
        else:
            element = make(tag, **(attrs or {}))
        run._r.append(element)


def _copy(element: BaseOxmlElement) -> BaseOxmlElement:
    copied: BaseOxmlElement = parse_xml(etree.tostring(element))
    return copied


def set_picture_description(inline: BaseOxmlElement, description: str, title: str = "") -> None:
    """Alt text where Word and screen readers look for it (`wp:docPr/@descr`), no file name."""
    doc_pr = inline.docPr
    doc_pr.set("descr", description)
    if title:
        doc_pr.set("title", title)
    for c_nv_pr in inline.iter("{http://schemas.openxmlformats.org/drawingml/2006/picture}cNvPr"):
        c_nv_pr.set("name", doc_pr.get("name"))
        c_nv_pr.set("descr", description)


# --- tables ----------------------------------------------------------------------------------


def mark_header_row(tr: BaseOxmlElement) -> None:
    """The row repeats at the top of every page and is read as a header by assistive tech."""
    tr_pr = tr.get_or_add_trPr()
    put_child(tr_pr, make("cantSplit"), TRPR_ORDER)
    put_child(tr_pr, make("tblHeader"), TRPR_ORDER)


TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
               "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
               "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription")
TCPR_ORDER = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap",
              "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark")


def frame_table(tbl: BaseOxmlElement, *, bar: str | None, fill: str | None,
                padding_twips: int, line: str | None = None) -> None:
    """A layout table drawn as one panel: no grid, an optional bar at the start side (the left
    in left-to-right text), thin `line`s round the rest, one fill, fixed column widths, and
    every row kept on one page.

    Word draws a paragraph border per run of paragraphs with the same indents, so a callout
    holding a list became three boxes with bars out of line; a table cell is one box whatever
    its paragraphs' indents. A fixed layout keeps a long label wrapping inside its column.
    """
    tbl_pr = tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblStyle")):
        tbl_pr.remove(old)
    put_child(tbl_pr, make("tblW", w="5000", type="pct"), TBLPR_ORDER)
    borders = make("tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if side == "left" and bar:
            borders.append(make(side, val="single", sz="36", space="0", color=bar))
        elif line and side in ("top", "bottom", "right"):
            borders.append(make(side, val="single", sz="8", space="0", color=line))
        else:
            borders.append(make(side, val="nil"))
    put_child(tbl_pr, borders, TBLPR_ORDER)
    if fill:
        put_child(tbl_pr, make("shd", val="clear", color="auto", fill=fill), TBLPR_ORDER)
    put_child(tbl_pr, make("tblLayout", type="fixed"), TBLPR_ORDER)
    margins = make("tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        margins.append(make(side, w=str(padding_twips if side in ("left", "right") else
                                        padding_twips // 3), type="dxa"))
    put_child(tbl_pr, margins, TBLPR_ORDER)
    put_child(tbl_pr, make("tblLook", val="0000", firstRow="0", lastRow="0", firstColumn="0",
                           lastColumn="0", noHBand="1", noVBand="1"), TBLPR_ORDER)
    for tr in tbl.findall(qn("w:tr")):
        put_child(tr.get_or_add_trPr(), make("cantSplit"), TRPR_ORDER)
        for tc in tr.findall(qn("w:tc")):
            if fill:  # LibreOffice paints a cell's own fill, not always the table's
                put_child(tc.get_or_add_tcPr(), make("shd", val="clear", color="auto",
                                                     fill=fill), TCPR_ORDER)


def set_table_full_width(tbl: BaseOxmlElement, header_row: bool) -> None:
    tbl_pr = tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    width = make("tblW", w="5000", type="pct")
    layout = tbl_pr.find(qn("w:tblLayout"))
    (layout if layout is not None else tbl_pr[-1]).addprevious(width) if len(tbl_pr) else \
        tbl_pr.append(width)
    for old in tbl_pr.findall(qn("w:tblLook")):
        tbl_pr.remove(old)
    tbl_pr.append(make("tblLook", val="04A0" if header_row else "0400",
                       firstRow="1" if header_row else "0", lastRow="0", firstColumn="0",
                       lastColumn="0", noHBand="1", noVBand="1"))


def define_table_style(style_element: BaseOxmlElement, border: str, header_fill: str,
                       padding_twips: int) -> None:
    """Borders, cell padding and a shaded bold first row on a table style (`w:style`)."""
    tbl_pr = make("tblPr")
    borders = make("tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(make(side, val="single", sz="6", space="0", color=border))
    tbl_pr.append(borders)
    margins = make("tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        margins.append(make(side, w=str(padding_twips if side in ("left", "right") else
                                        padding_twips // 2), type="dxa"))
    tbl_pr.append(margins)
    style_element.append(tbl_pr)
    first = make("tblStylePr", type="firstRow")
    r_pr = make("rPr")
    r_pr.append(make("b"))
    r_pr.append(make("bCs"))
    first.append(r_pr)
    tc_pr = make("tcPr")
    tc_pr.append(make("shd", val="clear", color="auto", fill=header_fill))
    first.append(tc_pr)
    style_element.append(first)


# --- numbering -------------------------------------------------------------------------------

MAX_LEVEL = 8
BULLETS = ("\u2022", "\u2013", "\u25aa")


class Numbering:
    """The numbering part of one document: two abstract lists and one instance per list."""

    def __init__(self, root: BaseOxmlElement, step_twips: int, hanging_twips: int) -> None:
        self.root = root
        self.step = step_twips
        self.hanging = hanging_twips
        abstract = [int(e.get(qn("w:abstractNumId"))) for e in root.findall(qn("w:abstractNum"))]
        nums = [int(e.get(qn("w:numId"))) for e in root.findall(qn("w:num"))]
        self._next_abstract = max(abstract, default=0) + 1
        # pandoc starts its list instances at 1000, well clear of a reference document's own
        self._next_num = max([*nums, 999]) + 1
        self._abstract_ids: dict[bool, int] = {}

    @property
    def abstract_ids(self) -> dict[bool, int]:
        """Which abstract definition serves ordered (True) and bullet (False) lists."""
        return dict(self._abstract_ids)

    def adopt(self, abstract_ids: dict[bool, int]) -> None:
        """Reuse the abstract definitions a saved copy of this part already holds."""
        self._abstract_ids.update(abstract_ids)

    def new_list(self, ordered: bool, start: int = 1) -> int:
        """A new numbering instance: a separate list, restarting at `start` on every level."""
        abstract_id = self._abstract_ids.get(ordered)
        if abstract_id is None:
            abstract_id = self._add_abstract(ordered)
        num_id = self._next_num
        self._next_num += 1
        num = make("num", numId=str(num_id))
        num.append(make("abstractNumId", val=str(abstract_id)))
        if ordered:
            # one instance serves one list, at whatever level it is nested: every level starts
            # at the source's number (a nested list from 3 must not print 1)
            for level in range(MAX_LEVEL + 1):
                override = make("lvlOverride", ilvl=str(level))
                override.append(make("startOverride", val=str(start)))
                num.append(override)
        cleanup = self.root.find(qn("w:numIdMacAtCleanup"))
        if cleanup is not None:
            cleanup.addprevious(num)
        else:
            self.root.append(num)
        return num_id

    def _add_abstract(self, ordered: bool) -> int:
        abstract_id = self._next_abstract
        self._next_abstract += 1
        self._abstract_ids[ordered] = abstract_id
        abstract = make("abstractNum", abstractNumId=str(abstract_id))
        # a stable nsid (Word's list identity) so that builds are byte-identical
        abstract.append(make("nsid", val=f"{0x4C454146 + abstract_id:08X}"))
        abstract.append(make("multiLevelType", val="multilevel"))
        for level in range(MAX_LEVEL + 1):
            lvl = make("lvl", ilvl=str(level))
            lvl.append(make("start", val="1"))
            lvl.append(make("numFmt", val="decimal" if ordered else "bullet"))
            text = f"%{level + 1}." if ordered else BULLETS[level % len(BULLETS)]
            lvl.append(make("lvlText", val=text))
            lvl.append(make("lvlJc", val="left"))
            p_pr = make("pPr")
            p_pr.append(make("ind", left=str(self.step * level + self.hanging),
                             hanging=str(self.hanging)))
            lvl.append(p_pr)
            abstract.append(lvl)
        first_num = self.root.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)  # abstract definitions come before instances
        else:
            self.root.append(abstract)
        return abstract_id


# --- document defaults, settings -------------------------------------------------------------


def set_document_defaults(styles_root: BaseOxmlElement, fonts: dict[str, str], size_pt: float,
                          language: str, rtl: bool, complex_script: bool = False) -> None:
    """Fonts, size and language every style inherits (`w:docDefaults`): spell check uses it."""
    defaults = ensure(styles_root, "docDefaults")
    r_pr_default = defaults.find(qn("w:rPrDefault"))
    if r_pr_default is None:
        r_pr_default = make("rPrDefault")
        defaults.insert(0, r_pr_default)
    r_pr = ensure(r_pr_default, "rPr")
    put_child(r_pr, make("rFonts", **fonts), RPR_ORDER)
    half_points = str(round(size_pt * 2))
    put_child(r_pr, make("sz", val=half_points), RPR_ORDER)
    put_child(r_pr, make("szCs", val=half_points), RPR_ORDER)
    set_language(r_pr, language, rtl, complex_script)


def set_language(r_pr: BaseOxmlElement, language: str, rtl: bool,
                 complex_script: bool = False) -> None:
    attrs = {"val": language, "eastAsia": language}
    # `w:bidi` is the language of complex-script text: Indic scripts too, not only Arabic
    if rtl or complex_script:
        attrs["bidi"] = language
    put_child(r_pr, make("lang", **attrs), RPR_ORDER)


def set_settings_language(settings_root: BaseOxmlElement, language: str, rtl: bool) -> None:
    found = settings_root.find(qn("w:themeFontLang"))
    if found is not None:
        found.set(qn("w:val"), language)
        if rtl:
            found.set(qn("w:bidi"), language)


def set_section_rtl(sect_pr: BaseOxmlElement) -> None:
    if sect_pr.find(qn("w:bidi")) is None:
        doc_grid = sect_pr.find(qn("w:docGrid"))
        bidi = make("bidi")
        if doc_grid is not None:
            doc_grid.addprevious(bidi)
        else:
            sect_pr.append(bidi)


def copy_story(source: Any, target: Any) -> None:
    """Make a header or footer part hold a copy of another's content, with the pictures and
    links it refers to (each part has its own relationships, so the ids are made anew)."""
    for child in list(target.element):
        target.element.remove(child)
    for child in source.element:
        target.element.append(_copy(child))
    r_ns = f"{{{R_NS}}}"
    for element in target.element.iter():
        for name, value in list(element.attrib.items()):
            rel = source.rels.get(value) if name.startswith(r_ns) else None
            if rel is not None:
                element.set(name, target.relate_to(
                    rel.target_ref if rel.is_external else rel.target_part, rel.reltype,
                    is_external=rel.is_external))


# --- the lean starting package ---------------------------------------------------------------

_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"
LEAN_PACKAGE: dict[str, str] = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{_CT}.document.main+xml"/>'
        f'<Override PartName="/word/styles.xml" ContentType="{_CT}.styles+xml"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{_CT}.settings+xml"/>'
        f'<Override PartName="/word/numbering.xml" ContentType="{_CT}.numbering+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '</Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        '</Relationships>'),
    "word/_rels/document.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/settings" Target="settings.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/numbering" Target="numbering.xml"/>'
        '</Relationships>'),
    "word/document.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body><w:sectPr>'
        '<w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1134" w:right="1247" w:bottom="1247" w:left="1247" w:header="567" '
        'w:footer="567" w:gutter="0"/><w:cols w:space="708"/><w:docGrid w:linePitch="360"/>'
        '</w:sectPr></w:body></w:document>'),
    "word/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:styles xmlns:w="{W_NS}"><w:docDefaults><w:rPrDefault><w:rPr/></w:rPrDefault>'
        '<w:pPrDefault><w:pPr/></w:pPrDefault></w:docDefaults>'
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        '<w:qFormat/></w:style>'
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        '<w:unhideWhenUsed/></w:style>'
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" '
        'w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        '</w:style>'
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>'
        '</w:styles>'),
    "word/settings.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:settings xmlns:w="{W_NS}"><w:defaultTabStop w:val="709"/>'
        '<w:characterSpacingControl w:val="doNotCompress"/>'
        # mode 15 = Word 2013 and later: without it Word opens the file in Compatibility Mode
        '<w:compat><w:compatSetting w:name="compatibilityMode" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
        '<w:themeFontLang w:val="en-GB"/><w:decimalSymbol w:val="."/>'
        '<w:listSeparator w:val=","/></w:settings>'),
    "word/numbering.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:numbering xmlns:w="{W_NS}"/>'),
    "docProps/core.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/'
        'XMLSchema-instance"/>'),
}


def lean_package() -> io.BytesIO:
    """A minimal valid .docx: no theme, thumbnail, latent styles or sample content."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in LEAN_PACKAGE.items():
            archive.writestr(name, text)
    buffer.seek(0)
    return buffer


def repack(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite a .docx ZIP with fixed entry times and order, so equal input gives equal bytes."""
    stamp = max(when, dt.datetime(1980, 1, 2, tzinfo=when.tzinfo))
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    first = ["[Content_Types].xml", "_rels/.rels"]
    entries.sort(key=lambda entry: (entry[0] not in first, first.index(entry[0])
                                    if entry[0] in first else 0, entry[0]))
    return write_zip(entries, stamp)


def set_complex_script(r_pr: BaseOxmlElement, size_pt: float | None, bold: bool | None) -> None:
    """Size and weight for complex scripts (Arabic) too: Word keeps them apart (`szCs`, `bCs`)."""
    if size_pt is not None:
        put_child(r_pr, make("szCs", val=str(round(size_pt * 2))), RPR_ORDER)
    if bold:
        put_child(r_pr, make("bCs"), RPR_ORDER)


def set_table_rtl(tbl: BaseOxmlElement) -> None:
    tbl_pr = tbl.tblPr
    if tbl_pr.find(qn("w:bidiVisual")) is None:
        tbl_pr.insert_element_before(make("bidiVisual"), "w:tblStyleRowBandSize",
                                     "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing",
                                     "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout",
                                     "w:tblCellMar", "w:tblLook")


def set_style_numbering(p_pr: BaseOxmlElement, num_id: int, level: int) -> None:
    """A list style's own numbering, so a list paragraph a user adds in Word gets its mark."""
    set_numbering(p_pr, num_id, level)


def set_style(element: BaseOxmlElement, style_id: str | None) -> None:
    """Name the style of a paragraph (`w:p`) or run (`w:r`); None: the type's default style."""
    element.style = style_id
