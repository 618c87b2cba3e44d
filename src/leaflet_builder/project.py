"""A content project: finds source/, reads every leaflet and booklet, checks cross-references."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from leaflet_builder.errors import Diagnostics
from leaflet_builder.model import Booklet, Leaflet, ProjectSettings
from leaflet_builder.source.leaflet import read_leaflet
from leaflet_builder.source.schema import did_you_mean
from leaflet_builder.source.settings import read_booklet, read_project_settings


@dataclass
class Project:
    """Everything read from one `source/` folder: good content plus what was wrong."""

    source_dir: Path
    settings: ProjectSettings
    leaflets: dict[str, Leaflet] = field(default_factory=dict)
    booklets: dict[str, Booklet] = field(default_factory=dict)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    # slugs whose source had errors, and withdrawn ones (not built, outputs removed)
    failed: set[str] = field(default_factory=set)
    failed_booklets: set[str] = field(default_factory=set)
    withdrawn: set[str] = field(default_factory=set)
    # withdrawn leaflets as read: the web site keeps a page at their address (render/site)
    withdrawn_leaflets: dict[str, Leaflet] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # valid old slug -> its leaflet

    @property
    def root(self) -> Path:
        return self.source_dir.parent

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors

    def titles(self) -> dict[str, str]:
        """Slug -> title of every readable leaflet (for `related` and leaflet links)."""
        return {slug: leaflet.meta.title for slug, leaflet in self.leaflets.items()}


def leaflet_paths(source_dir: Path) -> list[Path]:
    return sorted(p for p in source_dir.glob("*.md") if p.is_file())


def booklet_paths(source_dir: Path) -> list[Path]:
    folder = source_dir / "booklets"
    return sorted(p for p in folder.glob("*.y*ml") if p.is_file()) if folder.is_dir() else []


def load_project(source_dir: Path) -> Project:
    """Read a whole project. Errors are collected; a broken leaflet does not stop the others."""
    source_dir = source_dir.resolve()
    diagnostics = Diagnostics()
    settings = read_project_settings(source_dir, diagnostics)
    project = Project(source_dir, settings or ProjectSettings(), diagnostics=diagnostics)
    paths = leaflet_paths(source_dir)
    known = frozenset(path.stem for path in paths)  # a leaflet with errors is still a target
    for path in paths:
        leaflet = read_leaflet(path, source_dir, project.settings, diagnostics, known)
        if leaflet is None:
            project.failed.add(path.stem)
        elif leaflet.meta.status == "withdrawn":
            project.withdrawn.add(leaflet.slug)
            project.withdrawn_leaflets[leaflet.slug] = leaflet
        else:
            project.leaflets[leaflet.slug] = leaflet
    for path in booklet_paths(source_dir):
        result = read_booklet(path, source_dir, project.settings, diagnostics)
        if path.stem in known:  # their outputs would share dist/<layout>/<slug>.pdf and .epub
            diagnostics.error(path, 0, f"booklet '{path.stem}' has the same name as the leaflet "
                                       f"{source_dir.name}/{path.stem}.md: both would be written "
                                       f"to <layout>/{path.stem}.pdf — rename the booklet file")
            result = None
        if result is None:
            project.failed_booklets.add(path.stem)
            continue
        booklet, slug_lines = result
        if _check_booklet_members(project, booklet, slug_lines):
            project.booklets[booklet.slug] = booklet
        else:
            project.failed_booklets.add(booklet.slug)
    _check_addresses(project, known)
    return project


def _check_addresses(project: Project, known: frozenset[str]) -> None:
    """`replaced_by` and `aliases` (SOURCE-FORMAT v2) must keep every web address unambiguous.

    A replacement must be a live leaflet; an alias must not be the address of a leaflet, a
    booklet or another alias — otherwise a printed QR code would lead to the wrong page.
    """
    taken = set(known) | set(project.booklets) | project.failed_booklets
    claimed: dict[str, str] = {}
    for leaflet in sorted([*project.leaflets.values(), *project.withdrawn_leaflets.values()],
                          key=lambda item: item.slug):
        meta, path = leaflet.meta, leaflet.path
        if meta.replaced_by is not None:
            line = meta.line_of("replaced_by")
            if meta.status != "withdrawn":
                project.diagnostics.error(path, line, "replaced_by: only a withdrawn leaflet is "
                                          "replaced; set 'status: withdrawn' or remove the field")
            elif meta.replaced_by not in project.leaflets:
                project.diagnostics.error(path, line, f"replaced_by: '{meta.replaced_by}' is not "
                                          "a live leaflet (no draft or approved "
                                          f"source/{meta.replaced_by}.md); name the leaflet "
                                          "that replaces this one, or remove the field")
        for alias in meta.aliases:
            line = meta.line_of("aliases")
            if alias in taken:
                project.diagnostics.error(path, line, f"aliases: '{alias}' is the address of a "
                                          "leaflet or booklet that exists; an old address "
                                          "cannot also be a live one — remove it from aliases")
            elif alias in claimed:
                project.diagnostics.error(path, line, f"aliases: '{alias}' is already an alias "
                                          f"of '{claimed[alias]}'; one old address can lead to "
                                          "one leaflet only")
            else:
                claimed[alias] = leaflet.slug
    project.aliases = claimed


def _check_booklet_members(project: Project, booklet: Booklet, slug_lines: dict[str, int]) -> bool:
    ok = True
    for slug in booklet.leaflets:
        line = slug_lines.get(slug, 1)
        if slug in project.withdrawn:
            project.diagnostics.warn(booklet.path, line,
                                     f"leaflet '{slug}' is withdrawn and is left out of the booklet")
        elif slug in project.failed:
            project.diagnostics.error(booklet.path, line,
                                      f"leaflet '{slug}' has errors (see above); fix it to build "
                                      "this booklet")
            ok = False
        elif slug not in project.leaflets:
            known = set(project.leaflets) | project.failed | project.withdrawn
            project.diagnostics.error(booklet.path, line, f"no leaflet '{slug}' "
                                                          f"(no source/{slug}.md)"
                                                          + did_you_mean(slug, known))
            ok = False
    if len(set(booklet.leaflets)) != len(booklet.leaflets):
        project.diagnostics.error(booklet.path, 1, "a leaflet is listed twice in 'leaflets'")
        ok = False
    return ok


def booklet_members(project: Project, booklet: Booklet) -> list[Leaflet]:
    """The booklet's leaflets in its order, without withdrawn ones."""
    return [project.leaflets[s] for s in booklet.leaflets if s in project.leaflets]


def document_languages(project: Project) -> list[tuple[str, Path]]:
    """(language, source file) of every leaflet and booklet: whose wording the layouts need."""
    return [(leaflet.meta.language, leaflet.path) for leaflet in project.leaflets.values()] + \
        [(booklet.language, booklet.path) for booklet in project.booklets.values()]
