"""The DRAFT mark of a draft PDF: the label's letters (DRAFT, DRAFFT, مسودة) as one faint,
turned vector shape.

WeasyPrint paints a page background anew on every page. As SVG text it laid the text out
again each time (about a tenth of a draft leaflet's time); as a PNG it decoded and
re-encoded the image for every document (as much again). As a path of the letters'
outlines it is only drawn, stays sharp at any print size, and is not picked up as page text
(the banner and the footer say DRAFT in words).
"""

from __future__ import annotations

import functools
from xml.sax.saxutils import escape

from leaflet_builder.render.pillow_text import ARABIC_BLOCKS, ARABIC_FONT_FILE

PAGE_MM = (210, 297)  # the drawing's own size; CSS scales it to the page (`contain`)
LETTER_MM = 44
MIN_WIDTH_MM = 140  # about the width of DRAFT at LETTER_MM
ANGLE = -40  # degrees, SVG's clockwise y-down sense: rising from left to right
COLOUR = "#b00020"
OPACITY = 0.13
FONT_FILE = "AtkinsonHyperlegible-Bold.ttf"


@functools.lru_cache(maxsize=8)
def watermark_svg(label: str) -> str:
    """An SVG the shape of an A4 page with `label` across its middle."""
    width, height = PAGE_MM
    turn = f"rotate({ANGLE} {width / 2} {height / 2})"
    baseline = height / 2 + LETTER_MM * 0.35  # capitals about 0.7 em tall: centred mid-page
    outline = _outline(label)
    if outline is None:  # a letter the font lacks: let the SVG renderer find a font for it
        mark = (f'<text x="{width / 2}" y="{baseline:.1f}" '
                f'transform="{turn}" text-anchor="middle" font-family="Atkinson Hyperlegible" '
                f'font-weight="bold" font-size="{LETTER_MM}">{escape(label)}</text>')
    else:
        path, advance, units = outline
        # a short word (مسودة) is set larger, to run as far across the page as DRAFT does
        scale = max(LETTER_MM / units, MIN_WIDTH_MM / advance)
        baseline = height / 2 + scale * units * 0.35
        # font units are y-up from the baseline: flip, centre the line, put it mid-page
        place = (f"{turn} translate({width / 2} {baseline:.1f}) "
                 f"scale({scale:.5f} {-scale:.5f}) translate({-advance / 2:.1f} 0)")
        mark = f'<path transform="{place}" d="{path}"/>'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
            f'viewBox="0 0 {width} {height}"><g fill="{COLOUR}" fill-opacity="{OPACITY}">'
            f"{mark}</g></svg>")


def can_outline(label: str) -> bool:
    """True when a packaged font draws every letter of `label` as outlines.

    A word in a font without its letters would come out as SVG text, which WeasyPrint writes
    into the page as real text: every reader, search and screen reader would pick it up on
    every page. Arabic words (مسودة) are joined by hand (`joined_forms`) and drawn in Noto
    Sans Arabic; other scripts that need shaping are not outlined.
    """
    return _outline(label) is not None


# Arabic letters that join only to the letter before them (Unicode's joining type R); every
# other Arabic letter of the basic block joins on both sides (D)
_RIGHT_JOINING = frozenset("آأؤإاةدذرزوٱ")


def joined_forms(word: str) -> str | None:
    """`word` (Arabic letters only) in Unicode's presentation forms, in logical order: each
    letter in its isolated, initial, medial or final form by whether its neighbours join it.

    A minimal shaping of one short label, enough for a watermark; None if a letter has no
    presentation form (then the mark is not drawn in this script).
    """
    import unicodedata

    forms = []
    for index, char in enumerate(word):
        before = word[index - 1] if index else ""
        after = word[index + 1] if index + 1 < len(word) else ""
        joins_before = bool(before) and before not in _RIGHT_JOINING
        joins_after = bool(after) and char not in _RIGHT_JOINING
        form = {(False, False): "ISOLATED", (True, False): "FINAL",
                (False, True): "INITIAL", (True, True): "MEDIAL"}[(joins_before, joins_after)]
        try:
            forms.append(unicodedata.lookup(f"{unicodedata.name(char)} {form} FORM"))
        except KeyError:
            return None
    return "".join(forms)


def _is_arabic(text: str) -> bool:
    return any(low <= ord(char) <= high for char in text for low, high in ARABIC_BLOCKS)


@functools.lru_cache(maxsize=8)  # asked by can_outline and watermark_svg for every draft
def _outline(text: str) -> tuple[str, float, int] | None:
    """`text` set in a packaged font as path data in font units, its advance, units/em.

    Letters follow one another by their advance widths, without kerning: fine for a short
    capital label in Latin script (Atkinson Hyperlegible Bold) or one Arabic word joined by
    `joined_forms` and laid out right to left (Noto Sans Arabic); None if a letter is missing.
    """
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen
    from fontTools.ttLib import TTFont

    from leaflet_builder.render.fonts import font_file

    if _is_arabic(text):
        forms = joined_forms(text) if all("\u0600" <= c <= "\u06ff" for c in text) else None
        if forms is None:
            return None
        text = forms[::-1]  # drawn from the left: the word's last letter first
        path = font_file(ARABIC_FONT_FILE)
    else:
        path = font_file(FONT_FILE)
    if path is None:
        return None
    font = TTFont(str(path), lazy=True)
    cmap = font.getBestCmap()
    glyphs = font.getGlyphSet()
    pen = SVGPathPen(glyphs, ntos=lambda n: f"{n:g}")
    x = 0.0
    for char in text:
        name = cmap.get(ord(char))
        if name is None:
            return None
        glyphs[name].draw(TransformPen(pen, (1, 0, 0, 1, x, 0)))
        x += glyphs[name].width
    return pen.getCommands(), x, int(font["head"].unitsPerEm)
