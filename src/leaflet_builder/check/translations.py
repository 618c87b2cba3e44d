"""Check stage: a translation that has fallen behind its original (a stale translation).

A patient reading the Welsh or Arabic leaflet must get what the English one says today. When
the original's `version` moves on, or it is reviewed again after the translation was, the
translation may say something the clinic no longer advises; the translator is told which
file changed and what to do. (A translation whose original does not exist is the reader's
error, reported by the `source` rule with its line, and not built.)
"""

from __future__ import annotations

from leaflet_builder.check.context import CheckContext, finding
from leaflet_builder.check.findings import Finding
from leaflet_builder.model import Leaflet


def check_leaflet(leaflet: Leaflet, ctx: CheckContext) -> list[Finding]:
    meta = leaflet.meta
    if meta.translation_of is None:
        return []
    original = ctx.project.leaflets.get(meta.translation_of)
    if original is None:
        return []  # missing or broken: reported by the reader at its own line
    root = ctx.project.source_dir.parent
    there = original.path.relative_to(root).as_posix() if original.path.is_relative_to(root) \
        else str(original.path)
    found: list[Finding] = []
    if original.meta.version != meta.translation_version:
        line = meta.line_of("translation_version") if meta.translation_version is not None \
            else meta.line_of("translation_of")
        now = original.meta.version
        followed = (f"this translation follows version {meta.translation_version}"
                    if meta.translation_version is not None
                    else "this translation does not say which version it follows")
        update = (f"then set 'translation_version: {now}'" if now is not None
                  else "then remove 'translation_version' (the original has no version)")
        found.append(finding(
            "stale-translation", leaflet.path, line,
            f"stale translation: the original {there}:{original.meta.line_of('version')} is at "
            f"version {now or '(none)'}, {followed} — check the translation against the "
            f"original, update what changed, {update}", slug=leaflet.slug))
    if original.meta.reviewed is not None and meta.reviewed is not None \
            and original.meta.reviewed > meta.reviewed:
        found.append(finding(
            "stale-translation", leaflet.path, meta.line_of("reviewed"),
            f"stale translation: the original {there}:{original.meta.line_of('reviewed')} was "
            f"reviewed on {original.meta.reviewed.isoformat()}, after this translation "
            f"({meta.reviewed.isoformat()}) — check the translation against the reviewed "
            "original, then review it and set 'reviewed:' to that date", slug=leaflet.slug))
    return found
