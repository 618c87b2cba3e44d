"""Build stage, execution: where renders run — this process, a process pool, or any Executor.

The runner is chosen in one place, `open_runner`, for a build and for a watch alike. Three
runners share one contract: `run(jobs, on_done)` calls `on_done` with each job's outcome
as it finishes (in any order), and always returns with one outcome per job:

- `InlineRunner`: this process, one job after another (`--jobs 1`; warm across watch rebuilds).
- `PoolRunner`: a pool of warm worker processes (`--jobs N`). Each worker says when it starts a
  job; a job still running `grace` seconds after its time limit (stuck in C code, where the
  worker's own timer cannot reach it) gets its worker killed, is reported, and the others go on
  in a fresh pool. A worker that crashes is reported the same way.
- `ExecutorRunner`: any `concurrent.futures.Executor`, such as a Dask cluster's
  (`--scheduler ADDRESS`); time limits are then enforced by the worker's timer only.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from leaflet_builder.build.worker import (
    RenderFunction,
    RenderJob,
    RenderOutcome,
    init_pool_worker,
    memory_message,
    run_job,
    timeout_message,
)
from leaflet_builder.errors import Diagnostic, LeafletError, Location
from leaflet_builder.render.formats import FORMATS

if TYPE_CHECKING:
    from leaflet_builder.build.options import BuildOptions

OnDone = Callable[[RenderOutcome], None]
POLL_SECONDS = 0.25


class Runner(Protocol):
    def run(self, jobs: Sequence[RenderJob], on_done: OnDone) -> None: ...

    def close(self) -> None: ...


def default_jobs() -> int:
    """The CPUs this process may use (not the machine's count, which containers overstate)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def hard_limit(timeout: float | None) -> float | None:
    """When a job's worker is killed: some time after the worker's own timer should have fired."""
    return None if not timeout else timeout + max(5.0, timeout * 0.25)


class InlineRunner:
    """Render in this process (the warm caches live here, which suits watch and `--jobs 1`)."""

    def run(self, jobs: Sequence[RenderJob], on_done: OnDone) -> None:
        for job in jobs:
            on_done(run_job(job))

    def close(self) -> None:
        pass


class ExecutorRunner:
    """Render on any concurrent.futures.Executor (which the caller owns and shuts down)."""

    def __init__(self, executor: Executor, function: RenderFunction = run_job) -> None:
        self._executor = executor
        self._function = function

    def run(self, jobs: Sequence[RenderJob], on_done: OnDone) -> None:
        futures: dict[Future[RenderOutcome], RenderJob] = {
            self._executor.submit(self._function, job): job for job in jobs}
        while futures:
            done, _ = wait(futures, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                job = futures.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - the executor lost the task (worker died, cancelled)
                    outcome = _failed(job, f"the render was lost by the executor: "
                                           f"{type(exc).__name__}: {exc}")
                on_done(outcome)

    def close(self) -> None:
        pass


def worker_context(formats: Sequence[str]) -> Any:
    """Where pool workers come from: a fork server that has imported the renderers.

    forkserver: workers start from a clean process (forking one that runs a progress thread
    can deadlock) that has already imported the renderers, so WeasyPrint's import is paid once
    and its memory shared copy-on-write by every worker.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(  # build.orphan first: the server dies with the build
        ["leaflet_builder.build.orphan", "leaflet_builder.build.worker",
         *(module for fmt in formats if (module := FORMATS[fmt].module) is not None)])
    return context


def start_workers_early(formats: Sequence[str]) -> None:
    """Start the fork server now, in the background, before the project is read.

    Its imports (about a second, mostly WeasyPrint) then overlap this process's own imports
    and reading, instead of following them. If the build turns out to need no pool, the
    server stops by itself when this process ends.
    """
    worker_context(formats)
    fork_server_starts()  # if it cannot, the pool finds out again and renders in-process


def fork_server_starts() -> bool:
    """Start the fork server unless it runs; False when it cannot start here.

    It gets /dev/null for output: the renderers report through their outcomes, never by
    printing, and a server holding this process's stdout and stderr kept whoever reads them
    (a pipe, CI) waiting for its own shutdown, a fifth of a second after this process ended.
    The fork server listens on a socket in the temporary folder, and a socket's path is
    limited to about 100 characters: with a long TMPDIR it cannot start, and the build then
    renders in this process instead of stopping with a traceback.
    """
    global _fork_server_started
    from multiprocessing import forkserver

    try:
        if _fork_server_started:
            forkserver.ensure_running()  # a no-op unless the server died (watch keeps going)
        else:
            with _output_to_devnull():
                forkserver.ensure_running()
            _fork_server_started = True
    except OSError:
        return False
    return True


_fork_server_started = False  # in this process; later checks leave stdout and stderr alone


@contextlib.contextmanager
def _output_to_devnull() -> Iterator[None]:
    """Point file descriptors 1 and 2 at /dev/null for a moment (for a child to inherit)."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


class PoolRunner:
    """A pool of warm worker processes, kept between runs (watch rebuilds reuse it)."""

    def __init__(self, workers: int, formats: tuple[str, ...],
                 function: RenderFunction = run_job, memory_limit: int | None = None) -> None:
        self.workers = workers
        self._memory_limit = memory_limit
        self._function = function  # a module-level function (workers import it by name)
        self._formats = formats
        self._context = worker_context(formats)
        self._pool: ProcessPoolExecutor | None = None
        self._starts: Any = None

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._starts = self._context.Queue()
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=self._context, initializer=init_pool_worker,
                initargs=(self._starts, self._formats, self._memory_limit))
        return self._pool

    def run(self, jobs: Sequence[RenderJob], on_done: OnDone) -> None:
        if not fork_server_starts():
            InlineRunner().run(jobs, on_done)  # slower, but the build is made
            return
        remaining = {job.job_id: job for job in jobs}
        crashes: dict[int, int] = {}
        idle_rounds = 0
        try:
            while remaining:
                before = len(remaining)
                self._run_round(remaining, crashes, on_done)
                idle_rounds = idle_rounds + 1 if len(remaining) == before else 0
                if idle_rounds >= 3:  # workers die before saying which job they ran
                    for job in remaining.values():
                        on_done(_failed(job, "the renderer processes kept crashing"))
                    remaining.clear()
        except BaseException:  # Ctrl-C: stop the workers now rather than after their jobs
            self._discard_pool()
            raise

    def _run_round(self, remaining: dict[int, RenderJob], crashes: dict[int, int],
                   on_done: OnDone) -> None:
        """Submit what remains; return when all finished or the pool broke (then restart)."""
        pool = self._ensure_pool()
        futures = {pool.submit(self._function, job): job_id for job_id, job in remaining.items()}
        running: dict[int, tuple[int, float]] = {}  # job id -> (worker pid, start time)
        killed: dict[int, int] = {}  # job id -> pid we killed
        broken = False
        while futures and not broken:
            done, _ = wait(futures, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            self._read_starts(running)
            for future in done:
                job_id = futures.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                running.pop(job_id, None)
                remaining.pop(job_id, None)
                on_done(outcome)
            if not broken:
                killed.update(self._kill_overdue(remaining, running, futures))
        if not broken and not killed:
            return
        # the pool is broken (a worker was killed or crashed): settle the jobs that were on a
        # dead worker, start a fresh pool for the rest
        self._read_starts(running)
        dead = self._dead_pids()
        self._discard_pool()
        for job_id, (pid, _) in list(running.items()):
            job = remaining.get(job_id)
            if job is None:
                continue
            if job_id in killed:
                on_done(_failed(job, timeout_message(job)))
                remaining.pop(job_id)
            elif pid in dead:
                crashes[job_id] = crashes.get(job_id, 0) + 1
                if crashes[job_id] >= 2:  # crashed its worker twice: it is the job, not bad luck
                    on_done(_failed(job, self._crash_message(job, dead[pid])))
                    remaining.pop(job_id)

    def _crash_message(self, job: RenderJob, code: int) -> str:
        """A C library that cannot allocate aborts instead of raising MemoryError."""
        if self._memory_limit and code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL):
            return (memory_message(job, self._memory_limit)
                    + f" (the renderer process stopped with exit {code})")
        return f"the renderer process crashed on this document (exit {code})"

    def _read_starts(self, running: dict[int, tuple[int, float]]) -> None:
        while True:
            try:
                job_id, pid, started = self._starts.get_nowait()
            except (queue.Empty, OSError, EOFError, ValueError):
                return
            running[job_id] = (pid, started)

    def _kill_overdue(self, remaining: dict[int, RenderJob], running: dict[int, tuple[int, float]],
                      futures: dict[Future[RenderOutcome], int]) -> dict[int, int]:
        in_flight = set(futures.values())
        now = time.monotonic()
        killed: dict[int, int] = {}
        for job_id, (pid, started) in running.items():
            job = remaining.get(job_id)
            limit = hard_limit(job.timeout) if job else None
            if job_id in in_flight and limit is not None and now - started > limit:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                killed[job_id] = pid
        return killed

    def _dead_pids(self) -> dict[int, int]:
        """Worker pid -> exit code of workers that died by themselves (not stopped by the pool)."""
        processes = dict(getattr(self._pool, "_processes", None) or {})
        dead: dict[int, int] = {}
        for pid, process in processes.items():
            process.join(timeout=1)
            code = process.exitcode
            if code not in (None, 0, -signal.SIGTERM):
                dead[pid] = code
        return dead

    def _discard_pool(self) -> None:
        if self._pool is not None:
            for process in list((getattr(self._pool, "_processes", None) or {}).values()):
                if process.is_alive():
                    process.kill()
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None
        if self._starts is not None:
            self._starts.close()
            self._starts = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._starts is not None:
            self._starts.close()
            self._starts = None


def _failed(job: RenderJob, message: str) -> RenderOutcome:
    return RenderOutcome(job.task, None, (Diagnostic(Location(job.source_path), message),),
                         job_id=job.job_id)


@contextlib.contextmanager
def open_runner(options: BuildOptions, pending: int | None = None,
                executor: Executor | None = None) -> Iterator[Runner]:
    """The runner for `pending` renders (None: for every build of a watch), closed after.

    An executor given by the caller (who shuts it down); a Dask cluster (`--scheduler`); else
    a pool for real parallel work, or this process when one worker (or one job) is enough.
    `memory_limit` bounds each pool worker; renders in this process are not bounded (a C
    library that cannot allocate aborts the process, which here would be the build itself).
    """
    if executor is not None:
        yield ExecutorRunner(executor)
        return
    if options.scheduler:
        with dask_executor(options.scheduler) as dask:
            yield ExecutorRunner(dask)
        return
    jobs = options.jobs or default_jobs()
    # a watch's runner serves every save, not one known set of renders: as many workers as jobs
    pending = jobs if pending is None else pending
    runner: Runner
    if jobs <= 1 or (pending <= 1 and not options.memory_limit):  # one job: a worker only
        runner = InlineRunner()  # for its bound; renderers load lazily on the first job
    else:
        runner = PoolRunner(min(jobs, pending), options.formats,
                            memory_limit=options.memory_limit)
    try:
        yield runner
    finally:
        runner.close()


@contextlib.contextmanager
def dask_executor(address: str) -> Iterator[Executor]:
    """A concurrent.futures view of a Dask distributed cluster (the optional `dask` extra)."""
    try:
        from distributed import Client
    except ImportError:
        raise LeafletError(Path("--scheduler"), 0, "running on a Dask cluster needs the dask "
                           "extra: pip install 'leaflet-builder[dask]'") from None
    try:
        client = Client(address, timeout="10s", set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise LeafletError(Path("--scheduler"), 0,
                           f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        yield client.get_executor(pure=False)  # type: ignore[no-untyped-call]
    finally:
        client.close()  # type: ignore[no-untyped-call]
