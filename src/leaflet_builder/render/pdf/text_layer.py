"""An exact PDF text layer: every glyph drawn maps back to the very characters it stands for.

WeasyPrint (up to 70 at least, its issue #2841) records one Unicode text per glyph id, first
come first served, and slices a cluster's text per glyph. Fonts that build a letter from a
shared skeleton and a dots glyph (Noto Sans Arabic draws ب ت ث ن ي from one skeleton) therefore
read back as other letters: "المخاعىي" for "المناعي". pdftotext, pypdf, pdfplumber, search,
copy-paste and screen readers all get those other words, while the page looks right — the worst
kind of error for a patient leaflet.

The fix, kept to this module and active only while our PDFs are written (`exact_text_layer`):

1. Before WeasyPrint draws a line, the glyphs of each cluster (Pango's cluster map: a letter's
   skeleton, its dots, its vowel marks; a ligature) are drawn as *one* glyph: the widest of
   them (the skeleton) is given an alias id whose outline is all of the cluster's glyphs at
   their places, the others only move the pen as they did. The alias's ToUnicode entry is the
   cluster's text, in logical order. No character with an empty text is left in the PDF:
   pdfplumber and poppler split words at those.
2. A glyph id keeps the first text it is drawn with; the same glyph drawn for another text
   gets an alias too.
3. When the font is embedded (after WeasyPrint subsets it and fixes a variable font's
   instance), each alias is added to the font program, drawn from its parts, so the page
   looks as before (tests/render/pdf/test_pdf_text_layer.py compares positions and the
   rendered page).
4. All the font objects WeasyPrint keeps for one font file share one ToUnicode map and one
   width table (WeasyPrint writes the last one's for all of them).
5. Left-to-right scripts (Bengali, Gurmukhi, Devanagari, Gujarati, Tamil): a cluster's glyph
   is drawn from where the cluster starts and is as wide as the whole cluster, so a vowel sign
   drawn before its consonant (Bengali ে) leaves no gap readers take for a space ("হ লে" for
   "হলে"); a mark Pango gives a cluster of its own (Gurmukhi ੰ) joins its letter's cluster, so
   readers that order glyphs by position do not put it before the vowel sign it follows.

The patch checks the WeasyPrint version it was written for and fails loudly on another one,
rather than silently writing a wrong text layer again.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import unicodedata
from collections.abc import Iterator
from typing import Any

# the WeasyPrint releases whose draw_first_line / Font / build_fonts_dictionary this patch was
# read against; a new release must be checked (tests/render/pdf/test_pdf_text_layer.py) before
# it is added
PATCHED_WEASYPRINT = ("70.",)

# alias glyph ids start this far past the font's own glyphs: WeasyPrint numbers the glyphs a
# font lacks (drawn as .notdef) from the font's glyph count up, so the two never meet
_ALIAS_GAP = 1024


class TextLayerPatchError(RuntimeError):
    """The installed WeasyPrint is not one this patch was written for."""


# how one glyph id is drawn: (real glyph id, x shift, y shift in font units) for each part;
# the first part is the one whose advance the glyph has
Parts = tuple[tuple[int, int, int], ...]


class _Registry:
    """One document's glyph ids, per font file.

    A glyph id keeps the first text it is drawn with; the same glyph drawn for another text,
    and a cluster of several glyphs (a letter drawn as skeleton + dots) get an alias id: a
    glyph added to the embedded font, made of the parts it draws.
    """

    def __init__(self) -> None:
        self.ids: dict[str, dict[tuple[Parts, str], int]] = {}
        self.first_text: dict[str, dict[int, str]] = {}
        self.aliases: dict[str, dict[int, Parts]] = {}

    def glyph_for(self, font: Any, parts: Parts, text: str) -> int:
        ids = self.ids.setdefault(font.hash, {})
        if (parts, text) in ids:
            return ids[(parts, text)]
        first = self.first_text.setdefault(font.hash, {})
        (glyph, dx, dy), *others = parts
        if not others and not dx and not dy and glyph not in first:
            first[glyph] = text
            ids[(parts, text)] = glyph
            return glyph
        aliases = self.aliases.setdefault(font.hash, {})
        alias: int = font.glyph_count + _ALIAS_GAP + len(aliases)
        if alias > 0xFFFF:
            raise TextLayerPatchError(
                f'too many different texts drawn with the glyphs of "{font.family}" '
                "for one PDF (more than the 65,536 glyph ids a font may have)")
        aliases[alias] = parts
        ids[(parts, text)] = alias
        return alias

    def parts_used(self, font: Any) -> set[int]:
        """The real glyphs the aliases are made of (the subset must keep them)."""
        return {glyph for parts in self.aliases.get(font.hash, {}).values()
                for glyph, _, _ in parts}


_ACTIVE: list[_Registry] = []


def check_weasyprint() -> None:
    """Fail loudly when the installed WeasyPrint is not the one this patch was checked on."""
    import weasyprint

    if not weasyprint.__version__.startswith(PATCHED_WEASYPRINT):
        raise TextLayerPatchError(
            f"leaflet_builder's Arabic text-layer fix (render/pdf/text_layer.py) was written for "
            f"WeasyPrint {', '.join(PATCHED_WEASYPRINT)}x, but {weasyprint.__version__} is "
            "installed: check the fix against it (tests/render/pdf/test_pdf_text_layer.py) and "
            "add it to PATCHED_WEASYPRINT")


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
        if _ACTIVE and to_unicode:  # the subset keeps the glyphs the aliases are made of
            to_unicode = {**dict.fromkeys(_ACTIVE[-1].parts_used(self), ""), **to_unicode}
        original_clean(self, to_unicode, hinting)
        if _ACTIVE:
            _embed_aliases(self, _ACTIVE[-1].aliases.get(self.hash, {}))

    draw_text.draw_first_line = draw_first_line
    pdf_fonts.build_fonts_dictionary = build_fonts_dictionary
    pdf_package.build_fonts_dictionary = build_fonts_dictionary  # imported by name there
    pdf_fonts.Font.clean = clean
    _INSTALLED.append(True)


def _map_line(stream: Any, textbox: Any, line: Any, restore: list[Any]) -> None:
    """Give each glyph cluster of the line one glyph id whose ToUnicode entry is its text."""
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    registry = _ACTIVE[-1]
    utf8 = textbox.pango_layout.text.encode()
    run = line.runs
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs = glyph_item.glyphs
        count = glyphs.num_glyphs
        infos = [glyphs.glyphs[i] for i in range(count)]
        if any(info.glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG for info in infos):
            continue  # a missing glyph: left to WeasyPrint (reported as an error elsewhere)
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
        scale = 1000 * FROM_UNITS / font_size
        natural: dict[int, int] = {}
        places: list[float] = []
        moves: list[float] = []
        pen = 0.0
        for info in infos:
            # where each glyph is drawn and how far the pen moves, in 1/1000 em, in
            # weasyprint.draw.text.draw_first_line's own arithmetic
            geometry = info.geometry
            if info.glyph == pango.PANGO_GLYPH_EMPTY:
                places.append(pen)
                moves.append(geometry.width / font_size)
            else:
                if info.glyph not in natural:
                    pango.pango_font_get_glyph_extents(
                        pango_font, info.glyph, stream.ink_rect, stream.logical_rect)
                    natural[info.glyph] = round(
                        stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
                offset = geometry.x_offset / font_size
                kerning = natural[info.glyph] + offset - geometry.width * scale
                places.append(pen + offset)
                moves.append(offset + natural[info.glyph] - (int(kerning) if kerning else 0))
            pen += moves[-1]
        # left to right only (Indic scripts; the right-to-left runs are drawn as they were,
        # checked by tests/test_pdf_text_layer.py): a combining mark that Pango gives a cluster
        # of its own (Gurmukhi ੰ after ੂ) joins the letter before it, as a glyph of its own it
        # was read apart from its letter, or before it, by readers that sort by position
        ltr = not item.analysis.level % 2
        group = dict(zip(starts, starts, strict=True))
        for previous, start in itertools.pairwise(starts):
            text = utf8[item.offset + start:item.offset + ends[start]].decode()
            if ltr and text and unicodedata.category(text[0]).startswith("M"):
                group[start] = group[previous]
                ends[group[previous]] = ends[start]
        spans: dict[int, list[int]] = {}
        for i in range(count):
            spans.setdefault(group[clusters[i]], []).append(i)
        for start, span in spans.items():
            indices = [i for i in span if infos[i].glyph != pango.PANGO_GLYPH_EMPTY]
            if not indices:
                continue
            text = utf8[item.offset + start:item.offset + ends[start]].decode()
            # the glyph that stands for the cluster is its widest (a letter's skeleton, not
            # the dots and vowel marks drawn on it, which have no advance)
            carrier = max(indices, key=lambda i: (infos[i].geometry.width, -i))
            combined = ltr and len(indices) > 1 and span == list(range(span[0], span[-1] + 1))
            if not combined:
                origin, width = places[carrier], natural[infos[carrier].glyph]
            else:
                # drawn from where the cluster starts, as wide as all its glyphs: a vowel
                # sign drawn before its consonant (Bengali ে, Tamil ை) no longer leaves a gap
                # that readers take for a space inside the word
                origin = places[span[0]] - (infos[span[0]].geometry.x_offset / font_size
                                            if infos[span[0]].glyph != pango.PANGO_GLYPH_EMPTY
                                            else 0)
                width = round(sum(moves[i] for i in span))
            parts = tuple(
                (infos[i].glyph,
                 round((places[i] - origin) * font.upem / 1000),
                 # WeasyPrint raises a glyph by -y_offset / 1000 points
                 round((infos[carrier].geometry.y_offset - infos[i].geometry.y_offset)
                       / 1000 / font_size * font.upem))
                for i in [carrier, *(i for i in indices if i != carrier)])
            drawn = registry.glyph_for(font, parts, text)
            # an alias keeps the width it was first drawn with (the pen's moves are set from it)
            font.widths[drawn] = font.widths.setdefault(drawn, width) if combined else width
            font.to_unicode[drawn] = text
            infos[carrier].glyph = drawn
            if combined:
                # the pen moves as far over the cluster as before, all of it at the carrier
                infos[carrier].geometry.x_offset = 0
                infos[carrier].geometry.width = round(sum(moves[i] for i in span) / scale)
            for i in span:
                if i == carrier:
                    continue
                if combined:  # the carrier moves the pen for them all
                    infos[i].glyph = pango.PANGO_GLYPH_EMPTY
                    infos[i].geometry.x_offset = infos[i].geometry.y_offset = 0
                    infos[i].geometry.width = 0
                elif infos[i].glyph != pango.PANGO_GLYPH_EMPTY:
                    # drawn as part of the carrier: only the pen moves, as it did
                    infos[i].glyph = pango.PANGO_GLYPH_EMPTY
                    infos[i].geometry.x_offset = infos[i].geometry.y_offset = 0
                    infos[i].geometry.width = round(moves[i] * font_size)


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


def _embed_aliases(font: Any, aliases: dict[int, Parts]) -> None:
    """Add every alias to the (subset, static) font program, drawn from its parts."""
    if not aliases:
        return
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.pens.transformPen import TransformPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    ttfont = TTFont(io.BytesIO(font.file_content), fontNumber=font.index)
    if "glyf" not in ttfont:
        raise TextLayerPatchError(
            f'"{font.family}" has no TrueType outlines: its shared glyphs cannot be given '
            "their own text in the PDF; use a TrueType font")
    order = list(ttfont.getGlyphOrder())
    glyph_set = ttfont.getGlyphSet()
    glyf, hmtx = ttfont["glyf"], ttfont["hmtx"]
    new_order = list(order)
    missing_ids = set(font.missing.values())
    for glyph_id in range(len(order), max(aliases) + 1):
        name = f"leaflet.alias{glyph_id}"
        # ids between the font's glyphs and the aliases are empty, but for those WeasyPrint
        # gave characters the font lacks: they draw .notdef, as they would have
        missing = glyph_id in missing_ids
        parts = aliases.get(glyph_id, ((0, 0, 0),) if missing else ())
        pen = TTGlyphPen(None)
        for glyph, dx, dy in parts:
            outline = DecomposingRecordingPen(glyph_set)  # a part may itself be composite
            glyph_set[order[glyph]].draw(outline)
            outline.replay(TransformPen(pen, (1, 0, 0, 1, dx, dy)))
        glyf.glyphs[name] = pen.glyph()
        glyf.glyphs[name].recalcBounds(glyf)
        hmtx.metrics[name] = (hmtx.metrics[order[parts[0][0]]][0] if parts else 0,
                              getattr(glyf.glyphs[name], "xMin", 0))
        new_order.append(name)
    ttfont.setGlyphOrder(new_order)
    glyf.glyphOrder = new_order
    if "vmtx" in ttfont:
        del ttfont["vmtx"]  # vertical metrics are not used by our horizontal text
    output = io.BytesIO()
    ttfont.save(output)
    font.file_content = output.getvalue()
