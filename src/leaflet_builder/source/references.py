"""Reading stage: a leaflet's `related` entries and `slug.md` links must name another leaflet."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from leaflet_builder.errors import Diagnostics
from leaflet_builder.model import Block, Link, walk_inlines_of
from leaflet_builder.source.schema import did_you_mean


def check_references(slug: str, path: Path, related: Iterable[tuple[str, int]],
                     blocks: tuple[Block, ...], known: frozenset[str],
                     diagnostics: Diagnostics) -> None:
    """Report each reference to a leaflet that is not in `known` (the project's file names).

    Checked while the file is read, so these messages come with the file's other mistakes
    in one run; a leaflet that exists but has errors of its own is a fine target.
    """
    for target, related_line in related:  # each entry at its own line (a block list)
        if target == slug:
            diagnostics.error(path, related_line, f"related: '{target}' is this leaflet itself "
                                                  "— remove it from 'related'")
        elif target not in known:
            diagnostics.error(path, related_line,
                              f"related: no leaflet '{target}' (no source/{target}.md)"
                              + did_you_mean(target, known))
    for node, line in walk_inlines_of(blocks):
        if isinstance(node, Link) and node.target_slug and node.target_slug not in known:
            diagnostics.error(path, node.line or line,
                              f"link to '{node.target_slug}.md': no such leaflet in source/"
                              + did_you_mean(node.target_slug, known))
