"""Starting points for authors: `leaflet init` (a whole project) and `leaflet new` (a leaflet).

The texts are files beside this module, not strings in Python, so they read (and are edited)
as what an author will see. Both commands refuse to overwrite anything: an author's work is
never replaced by an example.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from leaflet_builder.source.schema import SLUG_RE, suggest_slug

KINDS = ("article", "glossary")
SLUG_RULE = ("a leaflet's name is lowercase letters, digits and hyphens, starting and ending "
             "with a letter or digit (e.g. car-t-cell-therapy)")


class ScaffoldError(Exception):
    """A request `init` or `new` refuses, with what to do instead."""


def init_project(folder: Path, today: dt.date) -> list[Path]:
    """Write the example project into `folder`; return the files written (relative)."""
    source = folder / "source"
    if source.exists():
        raise ScaffoldError(f"'{folder}' already has a project (its 'source' folder exists); "
                            "leaflet init never overwrites one — choose a new or empty folder, "
                            "e.g. leaflet init my-leaflets")
    written: list[Path] = []
    for relative, text in _project_files(files(__name__) / "project", Path()):
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(text).substitute(today=today.isoformat()), encoding="utf-8")
        written.append(relative)
    return sorted(written)


def _project_files(folder: Traversable, relative: Path) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    for entry in folder.iterdir():
        if entry.is_dir():
            found += _project_files(entry, relative / entry.name)
        elif entry.name.endswith((".md", ".yaml")):
            found.append((relative / entry.name, entry.read_text(encoding="utf-8")))
    return found


def new_leaflet(source_dir: Path, slug: str, kind: str, today: dt.date) -> Path:
    """Write `source_dir/slug.md` from the skeleton of `kind`; return its path."""
    if not SLUG_RE.fullmatch(slug):  # whole: a trailing newline is no slug
        suggestion = suggest_slug(slug)
        hint = f" — try '{suggestion}'" if suggestion else ""
        raise ScaffoldError(f"'{slug}' cannot be a leaflet name: {SLUG_RULE}{hint}")
    if kind not in KINDS:
        raise ScaffoldError(f"no leaflet kind '{kind}': use one of {', '.join(KINDS)}")
    if not source_dir.is_dir():
        raise ScaffoldError(f"no source folder '{source_dir}': run 'leaflet init' to start a "
                            "project, or pass --source DIR")
    path = source_dir / f"{slug}.md"
    if path.exists() or path.is_symlink():
        raise ScaffoldError(f"'{path}' already exists; leaflet new never overwrites a leaflet "
                            "— choose another name or edit that file")
    skeleton = (files(__name__) / f"{kind}.md").read_text(encoding="utf-8")
    title = slug.replace("-", " ").capitalize()
    path.write_text(Template(skeleton).substitute(title=title, today=today.isoformat()),
                    encoding="utf-8")
    return path
