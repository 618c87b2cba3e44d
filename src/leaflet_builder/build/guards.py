"""Build stage, process hygiene: helper processes end with the build, their folders with them.

A build runs a fork server and pool workers (build/runners.py). If the build is killed (kill -9, a
closed terminal, SIGTERM from a CI runner) they used to live on, about 280 MB, waiting for work
that never comes; and each left its copy of the fonts (about 6 MB) in the temporary folder.
Two defences: every helper asks the kernel to kill it when its parent dies (Linux
`PR_SET_PDEATHSIG`; elsewhere a thread that watches the parent), and temporary folders carry
their owner's pid in their name, so the next build removes those whose owner is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# leaflet-<kind>-<owner pid>-<mkdtemp's 8 characters>: only folders named so are ever swept
_TEMP_DIR_RE = re.compile(r"leaflet-([a-z]+)-([0-9]+)-[A-Za-z0-9_]{8}")


def die_with_parent() -> None:
    """End this process when the one that started it ends, however that one ends."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # it died before the request was made
                os._exit(1)
            return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="leaflet-parent-watch").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)  # orphaned: re-parented to init or a subreaper


def owned_temp_dir(kind: str) -> Path:
    """A new temporary folder whose name says which process owns it (see sweep_dead_temp_dirs)."""
    return Path(tempfile.mkdtemp(prefix=f"leaflet-{kind}-{os.getpid()}-"))


def sweep_dead_temp_dirs(folder: Path | None = None) -> list[Path]:
    """Remove this user's leaflet temporary folders whose owner process has ended."""
    root = Path(folder or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for path in entries:
        match = _TEMP_DIR_RE.fullmatch(path.name)
        if match is None or _process_alive(int(match.group(2))):
            continue
        try:
            info = path.lstat()
        except OSError:
            continue
        # a folder, not a link; and ours: another user's folder is theirs to clean
        if path.is_dir() and not path.is_symlink() and info.st_uid == os.getuid():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # exists (another user's), or not a pid at all: leave it alone
    try:  # a killed process stays a zombie until its new parent reaps it: it is gone all the same
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")
