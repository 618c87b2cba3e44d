"""Build stage, after the run: which documents failed now, and which outputs kept from earlier
builds no longer say what their source says (the rule: `mark_stale`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from leaflet_builder.build.options import BuildResult
from leaflet_builder.build.worker import Task
from leaflet_builder.errors import Diagnostic

if TYPE_CHECKING:
    from leaflet_builder.project import Project


def failed_documents(project: Project, failed: list[Task]) -> list[tuple[str, str]]:
    """Every leaflet and booklet that did not build in this run, whatever stopped it."""
    documents = {("leaflet", slug) for slug in project.failed}
    documents |= {("booklet", slug) for slug in project.failed_booklets}
    documents |= {(task.kind, task.slug) for task in failed}
    return sorted(documents)


def mark_stale(outputs: dict[str, dict[str, object]], result: BuildResult, project: Project,
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
