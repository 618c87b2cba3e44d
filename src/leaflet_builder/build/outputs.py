"""Build stage, the one owner of the output folder (dist/): lock, journal, state, manifest, writes.

The rule (documented in the README, "The build engine"), kept here and nowhere else: the build
writes, replaces and deletes only files that the previous build's manifest lists (or that a
killed build noted in its journal), or new files at paths where nothing exists yet, and never
outside the output folder. A file of the user's at an output path (say their own
`dist/clinic/fever.pdf`) is never overwritten: that output fails with a message saying what to
do, and every other output is still built. Files are written atomically (readers see the old
file or the new one, never half), so a killed build leaves whole files and a journal of the
new ones, and the next build settles them.

`OutputFolder` is what a build holds while it runs: `open` (lock, refuse a planted link or a
foreign manifest, sweep a killed build's temporary files and folders, read what the last build
left), `is_fresh`, `claim` and `write` per output, `settle` for outputs of earlier builds,
`close` to record the state and the manifest. The rule itself is `owns`; the web site, swapped
into place as a whole folder (render/site/publish.py), asks `foreign_files` and
`replace_folder`, and the no-op record (build/noop.py) is written and dropped through
`write_record` / `drop_record` — nothing else in the package touches dist/.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from leaflet_builder.build.fingerprint import STATE_VERSION, file_sha256
from leaflet_builder.errors import Diagnostic, LeafletError

if TYPE_CHECKING:
    from leaflet_builder.build.worker import Task

MANIFEST = "manifest.json"
STATE_FILE = ".leaflet-build-state.json"
LOCK_FILE = ".leaflet-build.lock"
JOURNAL_FILE = ".leaflet-build-journal.jsonl"
# what write_atomic's temporary files look like (mkstemp adds 8 characters of [a-z0-9_]); the
# prefix is the build's own, so a user's `.report.abcd1234.tmp` is never taken for a leftover
TEMP_PREFIX = ".leaflet-tmp-"
TEMP_FILE = re.compile(r"\.leaflet-tmp-.+\.[a-z0-9_]{8}\.tmp")
# replace_folder's: a whole new folder (the web site) beside the old one, swapped in by rename
TEMP_FOLDER_PREFIX = f"{TEMP_PREFIX}site."
# the build's own records besides the manifest: rewritten or removed by every build
NOOP_FILE = ".leaflet-build-noop.json"  # build/noop.py: what a clean build depended on
# one path segment of an output: a layout name or `slug.ext`
_SEGMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

Entry = dict[str, object]  # one output in the manifest


class OutputFolder:
    """The output folder during one build (see the module docstring for its rule)."""

    def __init__(self, path: Path, previous: dict[str, Entry] | None = None,
                 state: dict[str, dict[str, Any]] | None = None) -> None:
        self.path = path
        # the build's own files: the last manifest's outputs and a killed build's journal
        self.previous: dict[str, Entry] = previous or {}
        # path -> {inputs, sha256, bytes} of what the last build wrote
        self.state: dict[str, dict[str, Any]] = state or {}
        self.outputs: dict[str, Entry] = {}  # the manifest this build writes
        self._new_state: dict[str, dict[str, Any]] = {}
        self._journal = Journal(path / JOURNAL_FILE)

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path) -> Iterator[OutputFolder]:
        """Hold the folder for one build: locked, checked, swept, its last build read."""
        path.mkdir(parents=True, exist_ok=True)
        with lock(path):
            _check_own_files(path)
            remove_stale_temp_files(path)
            _remove_stale_temp_folders(path)
            previous = {str(o.get("path")): o for o in read_manifest(path)}
            # outputs a killed build wrote before it could list them: the build's own too
            for relative, entry in read_journal(path).items():
                previous.setdefault(relative, entry)
            yield cls(path, previous, read_state(path))

    def is_fresh(self, relative: str, inputs: str) -> bool:
        """Same inputs as when the build wrote it, and the file is still the one it wrote."""
        recorded = self.state.get(relative)
        if not recorded or recorded.get("inputs") != inputs:
            return False
        return file_sha256(self.path / relative) == recorded.get("sha256")

    def confirm(self, relative: str, inputs: str) -> dict[str, Any]:
        """Keep an up-to-date output as it is; its record (sha256, bytes) for the manifest."""
        record = {**self.state[relative], "inputs": inputs}
        self._new_state[relative] = record
        return record

    def owns(self, relative: str, kind: str | None = None) -> bool:
        """The rule: the build may replace or delete the file at `relative` only when the last
        manifest (or a killed build's journal) lists it — as an output of `kind`, if given."""
        entry = self.previous.get(relative)
        return entry is not None and (kind is None or entry.get("kind") == kind)

    def claim(self, relative: str) -> Path:
        """Where to write `relative`; a LeafletError when the rule refuses it."""
        target = output_path(self.path, relative)
        if self.owns(relative):
            return target
        if target.is_symlink() or target.exists():
            raise LeafletError(target, 0, f"{target} already exists and was not written by "
                                          "`leaflet build` (it is not in the manifest) — move or "
                                          "rename your file, or build into another --out folder")
        return target

    def write(self, task: Task, target: Path, data: bytes, inputs: str) -> dict[str, Any]:
        """Write a claimed output; its record. A LeafletError when the disk refuses it."""
        try:
            if task.relative_path not in self.previous:
                self._journal.note(task)  # before the file exists: a kill leaves it known
            write_atomic(target, data)
        except OSError as exc:
            raise write_failure(target, exc) from None
        record = {"inputs": inputs, "sha256": hashlib.sha256(data).hexdigest(),
                  "bytes": len(data)}
        self._new_state[task.relative_path] = record
        return record

    def foreign_files(self, name: str, kind: str) -> list[str]:
        """Files in the folder `name` that the build may not replace (`owns` says no for
        `kind`), relative to it; ["."] when `name` is a link or a file, not a folder."""
        target = self.path / name
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            return ["."]
        if not target.is_dir():
            return []
        found = []
        for path in sorted(target.rglob("*")):
            if path.is_dir() and not path.is_symlink():
                continue
            relative = path.relative_to(target).as_posix()
            if not self.owns(f"{name}/{relative}", kind):
                found.append(relative)
        return found

    def replace_folder(self, name: str, files: dict[str, bytes]) -> None:
        """Put `files` (relative path -> bytes) in place of the folder `name` in one step: written
        to a temporary folder beside it, then two renames, so a host syncing it sees the old
        folder or the new one, never a mix. The caller has checked `foreign_files` first.
        An OSError leaves the old folder as it was."""
        target = self.path / name
        fresh = Path(tempfile.mkdtemp(dir=self.path, prefix=TEMP_FOLDER_PREFIX, suffix=".tmp"))
        try:
            for relative, data in files.items():
                path = fresh / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                os.chmod(path, 0o644)
            for folder in [fresh, *(p for p in fresh.rglob("*") if p.is_dir())]:
                os.chmod(folder, 0o755)  # mkdtemp makes 0700; the folder is for serving
            old = None
            if target.is_dir():
                old = Path(tempfile.mkdtemp(dir=self.path, prefix=TEMP_FOLDER_PREFIX,
                                            suffix=".tmp"))
                os.replace(target, old / name)
            os.replace(fresh, target)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def write_record(self, name: str, data: bytes) -> None:
        """Write one of the build's own records (NOOP_FILE) atomically."""
        write_atomic(self.path / name, data)

    def drop_record(self, name: str) -> None:
        """Remove one of the build's own records (a link in its place: the link, not its target)."""
        (self.path / name).unlink(missing_ok=True)

    def settle(self, alive: Callable[[Entry], bool]) -> list[str]:
        """Settle outputs of earlier builds that this run did not write; return those removed.

        Kept (and still listed): those `alive` says still belong to a document (one that failed
        now, or a format or layout not asked for this time). Removed: the others — and only
        files the build's own lists name, inside the folder, never a link.
        """
        removed: list[str] = []
        root = self.path.resolve()
        for relative, entry in self.previous.items():
            if relative in self.outputs:
                continue
            parts = _parts(relative)
            target = self.path.joinpath(*parts) if parts else None
            if target is None or not target.resolve().is_relative_to(root) or \
                    target.resolve() == root:
                continue  # a tampered manifest must not point the build outside dist/
            if alive(entry):
                if target.is_file():
                    self.outputs[relative] = entry
            elif target.is_file() and not target.is_symlink():
                target.unlink()
                removed.append(relative)
        return removed

    def close(self) -> Diagnostic | None:
        """Record the state and the manifest; a diagnostic when they cannot be written.

        Outputs kept from earlier builds keep their recorded state. On failure the old manifest
        stays whole and the journal keeps the new files known.
        """
        for relative in self.outputs:
            if relative not in self._new_state and relative in self.state:
                self._new_state[relative] = self.state[relative]
        manifest = {"outputs": [self.outputs[key] for key in sorted(self.outputs)]}
        target = self.path / STATE_FILE
        try:
            write_atomic(target, state_bytes(self._new_state))
            target = self.path / MANIFEST
            write_atomic(target, (json.dumps(manifest, indent=2, ensure_ascii=False)
                                  + "\n").encode("utf-8"))
        except OSError as exc:
            return write_failure(target, exc).diagnostic
        self._journal.close_and_remove()  # the manifest now lists everything it noted
        return None


def _parts(relative: str) -> tuple[str, ...] | None:
    """The segments of a relative output path; None when it is absolute or climbs out."""
    posix = PurePosixPath(relative)
    if posix.is_absolute() or not posix.parts or "\\" in relative or \
            any(".." in part for part in posix.parts):
        return None
    return posix.parts


def output_path(out_dir: Path, relative: str) -> Path:
    """`out_dir / relative`, or a LeafletError when that would leave `out_dir`.

    Refused: absolute paths, `..`, segments that are not plain names, and folders inside
    `out_dir` that are symbolic links to somewhere else.
    """
    parts = _parts(relative)
    if parts is None or not all(_SEGMENT_RE.fullmatch(part) for part in parts):
        raise LeafletError(out_dir / relative, 0, f"output path '{relative}' would leave the "
                                                  "output folder — slugs and layout names may "
                                                  "use only letters, digits and hyphens")
    target = out_dir.joinpath(*parts)
    root = out_dir.resolve()
    # the folder must really be inside --out (a symlinked dist/clinic could point anywhere)
    if not target.parent.resolve().is_relative_to(root):
        raise LeafletError(target, 0, f"the folder {target.parent} leads outside {out_dir} "
                                      "(a symbolic link) — remove the link or choose another --out")
    return target


def _check_own_files(out_dir: Path) -> None:
    """Refuse to build when a file the build keeps in `out_dir` is a link or the user's own.

    The journal, state and manifest are rewritten by every build: a symbolic link in their
    place would send the write elsewhere, and a `manifest.json` of the user's (a web app's,
    say) would be lost. Ours is a JSON object with an `outputs` list.
    """
    for name in (JOURNAL_FILE, STATE_FILE, MANIFEST):
        path = out_dir / name
        if path.is_symlink():
            raise LeafletError(path, 0, f"{path} is a symbolic link — the build writes this "
                                        "file itself; remove the link")
    path = out_dir / MANIFEST
    if not path.exists():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if not (isinstance(data, dict) and isinstance(data.get("outputs"), list)):
        raise LeafletError(path, 0, f"{path} was not written by `leaflet build` (it is not a "
                                    "build manifest) — move your file, or build into another "
                                    "--out folder")


def write_failure(path: Path, exc: OSError) -> LeafletError:
    """What a failed write means for the user: the file, the system's reason, what to do."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        advice = "free some space on that disk (or choose another --out) and build again"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        advice = "the output folder cannot be written: make it writable or choose another --out"
    else:
        advice = "check the output folder and build again"
    reason = exc.strerror or str(exc)
    return LeafletError(path, 0, f"could not write it: {reason} — {advice}; files already "
                                 "there are left as they were")


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMP_PREFIX}{path.name}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(out_dir: Path) -> list[Entry]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        outputs = data.get("outputs", [])
        return [o for o in outputs if isinstance(o, dict)]
    except (OSError, ValueError, AttributeError):
        return []


def read_state(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Path -> {inputs, sha256, bytes} of the outputs the last build wrote."""
    try:
        data = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return {}
    outputs = data.get("outputs")
    return {k: v for k, v in outputs.items() if isinstance(v, dict)} if isinstance(outputs, dict) \
        else {}


def state_bytes(outputs: dict[str, dict[str, Any]]) -> bytes:
    data = {"version": STATE_VERSION, "outputs": {k: outputs[k] for k in sorted(outputs)}}
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


class Journal:
    """Paths of new outputs, noted before each is written (one JSON line each).

    The manifest is written at the end; if the build is killed first, the next build reads
    the journal to know these files are its own (so it may replace or remove them).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: Any = None

    def note(self, task: Task) -> None:
        if self._handle is None:  # O_NOFOLLOW: a link planted here must not lead the write away
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o644)
            self._handle = os.fdopen(fd, "a", encoding="utf-8")
        entry = {"slug": task.slug, "kind": task.kind, "format": task.format,
                 "layout": task.layout, "path": task.relative_path}
        self._handle.write(json.dumps(entry) + "\n")
        self._handle.flush()  # in the kernel before the output exists: survives kill -9

    def close_and_remove(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self.path.unlink(missing_ok=True)


def read_journal(out_dir: Path) -> dict[str, Entry]:
    """Outputs a killed build noted, as manifest entries of the files that exist."""
    entries: dict[str, Entry] = {}
    try:
        lines = (out_dir / JOURNAL_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return entries
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # the last line of a killed build may be cut short
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str):
            continue
        digest = file_sha256(out_dir / path)
        if digest is not None:
            entries[path] = {**entry, "sha256": digest,
                             "bytes": (out_dir / path).stat().st_size}
    return entries


@contextlib.contextmanager
def lock(out_dir: Path) -> Iterator[None]:
    """One build at a time per output folder (a watch and a build must not interleave)."""
    path = out_dir / LOCK_FILE
    try:  # O_NOFOLLOW: a link planted here must not make the build create a file elsewhere
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError:
        if path.is_symlink():
            raise LeafletError(path, 0, f"{path} is a symbolic link — the build keeps its own "
                                        "lock file there; remove the link") from None
        raise
    with os.fdopen(fd, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released by the kernel even after kill -9
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_temp_folders(out_dir: Path) -> None:
    """Folders a killed build left half-written by replace_folder (only its own name pattern)."""
    for path in out_dir.glob(f"{TEMP_FOLDER_PREFIX}*.tmp"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


def remove_stale_temp_files(out_dir: Path) -> list[Path]:
    """Delete the temporary files a killed build left (only write_atomic's own pattern)."""
    removed: list[Path] = []
    folders = [out_dir] + [p for p in out_dir.iterdir() if p.is_dir() and not p.is_symlink()]
    for folder in folders:
        for path in folder.iterdir():
            if TEMP_FILE.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
