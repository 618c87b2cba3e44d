"""An exact PDF text layer: every glyph drawn maps back to the very characters it stands for.

WeasyPrint (up to 70 at least, its issue #2841) records one Unicode text per glyph id, first
come first served, and slices a cluster's text per glyph. Fonts that build a letter from a
shared skeleton and a dots glyph (Noto Sans Arabic draws ب ت ث ن ي from one skeleton) therefore
read back as other letters: "المخاعىي" for "المناعي". pdftotext, pypdf, pdfplumber, search,
copy-paste and screen readers all get those other words, while the page looks right — the worst
kind of error for a patient leaflet.

The fix, kept to this module and active only while our PDFs are written:

1. Before WeasyPrint draws a line, each glyph cluster's text is found from Pango's cluster
   map: the first glyph of a cluster carries the cluster's characters, its other glyphs
   (dots, marks) carry none.
2. A glyph id keeps the first text it is drawn with; when the same glyph stands for another
   text, it is drawn under a new glyph id (an *alias*) whose ToUnicode entry is that text.
3. When the font is embedded, each alias is added to the font program as a copy of the real
   glyph (same outline, same advance), so the page looks exactly as before.
4. All the fonts objects WeasyPrint keeps for one font file share one ToUnicode map and one
   width table (WeasyPrint writes the last one's for all of them).

The patch checks the WeasyPrint version it was written for and fails loudly on another one,
rather than silently writing a wrong text layer again.
"""

from __future__ import annotations

import contextlib
import copy
import io
from collections.abc import Iterator
from typing import Any

# the WeasyPrint releases whose draw_first_line / Font / build_fonts_dictionary this patch was
# read against; a new release must be checked (tests/test_pdf_text_layer.py) before it is added
PATCHED_WEASYPRINT = ("70.",)

# alias glyph ids start this far past the font's own glyphs: WeasyPrint numbers the glyphs a
# font lacks (drawn as .notdef) from the font's glyph count up, so the two never meet
_ALIAS_GAP = 1024


class TextLayerPatchError(RuntimeError):
    """The installed WeasyPrint is not one this patch was written for."""


class _Registry:
    """One document's aliases: per font file, (glyph id, text) -> the glyph id drawn."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[tuple[int, str], int]] = {}
        self.first_text: dict[str, dict[int, str]] = {}
        self.aliases: dict[str, dict[int, int]] = {}  # alias id -> real glyph id

    def glyph_for(self, font: Any, glyph: int, text: str) -> int:
        ids = self.ids.setdefault(font.hash, {})
        if (glyph, text) in ids:
            return ids[(glyph, text)]
        first = self.first_text.setdefault(font.hash, {})
        if glyph not in first:
            first[glyph] = text
            ids[(glyph, text)] = glyph
            return glyph
        aliases = self.aliases.setdefault(font.hash, {})
        alias: int = font.glyph_count + _ALIAS_GAP + len(aliases)
        if alias > 0xFFFF:
            raise TextLayerPatchError(
                f'too many different texts drawn with the glyphs of "{font.family}" '
                "for one PDF (more than the 65,536 glyph ids a font may have)")
        aliases[alias] = glyph
        ids[(glyph, text)] = alias
        return alias


_ACTIVE: list[_Registry] = []


def check_weasyprint() -> None:
    """Fail loudly when the installed WeasyPrint is not the one this patch was checked on."""
    import weasyprint

    if not weasyprint.__version__.startswith(PATCHED_WEASYPRINT):
        raise TextLayerPatchError(
            f"leaflet_builder's Arabic text-layer fix (render/pdf_text.py) was written for "
            f"WeasyPrint {', '.join(PATCHED_WEASYPRINT)}x, but {weasyprint.__version__} is "
            "installed: check the fix against it (tests/test_pdf_text_layer.py) and add it to "
            "PATCHED_WEASYPRINT")


@contextlib.contextmanager
def exact_text_layer() -> Iterator[None]:
    """Within this block, PDFs WeasyPrint writes get an exact glyph -> text map."""
    check_weasyprint()
    _install()
    registry = _Registry()
    _ACTIVE.append(registry)
    try:
        yield
    finally:
        _ACTIVE.remove(registry)


_INSTALLED: list[bool] = []


def _install() -> None:
    """Wrap WeasyPrint's three functions once per process (the wrappers do nothing outside
    `exact_text_layer`, so other WeasyPrint users in the process are unaffected)."""
    if _INSTALLED:
        return
    import weasyprint.draw.text as draw_text
    import weasyprint.pdf as pdf_package
    import weasyprint.pdf.fonts as pdf_fonts

    original_draw = draw_text.draw_first_line
    original_build = pdf_fonts.build_fonts_dictionary
    original_clean = pdf_fonts.Font.clean

    def draw_first_line(stream: Any, textbox: Any, *args: Any) -> Any:
        if not _ACTIVE:
            return original_draw(stream, textbox, *args)
        layout = textbox.pango_layout
        restore: list[tuple[Any, ...]] = []
        original_get_first_line = layout.get_first_line

        def get_first_line() -> Any:
            first_line, index = original_get_first_line()
            _map_line(stream, textbox, first_line, restore)
            return first_line, index

        layout.get_first_line = get_first_line
        try:
            return original_draw(stream, textbox, *args)
        finally:
            del layout.get_first_line
            for snapshot in reversed(restore):  # the layout may be drawn again
                _restore(snapshot)

    def build_fonts_dictionary(pdf: Any, fonts: Any, *args: Any) -> Any:
        if _ACTIVE:
            _share_maps(fonts)
        return original_build(pdf, fonts, *args)

    def clean(self: Any, to_unicode: Any, hinting: Any) -> None:
        original_clean(self, to_unicode, hinting)
        if _ACTIVE:
            _embed_aliases(self, _ACTIVE[-1].aliases.get(self.hash, {}))

    draw_text.draw_first_line = draw_first_line
    pdf_fonts.build_fonts_dictionary = build_fonts_dictionary
    pdf_package.build_fonts_dictionary = build_fonts_dictionary  # imported by name there
    pdf_fonts.Font.clean = clean
    _INSTALLED.append(True)


def _map_line(stream: Any, textbox: Any, line: Any, restore: list[Any]) -> None:
    """Give each glyph of the line the glyph id whose ToUnicode entry is its own text."""
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    registry = _ACTIVE[-1]
    utf8 = textbox.pango_layout.text.encode()
    run = line.runs
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs = glyph_item.glyphs
        count = glyphs.num_glyphs
        restore.extend(_snapshot(glyphs, i) for i in range(count))
        item = glyph_item.item
        clusters = [glyphs.log_clusters[i] for i in range(count)]
        # a cluster's text runs from its start to the next cluster's start, in logical order
        starts = sorted(set(clusters))
        ends = dict(zip(starts, [*starts[1:], item.length], strict=True))
        pango_font = item.analysis.font
        font, font_size = stream.add_font(pango_font)
        if pango.pango_version() < 14802 or font.png:  # as WeasyPrint's draw_first_line does
            font_size = textbox.style["font_size"]
        # the glyph that carries a cluster's text is its widest (the letter's skeleton, not
        # the dots or vowel marks drawn over it, which have no advance)
        carrier: dict[int, int] = {}
        for i in range(count):
            width = glyphs.glyphs[i].geometry.width
            if clusters[i] not in carrier or width > glyphs.glyphs[carrier[clusters[i]]].geometry.width:
                carrier[clusters[i]] = i
        for i in range(count):
            info = glyphs.glyphs[i]
            glyph = info.glyph
            if glyph == pango.PANGO_GLYPH_EMPTY or glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                continue  # WeasyPrint's own handling (zero width; .notdef with a warning)
            start = clusters[i]
            text = (utf8[item.offset + start:item.offset + ends[start]].decode()
                    if carrier[start] == i else "")
            drawn = registry.glyph_for(font, glyph, text)
            # a glyph that stands for no character of its own (the dots of a letter drawn
            # as skeleton + dots) is given no width: readers then see one letter, not a
            # letter, a gap and an empty box (pdfplumber and poppler split words there).
            # WeasyPrint moves the pen by Pango's advance whatever the width, so the page
            # does not change.
            if text:
                pango.pango_font_get_glyph_extents(
                    pango_font, glyph, stream.ink_rect, stream.logical_rect)
                font.widths[drawn] = round(
                    stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
            else:
                font.widths[drawn] = 0
            font.to_unicode[drawn] = text
            info.glyph = drawn
        marks = [i for i in range(count)
                 if glyphs.glyphs[i].glyph != pango.PANGO_GLYPH_EMPTY
                 and font.to_unicode.get(glyphs.glyphs[i].glyph) == ""]
        if marks and count > 1:
            letters = [i for i in range(count) if i not in set(marks)]
            _reorder(glyphs, count, font, font_size, letters + marks)


def _snapshot(glyphs: Any, i: int) -> tuple[Any, ...]:
    info = glyphs.glyphs[i]
    geometry = info.geometry
    return (glyphs, i, info.glyph, geometry.width, geometry.x_offset, geometry.y_offset,
            glyphs.log_clusters[i])


def _restore(snapshot: tuple[Any, ...]) -> None:
    glyphs, i, glyph, width, x_offset, y_offset, cluster = snapshot
    info = glyphs.glyphs[i]
    info.glyph = glyph
    info.geometry.width, info.geometry.x_offset, info.geometry.y_offset = width, x_offset, y_offset
    glyphs.log_clusters[i] = cluster


def _reorder(glyphs: Any, count: int, font: Any, font_size: float, order: list[int]) -> None:
    """Have WeasyPrint write a run's glyphs in `order`, each exactly where it was drawn.

    The glyphs that carry no text (the dots and marks of letters drawn as skeleton + dots)
    are written after the run's letters: drawn between two letters, with their own baseline
    shift, they made poppler and pdfplumber break the word in two ("المن اعي"). Each glyph
    gets the offset that puts it where it was and no advance, the last one the advance that
    ends the run where it ended, in WeasyPrint's own arithmetic for its `TJ` adjustments.
    """
    from weasyprint.text.ffi import FROM_UNITS, pango

    if any(glyphs.glyphs[i].glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG for i in range(count)):
        return  # a missing glyph: left as WeasyPrint draws it (reported as an error elsewhere)
    scale = 1000 * FROM_UNITS / font_size
    saved = [_snapshot(glyphs, i)[2:] for i in range(count)]

    def step(glyph: int, width: int, x_offset: int) -> tuple[float, float]:
        # (where the glyph is drawn from the pen, how far the pen then moves), in 1/1000 em,
        # exactly as weasyprint.draw.text.draw_first_line writes them
        if glyph == pango.PANGO_GLYPH_EMPTY:
            return 0.0, width / font_size
        offset = x_offset / font_size
        kerning = font.widths[glyph] + offset - width * scale
        return offset, offset + font.widths[glyph] - (int(kerning) if kerning else 0)

    pen, places = 0.0, []
    for glyph, width, x_offset, _, _ in saved:
        at, moved = step(glyph, width, x_offset)
        places.append(pen + at)
        pen += moved
    end, pen = pen, 0.0
    for k, source in enumerate(order):
        glyph, _, _, y_offset, cluster = saved[source]
        info = glyphs.glyphs[k]
        info.glyph, info.geometry.y_offset = glyph, y_offset
        glyphs.log_clusters[k] = cluster
        last = k == count - 1
        if glyph == pango.PANGO_GLYPH_EMPTY:
            info.geometry.x_offset = 0
            info.geometry.width = round((end - pen) * font_size) if last else 0
        else:
            info.geometry.x_offset = round((places[source] - pen) * font_size)
            info.geometry.width = round((end - pen) / scale) if last else 0
        pen += step(glyph, info.geometry.width, info.geometry.x_offset)[1]


def _share_maps(fonts: dict[Any, Any]) -> None:
    """Every font object of one font file gets the union of their glyph maps and widths.

    WeasyPrint keeps a font object per font size and style but writes one font dictionary per
    font file — the last object's — so text drawn through the others lost its mapping.
    """
    by_file: dict[str, list[Any]] = {}
    for font in fonts.values():
        by_file.setdefault(font.hash, []).append(font)
    for group in by_file.values():
        to_unicode: dict[int, str] = {}
        widths: dict[int, Any] = {}
        for font in group:
            to_unicode.update(font.to_unicode)
            widths.update(font.widths)
        for font in group:
            font.to_unicode = dict(to_unicode)
            font.widths = dict(widths)


def _embed_aliases(font: Any, aliases: dict[int, int]) -> None:
    """Add every alias to the (subset) font program as a copy of its real glyph."""
    if not aliases:
        return
    from fontTools.ttLib import TTFont

    ttfont = TTFont(io.BytesIO(font.file_content), fontNumber=font.index)
    if "glyf" not in ttfont:
        raise TextLayerPatchError(
            f'"{font.family}" has no TrueType outlines: its shared glyphs cannot be given '
            "their own text in the PDF; use a TrueType font")
    order = list(ttfont.getGlyphOrder())
    glyf, hmtx = ttfont["glyf"], ttfont["hmtx"]
    notdef = order[0]
    last = max(aliases)
    new_order = list(order)
    for glyph_id in range(len(order), last + 1):
        name = f"leaflet.alias{glyph_id}"
        # ids between the font's glyphs and the aliases draw .notdef, as a missing glyph would
        source = order[aliases[glyph_id]] if glyph_id in aliases else notdef
        glyf.glyphs[name] = copy.deepcopy(glyf[source])
        hmtx.metrics[name] = hmtx.metrics[source]
        new_order.append(name)
    ttfont.setGlyphOrder(new_order)
    glyf.glyphOrder = new_order
    if "vmtx" in ttfont:
        del ttfont["vmtx"]  # vertical metrics are not used by our horizontal text
    output = io.BytesIO()
    ttfont.save(output)
    font.file_content = output.getvalue()
