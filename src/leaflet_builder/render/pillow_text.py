"""Text drawn with Pillow in the packaged fonts: the EPUB's generated cover, the PDF's DRAFT mark.

The same packaged fonts as the PDFs (render/fonts.py), so the same text gives the same pixels
on every machine; Arabic is shaped by Pillow's Raqm layout engine when it has one.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import ImageDraw, ImageFont, features

from leaflet_builder.render.fonts import font_file

ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
                 (0xFE70, 0xFEFF))


def pillow_font(text: str, size: int, bold: bool) -> ImageFont.FreeTypeFont:
    """The packaged font, at `size` pixels, that has every letter of `text`."""
    return _font(_face_for(text, bold), size, bold)


def wrap_lines(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont,
               width: int) -> list[str]:
    """`text` broken at spaces into lines no wider than `width` pixels (a long word stays whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """'005eb8' or '#005eb8' as a (red, green, blue) tuple."""
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _face_for(text: str, bold: bool) -> str:
    """The packaged font that has every letter of `text`."""
    if any(lo <= ord(c) <= hi for c in text for lo, hi in ARABIC_BLOCKS):
        return "NotoSansArabic[wdth,wght].ttf"
    atkinson = "AtkinsonHyperlegible-Bold.ttf" if bold else "AtkinsonHyperlegible-Regular.ttf"
    if all(ord(c) in _cmap(atkinson) for c in text if not c.isspace()):
        return atkinson
    return "NotoSans[wdth,wght].ttf"  # Welsh ŵ ŷ and other letters Atkinson lacks


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
