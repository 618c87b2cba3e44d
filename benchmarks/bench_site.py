"""Benchmark: what the web site adds to a full build of the shipped project, and its page weights.

Each round builds the shipped content from scratch (`--force`) without the site, with it, and
with it but without the large-print PDFs it offers by default (`site: {large_print: false}`),
interleaved so all meet the same machine; each share is the difference of the medians.
Page weight: each leaflet page's HTML plus the one stylesheet (and the script, on the home page),
before downloads and images. Target: the site adds at most 10%; pages at most 100 kB.
`leaflet serve`: the time from saving a leaflet to the page's event stream announcing the new
build (the browser then reloads; target at most 1 s), median of 10 saves.
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

from leaflet_builder.build import BuildOptions, build
from leaflet_builder.build.outputs import read_manifest
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
    assert result.ok, [d.display() for d in result.diagnostics if d.level == "error"]
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
        entries, problems = publish_site(project, ctx, offered, previous, out, force=True)
        times.append(time.perf_counter() - started)
        # a site that failed is fast: never report its time as the site's
        assert entries and not [p for p in problems if p.level == "error"], problems
    return statistics.median(times)


def serve_latency(source: Path, saves: int = 10) -> list[float]:
    """Seconds from each save to the event that makes the open page reload."""
    import http.client
    import json
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "leaflet_builder", "serve", "--port", "0",
                                "-q", "--source", str(source), "--out", str(source.parent / "s")],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        address = process.stdout.readline().split("http://", 1)[1].split("/")[0]
        conn = http.client.HTTPConnection(address, timeout=60)
        conn.request("GET", "/_leaflet/events")
        stream = conn.getresponse()

        def next_build() -> int:
            while True:
                line = stream.readline().decode()
                if line.startswith("data: "):
                    return int(json.loads(line[6:])["build"])

        seen = next_build()
        while seen == 0:  # the first build
            seen = next_build()
        leaflet = source / "immunotherapy.md"
        text = leaflet.read_text(encoding="utf-8")
        times = []
        for number in range(saves):
            time.sleep(0.5)
            started = time.perf_counter()
            leaflet.write_text(text.replace("Immunotherapy", f"Immunotherapy {number}", 1),
                               encoding="utf-8")
            seen = next_build()
            times.append(time.perf_counter() - started)
        leaflet.write_text(text, encoding="utf-8")
        return times
    finally:
        process.terminate()
        process.wait(timeout=20)


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
        shutil.copytree(REPO / "source", work / "plain" / "source")
        with (work / "plain" / "source" / "project.yaml").open("a", encoding="utf-8") as yaml:
            yaml.write("\nsite:\n  large_print: false\n")
        without, with_site, plain = [], [], []
        for _ in range(args.rounds):
            without.append(timed_build(work / "source", work / "a", WITHOUT))
            with_site.append(timed_build(work / "source", work / "b", (*WITHOUT, "site")))
            plain.append(timed_build(work / "plain" / "source", work / "c", (*WITHOUT, "site")))
        a, b = statistics.median(without), statistics.median(with_site)
        c = statistics.median(plain)
        print(f"full build without the site: {a:.2f} s; with it and its large-print PDFs: "
              f"{b:.2f} s (+{(b - a) / a:.1%}); with it, no large print: {c:.2f} s "
              f"(+{(c - a) / a:.1%}; medians of {args.rounds})")
        alone = site_step(work / "source", work / "b", 5)
        print(f"the site step alone: {alone:.2f} s ({alone / a:.1%} of the build without it; "
              "median of 5)")
        weights = page_weights(work / "b" / "site")
        for name, size in weights:
            print(f"  {name:40} {size / 1000:6.1f} kB")
        sizes = [size for _, size in weights]
        print(f"pages: {min(sizes) / 1000:.1f}-{max(sizes) / 1000:.1f} kB (budget 100 kB)")
        latency = serve_latency(work / "source")
        print(f"leaflet serve, save to reload event: median {statistics.median(latency):.2f} s, "
              f"max {max(latency):.2f} s (10 saves)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
