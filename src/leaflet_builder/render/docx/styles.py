"""DOCX rendering, styles: the layout's fonts, sizes and colours as named Word styles."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_LINE_SPACING
from docx.shared import Mm, Pt, RGBColor

from leaflet_builder.layouts import Layout
from leaflet_builder.render.docx import xml as docx_xml

# what the layout does not say, in the clinic design (style.css): used when a layout has no
# `docx:` section of its own
DEFAULT_DOCX: dict[str, Any] = {
    "heading_colour": "003087",
    "fills": {"note": "eef5fc", "tip": "eef7f1", "warning": "fdf0f1", "table_header": "dde7f2",
              "draft": "fff4f4", "panel": "f0f4f5"},
    "table_border": "6b6b6b",
    "summary_pt": 14,
    "organisation_pt": 13,
    "label_width_mm": 48,
    "list_indent_mm": 8,
    "complex_script_font": "Noto Sans Arabic",
}


@dataclass(frozen=True)
class DocxDesign:
    """The numbers and colours the styles are built from, read from `layout.yaml`."""

    font: str
    complex_font: str
    mono_font: str
    body_pt: float
    title_pt: float
    h1_pt: float
    h2_pt: float
    h3_pt: float
    small_pt: float
    summary_pt: float
    organisation_pt: float
    line_height: float
    text: str
    accent: str
    heading: str
    callout: dict[str, str]
    fills: dict[str, str]
    table_border: str
    label_width_mm: float
    list_indent_mm: float
    page: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_layout(cls, layout: Layout) -> DocxDesign:
        def num(*keys: str, default: float) -> float:
            return float(layout.setting(*keys, default=default))

        docx: dict[str, Any] = {**DEFAULT_DOCX, **(layout.setting("docx", default={}) or {})}
        fills = {**DEFAULT_DOCX["fills"], **(docx.get("fills") or {})}
        colours = layout.setting("colours", default={}) or {}
        body_pt = num("type", "body_pt", default=12.5)
        return cls(
            font=str(layout.setting("fonts", "body", default="Atkinson Hyperlegible")),
            complex_font=str(docx["complex_script_font"]),
            mono_font=str(layout.setting("fonts", "mono", default="DejaVu Sans Mono")),
            body_pt=body_pt,
            title_pt=num("type", "title_pt", default=26),
            h1_pt=num("type", "h1_pt", default=18),
            h2_pt=num("type", "h2_pt", default=15),
            h3_pt=num("type", "h3_pt", default=13),
            small_pt=num("type", "small_pt", default=12),
            summary_pt=max(float(docx["summary_pt"]), body_pt),
            organisation_pt=max(float(docx["organisation_pt"]), body_pt),
            line_height=num("type", "line_height", default=1.45),
            text=str(colours.get("text", "1a1a1a")),
            accent=str(colours.get("accent", "005eb8")),
            heading=str(docx["heading_colour"]),
            callout={kind: str(colours.get(kind, "005eb8")) for kind in ("note", "tip", "warning")},
            fills={key: str(value) for key, value in fills.items()},
            table_border=str(docx["table_border"]),
            label_width_mm=float(docx["label_width_mm"]),
            list_indent_mm=float(docx["list_indent_mm"]),
            page={key: float(value) for key, value in (layout.setting("page", default={}) or {}).items()
                  if isinstance(value, (int, float))},
        )


@dataclass(frozen=True)
class StyleDef:
    """One named style. Sizes in points; colours as RRGGBB."""

    name: str
    kind: str = "paragraph"  # paragraph | character | table
    base: str | None = "Normal"
    builtin: bool = False
    size: float | None = None
    bold: bool | None = None
    italic: bool | None = None
    colour: str | None = None
    underline: bool | None = None
    font: str | None = None
    before: float | None = None
    after: float | None = None
    line: float | None = None
    keep_next: bool | None = None
    keep_lines: bool | None = None
    indent_mm: float | None = None
    hanging_mm: float | None = None
    tab_mm: float | None = None
    border: tuple[str, dict[str, int]] | None = None  # colour, side -> eighths of a point
    fill: str | None = None
    outline: int | None = None
    numbering: tuple[bool, int] | None = None  # (ordered, level) of the style's own list


def style_defs(d: DocxDesign) -> list[StyleDef]:
    """Every style a handout uses, in the order Word lists them."""
    indent = d.list_indent_mm
    defs = [
        StyleDef("Normal", base=None, builtin=True, size=d.body_pt, colour=d.text, font=d.font,
                 after=round(d.body_pt * 0.6, 1), line=d.line_height),
        StyleDef("Title", builtin=True, size=d.title_pt, bold=True, colour=d.heading, after=4,
                 line=1.1, keep_next=True, outline=None),
        StyleDef("Subtitle", builtin=True, size=d.summary_pt, after=12,
                 border=(d.accent, {"bottom": 24}), keep_next=True),
        StyleDef("Organisation", size=d.organisation_pt, bold=True, colour=d.accent, after=2,
                 keep_next=True),
    ]
    for level, size in enumerate((d.h1_pt, d.h2_pt, d.h3_pt, d.h3_pt, d.h3_pt, d.h3_pt), start=1):
        defs.append(StyleDef(
            f"Heading {level}", builtin=True, size=max(size, d.body_pt), bold=True,
            colour=d.heading, before=round(size * 0.8), after=round(size * 0.3), line=1.15,
            keep_next=True, keep_lines=True, outline=level - 1,
            border=(d.accent, {"bottom": 12}) if level == 1 else None))
    for level in (1, 2, 3):
        suffix = "" if level == 1 else f" {level}"
        defs.append(StyleDef(f"List Bullet{suffix}", builtin=True, after=3,
                             numbering=(False, level - 1)))
        defs.append(StyleDef(f"List Number{suffix}", builtin=True, after=3,
                             numbering=(True, level - 1)))
        defs.append(StyleDef(f"List Continue{suffix}", builtin=True, after=3,
                             indent_mm=indent * level))
    # a callout's box (bar, lines, fill) and the glossary's panel are one-cell or two-column
    # tables (`docx_xml.frame_table`); these styles are the text inside them, so their
    # paragraphs carry no borders of their own (those split into one box per indent)
    for kind in ("note", "tip", "warning"):
        defs.append(StyleDef(f"Callout {kind.capitalize()}", after=4, keep_lines=True,
                             fill=d.fills[kind]))
    defs += [
        StyleDef("Callout Title", kind="character", base=None, bold=True),
        StyleDef("Definition Label", kind="character", base=None, bold=True),
        StyleDef("Glossary Block", after=2, keep_lines=True, fill=d.fills["panel"]),
        StyleDef("Definition List", after=2, keep_lines=True),
        StyleDef("About Details", size=d.small_pt, after=2, keep_lines=True),
        StyleDef("About Text", size=d.small_pt),
        StyleDef("Disclaimer", before=8, fill=d.fills["panel"],
                 border=(d.fills["panel"], {"top": 4, "bottom": 4, "left": 4, "right": 4})),
        StyleDef("Draft Banner", size=max(d.body_pt, 13), bold=True, colour=d.callout["warning"],
                 border=(d.callout["warning"], {"top": 24, "bottom": 24, "left": 24, "right": 24}),
                 fill=d.fills["draft"], after=8),
        StyleDef("Header", builtin=True, size=d.small_pt, colour=d.accent, bold=True, after=4,
                 line=1.0),
        StyleDef("Draft Header", base="Header", colour=d.callout["warning"]),
        StyleDef("Footer", builtin=True, size=d.small_pt, after=0, line=1.0),
        StyleDef("Table Heading", after=0, line=1.2, bold=True, keep_next=True),
        StyleDef("Table Text", after=0, line=1.2),
        StyleDef("Figure", after=2, keep_next=True),
        StyleDef("Caption", builtin=True, size=d.small_pt, after=8),
        StyleDef("Hyperlink", kind="character", base=None, builtin=True, colour=d.accent,
                 underline=True),
        StyleDef("Verbatim Char", kind="character", base=None, font=d.mono_font),
        StyleDef("Leaflet Table", kind="table", base=None),
    ]
    return defs


STYLE_TYPES = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER,
               "table": WD_STYLE_TYPE.TABLE}


class StyleIndex:
    """One document's styles by name, for the writer's thousands of lookups.

    python-docx finds a style by name by reading every style's name through XPath, and decides
    whether it is its type's default the same way: a quarter of a handout's time went there.
    The index reads the styles once; `id_for` gives what python-docx would write (None for the
    default style of a type, which Word applies without naming it).
    """

    def __init__(self, doc: DocxDocument) -> None:
        self._doc = doc
        self.by_name: dict[str, Any] = {style.name: style for style in doc.styles}

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def __getitem__(self, name: str) -> Any:
        return self.by_name[name]

    def add(self, name: str, kind: str, builtin: bool) -> Any:
        style = self._doc.styles.add_style(name, STYLE_TYPES[kind], builtin=builtin)
        self.by_name[name] = style
        return style

    def id_for(self, name: str) -> str | None:
        style = self.by_name[name]
        default = self._default_ids.get(style.type)
        return None if default == style.style_id else style.style_id

    @functools.cached_property
    def _default_ids(self) -> dict[Any, str]:
        # read on first use, once the styles are complete (the writer asks after add_styles)
        return {kind: style.style_id for kind in STYLE_TYPES.values()
                if (style := self._doc.styles.default(kind)) is not None}


def add_styles(doc: DocxDocument, d: DocxDesign, numbering: docx_xml.Numbering,
               keep_existing: bool) -> StyleIndex:
    """Add the handout's styles; a reference document's own styles of the same name win."""
    styles = StyleIndex(doc)
    style_lists: dict[bool, int] = {}
    for spec in style_defs(d):
        if spec.name in styles:
            if keep_existing or spec.name != "Normal":
                continue
            style = styles[spec.name]
        else:
            style = styles.add(spec.name, spec.kind, builtin=spec.builtin)
        if spec.base is not None and spec.base in styles:
            style.base_style = styles[spec.base]
        style.quick_style = spec.kind != "table"
        if spec.kind == "table":
            docx_xml.define_table_style(style.element, d.table_border, d.fills["table_header"],
                                        Mm(2).twips)
            continue
        _apply_font(style, spec)
        if spec.kind == "paragraph":
            _apply_paragraph(style, spec)
            if spec.numbering is not None:
                ordered, level = spec.numbering
                if ordered not in style_lists:
                    style_lists[ordered] = numbering.new_list(ordered)
                docx_xml.set_style_numbering(style.element.get_or_add_pPr(),
                                             style_lists[ordered], level)
            if spec.name not in ("Normal", "Header", "Footer", "Draft Header"):
                style.next_paragraph_style = styles["Normal"] if not spec.name.startswith(
                    "List") else style
    return styles


def _apply_font(style: Any, spec: StyleDef) -> None:
    font = style.font
    if spec.size is not None:
        font.size = Pt(spec.size)
    if spec.bold is not None:
        font.bold = spec.bold
    if spec.italic is not None:
        font.italic = spec.italic
    if spec.colour is not None:
        font.color.rgb = RGBColor.from_string(spec.colour.upper())
    if spec.underline is not None:
        font.underline = spec.underline
    if spec.font is not None:
        font.name = spec.font
    if spec.size is not None or spec.bold:
        docx_xml.set_complex_script(style.element.get_or_add_rPr(), spec.size, spec.bold)


def _apply_paragraph(style: Any, spec: StyleDef) -> None:
    fmt = style.paragraph_format
    if spec.before is not None:
        fmt.space_before = Pt(spec.before)
    if spec.after is not None:
        fmt.space_after = Pt(spec.after)
    if spec.line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
        fmt.line_spacing = spec.line
    if spec.keep_next is not None:
        fmt.keep_with_next = spec.keep_next
    if spec.keep_lines is not None:
        fmt.keep_together = spec.keep_lines
    if spec.indent_mm is not None:
        fmt.left_indent = Mm(spec.indent_mm)
    if spec.hanging_mm is not None:
        fmt.first_line_indent = -Mm(spec.hanging_mm)
    if spec.tab_mm is not None:
        fmt.tab_stops.add_tab_stop(Mm(spec.tab_mm))
    p_pr = style.element.get_or_add_pPr()
    if spec.border is not None:
        docx_xml.set_border(p_pr, spec.border[0], spec.border[1])
    if spec.fill is not None:
        docx_xml.set_shading(p_pr, spec.fill)
    if spec.outline is not None:
        docx_xml.set_outline_level(p_pr, spec.outline)
