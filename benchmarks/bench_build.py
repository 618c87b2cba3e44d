"""Build benchmarks (issue 7): run by hand, print a Markdown table for the README.

    python benchmarks/bench_build.py                # all, 1 repetition (medians if more)
    python benchmarks/bench_build.py --only a,d --repeat 3

(a) shipped content, PDF + DOCX + EPUB: `leaflet build` against pandoc 3 making the same
    outputs from the same Markdown (PDF through --pdf-engine=weasyprint), one pandoc call each;
(b) a generated 100-leaflet project: --jobs 2 against --jobs 1;
(c) a no-op rebuild against the full build;
(d) `leaflet --help`;
(e) peak memory (whole process tree) of 100- and 200-leaflet builds;
(f) no-op rebuilds (nothing changed) against `leaflet --help`, interleaved in the same run: the
    shipped project, and 1,000 generated leaflets (every format: 4,002 outputs).
Not tests: the numbers depend on the machine, which the table notes.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.generate import generate_project

REPO = Path(__file__).resolve().parents[1]
THREE = ["--format", "pdf", "--format", "docx", "--format", "epub"]


def leaflet(*args: str, cwd: Path) -> float:
    """Seconds one `leaflet` run takes (wall clock); fails loudly if the build fails."""
    started = time.perf_counter()
    done = subprocess.run(["leaflet", *args], cwd=cwd, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: content warnings/errors still build the rest
        raise SystemExit(f"leaflet {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return seconds


def median(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def machine() -> str:
    cpus = len(os.sched_getaffinity(0))
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0]
    return (f"{model}, {cpus} CPUs, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, load average {load:.1f} at start")


# --- (a) against pandoc ---------------------------------------------------------------------


def compile_package() -> None:
    """Byte-compile leaflet_builder as `pip install` does, also in an editable checkout.

    With PYTHONDONTWRITEBYTECODE set (as on some CI machines), an editable install never gets
    its .pyc files, and every process would compile the whole package before doing anything.
    """
    import leaflet_builder

    subprocess.run([sys.executable, "-m", "compileall", "-q",
                    str(Path(leaflet_builder.__file__).parent)], check=True)


def pandoc_path() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def pandoc_all(source: Path, out: Path) -> float:
    """pandoc makes the same outputs as `leaflet build`: each leaflet and the booklet, 3 formats."""
    import yaml

    pandoc = pandoc_path()
    out.mkdir(parents=True, exist_ok=True)
    inputs: list[tuple[str, list[Path]]] = [(p.stem, [p]) for p in sorted(source.glob("*.md"))]
    for booklet in sorted((source / "booklets").glob("*.yaml")):
        members = yaml.safe_load(booklet.read_text())["leaflets"]
        inputs.append((booklet.stem, [source / f"{slug}.md" for slug in members]))
    started = time.perf_counter()
    for name, files in inputs:
        for fmt in ("pdf", "docx", "epub"):
            command = [pandoc, *map(str, files), "-o", str(out / f"{name}.{fmt}"),
                       "--resource-path", str(source)]
            if fmt == "pdf":
                command.append("--pdf-engine=weasyprint")
            subprocess.run(command, check=True, capture_output=True, cwd=source)
    return time.perf_counter() - started


def bench_a(runs: int, work: Path) -> list[tuple[str, str, str]]:
    shutil.copytree(REPO / "source", work / "a" / "source")
    compile_package()
    # interleaved, one round of each at a time: a shared machine's speed drifts by a quarter
    # within minutes, and the medians of interleaved rounds compare like with like
    rounds: dict[str, list[float]] = {"1": [], "n": [], "pandoc": []}
    for _ in range(runs):
        rounds["pandoc"].append(pandoc_all(work / "a" / "source", work / "a" / "pandoc"))
        rounds["1"].append(leaflet("build", "--force", "-j", "1", *THREE, cwd=work / "a"))
        rounds["n"].append(leaflet("build", "--force", *THREE, cwd=work / "a"))
    ours_1, ours_n, theirs = (statistics.median(rounds[key]) for key in ("1", "n", "pandoc"))
    version = subprocess.run([pandoc_path(), "--version"], capture_output=True,
                             text=True, check=True).stdout.split("\n")[0]
    return [
        ("(a) shipped content, PDF+DOCX+EPUB: leaflet build --jobs 1", f"{ours_1:.1f} s",
         f"{theirs / ours_1:.1f}x faster than {version} ({theirs:.1f} s); target >= 3x"),
        ("(a) same, leaflet build (--jobs = CPUs)", f"{ours_n:.1f} s",
         f"{theirs / ours_n:.1f}x faster than pandoc"),
    ]


# --- (b) (c) a generated project ------------------------------------------------------------


def bench_bc(runs: int, work: Path, count: int = 100) -> list[tuple[str, str, str]]:
    root = work / "b"
    generate_project(root, count)
    one = median(runs, lambda: leaflet("build", "--force", "-j", "1", cwd=root))
    two = median(runs, lambda: leaflet("build", "--force", "-j", "2", cwd=root))
    noop = median(max(runs, 3), lambda: leaflet("build", "-j", "2", cwd=root))
    outputs = sum(1 for p in (root / "dist").rglob("*") if p.is_file()
                  and not p.name.startswith(".") and p.name != "manifest.json")
    return [
        (f"(b) {count} generated leaflets, {outputs} outputs, --jobs 1", f"{one:.1f} s", ""),
        ("(b) same, --jobs 2", f"{two:.1f} s", f"{one / two:.2f}x --jobs 1; target >= 1.7x"),
        ("(c) no-op rebuild of (b)", f"{noop:.2f} s",
         f"{100 * noop / one:.1f}% of the full --jobs 1 build; target <= 5%"),
    ]


# --- (d) start-up ---------------------------------------------------------------------------


def bench_d(runs: int, work: Path) -> list[tuple[str, str, str]]:
    def once(command: list[str]) -> float:
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - started

    help_time = median(max(runs, 5), lambda: once(["leaflet", "--help"]))
    python_time = median(max(runs, 5), lambda: once([sys.executable, "-c", "pass"]))
    return [("(d) leaflet --help", f"{help_time:.2f} s",
             f"target < 0.3 s (a bare `python -c pass` takes {python_time:.2f} s here)")]


# --- (f) no-op rebuilds against --help ------------------------------------------------------


def bench_f(runs: int, work: Path, count: int = 1000) -> list[tuple[str, str, str]]:
    def once(command: list[str], cwd: Path) -> float:
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=cwd)
        return time.perf_counter() - started

    shipped, big = work / "f-shipped", work / "f-big"
    shutil.copytree(REPO / "source", shipped / "source")
    generate_project(big, count)
    compile_package()
    for root in (shipped, big):
        leaflet("build", cwd=root)
        again = subprocess.run(["leaflet", "build"], cwd=root, capture_output=True, text=True,
                               check=True)
        if not again.stdout.startswith("built 0 outputs"):  # measure a real no-op only
            raise SystemExit(f"not a no-op in {root}: {again.stdout}")
    rounds: dict[str, list[float]] = {"help": [], "shipped": [], "big": []}
    for _ in range(max(runs, 9)):  # interleaved rounds meet the same machine (see (a))
        rounds["help"].append(once(["leaflet", "--help"], shipped))
        rounds["shipped"].append(once(["leaflet", "build"], shipped))
        rounds["big"].append(once(["leaflet", "build"], big))
    help_time, ours, theirs = (statistics.median(rounds[k]) for k in ("help", "shipped", "big"))
    outputs = sum(1 for p in (big / "dist").rglob("*") if p.is_file()
                  and not p.name.startswith(".") and p.name != "manifest.json")
    return [
        ("(f) no-op rebuild, shipped project", f"{ours:.2f} s",
         f"{ours / help_time:.1f}x `leaflet --help` ({help_time:.2f} s); target <= 2x"),
        (f"(f) no-op rebuild, {count} generated leaflets ({outputs} outputs)", f"{theirs:.2f} s",
         "target < 2 s"),
    ]


# --- (e) memory -----------------------------------------------------------------------------


def tree_rss(root_pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
        todo.extend(children.get(pid, []))
    return total


def peak_memory(args: list[str], cwd: Path) -> int:
    process = subprocess.Popen(["leaflet", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.wait()
    stop.set()
    sampler.join()
    return peak


def bench_e(runs: int, work: Path) -> list[tuple[str, str, str]]:
    rows = []
    for jobs in ("1", "2"):
        peaks = {}
        for count in (100, 200):
            root = work / f"e{count}"
            if not (root / "source").exists():
                generate_project(root, count)
            peaks[count] = peak_memory(["build", "--force", "-j", jobs], root)
        rows.append((f"(e) peak memory, all processes, --jobs {jobs}: 100 / 200 leaflets",
                     f"{peaks[100] / 2**20:.0f} / {peaks[200] / 2**20:.0f} MB",
                     (f"{peaks[200] / peaks[100]:.2f}x for twice the leaflets; "
                      "target < 500 MB, flat")))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="a,b,d,e,f",
                        help="which: a, b (includes c), d, e, f")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measure (median)")
    args = parser.parse_args()
    chosen = set(args.only.split(","))
    rows: list[tuple[str, str, str]] = []
    started = machine()
    with tempfile.TemporaryDirectory(prefix="leaflet-bench-") as folder:
        work = Path(folder)
        for key, bench in (("d", bench_d), ("a", bench_a), ("b", bench_bc), ("e", bench_e),
                           ("f", bench_f)):
            if key in chosen:
                rows += bench(args.repeat, work)
                print(f"done: {key}", file=sys.stderr)
    print(f"\nMachine: {started}; medians of {args.repeat} run(s) unless noted.\n")
    print("| Benchmark | Result | Comparison |\n|---|---|---|")
    for name, value, note in rows:
        print(f"| {name} | {value} | {note} |")


if __name__ == "__main__":
    main()
