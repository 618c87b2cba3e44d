"""Build stage, writing side: output paths stay inside --out; only the build's own files are replaced.

The rule (documented in the README): the build writes, replaces and deletes only files that the
previous build's manifest lists, or new files at paths where nothing exists yet. A file of the
user's at an output path (say their own `dist/clinic/fever.pdf`) is never overwritten: that
output fails with a message saying what to do, and every other output is still built.
"""

from __future__ import annotations

import errno
import json
import re
from collections.abc import Collection, Iterable
from pathlib import Path, PurePosixPath

from leaflet_builder.errors import LeafletError

# one path segment of an output: a layout name or `slug.ext`
_SEGMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def output_path(out_dir: Path, relative: str) -> Path:
    """`out_dir / relative`, or a LeafletError when that would leave `out_dir`.

    Refused: absolute paths, `..`, segments that are not plain names, and folders inside
    `out_dir` that are symbolic links to somewhere else.
    """
    posix = PurePosixPath(relative)
    if posix.is_absolute() or not posix.parts or "\\" in relative or \
            not all(_SEGMENT_RE.fullmatch(part) and ".." not in part for part in posix.parts):
        raise LeafletError(out_dir / relative, 0, f"output path '{relative}' would leave the "
                                                  "output folder — slugs and layout names may "
                                                  "use only letters, digits and hyphens")
    target = out_dir.joinpath(*posix.parts)
    root = out_dir.resolve()
    # the folder must really be inside --out (a symlinked dist/clinic could point anywhere)
    if not target.parent.resolve().is_relative_to(root):
        raise LeafletError(target, 0, f"the folder {target.parent} leads outside {out_dir} "
                                      "(a symbolic link) — remove the link or choose another --out")
    return target


def check_may_write(out_dir: Path, relative: str, owned: Collection[str]) -> Path:
    """The path to write `relative` to, refused when a file the build did not write is there.

    `owned`: the output paths the previous manifest lists (files this tool wrote).
    """
    target = output_path(out_dir, relative)
    if relative in owned:
        return target
    if target.is_symlink() or target.exists():
        raise LeafletError(target, 0, f"{target} already exists and was not written by "
                                      "`leaflet build` (it is not in the manifest) — move or "
                                      "rename your file, or build into another --out folder")
    return target


def check_own_files(out_dir: Path, names: Iterable[str], manifest: str) -> None:
    """Refuse to build when a file the build keeps in `out_dir` is a link or the user's own.

    The journal, state and manifest are rewritten by every build: a symbolic link in their
    place would send the write elsewhere, and a `manifest.json` of the user's (a web app's,
    say) would be lost. Ours is a JSON object with an `outputs` list.
    """
    for name in names:
        path = out_dir / name
        if path.is_symlink():
            raise LeafletError(path, 0, f"{path} is a symbolic link — the build writes this "
                                        "file itself; remove the link")
    path = out_dir / manifest
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


def may_delete(out_dir: Path, relative: str, owned: Collection[str]) -> bool:
    """True when the build may delete `relative`: listed as its own and really inside `out_dir`."""
    if relative not in owned:
        return False
    try:
        target = output_path(out_dir, relative)
    except LeafletError:
        return False
    return target.is_file() and not target.is_symlink()
