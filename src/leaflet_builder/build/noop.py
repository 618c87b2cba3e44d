"""Build stage, the no-op fast path: tell from file hashes alone that nothing changed, without
reading (parsing) the project, importing a renderer or starting a worker.

A build that ends clean (every output built or up to date, no error, nothing stale) records a
digest of everything the build could depend on: every file under the source folder and the
project's `layouts/`, every file of the layout folders it used, the options that change bytes
(formats, layouts, --allow-overdue, SOURCE_DATE_EPOCH) and the versions of leaflet_builder and
the libraries that write each format (from package metadata: nothing is imported). The next
`leaflet build` with the same digest, before any approved leaflet's review falls due, with
every output still the file the build wrote, reports the same warnings and counts and stops —
the way make and ninja feel. Anything else, even one changed byte anywhere in the source
folder, takes the full path, whose per-output fingerprints (build/fingerprint.py) decide exactly what to
render. The source folder is hashed before the full build reads it, so an edit made while a
build runs is never mistaken for what it built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leaflet_builder import __version__
from leaflet_builder.build.fingerprint import STATE_VERSION, file_sha256
from leaflet_builder.build.options import BuildResult
from leaflet_builder.build.outputs import (
    JOURNAL_FILE,
    NOOP_FILE,
    lock,
    read_manifest,
    read_state,
)
from leaflet_builder.build.worker import Task
from leaflet_builder.errors import Diagnostic, Location
from leaflet_builder.i18n import LOCALE_DIR
from leaflet_builder.render.formats import FORMATS

if TYPE_CHECKING:
    from leaflet_builder.build.options import BuildOptions
    from leaflet_builder.build.outputs import OutputFolder

__all__ = ["NOOP_FILE", "NoopRecord", "quick_build"]  # NOOP_FILE: named with the build's own files
NOOP_VERSION = 1
LARGEST_INPUT = 32 * 2**20  # above the reader's limits (source/files.py, source/assets.py)


class NoopRecord:
    """What a full build notes as it goes, to leave a record only if it ends clean."""

    def __init__(self, options: BuildOptions, folder: OutputFolder) -> None:
        self.folder = folder  # the one owner of dist/ writes and removes the record
        # hashed before the build reads anything (see the module docstring)
        self._source = _source_part(options)
        self._layout_folders: list[str] = []
        self._layouts: list[tuple[str, list[tuple[str, str | None]]]] = []
        # a build that fails or is killed leaves no record: the next one takes the full path
        folder.drop_record(NOOP_FILE)

    def use_layouts(self, folders: Iterable[Path]) -> None:
        self._layout_folders = sorted({str(folder) for folder in folders})
        self._layouts = _layout_part(self._layout_folders)

    def write(self, result: BuildResult, next_review_due: dt.date | None) -> None:
        """Record a clean build; anything less leaves no record."""
        if (not result.ok or result.failed_documents or result.stale or not self._layout_folders
                or any(d.level == "error" for d in result.diagnostics)):
            return
        record = {
            "version": NOOP_VERSION,
            "digest": _digest(self._source, self._layouts),
            "layout_folders": self._layout_folders,
            "review_due_next": next_review_due.isoformat() if next_review_due else None,
            "outputs": sorted(str(e["path"]) for e in result.built + result.up_to_date),
            "diagnostics": [{"path": str(d.location.path), "line": d.location.line,
                             "message": d.message, "level": d.level}
                            for d in result.diagnostics],
        }
        self.folder.write_record(
            NOOP_FILE, (json.dumps(record, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))


def quick_build(options: BuildOptions, on_output: Callable[[Task, str], None] | None = None,
                on_plan: Callable[[int], None] | None = None) -> BuildResult | None:
    """The result of a build that has nothing to do, or None when a full build must run."""
    if options.force or not (options.out_dir / NOOP_FILE).is_file():
        return None
    import time

    from leaflet_builder.build.guards import sweep_dead_temp_dirs

    started = time.perf_counter()
    sweep_dead_temp_dirs()  # the font folders of builds that were killed, as a full build does
    with lock(options.out_dir):  # not while another build writes
        try:
            result = _unchanged(options)
        except (KeyError, TypeError, ValueError, AttributeError, OSError):
            result = None  # a damaged record: the full build decides, and writes a new one
    if result is None:
        return None
    result.seconds = time.perf_counter() - started
    if on_plan:
        on_plan(result.planned)
    if on_output:
        for entry in result.up_to_date:
            on_output(Task(entry["kind"], str(entry["slug"]), str(entry["format"]),  # type: ignore[arg-type]
                           str(entry["layout"])), "up to date")
    return result


def _unchanged(options: BuildOptions) -> BuildResult | None:
    out_dir = options.out_dir
    record = _read_record(out_dir)
    if record is None or (out_dir / JOURNAL_FILE).exists():
        return None  # a killed build's journal: the full path settles it
    due = record.get("review_due_next")
    if isinstance(due, str) and dt.date.today() > dt.date.fromisoformat(due):
        return None  # a review fell due: the build gate decides again
    folders = record.get("layout_folders")
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        return None
    if record.get("digest") != _digest(_source_part(options), _layout_part(folders)):
        return None
    state = read_state(out_dir)
    entries = {str(e.get("path")): e for e in read_manifest(out_dir)}
    up_to_date: list[dict[str, object]] = []
    for path in record.get("outputs", []):
        recorded, entry = state.get(str(path)), entries.get(str(path))
        if not recorded or not entry or "stale" in entry or \
                entry.get("sha256") != recorded.get("sha256") or \
                file_sha256(out_dir / str(path)) != recorded.get("sha256"):
            return None  # an output was removed or changed since: rebuild it
        up_to_date.append(entry)
    diagnostics = [Diagnostic(Location(Path(d["path"]), int(d["line"])), str(d["message"]),
                              d["level"]) for d in record.get("diagnostics", [])]
    if any(d.level not in ("warning", "info") for d in diagnostics):
        return None
    return BuildResult(diagnostics=diagnostics, up_to_date=up_to_date, planned=len(up_to_date))


def _read_record(out_dir: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((out_dir / NOOP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("version") != NOOP_VERSION:
        return None
    return record


def _source_part(options: BuildOptions) -> dict[str, Any]:
    """The options that change bytes, the versions, and every file of the source folder and of
    the project's own layouts (a new one there can take the place of a built-in layout)."""
    source_dir = options.source_dir.resolve()
    return {
        "state": STATE_VERSION,
        "leaflet_builder": __version__,
        "libraries": _installed({name for fmt in options.formats
                                 for name in FORMATS[fmt].libraries}),
        "formats": list(options.formats),
        "layouts": list(options.layouts),
        "allow_overdue": options.allow_overdue,
        "approved_only": options.approved_only,  # what the web site shows (render/site)
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
        "source_dir": str(source_dir),
        "source": _tree(source_dir),
        "project_layouts": _tree(source_dir.parent / "layouts"),
        "catalogues": _tree(LOCALE_DIR),  # the packaged wording (render/i18n)
    }


def _installed(names: set[str]) -> list[tuple[str, str]]:
    """Which release of each library is installed, from the names of the `*.dist-info`
    folders on sys.path (`weasyprint-66.0.dist-info`), as importlib.metadata finds them first.

    A quarter of a no-op build's time went to importlib.metadata reading each METADATA file;
    a folder listing per sys.path entry says the same. An install without a versioned folder
    name (an old egg-info) gives its folder and modification time, which an upgrade changes.
    """
    wanted = {_normalise(name): name for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = sorted(os.scandir(entry or "."), key=lambda e: e.name)
        except OSError:
            continue
        for item in listing:
            stem, dot, suffix = item.name.rpartition(".")
            if not dot or suffix not in ("dist-info", "egg-info"):
                continue
            name, _, version = stem.partition("-")
            key = _normalise(name)
            if key in wanted and wanted[key] not in found:
                found[wanted[key]] = version or f"{item.path}@{item.stat().st_mtime_ns}"
    return sorted((name, found.get(name, "absent")) for name in names)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _layout_part(folders: list[str]) -> list[tuple[str, list[tuple[str, str | None]]]]:
    return [(folder, _tree(Path(folder))) for folder in folders]


def _tree(folder: Path) -> list[tuple[str, str | None]]:
    """(relative path, sha256) of every file under `folder`, in order; empty when it is absent."""
    if not folder.is_dir():
        return []
    root = folder.resolve()
    files = sorted(p for p in folder.rglob("*") if "__pycache__" not in p.parts and p.is_file())
    return [(p.relative_to(folder).as_posix(), _file_digest(p, root)) for p in files]


def _file_digest(path: Path, root: Path) -> str | None:
    """The file's sha256; for what the reader would refuse anyway, something cheaper.

    Every file in the source folder is hashed, also those no leaflet uses, so a hostile one
    must not make a no-op read a huge file: a link leading out of the folder counts by where
    it points, a file over the reader's largest limit (images: 20 MB) by size and time.
    """
    if path.is_symlink() and not path.resolve().is_relative_to(root):
        return f"link to {os.readlink(path)}"
    stat = path.stat()
    if stat.st_size > LARGEST_INPUT:
        return f"{stat.st_size} bytes, modified {stat.st_mtime_ns}"
    return file_sha256(path)


def _digest(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
