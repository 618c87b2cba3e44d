"""Check stage: every picture has alternative text that describes it."""

from __future__ import annotations

import re
from pathlib import Path

from leaflet_builder.check.context import CheckContext, finding
from leaflet_builder.check.findings import Finding
from leaflet_builder.model import Booklet, Image, Leaflet, walk_blocks

_FILE_NAME_RE = re.compile(r"^[\w./\\-]+\.(?:png|jpe?g|gif|svg|webp|tiff?|bmp|avif)$", re.IGNORECASE)
_PLACEHOLDERS = frozenset({"image", "picture", "photo", "photograph", "graphic", "figure",
                           "diagram", "icon", "logo", "img", "alt", "untitled"})


def judge_alt(alt: str, src: str) -> tuple[str, str] | None:
    """(rule, message) when `alt` fails readers, None when it describes something."""
    text = alt.strip()
    if not text:
        return "image-alt-missing", (f"picture '{src}' has no alternative text: describe what " \
                                    "it shows for people who cannot see it")
    stem = Path(src).stem.lower()
    if _FILE_NAME_RE.fullmatch(text) or text.lower() in (stem, Path(src).name.lower()):
        return "image-alt-weak", (f"alternative text '{text}' is a file name: describe what " \
                                 "the picture shows")
    if len(text.split()) == 1:
        hint = " (a placeholder)" if text.lower() in _PLACEHOLDERS else ""
        return "image-alt-weak", (f"alternative text '{text}' is a single word{hint}: describe " \
                                 "what the picture shows in a short sentence")
    return None


def check_leaflet(leaflet: Leaflet, ctx: CheckContext) -> list[Finding]:
    found: list[Finding] = []
    if leaflet.meta.image is not None:
        _add(found, leaflet.path, leaflet.meta.line_of("image"), leaflet.meta.image.alt,
             leaflet.meta.image.asset.relative, leaflet.slug)
    for block in walk_blocks(leaflet.blocks):
        if isinstance(block, Image):
            _add(found, leaflet.path, block.line, block.alt, block.asset.relative, leaflet.slug)
    return found


def check_booklet(booklet: Booklet, ctx: CheckContext) -> list[Finding]:
    found: list[Finding] = []
    if booklet.cover is not None:
        _add(found, booklet.path, booklet.line_of("cover"), booklet.cover.alt,
             booklet.cover.asset.relative, None)
    return found


def _add(found: list[Finding], path: Path, line: int, alt: str, src: str, slug: str | None) -> None:
    judged = judge_alt(alt, src)
    if judged:
        found.append(finding(judged[0], path, line, judged[1], slug=slug))
