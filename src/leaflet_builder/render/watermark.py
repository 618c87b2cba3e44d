"""The DRAFT mark of a draft PDF: a faint, turned label drawn once as an image for every page.

It used to be an SVG; WeasyPrint draws an SVG background anew on every page it paints, which
took about a tenth of a draft leaflet's time, while an image is embedded once and only placed
on each page. A mark made of pixels is not picked up as page text either (the footer and the
banner say DRAFT in words).
"""

from __future__ import annotations

import functools
import io

PAGE_MM = (210, 297)  # drawn for A4 and scaled to the page (`contain`): A5 has the same shape
PIXELS_PER_MM = 6  # about 150 dpi: a faint tint, not text to read
LETTER_MM = 44
ANGLE = 40  # degrees, counter-clockwise
COLOUR = "b00020"
OPACITY = 0.13


@functools.lru_cache(maxsize=8)
def watermark_png(label: str) -> bytes:
    """A transparent page-shaped PNG with `label` across its middle in the packaged bold font."""
    from PIL import Image, ImageDraw

    from leaflet_builder.render.pillow_text import pillow_font, rgb

    font = pillow_font(label, LETTER_MM * PIXELS_PER_MM, bold=True)
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox(
        (0, 0), label, font=font, anchor="mm")
    side = int(((right - left) ** 2 + (bottom - top) ** 2) ** 0.5) + 8  # room to turn it
    letters = Image.new("L", (side, side), 0)
    ImageDraw.Draw(letters).text((side / 2, side / 2), label, font=font, fill=255, anchor="mm")
    letters = letters.rotate(ANGLE, resample=Image.Resampling.BICUBIC)
    page = Image.new("L", (PAGE_MM[0] * PIXELS_PER_MM, PAGE_MM[1] * PIXELS_PER_MM), 0)
    page.paste(letters, ((page.width - side) // 2, (page.height - side) // 2))
    image = Image.new("RGBA", page.size, (*rgb(COLOUR), 0))
    image.putalpha(page.point(lambda value: round(value * OPACITY)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
