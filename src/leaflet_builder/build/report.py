"""Build stage, feedback: a progress bar on a terminal, plain lines in logs, a closing summary.

As command-line tools conventionally do, progress and the authors' messages go to standard
error and the result (the summary) to standard output, so `leaflet build > result.txt` keeps
just the result and a pipe reading stdout is not flooded with progress.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, Literal

from leaflet_builder.build.options import BuildResult
from leaflet_builder.build.worker import Task

Verbosity = Literal["quiet", "normal", "verbose"]


class BuildReporter:
    """Shows one build: counts outputs as they finish, then diagnostics and a summary.

    On a terminal a rich progress bar; otherwise (CI logs, pipes) one plain line per output
    built or failed (`--verbose` adds the up-to-date ones). `--quiet` shows only diagnostics,
    and the summary only when something failed. Progress and diagnostics go to `stream`
    (default: standard error), the summary to `summary_stream` (default: `stream` when one is
    given, else standard output).
    """

    def __init__(self, verbosity: Verbosity = "normal", stream: IO[str] | None = None,
                 terminal: bool | None = None, summary_stream: IO[str] | None = None) -> None:
        from rich.console import Console

        self.verbosity = verbosity
        # emoji off: ":100:" in "source/x.md:100: ..." is a line number, not an emoji code
        self.console = Console(file=stream, stderr=stream is None, highlight=False, emoji=False,
                               force_terminal=terminal, soft_wrap=True)
        self.terminal = self.console.is_terminal if terminal is None else terminal
        self.summary = Console(file=summary_stream or stream, highlight=False, emoji=False,
                               force_terminal=terminal, soft_wrap=True)
        self._progress: Any = None
        self._bar: Any = None

    def __enter__(self) -> BuildReporter:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def planned(self, total: int) -> None:
        if self.verbosity == "quiet" or not self.terminal:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._stop()
        self._progress = Progress(TextColumn("Building"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), TextColumn("{task.description}"),
                                  console=self.console, transient=True)
        self._progress.start()
        self._bar = self._progress.add_task("", total=total)

    def output(self, task: Task, status: str) -> None:
        if self._progress is not None:
            self._progress.update(self._bar, advance=1, description=task.relative_path)
            if self.verbosity == "verbose" or status == "failed":
                self._progress.console.print(f"{status:>10}  {task.relative_path}")
        elif self.verbosity != "quiet" and (status != "up to date" or self.verbosity == "verbose"):
            self.console.print(f"{status}: {task.relative_path}")

    def finished(self, result: BuildResult, out_dir: Path, cwd: Path | None = None) -> None:
        """Diagnostics (`path:line: message`, one per line) and the summary."""
        self._stop()
        # the same message at the same place once (a broken layout catalogue fails every
        # output in its language, each saying so)
        for diagnostic in dict.fromkeys(result.diagnostics):
            self.console.print(diagnostic.display(cwd or Path.cwd()), markup=False,
                               highlight=False)
        if self.verbosity == "quiet" and not result.failed_documents:
            return
        if self.summary.is_terminal:
            self.summary.print(summary_table(result, out_dir))
            if result.failed_documents:
                self.summary.print(failed_phrase(result), style="bold red", markup=False)
        else:
            self.summary.print(summary_line(result, out_dir), markup=False)

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def failed_phrase(result: BuildResult) -> str:
    """'failed 2 leaflets and 1 booklet (4 outputs kept from an earlier build, marked stale)'."""
    kinds = [kind for kind, _ in result.failed_documents]
    counted = [_count(kinds.count(kind), kind) for kind in ("leaflet", "booklet")
               if kind in kinds]
    phrase = "failed " + " and ".join(counted)
    if result.stale:
        phrase += (f" ({_count(len(result.stale), 'output')} kept from an earlier build, "
                   "marked stale)")
    return phrase


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary_line(result: BuildResult, out_dir: Path) -> str:
    parts = [f"built {len(result.built)} outputs in {out_dir}",
             f"{len(result.up_to_date)} up to date"]
    if result.failed_documents:
        parts.append(failed_phrase(result))
    if result.removed:
        parts.append(f"{len(result.removed)} removed")
    return "; ".join(parts) + f" ({result.seconds:.1f} s)"


def summary_table(result: BuildResult, out_dir: Path) -> Any:
    from rich.table import Table

    table = Table(title=f"Build of {out_dir}", title_justify="left")
    for name in ("built", "up to date", "failed", "kept stale", "removed", "seconds"):
        table.add_column(name, justify="right")
    failed, stale = str(len(result.failed_documents)), str(len(result.stale))
    table.add_row(str(len(result.built)), str(len(result.up_to_date)),
                  f"[bold red]{failed}[/]" if result.failed_documents else failed,
                  f"[bold red]{stale}[/]" if result.stale else stale,
                  str(len(result.removed)), f"{result.seconds:.1f}")
    return table
