"""The picture a link preview shows (Open Graph `og:image`) when a leaflet has no hero image.

One card for the whole site — the organisation's name on its colour — drawn once per build with
Pillow in the packaged fonts: a link sent by text message then shows who the leaflet is from,
beside the leaflet's own title and summary (which the preview takes from the page).
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from leaflet_builder.render.pillow_text import pillow_font, rgb, wrap_lines

CARD_SIZE = (1200, 630)  # what Open Graph consumers (messaging apps, social sites) expect
MARGIN = 80


def draw_share_card(organisation: str, tagline: str, accent: str = "005eb8") -> bytes:
    """A PNG: the organisation large, a tagline below, white on the layout's accent colour."""
    image = Image.new("RGB", CARD_SIZE, rgb(accent))
    draw = ImageDraw.Draw(image)
    width = CARD_SIZE[0] - 2 * MARGIN
    y = MARGIN
    for text, size, bold in ((organisation, 84, True), (tagline, 52, False)):
        if not text:
            continue
        font = pillow_font(text, size, bold)
        for line in wrap_lines(draw, text, font, width)[:3]:
            draw.text((MARGIN, y), line, font=font, fill=(255, 255, 255))
            y += int(size * 1.3)
        y += 30
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()

