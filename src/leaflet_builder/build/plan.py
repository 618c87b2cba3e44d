"""Build stage, planning: every output the project asks for, and which of them must be rendered.

Each output gets its input fingerprint (build/fingerprint.py); those whose fingerprint and file
are what the last build left are up to date, the rest become render jobs carrying the model
objects they need (a worker never re-reads the project).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leaflet_builder.build.fingerprint import Fingerprinter
from leaflet_builder.build.options import BuildOptions
from leaflet_builder.build.outputs import OutputFolder
from leaflet_builder.build.worker import RenderJob, Task
from leaflet_builder.model import glossary_terms
from leaflet_builder.render import RenderContext
from leaflet_builder.render.formats import FORMATS, SITE

if TYPE_CHECKING:  # imported where used: a no-op build (build/noop.py) must not load the reader
    from leaflet_builder.layouts import Layout
    from leaflet_builder.project import Project

LARGE_PRINT = "large-print"  # the layout whose leaflet PDFs the web site offers by default


@dataclass
class Plan:
    jobs: list[tuple[RenderJob, str]]  # to render, with their input fingerprints
    fresh: list[tuple[Task, str]]  # up to date, with their input fingerprints

    @property
    def size(self) -> int:
        return len(self.jobs) + len(self.fresh)


def plan_tasks(project: Project, layouts: list[Layout], formats: tuple[str, ...]) -> list[Task]:
    """Every document output the project asks for, leaflets first, in a stable order (the web
    site is not one: it is made from these once they are written)."""
    rendered = [fmt for fmt in formats if FORMATS[fmt].renders_documents]
    tasks = [Task("leaflet", slug, fmt, layout.name)
             for layout in layouts for slug in sorted(project.leaflets) for fmt in rendered]
    tasks += [Task("booklet", slug, fmt, layout.name)
              for layout in layouts for slug in sorted(project.booklets) for fmt in rendered
              if FORMATS[fmt].booklets]
    return tasks


def site_wants_large_print(project: Project, options: BuildOptions,
                           layout_names: tuple[str, ...]) -> bool:
    """Whether this run also makes each leaflet's large-print PDF for the web site: when it
    makes the site and PDFs, the project did not switch it off (`site: {large_print: false}`),
    and large print is not among its layouts already (then it is made as any layout is)."""
    return (SITE in options.formats and "pdf" in options.formats
            and project.settings.site.large_print and LARGE_PRINT not in layout_names)


def plan(project: Project, layouts: list[Layout], large_print: list[Layout],
         options: BuildOptions, build_date: dt.datetime | None, folder: OutputFolder) -> Plan:
    """Split the outputs into jobs to render and outputs already up to date.

    `large_print`: the layout of the leaflets' large-print PDFs the site offers (only PDFs,
    only leaflets: a guide's 40-page large print stays a choice, `--layout large-print`).
    """
    from leaflet_builder.project import booklet_members, translation_families

    glossary = glossary_terms(project.leaflets.values())
    titles = project.titles()
    families = translation_families(project)
    printer = Fingerprinter(project.source_dir)
    jobs: list[tuple[RenderJob, str]] = []
    fresh: list[tuple[Task, str]] = []
    planned = [(layout, plan_tasks(project, [layout], options.formats)) for layout in layouts]
    planned += [(layout, [task for task in plan_tasks(project, [layout], ("pdf",))
                          if task.kind == "leaflet"]) for layout in large_print]
    for layout, tasks in planned:
        ctx = RenderContext(project.settings, layout, project.source_dir, titles, glossary,
                            build_date=build_date, translations=families)
        for task in tasks:
            if task.kind == "leaflet":
                leaflet = project.leaflets[task.slug]
                inputs = printer.leaflet(leaflet, task.format, ctx)
                job = RenderJob(task, ctx, leaflet, timeout=options.timeout)
            else:
                booklet = project.booklets[task.slug]
                members = booklet_members(project, booklet)
                inputs = printer.booklet(booklet, members, task.format, ctx)
                job = RenderJob(task, ctx, booklet, tuple(members), timeout=options.timeout)
            if not options.force and folder.is_fresh(task.relative_path, inputs):
                fresh.append((task, inputs))
            else:
                jobs.append((job, inputs))
    # longest first (booklets, then PDFs), so the pool does not wait on one late big job
    jobs.sort(key=lambda pair: (pair[0].task.kind != "booklet", pair[0].task.format != "pdf"))
    build_id = uuid.uuid4().hex
    numbered = [(dataclasses.replace(job, job_id=number, build_id=build_id), inputs)
                for number, (job, inputs) in enumerate(jobs)]
    return Plan(numbered, fresh)
