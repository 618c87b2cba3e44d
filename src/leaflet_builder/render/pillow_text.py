"""Text drawn with Pillow in the packaged fonts: the EPUB's generated cover, the PDF's DRAFT mark.

The same packaged fonts as the PDFs (render/fonts.py), so the same text gives the same pixels
on every machine; Arabic and the Indic scripts are shaped by Pillow's Raqm layout engine when it
has one.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import ImageDraw, ImageFont, features

from leaflet_builder.render.fonts import font_file

ARABIC_FONT_FILE = "NotoSansArabic[wdth,wght].ttf"  # the packaged file (a variable font)
ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
                 (0xFE70, 0xFEFF))


def pillow_font(text: str, size: int, bold: bool) -> ImageFont.FreeTypeFont:
    """The packaged font, at `size` pixels, that has every letter of `text`."""
    return _font(_face_for(text, bold), size, bold)


def wrap_lines(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont,
               width: int) -> list[str]:
    """`text` broken at spaces into lines no wider than `width` pixels (a long word stays whole).

    Chinese is written without spaces: it may break between any two of its characters.
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        for index, piece in enumerate(_pieces(word)):
            joined = f"{current}{piece}" if index else f"{current} {piece}".strip()
            if current and draw.textlength(joined, font=font) > width:
                lines.append(current)
                current = piece
            else:
                current = joined
    return [*lines, current] if current else lines


def _pieces(word: str) -> list[str]:
    """A word as the pieces a line may break between: each Han character on its own (with the
    punctuation after it, which must not start a line), other text whole."""
    pieces: list[str] = []
    for char in word:
        closing = char in "，。、；：！？）》」』"
        if pieces and (closing or not (_is_han(char) or _is_han(pieces[-1][-1]))):
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


def _is_han(char: str) -> bool:
    return 0x2E80 <= ord(char) <= 0x9FFF or 0xF900 <= ord(char) <= 0xFAFF


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """'005eb8' or '#005eb8' as a (red, green, blue) tuple."""
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _face_for(text: str, bold: bool) -> str:
    """The packaged font that has every letter of `text`."""
    if any(lo <= ord(c) <= hi for c in text for lo, hi in ARABIC_BLOCKS):
        return ARABIC_FONT_FILE
    # Pillow draws a text in one font: the first of these that has every letter, or else the
    # one that has most (a Punjabi or Chinese title in Noto Sans was a row of boxes)
    weight = "Bold" if bold else "Regular"
    faces = [name for name in (
        f"AtkinsonHyperlegible-{weight}.ttf",
        "NotoSans[wdth,wght].ttf",  # Welsh ŵ ŷ and other letters Atkinson lacks; Devanagari
        f"HindSiliguri-{weight}.ttf",
        f"NotoSansGurmukhi-{weight}.ttf",
        f"NotoSansGujarati-{weight}.ttf",
        "NotoSansTamil[wdth,wght].ttf",
        "NotoSansSC[wght].ttf",  # only with the [cjk] extra
    ) if font_file(name) is not None]
    letters = {ord(c) for c in text if not c.isspace()}
    # in order, so the 17 MB Chinese font is read only for a text the others cannot draw
    for name in faces:
        if letters <= _cmap(name):
            return name
    return max(faces, key=lambda name: (len(letters & _cmap(name)), -faces.index(name)))


@functools.lru_cache(maxsize=8)
def _cmap(name: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(_font_path(name)), lazy=True).getBestCmap())


@functools.lru_cache(maxsize=32)
def _font(name: str, size: int, bold: bool) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    font = ImageFont.truetype(str(_font_path(name)), size, layout_engine=engine)
    if "[" in name:  # a variable font: pick the weight by name (axis order differs by font)
        try:
            font.set_variation_by_name("Bold" if bold else "Regular")
        except (OSError, ValueError):
            pass
    return font


def _font_path(name: str) -> Path:
    path = font_file(name)
    if path is None:
        raise FileNotFoundError(f"packaged font {name} is missing; reinstall leaflet-builder")
    return path
