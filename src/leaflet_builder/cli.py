"""The `leaflet` command: build, check, watch, and init/new/schema to start; content errors as
`path:line: message`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from leaflet_builder import __version__

if TYPE_CHECKING:  # imported where used: `leaflet --help` stays quick
    from leaflet_builder.build.options import BuildOptions, BuildResult
    from leaflet_builder.build.report import BuildReporter

EXIT_OK, EXIT_CONTENT_ERROR, EXIT_USAGE = 0, 1, 2


def _format_choice() -> click.Choice[str]:
    from leaflet_builder.render.formats import FORMATS

    return click.Choice(list(FORMATS))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="leaflet")
def main() -> None:
    """Build accessible patient leaflets (PDF, Word, EPUB, HTML) from Markdown in source/."""


def _build_options(function: Any) -> Any:
    """The options `build` and `watch` share."""
    options = [
        click.option("--source", "source_dir", type=click.Path(path_type=Path),
                     default=Path("source"), show_default=True,
                     help="Folder with the leaflets (*.md), project.yaml and booklets/."),
        click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"),
                     show_default=True, help="Folder the outputs are written to."),
        click.option("--layout", "layouts", multiple=True,
                     help="Layout to use (repeatable); default: the project's default_layout."),
        click.option("--format", "formats", multiple=True, type=_format_choice(),
                     help="Output format (repeatable); default: all. 'site' is the web site "
                          "in OUT/site/, made from the other outputs of the same run."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                     help="Render this many outputs at once; default: one per CPU."),
        click.option("--timeout", type=click.FloatRange(min=0), default=120.0,
                     show_default=True,
                     help="Seconds one output may take to render before it is stopped "
                          "and reported (0: no limit)."),
        click.option("--scheduler", metavar="ADDRESS", default=None,
                     help="Render on a Dask distributed cluster (e.g. tcp://10.0.0.5:8786); "
                          "needs leaflet-builder[dask] and the source folder at the same path "
                          "on every worker."),
        click.option("-q", "--quiet", is_flag=True, help="Show only errors and warnings."),
        click.option("-v", "--verbose", is_flag=True,
                     help="Also list outputs that were up to date."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@main.command()
@_build_options
@click.option("--force", is_flag=True, help="Rebuild every output, even those up to date.")
@click.option("--allow-overdue", is_flag=True,
              help="Build approved leaflets past their review date (with a warning).")
@click.option("--approved-only", is_flag=True,
              help="Publish: the web site shows approved leaflets only (no drafts).")
@click.option("--memory-limit", default="2G", show_default=True, metavar="SIZE",
              callback=lambda ctx, param, value: _parse_size(value),
              help="Memory (address space) each worker process may use, e.g. 1500M or 4G; "
                   "0: no limit. A render over it fails alone with a message.")
def build(source_dir: Path, out_dir: Path, layouts: tuple[str, ...], formats: tuple[str, ...],
          jobs: int | None, timeout: float, scheduler: str | None, quiet: bool, verbose: bool,
          force: bool, allow_overdue: bool, approved_only: bool,
          memory_limit: int | None) -> None:
    """Build every leaflet and booklet into OUT/<layout>/ (only what changed; see --force)."""
    from leaflet_builder.build.noop import quick_build
    from leaflet_builder.build.options import BuildOptions
    from leaflet_builder.build.report import BuildReporter
    from leaflet_builder.render.formats import FORMATS

    _require_source(source_dir)
    _stop_on_sigterm()
    options = BuildOptions(source_dir, out_dir, layouts, formats or tuple(FORMATS), jobs=jobs,
                           force=force, timeout=timeout or None, scheduler=scheduler,
                           allow_overdue=allow_overdue, memory_limit=memory_limit,
                           approved_only=approved_only)
    try:
        with BuildReporter(_verbosity(quiet, verbose)) as reporter:
            # nothing changed since a clean build: done without reading the project or a worker
            result = quick_build(options, on_output=reporter.output, on_plan=reporter.planned)
            if result is None:
                result = _full_build(options, reporter)
            reporter.finished(result, out_dir)
    except OSError as exc:  # --out cannot be written at all (read-only, full): one line, no trace
        from leaflet_builder.build.outputs import write_failure

        failure = write_failure(Path(exc.filename or out_dir), exc)
        click.echo(failure.diagnostic.display(), err=True)
        sys.exit(EXIT_CONTENT_ERROR)
    sys.exit(EXIT_OK if result.ok else EXIT_CONTENT_ERROR)


def _full_build(options: BuildOptions, reporter: BuildReporter) -> BuildResult:
    """Start the workers (their imports overlap the reading), then build what changed."""
    from leaflet_builder.build import runners
    from leaflet_builder.build.pipeline import build as run_build
    from leaflet_builder.errors import LeafletError

    if options.scheduler is None and (options.jobs or runners.default_jobs()) > 1:
        runners.start_workers_early(options.formats)
    try:
        return run_build(options, on_output=reporter.output, on_plan=reporter.planned)
    except LeafletError as exc:
        raise click.UsageError(exc.message) from None


@main.command()
@_build_options
def watch(source_dir: Path, out_dir: Path, layouts: tuple[str, ...], formats: tuple[str, ...],
          jobs: int | None, timeout: float, scheduler: str | None, quiet: bool,
          verbose: bool) -> None:
    """Build, then rebuild what changed each time a file in the source or layouts is saved.

    Errors are reported and watching goes on; stop with Ctrl-C.
    """
    from leaflet_builder.build.options import BuildOptions
    from leaflet_builder.render.formats import FORMATS
    from leaflet_builder.watch import watch_and_build

    _require_source(source_dir)
    options = BuildOptions(source_dir, out_dir, layouts, formats or tuple(FORMATS), jobs=jobs,
                           timeout=timeout or None, scheduler=scheduler)
    try:
        watch_and_build(options, _verbosity(quiet, verbose))
    except KeyboardInterrupt:
        pass


@main.command()
@_build_options
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to serve on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on; other than the loopback only if you mean it.")
def serve(source_dir: Path, out_dir: Path, layouts: tuple[str, ...], formats: tuple[str, ...],
          jobs: int | None, timeout: float, scheduler: str | None, quiet: bool, verbose: bool,
          port: int, host: str) -> None:
    """Preview the web site: build it, serve OUT/site/ and reload the page on every save.

    Builds only the site unless --format asks for more (downloads appear for the formats
    built). Errors show over the last good page and in the terminal; stop with Ctrl-C.
    """
    from leaflet_builder.build.options import BuildOptions
    from leaflet_builder.render.formats import SITE
    from leaflet_builder.serve import serve as run_serve

    _require_source(source_dir)
    options = BuildOptions(source_dir, out_dir, layouts, formats or (SITE,), jobs=jobs,
                           timeout=timeout or None, scheduler=scheduler)
    try:
        run_serve(options, host, port, _verbosity(quiet, verbose))
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise click.UsageError(f"cannot serve on {host}:{port}: {exc.strerror or exc} "
                               "(choose another --port)") from None


def _parse_size(value: str) -> int | None:
    """`2G`, `1500M`, `800000K` or plain bytes -> bytes; `0` -> None (no limit)."""
    text = value.strip().upper().removesuffix("B")
    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    factor = units.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in units else text
    try:
        size = float(number) * factor
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a size: write e.g. 2G or 1500M") from None
    if size < 0:
        raise click.BadParameter("a size cannot be negative")
    if 0 < size < 64 * 2**20:
        raise click.BadParameter("at least 64M: a worker needs that much just to start")
    return int(size) or None


def _stop_on_sigterm() -> None:
    """SIGTERM (a CI runner's cancel, `kill`) stops the build as Ctrl-C does: the workers are
    stopped and what was written is recorded in the manifest, instead of ending mid-write."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _verbosity(quiet: bool, verbose: bool) -> Literal["quiet", "normal", "verbose"]:
    if quiet and verbose:
        raise click.UsageError("choose --quiet or --verbose, not both")
    return "quiet" if quiet else "verbose" if verbose else "normal"


def _require_source(source_dir: Path) -> None:
    if not source_dir.is_dir():
        raise click.UsageError(f"no source folder '{source_dir}': run in a project that has "
                               "source/*.md, or pass --source DIR")


@main.command()
@click.option("--source", "source_dir", type=click.Path(path_type=Path), default=Path("source"),
              show_default=True, help="Folder with the leaflets (*.md), project.yaml and booklets/.")
@click.option("--layout", "layouts", multiple=True,
              help="Layout whose clear print to check (repeatable); default: the project's.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Findings as text lines and a table, or as JSON.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings as well as errors.")
@click.option("-q", "--quiet", is_flag=True,
              help="Text: list only errors and warnings (info still counted in the table).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, hidden=True,
              help="Check review dates as if today were this date (for tests).")
def check(source_dir: Path, layouts: tuple[str, ...], output_format: str, strict: bool,
          quiet: bool, today: Any) -> None:
    """Check every leaflet and booklet: metadata, review dates, reading level, lists, images."""
    from leaflet_builder.check import run_checks
    from leaflet_builder.check.report import write_json, write_text
    from leaflet_builder.project import load_project

    _require_source(source_dir)
    report = run_checks(load_project(source_dir), today.date() if today else None, layouts)
    if output_format == "json":
        write_json(report, sys.stdout, Path.cwd(), strict)
    else:
        write_text(report, sys.stdout, Path.cwd(), strict, quiet=quiet)
    sys.exit(EXIT_CONTENT_ERROR if report.failed(strict) else EXIT_OK)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), default=Path("."))
def init(folder: Path) -> None:
    """Start a project in FOLDER (default: here): settings, an example leaflet and a booklet.

    It builds clean at once; change the example's words to make it yours. An existing project
    is never overwritten.
    """
    import datetime as dt

    from leaflet_builder.scaffold import ScaffoldError, init_project

    try:
        written = init_project(folder, dt.date.today())
    except (ScaffoldError, OSError) as exc:
        raise click.UsageError(str(exc)) from None
    for relative in written:
        click.echo(f"created {(folder / relative).as_posix()}")
    where = "" if folder == Path(".") else f"cd {folder} && "
    click.echo(f"next: {where}leaflet build   (outputs land in dist/; "
               "add a leaflet with: leaflet new SLUG)")


@main.command()
@click.argument("slug")
@click.option("--kind", type=click.Choice(["article", "glossary"]), default="article",
              show_default=True, help="A leaflet, or a glossary entry for one word.")
@click.option("--source", "source_dir", type=click.Path(path_type=Path), default=Path("source"),
              show_default=True, help="Folder with the leaflets (*.md).")
def new(slug: str, kind: str, source_dir: Path) -> None:
    """Write source/SLUG.md: every field it needs, status draft, and the usual sections.

    SLUG is the leaflet's name: lowercase letters, digits and hyphens (car-t-cell-therapy).
    """
    import datetime as dt

    from leaflet_builder.scaffold import ScaffoldError, new_leaflet

    try:
        path = new_leaflet(source_dir, slug, kind, dt.date.today())
    except (ScaffoldError, OSError) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"created {path.as_posix()} (status: draft) — write your text, then run "
               "leaflet check")


@main.command()
@click.option("--for", "target", type=click.Choice(["leaflet", "project", "booklet"]),
              default=None, help="One kind of file only; default: all three in one document.")
def schema(target: Literal["leaflet", "project", "booklet"] | None) -> None:
    """Print a JSON Schema of leaflet front matter, project.yaml and booklets, for editors."""
    import json

    from leaflet_builder.source.editor_schema import json_schema

    click.echo(json.dumps(json_schema(target), indent=2, ensure_ascii=False))


if __name__ == "__main__":  # `python -m leaflet_builder.cli` must run, not exit 0 doing nothing
    main()
