"""Benchmark: what the web site adds to a full build of the shipped project, and its page weights.

Each round builds the shipped content from scratch (`--force`) without the site and with it,
interleaved so both meet the same machine; the site's share is the difference of the medians.
Page weight: each leaflet page's HTML plus the one stylesheet (and the script, on the home page),
before downloads and images. Target: the site adds at most 10%; pages at most 100 kB.
Usage: python benchmarks/bench_site.py [--rounds N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from leaflet_builder.build import BuildOptions, build, read_manifest
from leaflet_builder.layouts import load_layout
from leaflet_builder.model import glossary_terms
from leaflet_builder.project import load_project
from leaflet_builder.render import RenderContext
from leaflet_builder.render.site.publish import publish_site

REPO = Path(__file__).resolve().parents[1]
WITHOUT = ("pdf", "docx", "epub", "html")


def timed_build(source: Path, out: Path, formats: tuple[str, ...]) -> float:
    started = time.perf_counter()
    result = build(BuildOptions(source, out, (), formats, force=True))
    assert not result.failed, result.failed
    return time.perf_counter() - started


def site_step(source: Path, out: Path, rounds: int) -> float:
    """The site alone, made again from the outputs already in `out` (median seconds)."""
    project = load_project(source)
    layout = load_layout(project.settings.default_layout, project.root)
    ctx = RenderContext(project.settings, layout, project.source_dir, project.titles(),
                        glossary_terms(project.leaflets.values()))
    previous = {str(e["path"]): e for e in read_manifest(out)}
    offered = [e for e in previous.values() if e.get("kind") != "site"]
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        publish_site(project, ctx, offered, previous, out, force=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def page_weights(site: Path) -> list[tuple[str, int]]:
    weights = []
    for page in sorted(site.rglob("index.html")):
        text = page.read_text(encoding="utf-8")
        total = len(text.encode("utf-8"))
        for ref in re.findall(r'<(?:link rel="stylesheet"|script) (?:href|src)="([^"]+)"', text):
            total += (page.parent / ref).stat().st_size
        weights.append((page.parent.relative_to(site).as_posix() or "(home)", total))
    return weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-site-"))
    try:
        shutil.copytree(REPO / "source", work / "source")
        without, with_site = [], []
        for _ in range(args.rounds):
            without.append(timed_build(work / "source", work / "a", WITHOUT))
            with_site.append(timed_build(work / "source", work / "b", (*WITHOUT, "site")))
        a, b = statistics.median(without), statistics.median(with_site)
        print(f"full build without the site: {a:.2f} s; with it: {b:.2f} s "
              f"(+{(b - a) / a:.1%}; medians of {args.rounds})")
        alone = site_step(work / "source", work / "b", 5)
        print(f"the site step alone: {alone:.2f} s ({alone / a:.1%} of the build without it; "
              "median of 5)")
        weights = page_weights(work / "b" / "site")
        for name, size in weights:
            print(f"  {name:40} {size / 1000:6.1f} kB")
        sizes = [size for _, size in weights]
        print(f"pages: {min(sizes) / 1000:.1f}-{max(sizes) / 1000:.1f} kB (budget 100 kB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
