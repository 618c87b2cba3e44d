"""Build stage, incremental part: what each output depends on (its input fingerprint).

Every output gets an input fingerprint: a hash of everything that can change its bytes (its
source files and images, a booklet's members, the titles it shows of other leaflets, the
glossary, the layout's files, the packaged wording catalogues, project.yaml, the dates, and
the versions of leaflet_builder and
the libraries that write the format). An output is rebuilt only when its fingerprint changed
or the file on disk is not the one the build wrote.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from leaflet_builder import __version__
from leaflet_builder.i18n import LOCALE_DIR
from leaflet_builder.model import Booklet, Image, Leaflet, Link, walk_blocks, walk_inlines_of
from leaflet_builder.render import RenderContext
from leaflet_builder.render.formats import FORMATS

# bump when the meaning of a fingerprint changes, so old states rebuild everything once
STATE_VERSION = 1


class FileHasher:
    """sha256 of files, each read once per build (many outputs share images and layouts)."""

    def __init__(self) -> None:
        self._cache: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        if path not in self._cache:
            try:
                self._cache[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self._cache[path] = "missing"
        return self._cache[path]

    def files(self, paths: Iterable[Path], relative_to: Path) -> list[tuple[str, str]]:
        return [(_relative(p, relative_to), self.file(p)) for p in sorted(set(paths))]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


@cache
@cache
def _packaged_catalogues() -> tuple[Path, ...]:
    """The package's .po files: listed once per process, not once per output."""
    return tuple(sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")))


def library_versions(fmt: str) -> tuple[tuple[str, str], ...]:
    from importlib import metadata

    found = []
    for name in FORMATS[fmt].libraries:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, "absent"))
    return tuple(found)


def leaflet_files(leaflet: Leaflet) -> list[Path]:
    """Every image the leaflet shows (its source text is fingerprinted as read, not from disk).

    Images are read from disk by the renderer, after this hash: an image saved in between is
    newer in the output than in the fingerprint, so the next build sees a change and rebuilds.
    """
    files: list[Path] = []
    if leaflet.meta.image is not None:
        files.append(leaflet.meta.image.asset.path)
    files += [block.asset.path for block in walk_blocks(leaflet.blocks) if isinstance(block, Image)]
    return files


def referenced_slugs(leaflet: Leaflet) -> set[str]:
    """Other leaflets whose titles this one may show (related list, links)."""
    slugs = set(leaflet.meta.related)
    slugs |= {node.target_slug for node, _ in walk_inlines_of(leaflet.blocks)
              if isinstance(node, Link) and node.target_slug}
    return slugs


@dataclass
class Fingerprinter:
    """Computes input fingerprints for one build (one per layout context)."""

    source_dir: Path
    hasher: FileHasher = field(default_factory=FileHasher)
    _layout_cache: dict[tuple[Path, ...], list[tuple[str, str]]] = field(default_factory=dict)

    def layout_files(self, ctx: RenderContext) -> list[tuple[str, str]]:
        folders = ctx.layout.folders
        if folders not in self._layout_cache:
            self._layout_cache[folders] = [
                (f"{i}:{name}", digest) for i, folder in enumerate(folders)
                for name, digest in self.hasher.files(
                    (p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts),
                    folder)]
        return self._layout_cache[folders]

    def common(self, fmt: str, ctx: RenderContext) -> dict[str, Any]:
        project_yaml = self.source_dir / "project.yaml"
        return {
            "state": STATE_VERSION,
            "leaflet_builder": __version__,
            "libraries": library_versions(fmt),
            "format": fmt,
            "layout": ctx.layout.name,
            "layout_settings": ctx.layout.settings,
            "layout_files": self.layout_files(ctx),
            # the packaged wording (a layout's own catalogues are among its files above)
            "catalogues": self.hasher.files(_packaged_catalogues(), LOCALE_DIR),
            "project": self.hasher.file(project_yaml) if project_yaml.is_file() else None,
            "settings": repr(ctx.settings),
            "glossary": sorted(ctx.glossary.items()),
            "build_date": ctx.build_date.isoformat() if ctx.build_date else None,
        }

    def leaflet_part(self, leaflet: Leaflet, ctx: RenderContext) -> dict[str, Any]:
        return {
            "slug": leaflet.slug,
            # the text that was rendered: a save after reading must not count as built
            "source": leaflet.source_digest,
            "files": self.hasher.files(leaflet_files(leaflet), self.source_dir),
            "source_date": leaflet.source_date.isoformat(),
            "titles": sorted((slug, ctx.titles.get(slug)) for slug in referenced_slugs(leaflet)),
            # the other languages it lists (a new or renamed translation changes the page)
            "translations": ctx.translations.get(leaflet.slug, ()),
        }

    def leaflet(self, leaflet: Leaflet, fmt: str, ctx: RenderContext) -> str:
        return _digest({"common": self.common(fmt, ctx), "leaflet": self.leaflet_part(leaflet, ctx)})

    def booklet(self, booklet: Booklet, members: list[Leaflet], fmt: str,
                ctx: RenderContext) -> str:
        files = [booklet.cover.asset.path] if booklet.cover else []
        return _digest({
            "common": self.common(fmt, ctx),
            "source": booklet.source_digest,
            "booklet": self.hasher.files(files, self.source_dir),
            "members": [self.leaflet_part(m, ctx) for m in members],
        })


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None
