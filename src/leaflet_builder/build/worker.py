"""Build stage, worker side: render one job in a warm process and report the outcome, never raise.

A job carries the model objects it needs (leaflet or booklet with its members, and the render
context), so a worker never re-reads the project: what is rendered is exactly what the build
fingerprinted. Renderers, templates, CSS and fonts are module-level caches that live as long
as the worker process, so only the first job of a worker pays for loading them.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from leaflet_builder.build.guards import die_with_parent
from leaflet_builder.errors import Diagnostic, LeafletError, Location
from leaflet_builder.model import Booklet, Leaflet
from leaflet_builder.render import RenderContext, get_renderer
from leaflet_builder.render.formats import FORMATS

OutputKind = Literal["leaflet", "booklet"]


@dataclass(frozen=True, order=True)
class Task:
    """One output to render: which document, in which format and layout."""

    kind: OutputKind
    slug: str
    format: str
    layout: str

    @property
    def relative_path(self) -> str:
        return f"{self.layout}/{self.slug}.{FORMATS[self.format].extension}"


@dataclass(frozen=True)
class RenderJob:
    """Everything a worker needs to render one task; picklable (plain frozen dataclasses)."""

    task: Task
    ctx: RenderContext
    document: Leaflet | Booklet
    members: tuple[Leaflet, ...] = ()
    timeout: float | None = None
    job_id: int = 0
    build_id: str = ""  # which build a job belongs to (one uuid per build run)

    @property
    def source_path(self) -> Path:
        return self.document.path


@dataclass(frozen=True)
class RenderOutcome:
    """What came back: the bytes, or the diagnostics saying why there are none."""

    task: Task
    data: bytes | None
    diagnostics: tuple[Diagnostic, ...] = ()
    seconds: float = 0.0
    job_id: int = 0
    worker: str = field(default="", compare=False)


class RenderTimeout(BaseException):
    """Raised inside a render that ran past its time limit (BaseException: renderers' broad
    `except Exception` blocks must not swallow it)."""


# One render at a time per process: WeasyPrint and the shared caches are not made for threads,
# and Dask workers may run several tasks in threads of one process.
_RENDER_LOCK = threading.Lock()
# Set by the process pool's initializer: where to say "job N started in process P at T".
_START_QUEUE: Any = None
# This worker's address-space ceiling in bytes (None: none), for the out-of-memory message.
_MEMORY_LIMIT: int | None = None


def init_pool_worker(start_queue: Any, formats: tuple[str, ...],
                     memory_limit: int | None = None) -> None:
    """Process-pool initializer: remember the start queue, bound the memory, warm up."""
    global _START_QUEUE
    _START_QUEUE = start_queue
    limit_memory(memory_limit)
    # a killed build must not leave workers behind: the parent's Ctrl-C reaches them anyway,
    # and they should stop quietly rather than print tracebacks
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()  # the fork server: killed with the build, it takes its workers along
    warm_up(formats)


def limit_memory(limit: int | None) -> None:
    """Give this process an address-space ceiling (RLIMIT_AS), so one runaway render (a
    template loop, a huge source) fails alone instead of taking the machine's memory.

    RLIMIT_AS counts virtual memory, which WeasyPrint and Pango map generously: a worker on the
    shipped content peaks near 400 MB of it, so the 2 GB default leaves a wide margin.
    """
    global _MEMORY_LIMIT
    if not limit:
        return
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    _MEMORY_LIMIT = limit


def memory_message(job: RenderJob, limit: int | None) -> str:
    shown = f" (limit {format_bytes(limit)})" if limit else ""
    return (f"{job.task.layout} {job.task.format}: rendering ran out of memory{shown} — "
            "simplify the layout or the document, or raise --memory-limit")


def _peak_address_space() -> int:
    """This process's highest address-space size so far in bytes (Linux; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _hit_memory_limit(peak_before: int) -> bool:
    """This job pushed the process up to its ceiling (within 10 %): its failure is memory."""
    if not _MEMORY_LIMIT:
        return False
    peak = _peak_address_space()
    return peak > peak_before and peak >= _MEMORY_LIMIT * 0.9


def format_bytes(size: int) -> str:
    return f"{size / 2**30:g} GB" if size >= 2**30 else f"{size / 2**20:g} MB"


def warm_up(formats: tuple[str, ...]) -> None:
    """Import the renderers now, so the first job's time is its own."""
    for fmt in formats:
        if not FORMATS[fmt].renders_documents:
            continue  # the web site is made in the build's own process
        try:
            get_renderer(fmt)
        except Exception:  # noqa: BLE001, S110 - the job itself reports it, with its path
            pass


def run_job(job: RenderJob) -> RenderOutcome:
    """Render one job; every failure becomes a diagnostic on the job's source file."""
    with _RENDER_LOCK:
        if _START_QUEUE is not None:
            _START_QUEUE.put((job.job_id, os.getpid(), time.monotonic()))
        started = time.perf_counter()
        # the ceiling's yardstick, read only where a ceiling is set (a /proc read per job)
        peak_before = _peak_address_space() if _MEMORY_LIMIT else 0
        data: bytes | None = None
        diagnostics: tuple[Diagnostic, ...] = ()
        try:
            with _time_limit(job.timeout):
                data = _render(job)
        except LeafletError as exc:
            diagnostics = (exc.diagnostic,)
        except RenderTimeout:
            diagnostics = (Diagnostic(Location(job.source_path), timeout_message(job)),)
        except MemoryError:  # over this worker's ceiling (limit_memory)
            diagnostics = (Diagnostic(Location(job.source_path),
                                      memory_message(job, _MEMORY_LIMIT)),)
        except Exception as exc:  # noqa: BLE001 - a renderer bug must not stop the others
            if _hit_memory_limit(peak_before):  # C code failing to allocate raises other errors
                diagnostics = (Diagnostic(Location(job.source_path),
                                          memory_message(job, _MEMORY_LIMIT)),)
            else:
                where = traceback.extract_tb(exc.__traceback__)[-1]
                diagnostics = (Diagnostic(Location(job.source_path), (
                    f"could not render {job.task.format}: {type(exc).__name__}: {exc} "
                    f"(in {Path(where.filename).name}:{where.lineno}; please report this)")),)
        return RenderOutcome(job.task, data, diagnostics, time.perf_counter() - started,
                             job.job_id, worker=f"{os.getpid()}")


def timeout_message(job: RenderJob) -> str:
    return (f"{job.task.layout} {job.task.format}: rendering took longer than "
            f"{job.timeout:g} s and was stopped (raise the limit with --timeout)")


def _render(job: RenderJob) -> bytes:
    renderer = get_renderer(job.task.format)
    if isinstance(job.document, Leaflet):
        return renderer.render_leaflet(job.document, job.ctx)
    return renderer.render_booklet(job.document, list(job.members), job.ctx)


class _time_limit:
    """Raise RenderTimeout in this thread after `seconds` (between Python bytecodes).

    In a process's main thread an interval timer signal does it (it also interrupts system
    calls); in other threads (Dask workers) a timer injects the exception asynchronously.
    A render stuck inside C code is not reached this way: the process pool kills such a
    worker from outside (see build/runners.py).
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._timer: threading.Timer | None = None
        self._previous: Any = None

    def __enter__(self) -> None:
        if not self.seconds or self.seconds <= 0:
            return
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGALRM, _raise_timeout)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        else:
            target = threading.get_ident()
            self._timer = threading.Timer(self.seconds, _inject_timeout, (target,))
            self._timer.daemon = True
            self._timer.start()

    def __exit__(self, *exc: object) -> None:
        if not self.seconds or self.seconds <= 0:
            return
        if self._timer is not None:
            self._timer.cancel()
        else:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous or signal.SIG_DFL)


def _raise_timeout(signum: int, frame: object) -> None:
    raise RenderTimeout()


def _inject_timeout(thread_id: int) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(RenderTimeout))


RenderFunction = Callable[[RenderJob], RenderOutcome]
