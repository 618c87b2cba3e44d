"""A content project: finds source/, reads every leaflet and booklet, checks cross-references."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from leaflet_builder.errors import Diagnostics
from leaflet_builder.model import Booklet, Leaflet, ProjectSettings, primary_language
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
    _check_translations(project, known)
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
        if _check_booklet_members(project, result):
            project.booklets[result.slug] = result
            _add_language_booklets(project, result)
        else:
            project.failed_booklets.add(result.slug)
    _check_addresses(project, known)
    return project


def _check_translations(project: Project, known: frozenset[str]) -> None:
    """`translation_of` (SOURCE-FORMAT v2) must name a live original in another language.

    A translation whose original is missing is not built: "This leaflet in other languages"
    would name nothing and the stale-translation check could never run, so it fails alone,
    with its line, and the other leaflets build. A translation of a translation is refused
    too: every translation points at the one original (the root), because the clinical
    review and the `version` a translation follows belong to the original — a chain would
    compare with an intermediate translation's version and hide that the original moved on.
    """
    failed: set[str] = set()
    taken: dict[tuple[str, str], str] = {}  # (original, language) -> the translation
    for slug in sorted(project.leaflets):
        leaflet = project.leaflets[slug]
        meta = leaflet.meta
        original_slug = meta.translation_of
        if original_slug is None:
            continue
        line = meta.line_of("translation_of")
        problem = None
        original = project.leaflets.get(original_slug)
        if original_slug == slug:
            problem = "translation_of: a leaflet cannot be a translation of itself — name the " \
                      "original leaflet's slug"
        elif original_slug not in known:
            problem = (f"translation_of: no leaflet '{original_slug}' (no source/"
                       f"{original_slug}.md)" + did_you_mean(original_slug, known - {slug})
                       + " — name the original this leaflet translates")
        elif original_slug in project.withdrawn:
            problem = (f"translation_of: the original '{original_slug}' is withdrawn — withdraw "
                       "this translation too, or translate the leaflet that replaces it")
        elif original is None:
            continue  # the original has errors of its own, reported at its file
        elif original.meta.translation_of is not None:
            problem = (f"translation_of: '{original_slug}' is itself a translation of "
                       f"'{original.meta.translation_of}' — name the original: "
                       f"'translation_of: {original.meta.translation_of}'")
        elif primary_language(original.meta.language) == primary_language(meta.language):
            problem = (f"translation_of: '{original_slug}' is in the same language "
                       f"({original.meta.language}) as this leaflet ({meta.language}) — set "
                       "'language:' to the language of this translation")
        else:
            key = (original_slug, primary_language(meta.language))
            if key in taken:
                problem = (f"translation_of: '{taken[key]}' is already the {meta.language} "
                           f"translation of '{original_slug}' — one translation per language; "
                           "withdraw one of them")
            else:
                taken[key] = slug
        if problem is not None:
            project.diagnostics.error(leaflet.path, line, problem)
            failed.add(slug)
    for slug in failed:
        del project.leaflets[slug]
        project.failed.add(slug)


def translation_families(project: Project) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Slug -> its family (the original, then its translations by language) as
    (slug, language, title), for every leaflet that has a translation or is one.

    Only live leaflets that built clean are members: the block "This leaflet in other
    languages" must never point at a leaflet that is not published.
    """
    groups: dict[str, list[str]] = {}
    for slug, leaflet in project.leaflets.items():
        original = leaflet.meta.translation_of
        if original is not None:
            groups.setdefault(original, []).append(slug)
    families: dict[str, tuple[tuple[str, str, str], ...]] = {}
    for original, translations in sorted(groups.items()):
        members = ([original] if original in project.leaflets else []) + sorted(
            translations, key=lambda s: (project.leaflets[s].meta.language, s))
        family = tuple((s, project.leaflets[s].meta.language, project.leaflets[s].meta.title)
                       for s in members)
        for slug in members:
            families[slug] = family
    return families


def language_booklet_slug(booklet: str, language: str) -> str:
    """`immunotherapy-guide.cy`: the language version's outputs are `<slug>.cy.pdf` beside the
    original's `<slug>.pdf` (a dot: no leaflet or booklet slug can have one, so none clash)."""
    return f"{booklet}.{language}"


def _add_language_booklets(project: Project, booklet: Booklet) -> None:
    """The booklet once more per language of its `translations:`, each member replaced by its
    translation into that language.

    A language version is only made when every member has a translation in that language:
    a patient given "the Welsh guide" expects all of it in Welsh, and a chapter left out
    would be information they silently never get. Otherwise it is left out with a warning
    naming the members still to translate (the booklet in its own language is still built,
    and earlier outputs of the language version are removed, as they no longer match it).
    """
    for version in booklet.translations:
        wanted = primary_language(version.language)
        members: list[str] = []
        member_lines: list[int] = []  # each translation at the line of the member it replaces
        missing: list[str] = []
        for slug, line in zip(booklet.leaflets, booklet.member_lines, strict=True):
            if slug not in project.leaflets:
                continue  # withdrawn: left out of the booklet, as in its own language
            found = [other for other, leaflet in sorted(project.leaflets.items())
                     if primary_language(leaflet.meta.language) == wanted
                     and (other == slug or leaflet.meta.translation_of == slug)]
            if found:
                members.append(found[0])
                member_lines.append(line)
            else:
                missing.append(slug)
        name = language_booklet_slug(booklet.slug, version.language)
        if missing:
            listed = ", ".join(f"'{slug}'" for slug in missing)
            project.diagnostics.warn(
                booklet.path, version.line,
                f"translations: the {version.language} booklet ({name}) is not built: no "
                f"{version.language} translation of {listed} — translate them (a leaflet with "
                f"'language: {version.language}' and 'translation_of: {missing[0]}'), or remove "
                f"'{version.language}' from translations")
            continue
        project.booklets[name] = dataclasses.replace(
            booklet, slug=name, title=version.title, subtitle=version.subtitle,
            language=version.language, leaflets=tuple(members), cover=version.cover,
            member_lines=tuple(member_lines),
            translations=(), translation_of=booklet.slug)


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


def _check_booklet_members(project: Project, booklet: Booklet) -> bool:
    ok = True
    for slug, line in zip(booklet.leaflets, booklet.member_lines, strict=True):
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
