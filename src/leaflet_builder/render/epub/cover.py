"""Rendering stage (EPUB): a cover image drawn from the layout when a booklet brings none.

Drawn with Pillow in the packaged fonts (render/fonts.py), so the same source gives the same
PNG bytes on every machine; Arabic is shaped by Pillow's Raqm layout engine when it has one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

from leaflet_builder.render.pillow_text import pillow_font, rgb, wrap_lines

COVER_SIZE = (1200, 1800)  # 2:3, the shape most reading systems expect of a cover
MARGIN = 100
SHADES = 64  # palette entries from a background colour to white (smooth letter edges)


@dataclass(frozen=True)
class CoverText:
    """What the generated cover shows."""

    title: str
    subtitle: str = ""
    organisation: str = ""
    draft_label: str = ""  # empty when nothing in the book is a draft
    rtl: bool = False
    cover_word: str = "Cover"  # how the alt text names a cover, in the book's language


def draw_cover(text: CoverText, accent: str = "005eb8", warning: str = "b00020") -> bytes:
    """A PNG cover: organisation at the top, the title large, the subtitle, a DRAFT band.

    Everything is white on one of two flat colours, so the drawing records only how white
    each pixel is (letters' edges included) and each background gets a ramp of palette
    entries to white: a palette PNG, a third of the bytes of RGB to compress, with no colour
    quantising, which had become the slowest step of an EPUB.
    """
    whiteness = Image.new("L", COVER_SIZE, 0)
    draw = ImageDraw.Draw(whiteness)
    width = COVER_SIZE[0] - 2 * MARGIN
    y = MARGIN
    if text.organisation:
        y = _draw_paragraph(draw, text.organisation, y, 56, bold=True, rtl=text.rtl, width=width)
        y += 30
        draw.rectangle((MARGIN, y, COVER_SIZE[0] - MARGIN, y + 8), fill=255)
        y += 90
    band = None
    if text.draft_label:
        band_top = COVER_SIZE[1] - MARGIN - 150
        band = (0, band_top, COVER_SIZE[0], band_top + 150)
        _draw_paragraph(draw, text.draft_label, band_top + 40, 56, bold=True, rtl=text.rtl,
                        width=width)
    y = _draw_paragraph(draw, text.title, y, _title_size(text.title), bold=True, rtl=text.rtl,
                        width=width)
    if text.subtitle:
        _draw_paragraph(draw, text.subtitle, y + 50, 54, bold=False, rtl=text.rtl, width=width)
    shades = whiteness.point(lambda value: value * (SHADES - 1) // 255)
    if band is not None:  # the band's pixels take the second ramp
        shades.paste(shades.crop(band).point(lambda value: value + SHADES), band)
    image = Image.frombytes("P", COVER_SIZE, shades.tobytes())
    image.putpalette(_ramp_to_white(rgb(accent)) + _ramp_to_white(rgb(warning)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _ramp_to_white(colour: tuple[int, int, int]) -> list[int]:
    """SHADES palette entries (flat r, g, b) from `colour` to white."""
    return [round(channel + (255 - channel) * step / (SHADES - 1))
            for step in range(SHADES) for channel in colour]


def cover_alt(text: CoverText) -> str:
    """Alternative text that says what the generated cover shows."""
    parts = [f"{text.cover_word}: {text.title}"]
    parts += [part for part in (text.subtitle, text.organisation, text.draft_label) if part]
    return ". ".join(part.rstrip(".") for part in parts) + "."


def _title_size(title: str) -> int:
    return 104 if len(title) <= 40 else 88 if len(title) <= 80 else 72


def _draw_paragraph(draw: ImageDraw.ImageDraw, text: str, top: int, size: int, *, bold: bool,
                    rtl: bool, width: int) -> int:
    """Draw wrapped text from `top`; return the y below it."""
    font = pillow_font(text, size, bold)
    line_height = int(size * 1.3)
    y = top
    for line in wrap_lines(draw, text, font, width):
        length = draw.textlength(line, font=font)
        x = MARGIN + width - length if rtl else MARGIN
        draw.text((x, y), line, font=font, fill=255)
        y += line_height
    return y

