"""Build stage, collecting: what each output of one build became — up to date, written, failed.

`BuildRun` is the state of one build while renders finish, in any order: the result so far,
the render errors (the stale rule needs them) and the fingerprint of each job. It turns each
outcome into a written file and a manifest entry through the output folder, so the pipeline
hands it finished renders instead of closing over its own variables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leaflet_builder.build.options import BuildResult, OnOutput, Status
from leaflet_builder.build.outputs import Entry, OutputFolder
from leaflet_builder.build.worker import RenderJob, RenderOutcome, Task
from leaflet_builder.errors import Diagnostic, LeafletError

if TYPE_CHECKING:
    from leaflet_builder.project import Project


class BuildRun:
    """One build's outputs as they settle (see the module docstring)."""

    def __init__(self, folder: OutputFolder, project: Project,
                 on_output: OnOutput | None) -> None:
        self.folder = folder
        self.project = project
        self.result = BuildResult(diagnostics=list(project.diagnostics.items))
        # output path -> why its render (or its claim on the path) failed
        self.render_errors: dict[str, list[Diagnostic]] = {}
        self._inputs_of: dict[int, str] = {}
        self._on_output = on_output

    def confirm(self, fresh: list[tuple[Task, str]]) -> None:
        """List the outputs that are up to date as they are."""
        for task, inputs in fresh:
            record = self.folder.confirm(task.relative_path, inputs)
            entry = self._list(task, record)
            self.result.up_to_date.append(entry)
            self._tell(task, "up to date")

    def expect(self, jobs: list[tuple[RenderJob, str]]) -> list[RenderJob]:
        """The jobs to hand a runner, remembering each one's fingerprint for its record."""
        self._inputs_of = {job.job_id: inputs for job, inputs in jobs}
        return [job for job, _ in jobs]

    def finish(self, outcome: RenderOutcome) -> None:
        """Write one finished render (a runner's `on_done`); a failure fails that output only."""
        task = outcome.task
        self.result.diagnostics.extend(outcome.diagnostics)
        if outcome.data is None:
            self._fail(task, list(outcome.diagnostics))
            return
        try:  # never replace a file the build did not write (build/outputs.py)
            target = self.folder.claim(task.relative_path)
        except LeafletError as exc:
            self.result.diagnostics.append(exc.diagnostic)
            self._fail(task, [exc.diagnostic])
            return
        try:  # a full disk or read-only --out fails this output with one clear line
            record = self.folder.write(task, target, outcome.data, self._inputs_of[outcome.job_id])
        except LeafletError as exc:
            self.result.diagnostics.append(exc.diagnostic)
            self._fail(task, None)
            return
        self.result.built.append(self._list(task, record))
        self._tell(task, "built")

    def _fail(self, task: Task, render_errors: list[Diagnostic] | None) -> None:
        if render_errors is not None:  # a write that failed is not the render's fault
            self.render_errors[task.relative_path] = render_errors
        self.result.failed.append(task)
        self._tell(task, "failed")

    def _list(self, task: Task, record: dict[str, Any]) -> Entry:
        entry = manifest_entry(task, record, self.project)
        self.folder.outputs[task.relative_path] = entry
        return entry

    def _tell(self, task: Task, status: Status) -> None:
        if self._on_output:
            self._on_output(task, status)


def manifest_entry(task: Task, record: dict[str, Any], project: Project) -> Entry:
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
