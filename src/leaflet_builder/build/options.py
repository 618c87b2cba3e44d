"""Build stage, what goes in and what comes out: the options of one build and its result.

Shared by every step and by the callers (the command line, watch, serve, the no-op path), so it
imports nothing heavy: no reader, no renderer.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from leaflet_builder.build.worker import Task
from leaflet_builder.errors import Diagnostic, LeafletError
from leaflet_builder.render.formats import FORMATS

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_LIMIT = 2 * 2**30  # a worker peaks near 400 MB on the shipped content

Status = str  # "built", "up to date" or "failed"
OnOutput = Callable[[Task, Status], None]


@dataclass(frozen=True)
class BuildOptions:
    source_dir: Path
    out_dir: Path
    layouts: tuple[str, ...] = ()  # empty: the project's default layout
    formats: tuple[str, ...] = tuple(FORMATS)
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


def build_date_from_env() -> dt.datetime | None:
    """The date every output shows when SOURCE_DATE_EPOCH is set (reproducible builds)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise LeafletError(Path("SOURCE_DATE_EPOCH"), 0,
                           f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not '{value}'")
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
