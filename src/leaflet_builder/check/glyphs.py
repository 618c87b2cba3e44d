"""Check stage: every character of a leaflet has a glyph in a font of each layout in use.

The same test the PDF build makes before it lays a leaflet out (render/coverage.py), reported
beside the other findings so an editor sees it before building.
"""

from __future__ import annotations

from leaflet_builder.check.context import CheckContext, finding
from leaflet_builder.check.findings import Finding
from leaflet_builder.model import Leaflet
from leaflet_builder.render.coverage import missing_glyphs


def check_leaflet(leaflet: Leaflet, ctx: CheckContext) -> list[Finding]:
    found: list[Finding] = []
    for layout in ctx.layouts:
        for missing in missing_glyphs(leaflet.path, layout):
            found.append(finding("missing-glyph", leaflet.path, missing.line,
                                 missing.message(layout.name), slug=leaflet.slug))
    return found
