"""Check stage: a layout's Word handouts show the shared blocks its pages show.

A layout that writes its own `docx: blocks:` list (the order of the Word handout) keeps that
list when the tool gains a block — "This leaflet in other languages" came after many lists
were written. The PDF, web page and EPUB would show the new block and the Word handout would
silently not, so the list is compared with the blocks the layout's page template includes.
"""

from __future__ import annotations

import re

from leaflet_builder.check.context import CheckContext, finding
from leaflet_builder.check.findings import Finding
from leaflet_builder.errors import LeafletError
from leaflet_builder.layouts import Layout

PAGE_TEMPLATE = "templates/leaflet_body.html"  # one leaflet's body in every page format
_INCLUDE_RE = re.compile(r"""\{%-?\s*include\s+["'](shared/[^"']+)["']""")


def check_layout(layout: Layout, ctx: CheckContext) -> list[Finding]:
    order = layout.setting("docx", "blocks")
    if not isinstance(order, list):
        return []  # the renderer's own list, which has every block
    try:
        page = layout.find_file(PAGE_TEMPLATE)
        text = page.read_text(encoding="utf-8") if page else ""
    except (LeafletError, OSError, UnicodeDecodeError):
        return []  # reported where the layout is read
    shown = list(dict.fromkeys(_INCLUDE_RE.findall(text)))
    missing = [block for block in shown if block not in order]
    if not missing:
        return []
    path, line = layout.line_of("docx", "blocks")
    return [finding("word-blocks", path, line,
                    f"layout '{layout.name}': docx.blocks leaves out {', '.join(missing)}, which "
                    f"its PDF, web and EPUB pages show: Word handouts would not have them — add "
                    f"them to the list where they belong")]
