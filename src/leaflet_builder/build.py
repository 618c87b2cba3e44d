"""Build stage: plan the outputs, skip those whose inputs did not change, render the rest in
parallel, write every file atomically, remove what the build wrote for withdrawn content, and
record the manifest.

Pieces: `build_inputs` (fingerprints, state of the last build), `build_worker` (what a worker
process runs), `build_exec` (in-process, process pool or any Executor such as Dask's).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leaflet_builder.build_inputs import (
    STATE_FILE,
    Fingerprinter,
    file_sha256,
    read_state,
    state_bytes,
)
from leaflet_builder.build_noop import NoopRecord
from leaflet_builder.build_worker import OutputKind, RenderJob, RenderOutcome, Task
from leaflet_builder.errors import Diagnostic, LeafletError
from leaflet_builder.model import glossary_terms
from leaflet_builder.output_guard import check_may_write, check_own_files, write_failure
from leaflet_builder.process_guard import sweep_dead_temp_dirs
from leaflet_builder.render import (
    ALL_FORMATS,
    BOOKLET_FORMATS,
    SITE_FORMAT,
    RenderContext,
    get_renderer,
)

if TYPE_CHECKING:  # imported where used: a no-op build (build_noop) must not load the reader
    from concurrent.futures import Executor

    from leaflet_builder.layouts import Layout
    from leaflet_builder.project import Project

MANIFEST = "manifest.json"
LOCK_FILE = ".leaflet-build.lock"
JOURNAL_FILE = ".leaflet-build-journal.jsonl"
DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_LIMIT = 2 * 2**30  # a worker peaks near 400 MB on the shipped content
# what write_atomic's temporary files look like (mkstemp adds 8 characters of [a-z0-9_]); the
# prefix is the build's own, so a user's `.report.abcd1234.tmp` is never taken for a leftover
TEMP_PREFIX = ".leaflet-tmp-"
TEMP_FILE = re.compile(r"\.leaflet-tmp-.+\.[a-z0-9_]{8}\.tmp")
LARGE_PRINT = "large-print"  # the layout whose leaflet PDFs the web site offers by default

__all__ = [
    "MANIFEST",
    "BuildOptions",
    "BuildResult",
    "OutputKind",
    "Task",
    "build",
    "plan_tasks",
    "read_manifest",
    "render_task",
    "write_atomic",
]

Status = str  # "built", "up to date" or "failed"
OnOutput = Callable[[Task, Status], None]


@dataclass(frozen=True)
class BuildOptions:
    source_dir: Path
    out_dir: Path
    layouts: tuple[str, ...] = ()  # empty: the project's default layout
    formats: tuple[str, ...] = ALL_FORMATS
    jobs: int | None = None  # None: one per CPU
    force: bool = False  # rebuild even what is up to date
    timeout: float | None = DEFAULT_TIMEOUT  # seconds one render may take; None: no limit
    scheduler: str | None = None  # a Dask scheduler's address
    allow_overdue: bool = False  # build approved leaflets past their review date (warns)
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT  # bytes of address space per worker
    approved_only: bool = False  # the web site shows approved leaflets only (publishing)


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    built: list[dict[str, object]] = field(default_factory=list)
    up_to_date: list[dict[str, object]] = field(default_factory=list)
    failed: list[Task] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # documents that did not build now ("leaflet"/"booklet", slug): source errors, an overdue
    # review, a failed render
    failed_documents: list[tuple[str, str]] = field(default_factory=list)
    # outputs of those kept from an earlier build: path -> why it is stale (also in the manifest)
    stale: dict[str, str] = field(default_factory=dict)
    planned: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed and not any(d.level == "error" for d in self.diagnostics)


def plan_tasks(project: Project, layouts: list[Layout], formats: tuple[str, ...]) -> list[Task]:
    """Every output the project asks for, leaflets first, in a stable order."""
    tasks = [Task("leaflet", slug, fmt, layout.name)
             for layout in layouts for slug in sorted(project.leaflets) for fmt in formats]
    tasks += [Task("booklet", slug, fmt, layout.name)
              for layout in layouts for slug in sorted(project.booklets) for fmt in formats
              if fmt in BOOKLET_FORMATS]
    return tasks


def render_task(task: Task, project: Project, ctx: RenderContext) -> bytes:
    """Render one task in this process (for callers outside the build, e.g. checks)."""
    from leaflet_builder.project import booklet_members

    renderer = get_renderer(task.format)
    if task.kind == "leaflet":
        return renderer.render_leaflet(project.leaflets[task.slug], ctx)
    booklet = project.booklets[task.slug]
    return renderer.render_booklet(booklet, booklet_members(project, booklet), ctx)


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


def read_manifest(out_dir: Path) -> list[dict[str, object]]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        outputs = data.get("outputs", [])
        return [o for o in outputs if isinstance(o, dict)]
    except (OSError, ValueError, AttributeError):
        return []


def build_date_from_env(environ: dict[str, str] | None = None) -> dt.datetime | None:
    """The date every output shows when SOURCE_DATE_EPOCH is set (reproducible builds)."""
    value = (environ if environ is not None else os.environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise LeafletError(Path("SOURCE_DATE_EPOCH"), 0,
                           f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not '{value}'")
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def build(options: BuildOptions, on_output: OnOutput | None = None,
          executor: Executor | None = None, runner: Any = None,
          on_plan: Callable[[int], None] | None = None) -> BuildResult:
    """Read the project, render what changed, write outputs and the manifest.

    `executor`: run the renders on it (any concurrent.futures.Executor). `runner`: a
    build_exec runner kept between builds (watch). Otherwise `options` decide: a Dask
    cluster (`scheduler`), a process pool (`jobs` > 1) or this process.
    """
    started = time.perf_counter()
    sweep_dead_temp_dirs()  # the font folders of builds that were killed
    out_dir = options.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(out_dir):
        result = _build_locked(options, on_output, executor, runner, on_plan)
    result.seconds = time.perf_counter() - started
    return result


def _build_locked(options: BuildOptions, on_output: OnOutput | None, executor: Executor | None,
                  runner: Any, on_plan: Callable[[int], None] | None) -> BuildResult:
    from leaflet_builder.i18n import language_diagnostics
    from leaflet_builder.layouts import load_layout
    from leaflet_builder.project import document_languages, load_project

    out_dir = options.out_dir
    # the files the build keeps beside the outputs must be its own, and never links
    check_own_files(out_dir, (JOURNAL_FILE, STATE_FILE, MANIFEST), manifest=MANIFEST)
    remove_stale_temp_files(out_dir)
    noop = NoopRecord(options)  # hashes the sources before they are read
    project = load_project(options.source_dir)
    result = BuildResult(diagnostics=list(project.diagnostics.items))
    from leaflet_builder.check.gate import apply_build_gate

    # the quality gate: an approved leaflet past its review date is not built (check/gate.py)
    gate = apply_build_gate(project, allow_overdue=options.allow_overdue)
    result.diagnostics += gate
    try:
        build_date = build_date_from_env()
        layout_names = options.layouts or (project.settings.default_layout,)
        layouts = [load_layout(name, project.root) for name in layout_names]
        large_print = [load_layout(LARGE_PRINT, project.root)] \
            if site_wants_large_print(project, options, layout_names) else []
    except LeafletError as exc:
        result.diagnostics.append(exc.diagnostic)
        return result
    # the layouts' words in each language: one warning per language without a catalogue
    # for the whole build (not one per leaflet and format), a broken layout catalogue once
    result.diagnostics += language_diagnostics(
        document_languages(project), [(layout.name, layout.folders) for layout in layouts])
    noop.use_layouts(folder for layout in layouts + large_print for folder in layout.folders)
    previous = {str(o.get("path")): o for o in read_manifest(out_dir)}
    # outputs a killed build wrote before it could list them: they are the build's own too
    for path, entry in read_journal(out_dir).items():
        previous.setdefault(path, entry)
    state = read_state(out_dir)
    jobs, fresh = _plan(project, layouts, options, build_date, state, large_print)
    result.planned = len(jobs) + len(fresh)
    if on_plan:
        on_plan(result.planned)
    outputs: dict[str, dict[str, object]] = {}
    new_state: dict[str, dict[str, Any]] = {}
    for task, inputs in fresh:
        entry = _manifest_entry(task, state[task.relative_path], project)
        outputs[task.relative_path] = entry
        new_state[task.relative_path] = {**state[task.relative_path], "inputs": inputs}
        result.up_to_date.append(entry)
        if on_output:
            on_output(task, "up to date")
    inputs_of = {job.job_id: inputs for job, inputs in jobs}
    render_errors: dict[str, list[Diagnostic]] = {}

    def finish(outcome: RenderOutcome) -> None:
        task = outcome.task
        result.diagnostics.extend(outcome.diagnostics)
        if outcome.data is None:
            render_errors[task.relative_path] = list(outcome.diagnostics)
            result.failed.append(task)
            if on_output:
                on_output(task, "failed")
            return
        try:  # never replace a file the build did not write (output_guard.py)
            target = check_may_write(out_dir, task.relative_path, previous)
        except LeafletError as exc:
            result.diagnostics.append(exc.diagnostic)
            render_errors[task.relative_path] = [exc.diagnostic]
            result.failed.append(task)
            if on_output:
                on_output(task, "failed")
            return
        try:  # a full disk or read-only --out fails this output with one clear line
            if task.relative_path not in previous:
                journal.note(task)
            write_atomic(target, outcome.data)
        except OSError as exc:
            result.diagnostics.append(write_failure(target, exc).diagnostic)
            result.failed.append(task)
            if on_output:
                on_output(task, "failed")
            return
        record = {"inputs": inputs_of[outcome.job_id],
                  "sha256": hashlib.sha256(outcome.data).hexdigest(),
                  "bytes": len(outcome.data)}
        new_state[task.relative_path] = record
        entry = _manifest_entry(task, record, project)
        outputs[task.relative_path] = entry
        result.built.append(entry)
        if on_output:
            on_output(task, "built")

    journal = Journal(out_dir / JOURNAL_FILE)
    try:
        if jobs:
            with _runner_for(options, executor, runner, len(jobs)) as active:
                active.run([job for job, _ in jobs], finish)
        if SITE_FORMAT in options.formats:  # after the outputs it offers for download
            outputs.update(_publish_site(project, layouts[0], options, build_date, result,
                                         previous))
    finally:
        # also after Ctrl-C: what was written is recorded, so the next build skips it
        result.removed = _carry_over(previous, outputs, project, out_dir)
        result.failed_documents = _failed_documents(project, result.failed)
        result.stale = _mark_stale(outputs, result, project, gate, render_errors)
        for path in outputs:
            if path not in new_state and path in state:
                new_state[path] = state[path]
        manifest = {"outputs": [outputs[key] for key in sorted(outputs)]}
        target = out_dir / STATE_FILE
        try:
            write_atomic(target, state_bytes(new_state))
            target = out_dir / MANIFEST
            write_atomic(target, (json.dumps(manifest, indent=2, ensure_ascii=False)
                                  + "\n").encode("utf-8"))
        except OSError as exc:  # the old manifest stays whole; the journal keeps the new files
            result.diagnostics.append(write_failure(target, exc).diagnostic)
        else:
            journal.close_and_remove()  # the manifest now lists everything it noted
    result.built.sort(key=lambda e: str(e["path"]))
    result.failed.sort()
    noop.write(result, _next_review_due(project))
    return result


def _next_review_due(project: Project) -> dt.date | None:
    """The first day an approved leaflet that is not overdue today falls due (the build gate
    then decides differently, so a no-op recorded now holds only until that day)."""
    today = dt.date.today()
    dates = [leaflet.meta.review_due for leaflet in project.leaflets.values()
             if leaflet.meta.status == "approved" and leaflet.meta.review_due is not None
             and leaflet.meta.review_due >= today]
    return min(dates, default=None)


def site_wants_large_print(project: Project, options: BuildOptions,
                           layout_names: tuple[str, ...]) -> bool:
    """Whether this run also makes each leaflet's large-print PDF for the web site: when it
    makes the site and PDFs, the project did not switch it off (`site: {large_print: false}`),
    and large print is not among its layouts already (then it is made as any layout is)."""
    return (SITE_FORMAT in options.formats and "pdf" in options.formats
            and project.settings.site.large_print and LARGE_PRINT not in layout_names)


def _plan(project: Project, layouts: list[Layout], options: BuildOptions,
          build_date: dt.datetime | None, state: dict[str, dict[str, Any]],
          large_print: list[Layout],
          ) -> tuple[list[tuple[RenderJob, str]], list[tuple[Task, str]]]:
    """Split the outputs into jobs to render and outputs already up to date.

    `large_print`: the layout of the leaflets' large-print PDFs the site offers (only PDFs,
    only leaflets: a guide's 40-page large print stays a choice, `--layout large-print`).
    """
    from leaflet_builder.project import booklet_members

    glossary = glossary_terms(project.leaflets.values())
    titles = project.titles()
    printer = Fingerprinter(project.source_dir)
    jobs: list[tuple[RenderJob, str]] = []
    fresh: list[tuple[Task, str]] = []
    planned = [(layout, plan_tasks(project, [layout], options.formats)) for layout in layouts]
    planned += [(layout, [task for task in plan_tasks(project, [layout], ("pdf",))
                          if task.kind == "leaflet"]) for layout in large_print]
    for layout, tasks in planned:
        ctx = RenderContext(project.settings, layout, project.source_dir, titles, glossary,
                            build_date=build_date)
        for task in tasks:
            if task.format == SITE_FORMAT:
                continue  # made from the others once they are written (_publish_site)
            if task.kind == "leaflet":
                leaflet = project.leaflets[task.slug]
                inputs = printer.leaflet(leaflet, task.format, ctx)
                job = RenderJob(task, ctx, leaflet, timeout=options.timeout)
            else:
                booklet = project.booklets[task.slug]
                members = booklet_members(project, booklet)
                inputs = printer.booklet(booklet, members, task.format, ctx)
                job = RenderJob(task, ctx, booklet, tuple(members), timeout=options.timeout)
            if not options.force and _is_up_to_date(options.out_dir, task, inputs, state):
                fresh.append((task, inputs))
            else:
                jobs.append((job, inputs))
    # longest first (booklets, then PDFs), so the pool does not wait on one late big job
    jobs.sort(key=lambda pair: (pair[0].task.kind != "booklet", pair[0].task.format != "pdf"))
    build_id = uuid.uuid4().hex
    numbered = [(dataclasses.replace(job, job_id=number, build_id=build_id), inputs)
                for number, (job, inputs) in enumerate(jobs)]
    return numbered, fresh


def _publish_site(project: Project, layout: Layout, options: BuildOptions,
                  build_date: dt.datetime | None, result: BuildResult,
                  previous: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    """Write dist/site/ (render/site/): downloads only from what this build wrote or found
    up to date, so a patient never gets a stale or failed file."""
    from leaflet_builder.render.site.publish import publish_site

    ctx = RenderContext(project.settings, layout, project.source_dir, project.titles(),
                        glossary_terms(project.leaflets.values()), build_date=build_date)
    entries, diagnostics = publish_site(project, ctx, result.built + result.up_to_date,
                                        previous, options.out_dir, options.approved_only,
                                        force=options.force)
    result.diagnostics.extend(diagnostics)
    return entries


def _is_up_to_date(out_dir: Path, task: Task, inputs: str,
                   state: dict[str, dict[str, Any]]) -> bool:
    """Same inputs as when the build wrote it, and the file is still the one it wrote."""
    recorded = state.get(task.relative_path)
    if not recorded or recorded.get("inputs") != inputs:
        return False
    return file_sha256(out_dir / task.relative_path) == recorded.get("sha256")


@contextlib.contextmanager
def _runner_for(options: BuildOptions, executor: Executor | None, runner: Any,
                pending: int) -> Iterator[Any]:
    from leaflet_builder import build_exec

    if runner is not None:
        yield runner
    elif executor is not None:
        yield build_exec.ExecutorRunner(executor)
    elif options.scheduler:
        with dask_executor(options.scheduler) as dask:
            yield build_exec.ExecutorRunner(dask)
    else:
        jobs = options.jobs or build_exec.default_jobs()
        active = build_exec.make_runner(jobs, pending, options.formats, options.memory_limit)
        try:
            yield active
        finally:
            active.close()


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


def read_journal(out_dir: Path) -> dict[str, dict[str, object]]:
    """Outputs a killed build noted, as manifest entries of the files that exist."""
    entries: dict[str, dict[str, object]] = {}
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
def _build_lock(out_dir: Path) -> Iterator[None]:
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


def _manifest_entry(task: Task, record: dict[str, Any], project: Project) -> dict[str, object]:
    from leaflet_builder.project import booklet_members

    if task.kind == "leaflet":
        leaflet = project.leaflets[task.slug]
        status, language = leaflet.meta.status, leaflet.meta.language
    else:
        booklet = project.booklets[task.slug]
        members = booklet_members(project, booklet)
        status = "draft" if any(m.meta.is_draft for m in members) else "approved"
        language = booklet.language
    return {
        "slug": task.slug, "kind": task.kind, "format": task.format, "layout": task.layout,
        "path": task.relative_path, "sha256": record["sha256"],
        "bytes": record["bytes"], "status": status, "language": language,
    }


def _carry_over(previous: dict[str, dict[str, object]], outputs: dict[str, dict[str, object]],
                project: Project, out_dir: Path) -> list[str]:
    """Settle outputs of earlier builds that this run did not write; return those removed.

    Kept (and still listed): those of leaflets that failed now, or of formats and layouts not
    asked for this time. Removed: those of withdrawn or deleted leaflets and booklets — and only
    files the manifest lists, so nothing the build did not write is ever deleted.
    """
    removed: list[str] = []
    root = out_dir.resolve()
    for path, entry in previous.items():
        if path in outputs:
            continue
        slug = entry.get("slug")
        kind = entry.get("kind")
        if kind == SITE_FORMAT:  # the site was not made this time: keep what is still live
            from leaflet_builder.render.site.publish import site_entry_alive

            alive = site_entry_alive(entry, project)
        else:
            alive = slug in project.leaflets or slug in project.failed if kind == "leaflet" \
                else (slug in project.booklets or slug in project.failed_booklets)
        target = (out_dir / path).resolve()
        if not target.is_relative_to(root) or target == root:
            continue  # a tampered manifest must not point the build outside dist/
        if alive:
            if target.is_file():
                outputs[path] = entry
        elif target.is_file() and not (out_dir / path).is_symlink():
            target.unlink()
            removed.append(path)
    return removed


def _failed_documents(project: Project, failed: list[Task]) -> list[tuple[str, str]]:
    """Every leaflet and booklet that did not build in this run, whatever stopped it."""
    documents = {("leaflet", slug) for slug in project.failed}
    documents |= {("booklet", slug) for slug in project.failed_booklets}
    documents |= {(task.kind, task.slug) for task in failed}
    return sorted(documents)


def _mark_stale(outputs: dict[str, dict[str, object]], result: BuildResult, project: Project,
                gate: list[Diagnostic], render_errors: dict[str, list[Diagnostic]],
                ) -> dict[str, str]:
    """Mark in the manifest every kept output that no longer matches its source; return them.

    The rule (README, "The build engine"): an output of a leaflet or booklet that failed now is
    kept (it may be the only copy there is) but its manifest entry gains `"stale": reason`, and
    the summary counts it. A print room or a deploy copying dist/ must check for that key: the
    file says what the source said before the mistake, or before the review lapsed. The mark
    stays until the output is built again from a good source.
    """
    failed = set(result.failed_documents)
    fresh = {str(entry["path"]) for entry in result.built + result.up_to_date}
    stale: dict[str, str] = {}
    for path, entry in outputs.items():
        if path in fresh:
            continue  # written or confirmed from the current source: never stale
        reason: str | None = None
        if path in render_errors:
            reason = _reason("rendering failed", render_errors[path], project.root)
        elif (str(entry.get("kind")), str(entry.get("slug"))) in failed:
            reason = _source_reason(str(entry.get("kind")), str(entry.get("slug")), project,
                                    result.diagnostics, gate)
        elif isinstance(entry.get("stale"), str):
            reason = str(entry["stale"])  # an earlier build's mark, not yet rebuilt since
        if reason is None:
            entry.pop("stale", None)
        else:
            outputs[path] = {**entry, "stale": reason}
            stale[path] = reason
    return stale


def _source_reason(kind: str, slug: str, project: Project, diagnostics: list[Diagnostic],
                   gate: list[Diagnostic]) -> str:
    """Why a document did not build, from the first error reported in its own source file."""
    if kind == "leaflet":
        def in_source(path: Path) -> bool:
            return path == project.source_dir / f"{slug}.md"
    else:
        def in_source(path: Path) -> bool:
            return path.parent == project.source_dir / "booklets" and path.stem == slug
    errors = [d for d in diagnostics if d.level == "error" and in_source(d.location.path)]
    overdue = [d for d in errors if d in gate]
    if overdue:
        return _reason("review overdue", overdue, project.root)
    return _reason("source has errors", errors, project.root)


def _reason(label: str, errors: list[Diagnostic], root: Path) -> str:
    """`label: path:line: message`, counting any further errors (the build shows them all)."""
    errors = [d for d in errors if d.level == "error"] or errors
    if not errors:
        return f"{label} (see the build's messages)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{label}: {errors[0].display(root)}{more}"
