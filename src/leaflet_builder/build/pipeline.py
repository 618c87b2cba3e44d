"""Build stage: a build as a short list of named steps.

    load → gate → plan → run → write → settle

`build` reads the project (load), holds back what the quality gate refuses (gate), decides
which outputs are up to date and which to render (plan, build/plan.py), renders the rest on
the runner chosen in build/runners.py (run), writes each one as it finishes through the one
owner of dist/ (write, build/run.py and build/outputs.py), makes the web site from what was
written, then settles the outputs of earlier builds, marks stale ones and records the manifest
(settle) — even after Ctrl-C, so what was written is known to the next build.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leaflet_builder.build.guards import sweep_dead_temp_dirs
from leaflet_builder.build.noop import NoopRecord
from leaflet_builder.build.options import BuildOptions, BuildResult, OnOutput, build_date_from_env
from leaflet_builder.build.outputs import Entry, OutputFolder
from leaflet_builder.build.plan import LARGE_PRINT, Plan, plan, site_wants_large_print
from leaflet_builder.build.run import BuildRun
from leaflet_builder.build.runners import Runner, open_runner
from leaflet_builder.build.stale import failed_documents, mark_stale
from leaflet_builder.errors import Diagnostic, LeafletError
from leaflet_builder.model import glossary_terms
from leaflet_builder.render import RenderContext
from leaflet_builder.render.formats import SITE

if TYPE_CHECKING:  # imported where used: a no-op build (build/noop.py) must not load the reader
    from concurrent.futures import Executor

    from leaflet_builder.layouts import Layout
    from leaflet_builder.project import Project


@dataclass(frozen=True)
class Layouts:
    """The layouts of one build, and the date its outputs show."""

    chosen: list[Layout]  # --layout, or the project's default
    large_print: list[Layout]  # the web site's large-print PDFs, when it wants them
    build_date: dt.datetime | None  # from SOURCE_DATE_EPOCH


def build(options: BuildOptions, on_output: OnOutput | None = None,
          executor: Executor | None = None, runner: Runner | None = None,
          on_plan: Callable[[int], None] | None = None) -> BuildResult:
    """Read the project, render what changed, write outputs and the manifest.

    `executor`: run the renders on it (any concurrent.futures.Executor). `runner`: a runner
    kept between builds (watch). Otherwise `options` decide (build/runners.open_runner).
    """
    started = time.perf_counter()
    sweep_dead_temp_dirs()  # the font folders of builds that were killed
    with OutputFolder.open(options.out_dir) as folder:
        result = _build_into(folder, options, on_output, executor, runner, on_plan)
    result.seconds = time.perf_counter() - started
    return result


def _build_into(folder: OutputFolder, options: BuildOptions, on_output: OnOutput | None,
                executor: Executor | None, runner: Runner | None,
                on_plan: Callable[[int], None] | None) -> BuildResult:
    noop = NoopRecord(options, folder)  # hashes the sources before they are read
    project = _load(options)
    run = BuildRun(folder, project, on_output)
    gate = _gate(project, options, run.result)
    try:
        layouts = _layouts(project, options)
    except LeafletError as exc:
        run.result.diagnostics.append(exc.diagnostic)
        return run.result
    run.result.diagnostics += _wording(project, layouts)
    noop.use_layouts(path for layout in layouts.chosen + layouts.large_print
                     for path in layout.folders)
    work = plan(project, layouts.chosen, layouts.large_print, options, layouts.build_date, folder)
    run.result.planned = work.size
    if on_plan:
        on_plan(work.size)
    run.confirm(work.fresh)
    try:
        _run(run, work, options, executor, runner)
        if SITE in options.formats:  # after the outputs it offers for download
            folder.outputs.update(_publish_site(run, layouts, options))
    finally:
        _settle(run, gate)  # also after Ctrl-C: what was written is recorded
    run.result.built.sort(key=lambda e: str(e["path"]))
    run.result.failed.sort()
    noop.write(run.result, _next_review_due(project))
    return run.result


def _load(options: BuildOptions) -> Project:
    from leaflet_builder.project import load_project

    return load_project(options.source_dir)


def _gate(project: Project, options: BuildOptions, result: BuildResult) -> list[Diagnostic]:
    """The quality gate: an approved leaflet past its review date is not built (check/gate.py)."""
    from leaflet_builder.check.gate import apply_build_gate

    gate = apply_build_gate(project, allow_overdue=options.allow_overdue)
    result.diagnostics += gate
    return gate


def _layouts(project: Project, options: BuildOptions) -> Layouts:
    from leaflet_builder.layouts import load_layout

    build_date = build_date_from_env()
    names = options.layouts or (project.settings.default_layout,)
    chosen = [load_layout(name, project.root) for name in names]
    large_print = [load_layout(LARGE_PRINT, project.root)] \
        if site_wants_large_print(project, options, names) else []
    return Layouts(chosen, large_print, build_date)


def _wording(project: Project, layouts: Layouts) -> list[Diagnostic]:
    """The layouts' words in each language: one warning per language without a catalogue for
    the whole build (not one per leaflet and format), a broken layout catalogue once."""
    from leaflet_builder.i18n import language_diagnostics
    from leaflet_builder.project import document_languages

    return language_diagnostics(document_languages(project),
                                [(layout.name, layout.folders) for layout in layouts.chosen])


def _run(run: BuildRun, work: Plan, options: BuildOptions, executor: Executor | None,
         runner: Runner | None) -> None:
    """Render the jobs; each is written as it finishes (BuildRun.finish)."""
    if not work.jobs:
        return
    chosen = contextlib.nullcontext(runner) if runner is not None \
        else open_runner(options, len(work.jobs), executor)
    with chosen as active:
        active.run(run.expect(work.jobs), run.finish)


def _publish_site(run: BuildRun, layouts: Layouts, options: BuildOptions) -> dict[str, Entry]:
    """Write dist/site/ (render/site/): downloads only from what this build wrote or found
    up to date, so a patient never gets a stale or failed file."""
    from leaflet_builder.project import translation_families
    from leaflet_builder.render.site.publish import publish_site

    project, result = run.project, run.result
    ctx = RenderContext(project.settings, layouts.chosen[0], project.source_dir, project.titles(),
                        glossary_terms(project.leaflets.values()), build_date=layouts.build_date,
                        translations=translation_families(project))
    entries, diagnostics = publish_site(project, ctx, result.built + result.up_to_date,
                                        run.folder, options.approved_only, force=options.force)
    result.diagnostics.extend(diagnostics)
    return entries


def _settle(run: BuildRun, gate: list[Diagnostic]) -> None:
    """Keep or remove earlier outputs, mark stale ones, record the state and the manifest."""
    project, result = run.project, run.result
    result.removed = run.folder.settle(lambda entry: _still_wanted(entry, project))
    result.failed_documents = failed_documents(project, result.failed)
    result.stale = mark_stale(run.folder.outputs, result, project, gate, run.render_errors)
    problem = run.folder.close()
    if problem is not None:
        result.diagnostics.append(problem)


def _still_wanted(entry: Entry, project: Project) -> bool:
    """An earlier output of a document that is still there (or failed now): kept. Outputs of
    withdrawn or deleted leaflets and booklets are not."""
    slug, kind = entry.get("slug"), entry.get("kind")
    if kind == SITE:  # the site was not made this time: keep what is still live
        from leaflet_builder.render.site.publish import site_entry_alive

        return site_entry_alive(entry, project)
    if kind == "leaflet":
        return slug in project.leaflets or slug in project.failed
    return slug in project.booklets or slug in project.failed_booklets


def _next_review_due(project: Project) -> dt.date | None:
    """The first day an approved leaflet that is not overdue today falls due (the build gate
    then decides differently, so a no-op recorded now holds only until that day)."""
    today = dt.date.today()
    dates = [leaflet.meta.review_due for leaflet in project.leaflets.values()
             if leaflet.meta.status == "approved" and leaflet.meta.review_due is not None
             and leaflet.meta.review_due >= today]
    return min(dates, default=None)
