"""Authors' loop: build, then rebuild what changed whenever a source or layout file is saved."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from leaflet_builder.build.options import BuildOptions, BuildResult
from leaflet_builder.build.outputs import TEMP_FILE
from leaflet_builder.build.pipeline import build
from leaflet_builder.build.report import BuildReporter, Verbosity
from leaflet_builder.build.runners import Runner, open_runner
from leaflet_builder.layouts import builtin_layouts_dir

OnBuild = Callable[[BuildResult], None]


def watched_folders(options: BuildOptions) -> list[Path]:
    """The source folder and every folder a layout may come from."""
    source = options.source_dir.resolve()
    folders = [source, source.parent / "layouts", builtin_layouts_dir()]
    return [folder for folder in dict.fromkeys(folders) if folder.is_dir()]


def is_relevant(path: Path, out_dir: Path) -> bool:
    """A change that can alter an output (not our outputs, temp files or editors' scratch)."""
    name = path.name
    if TEMP_FILE.fullmatch(name) or name.startswith(".#") or name.endswith(("~", ".swp", ".swx")):
        return False
    if "__pycache__" in path.parts:
        return False
    try:
        path.resolve().relative_to(out_dir.resolve())
        return False
    except ValueError:
        return True


def watch_and_build(options: BuildOptions, verbosity: Verbosity = "normal",
                    stop_event: threading.Event | None = None,
                    on_build: OnBuild | None = None) -> None:
    """Build now and after every relevant save until `stop_event` is set (or Ctrl-C).

    A content error is reported like a build reports it, and watching goes on; so does an
    unexpected failure of one rebuild (it is shown, and the next save tries again).
    """
    import watchfiles

    with open_runner(options) as runner:  # one for the whole watch: workers stay warm
        _build_once(options, runner, verbosity, on_build)
        folders = watched_folders(options)
        reporter = BuildReporter(verbosity)
        if verbosity != "quiet":
            reporter.console.print("watching " + ", ".join(str(f) for f in folders)
                                   + " (Ctrl-C stops)", markup=False)
        for changes in watchfiles.watch(
                *folders, stop_event=stop_event, raise_interrupt=False, debounce=300,
                watch_filter=lambda _change, path: is_relevant(Path(path), options.out_dir)):
            if verbosity != "quiet":
                names = sorted({Path(path).name for _, path in changes})
                reporter.console.print("changed: " + ", ".join(names), markup=False)
            _build_once(options, runner, verbosity, on_build)


def _build_once(options: BuildOptions, runner: Runner, verbosity: Verbosity,
                on_build: OnBuild | None) -> None:
    with BuildReporter(verbosity) as reporter:
        try:
            result = build(options, on_output=reporter.output, runner=runner,
                           on_plan=reporter.planned)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # noqa: BLE001 - keep watching: the author may fix it with the next save
            reporter.console.print(f"the build failed: {type(exc).__name__}: {exc}",
                                   markup=False)
            return
        reporter.finished(result, options.out_dir)
    if on_build:
        on_build(result)
