"""Put the rendered site into `dist/site/` in one step, and say what the manifest lists.

The output folder's owner (build/outputs.OutputFolder) writes it: the new site goes to a
temporary folder beside the old one, then is swapped in with two renames, so a host syncing
`dist/site/` sees the old site or the new one, never a mix (a page linking to a download that
is not there yet). By the build's one rule (`OutputFolder.owns`) it only ever replaces a
`site/` folder it wrote itself: one holding files the manifest does not list is left alone,
with a message.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from pathlib import Path

from leaflet_builder.build.fingerprint import Fingerprinter, file_sha256
from leaflet_builder.build.outputs import OutputFolder
from leaflet_builder.errors import Diagnostic, LeafletError, Location
from leaflet_builder.project import Project
from leaflet_builder.render import RenderContext
from leaflet_builder.render.site import SITE_DIR, SITE_FORMAT
from leaflet_builder.render.site.pages import SiteInputs, render_site


def publish_site(project: Project, ctx: RenderContext, outputs: list[dict[str, object]],
                 folder: OutputFolder, approved_only: bool = False, force: bool = False,
                 ) -> tuple[dict[str, dict[str, object]], list[Diagnostic]]:
    """Render and write `site/` in the build's output folder; return its manifest entries
    (path -> entry) and the problems found. On any problem that stops the site, the old site
    stays as it was."""
    out_dir = folder.path
    key = site_fingerprint(project, ctx, outputs, approved_only)
    unchanged = None if force else _unchanged_site(folder, key)
    if unchanged is not None:  # a no-op build does not render the site again
        return unchanged, []
    try:
        build = render_site(SiteInputs(project, ctx.layout, ctx, outputs, out_dir, approved_only))
    except LeafletError as exc:  # a broken site template, or a layout without site.css
        return {}, [exc.diagnostic]
    except Exception as exc:  # noqa: BLE001 - a bug here must not lose the outputs written
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return {}, [Diagnostic(Location(project.source_dir, 0), (
            f"could not make the web site: {type(exc).__name__}: {exc} "
            f"(in {Path(where.filename).name}:{where.lineno}; please report this)"), "error")]
    diagnostics = list(build.diagnostics)
    target = out_dir / SITE_DIR
    foreign = folder.foreign_files(SITE_DIR, SITE_FORMAT)
    if foreign:
        diagnostics.append(Diagnostic(Location(target / foreign[0], 0), (
            f"the web site was not written: {out_dir.name}/{SITE_DIR}/ holds files the build did "
            f"not write ({len(foreign)}, e.g. {foreign[0]}); move them elsewhere, or remove the "
            "folder, and build again"), "error"))
        return {}, diagnostics
    try:
        folder.replace_folder(SITE_DIR, {relative: item.data
                                         for relative, item in build.files.items()})
    except OSError as exc:
        diagnostics.append(Diagnostic(Location(target, 0), (
            f"the web site could not be written: {exc.strerror or exc}; the previous site is "
            "unchanged — free some space or fix the folder's permissions and build again"),
            "error"))
        return {}, diagnostics
    entries: dict[str, dict[str, object]] = {}
    for relative, item in sorted(build.files.items()):
        path = f"{SITE_DIR}/{relative}"
        entries[path] = {"slug": item.slug, "kind": SITE_FORMAT, "format": SITE_FORMAT,
                         "layout": SITE_FORMAT, "path": path,
                         "sha256": hashlib.sha256(item.data).hexdigest(),
                         "bytes": len(item.data), "status": item.status,
                         "language": item.language, "inputs": key}
    return entries, diagnostics


def site_fingerprint(project: Project, ctx: RenderContext, outputs: list[dict[str, object]],
                     approved_only: bool) -> str:
    """Everything the site's bytes depend on: every leaflet (live and withdrawn) and booklet,
    the layout, project.yaml, the outputs it offers, the option, and this package's code."""
    printer = Fingerprinter(project.source_dir)
    leaflets = sorted([*project.leaflets.values(), *project.withdrawn_leaflets.values()],
                      key=lambda item: item.slug)
    own = Path(__file__).parent
    value = {
        "common": printer.common(SITE_FORMAT, ctx),
        "leaflets": [printer.leaflet_part(leaflet, ctx) for leaflet in leaflets],
        "booklets": sorted((b.slug, b.source_digest) for b in project.booklets.values()),
        "aliases": sorted(project.aliases.items()),
        "approved_only": approved_only,
        "outputs": sorted((str(e.get("path")), str(e.get("sha256")), str(e.get("status")))
                          for e in outputs),
        "code": printer.hasher.files(
            (p for p in own.iterdir() if p.is_file() and p.suffix in (".py", ".js")), own),
    }
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _unchanged_site(folder: OutputFolder, key: str) -> dict[str, dict[str, object]] | None:
    """The previous site's entries when its inputs are the same and every file is still the one
    written (and nothing else is in the folder); None when it must be made again."""
    entries = {path: entry for path, entry in folder.previous.items()
               if entry.get("kind") == SITE_FORMAT}
    if not entries or any(entry.get("inputs") != key for entry in entries.values()):
        return None
    if folder.foreign_files(SITE_DIR, SITE_FORMAT):
        return None
    for path, entry in entries.items():
        if file_sha256(folder.path / path) != entry.get("sha256"):
            return None
    return entries


def site_entry_alive(entry: dict[str, object], project: Project) -> bool:
    """Whether a site file from an earlier build may stay when this build did not make the site:
    not the pages and downloads of a leaflet or booklet that is gone or withdrawn."""
    slug = entry.get("slug")
    return (not slug or slug in project.leaflets or slug in project.booklets
            or slug in project.failed or slug in project.failed_booklets
            or slug in project.aliases.values())
