"""Rendering stage, print formats: the QR code on the last page that leads to the digital copy."""

from __future__ import annotations

import base64
import functools
import io

from leaflet_builder.model import ProjectSettings
from leaflet_builder.render.shared import leaflet_url


def qr_view(settings: ProjectSettings, slug: str) -> dict[str, str] | None:
    """The `qr` slot of the shared about block: `src` (an SVG data URI) and `url`."""
    url = leaflet_url(settings, slug)
    if url is None:
        return None
    return {"src": qr_data_uri(url), "url": url}


@functools.lru_cache(maxsize=256)
def qr_data_uri(url: str) -> str:
    """A QR code for `url` as an SVG data URI: vector, so it stays sharp at any print size."""
    import segno

    # error level M survives a smudge or a fold; the 4-module quiet zone is what scanners need
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", border=4, xmldecl=False, svgclass=None, lineclass=None,
              dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
