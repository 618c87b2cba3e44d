"""Build stage: what to render, rendering it, writing outputs safely, and the manifest."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from leaflet_builder.errors import Diagnostic, LeafletError, Location
from leaflet_builder.layouts import Layout, load_layout
from leaflet_builder.model import glossary_terms
from leaflet_builder.project import Project, booklet_members, load_project
from leaflet_builder.render import FORMATS, RenderContext, get_renderer

MANIFEST = "manifest.json"
OutputKind = Literal["leaflet", "booklet"]


@dataclass(frozen=True)
class BuildOptions:
    source_dir: Path
    out_dir: Path
    layouts: tuple[str, ...] = ()  # empty: the project's default layout
    formats: tuple[str, ...] = tuple(FORMATS)


@dataclass(frozen=True)
class Task:
    """One output to render."""

    kind: OutputKind
    slug: str
    format: str
    layout: str

    @property
    def relative_path(self) -> str:
        return f"{self.layout}/{self.slug}.{get_renderer_extension(self.format)}"


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    built: list[dict[str, object]] = field(default_factory=list)
    failed: list[Task] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not any(d.level == "error" for d in self.diagnostics)


def get_renderer_extension(fmt: str) -> str:
    return fmt  # every format's extension is its name (pdf, docx, epub, html)


def plan_tasks(project: Project, layouts: list[Layout], formats: tuple[str, ...]) -> list[Task]:
    """Every output the project asks for, leaflets first, in a stable order."""
    tasks = [Task("leaflet", slug, fmt, layout.name)
             for layout in layouts for slug in sorted(project.leaflets) for fmt in formats]
    tasks += [Task("booklet", slug, fmt, layout.name)
              for layout in layouts for slug in sorted(project.booklets) for fmt in formats
              if get_renderer(fmt).supports_booklets]
    return tasks


def render_task(task: Task, project: Project, ctx: RenderContext) -> bytes:
    renderer = get_renderer(task.format)
    if task.kind == "leaflet":
        return renderer.render_leaflet(project.leaflets[task.slug], ctx)
    booklet = project.booklets[task.slug]
    return renderer.render_booklet(booklet, booklet_members(project, booklet), ctx)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
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


def build(options: BuildOptions, on_output: Callable[[Task, str], None] | None = None) -> BuildResult:
    """Read the project, render every output, write them and the manifest."""
    project = load_project(options.source_dir)
    result = BuildResult(diagnostics=list(project.diagnostics.items))
    try:
        layout_names = options.layouts or (project.settings.default_layout,)
        layouts = [load_layout(name, project.root) for name in layout_names]
    except LeafletError as exc:
        result.diagnostics.append(exc.diagnostic)
        return result
    glossary = glossary_terms(project.leaflets.values())
    out_dir = options.out_dir
    previous = {str(o.get("path")): o for o in read_manifest(out_dir)}
    outputs: dict[str, dict[str, object]] = {}
    for layout in layouts:
        ctx = RenderContext(project.settings, layout, project.source_dir, project.titles(),
                            glossary)
        for task in plan_tasks(project, [layout], options.formats):
            try:
                data = render_task(task, project, ctx)
            except LeafletError as exc:
                result.diagnostics.append(exc.diagnostic)
                result.failed.append(task)
                if on_output:
                    on_output(task, "failed")
                continue
            except Exception as exc:  # a renderer bug must not take the other outputs down
                source = project.leaflets[task.slug].path if task.kind == "leaflet" else \
                    project.booklets[task.slug].path
                result.diagnostics.append(Diagnostic(
                    Location(source), f"could not render {task.format}: "
                                      f"{type(exc).__name__}: {exc}"))
                result.failed.append(task)
                if on_output:
                    on_output(task, "failed")
                continue
            write_atomic(out_dir / task.relative_path, data)
            entry = _manifest_entry(task, data, project)
            outputs[task.relative_path] = entry
            result.built.append(entry)
            if on_output:
                on_output(task, "built")
    _carry_over(previous, outputs, project, out_dir)
    manifest = {"outputs": [outputs[key] for key in sorted(outputs)]}
    write_atomic(out_dir / MANIFEST, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
                 .encode("utf-8"))
    return result


def _manifest_entry(task: Task, data: bytes, project: Project) -> dict[str, object]:
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
        "path": task.relative_path, "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data), "status": status, "language": language,
    }


def _carry_over(previous: dict[str, dict[str, object]], outputs: dict[str, dict[str, object]],
                project: Project, out_dir: Path) -> None:
    """Settle outputs of earlier builds that this run did not write.

    Kept (and still listed): those of leaflets that failed now, or of formats and layouts not
    asked for this time. Removed: those of withdrawn or deleted leaflets and booklets — and only
    files the manifest lists, so nothing the build did not write is ever deleted.
    """
    for path, entry in previous.items():
        if path in outputs:
            continue
        slug = entry.get("slug")
        kind = entry.get("kind")
        alive = slug in project.leaflets or slug in project.failed if kind == "leaflet" else (
            slug in project.booklets or slug in project.failed_booklets)
        target = (out_dir / path).resolve()
        if alive:
            if target.is_file():
                outputs[path] = entry
        elif target.is_relative_to(out_dir.resolve()) and target.is_file():
            target.unlink()
