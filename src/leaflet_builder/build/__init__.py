"""Build stage: from a read project to the files in dist/, doing only what changed.

One module per step, so the folder tells the story (README, "How a build runs"):
`pipeline` (load → gate → plan → run → write → settle), `plan`, `runners` (where renders run,
chosen in one place), `worker` (what a worker process runs), `run` (each finished render
written and listed), `outputs` (the one owner of dist/), `stale`, `fingerprint`, `noop` (the
fast path when nothing changed), `report` (progress and summary), `options`, `guards` and
`orphan` (helper processes end with the build).

The public API is `build`, `BuildOptions` and `BuildResult`. `build` is imported on first use
(PEP 562), so that `leaflet build` with nothing to do loads `noop` and what it needs, not the
pipeline, the runners or the process pool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leaflet_builder.build.options import BuildOptions, BuildResult

if TYPE_CHECKING:
    from leaflet_builder.build.pipeline import build

__all__ = ["BuildOptions", "BuildResult", "build"]


def __getattr__(name: str) -> object:
    if name == "build":
        from leaflet_builder.build.pipeline import build

        return build
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
