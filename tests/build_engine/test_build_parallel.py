"""Build engine across processes: jobs and Dask parity, reproducibility, kill -9, stuck workers."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from leaflet_builder.build import BuildOptions, build
from leaflet_builder.build.outputs import TEMP_FILE
from leaflet_builder.build.runners import PoolRunner
from leaflet_builder.build.worker import RenderJob, RenderOutcome, run_job
from tests.helpers import leaflet_text, make_project, manifest, png_bytes, require_module

ALL = ("pdf", "docx", "epub", "html")


def parity_project(root: Path, count: int = 4) -> Path:
    """Leaflets with lists, a table, an image, related leaflets, and a booklet of them all."""
    leaflets = {f"leaflet-{i}": leaflet_text(
        f"## Part {i}\n\nText of leaflet {i}.\n\n- one\n- two\n\n"
        "| Day | Dose |\n|---|---|\n| 1 | 10 mg |\n\n![A blue box](images/box.png)\n",
        title=f"Leaflet {i}", reviewed="2026-02-01", related=[f"leaflet-{(i + 1) % count}"])
        for i in range(count)}
    return make_project(root, leaflets, project={"organisation": "Parity clinic"},
                        booklets={"set": {"title": "The set", "leaflets": sorted(leaflets)}},
                        files={"images/box.png": png_bytes()})


def dist_bytes(dist: Path) -> dict[str, bytes]:
    return {p.relative_to(dist).as_posix(): p.read_bytes()
            for p in sorted(dist.rglob("*")) if p.is_file() and not p.name.startswith(".")}


@pytest.fixture(scope="module")
def sequential(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """The parity project built with --jobs 1, in every format."""
    root = tmp_path_factory.mktemp("jobs1")
    source = parity_project(root)
    result = build(BuildOptions(source, root / "dist", formats=ALL, jobs=1))
    assert result.ok, result.diagnostics
    outputs = dist_bytes(root / "dist")
    assert len([p for p in outputs if p.startswith("clinic/")]) == 4 * 4 + 2
    return source, outputs


def test_jobs_2_writes_the_same_bytes_as_jobs_1(
        sequential: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    source, expected = sequential
    result = build(BuildOptions(source, tmp_path / "dist", formats=ALL, jobs=2))
    assert result.ok, result.diagnostics
    assert dist_bytes(tmp_path / "dist") == expected


@pytest.mark.slow
def test_a_dask_cluster_writes_the_same_bytes_as_jobs_1(
        sequential: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    distributed = require_module("distributed")
    source, expected = sequential
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  host="127.0.0.1", protocol="tcp",
                                  dashboard_address=":0") as cluster:
        # through --scheduler's code path (a real scheduler address)...
        options = BuildOptions(source, tmp_path / "dist", formats=ALL,
                               scheduler=cluster.scheduler_address)
        result = build(options)
        assert result.ok, result.diagnostics
        assert len(result.built) == 18
        assert dist_bytes(tmp_path / "dist") == expected
        # ...and as a plain concurrent.futures.Executor handed to build()
        with distributed.Client(cluster, set_as_default=False) as client:
            again = build(BuildOptions(source, tmp_path / "dist2", formats=("html", "epub")),
                          executor=client.get_executor(pure=False))
        assert again.ok
        assert {k: v for k, v in expected.items() if k.endswith((".html", ".epub"))} == {
            k: v for k, v in dist_bytes(tmp_path / "dist2").items() if k != "manifest.json"}


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    require_module("distributed")
    source = parity_project(tmp_path)
    from leaflet_builder.errors import LeafletError

    with pytest.raises(LeafletError, match="cannot reach the Dask scheduler"):
        build(BuildOptions(source, tmp_path / "dist", formats=("html",), force=True,
                           scheduler="tcp://127.0.0.1:9"))


# --- reproducibility ------------------------------------------------------------------------


def touch_all(folder: Path, offset: float = 3600) -> None:
    later = time.time() + offset
    for path in folder.rglob("*"):
        os.utime(path, (later, later))


def test_every_format_is_byte_identical_across_builds(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Build, touch every source, build again (forced, other --jobs): every byte the same.

    Then the same project in another folder: the outputs must not depend on where it lies.
    """
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 1 January 2026
    source = parity_project(tmp_path / "a")
    first = build(BuildOptions(source, tmp_path / "a/dist", formats=ALL, jobs=2))
    assert first.ok, first.diagnostics
    one = dist_bytes(tmp_path / "a/dist")
    assert {p.rsplit(".", 1)[1] for p in one} >= set(ALL)
    touch_all(source)
    assert build(BuildOptions(source, tmp_path / "a/dist", formats=ALL, jobs=1, force=True)).ok
    again = dist_bytes(tmp_path / "a/dist")
    assert sorted(p for p in one if one[p] != again[p]) == [], "a rebuild changed bytes"
    # the date everything shows is SOURCE_DATE_EPOCH's, not the clock's
    with zipfile.ZipFile(tmp_path / "a/dist/clinic/leaflet-0.docx") as docx:
        core = docx.read("docProps/core.xml").decode()
        assert "2026-01-01T00:00:00Z" in core
        assert {info.date_time for info in docx.infolist()} == {(2026, 1, 1, 0, 0, 0)}
    with zipfile.ZipFile(tmp_path / "a/dist/clinic/set.epub") as epub:
        opf = next(n for n in epub.namelist() if n.endswith(".opf"))
        assert "2026-01-01T00:00:00Z" in epub.read(opf).decode()

    elsewhere = parity_project(tmp_path / "b" / "deeper")
    touch_all(elsewhere, 7200)
    assert build(BuildOptions(elsewhere, tmp_path / "b/dist", formats=ALL, jobs=2)).ok
    two = dist_bytes(tmp_path / "b/dist")
    differing = sorted(p for p in one if one[p] != two[p] and p != "manifest.json")
    # every format, PDFs with images included, is independent of the project's folder
    assert differing == []


def test_without_source_date_epoch_dates_come_from_the_source(
        sequential: tuple[Path, dict[str, bytes]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    source, expected = sequential
    touch_all(source, 7200)  # the leaflets state their review dates: mtimes must not matter
    assert build(BuildOptions(source, tmp_path / "dist", formats=ALL, jobs=2)).ok
    got = dist_bytes(tmp_path / "dist")
    assert [p for p in expected if p != "manifest.json" and got[p] != expected[p]] == []


# --- interruption ---------------------------------------------------------------------------


def assert_whole(path: Path) -> None:
    """Open an output with an independent reader: a half-written file fails here."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
        assert len(reader.pages) >= 1
        assert data.rstrip().endswith(b"%%EOF")
    elif path.suffix in (".docx", ".epub"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None
    elif path.suffix == ".html":
        assert data.rstrip().endswith(b"</html>")
    elif path.suffix == ".json":
        import json

        json.loads(data)


@pytest.mark.slow
def test_kill_9_mid_build_leaves_only_whole_files(tmp_path: Path) -> None:
    source = parity_project(tmp_path, count=10)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    command = ["leaflet", "build", "-j", "2", "--format", "pdf", "--format", "docx",
               "--format", "epub"]
    subprocess.run(command, cwd=tmp_path, env=env, check=True, capture_output=True)
    dist = tmp_path / "dist"
    old = {e["path"]: e["sha256"] for e in manifest(dist)}
    for path in source.glob("*.md"):  # every output will change
        path.write_text(path.read_text() + "\nOne more paragraph.\n")
    process = subprocess.Popen(command + ["--force"], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        started = time.time()
        while time.monotonic() < deadline:  # wait until some outputs are new, others not
            renewed = [p for p in (dist / "clinic").iterdir() if p.stat().st_mtime > started]
            if len(renewed) >= 3 or process.poll() is not None:
                break
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the build, its forkserver and its workers
        process.wait()
    assert process.returncode == -signal.SIGKILL, "the build finished before it was killed"
    for path in dist.rglob("*"):
        if path.is_file() and not TEMP_FILE.match(path.name) and path.name != ".leaflet-build.lock":
            assert_whole(path)
    listed = {e["path"] for e in manifest(dist)}
    assert listed == set(old)  # the manifest is the old, whole one
    # the next build cleans the temp files up and finishes the job
    finished = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                              check=False)
    assert finished.returncode == 0, finished.stderr
    assert not [p for p in dist.rglob("*") if TEMP_FILE.match(p.name)]
    import hashlib

    for entry in manifest(dist):
        data = (dist / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert_whole(dist / entry["path"])
    assert sum(1 for e in manifest(dist) if e["sha256"] != old[e["path"]]) == len(old)


# --- a worker stuck beyond its own timer ----------------------------------------------------


def stuck_in_c(job: RenderJob) -> RenderOutcome:
    """Test render function (run in pool workers): `leaflet-1` hangs where no timer reaches."""
    if job.task.slug == "leaflet-1":
        from leaflet_builder.build import worker as build_worker

        build_worker._START_QUEUE.put((job.job_id, os.getpid(), time.monotonic()))
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(300)
    return run_job(job)


def test_a_stuck_worker_is_killed_and_the_other_jobs_finish(
        sequential: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    source, expected = sequential
    runner = PoolRunner(2, ("html",), function=stuck_in_c)
    started = time.monotonic()
    try:
        result = build(BuildOptions(source, tmp_path / "dist", formats=("html",), timeout=1),
                       runner=runner)
    finally:
        runner.close()
    assert time.monotonic() - started < 60
    assert [t.slug for t in result.failed] == ["leaflet-1"]
    message = next(d for d in result.diagnostics if d.location.path.name == "leaflet-1.md")
    assert "longer than 1 s" in message.message
    got = dist_bytes(tmp_path / "dist")
    for slug in ("leaflet-0", "leaflet-2", "leaflet-3"):
        assert got[f"clinic/{slug}.html"] == expected[f"clinic/{slug}.html"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_build_leaves_nothing_in_the_temporary_folder(tmp_path: Path, jobs: str) -> None:
    # WeasyPrint copies the fonts (about 6 MB) into a temporary folder per process; pool
    # workers used to leave theirs behind after every build
    source = parity_project(tmp_path / "project", count=2)
    # a short folder: the process pool's socket lives there, and socket paths are short
    with tempfile.TemporaryDirectory(prefix="lb-") as scratch:
        done = subprocess.run(["leaflet", "build", "--source", str(source), "--out",
                               str(tmp_path / "dist"), "--format", "pdf", "--jobs", jobs],
                              env={**os.environ, "TMPDIR": scratch}, capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert len(list((tmp_path / "dist").rglob("*.pdf"))) == 3
        assert sorted(p.name for p in Path(scratch).iterdir()) == []


def test_a_temporary_folder_too_long_for_a_socket_still_builds(tmp_path: Path) -> None:
    # the worker pool's fork server listens on a socket in TMPDIR, whose path is limited
    source = parity_project(tmp_path / "project", count=2)
    scratch = tmp_path / ("t" * 60) / ("m" * 60)
    scratch.mkdir(parents=True)
    done = subprocess.run(["leaflet", "build", "--source", str(source), "--out",
                           str(tmp_path / "dist"), "--format", "docx", "--jobs", "2"],
                          env={**os.environ, "TMPDIR": str(scratch)}, capture_output=True,
                          text=True, check=False)
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "dist" / "clinic").glob("*.docx")) == [
        "leaflet-0.docx", "leaflet-1.docx"]


def test_no_worker_process_keeps_the_callers_output_open(tmp_path: Path) -> None:
    # whoever reads a build's output (a pipe, CI) sees the end of it when the build ends; the
    # worker pool's fork server used to hold stdout and stderr open until its own shutdown
    source = parity_project(tmp_path / "project", count=2)
    process = subprocess.Popen(["leaflet", "build", "--source", str(source), "--out",
                                str(tmp_path / "dist"), "--format", "docx", "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.wait(timeout=300) == 0
    assert process.stdout is not None and process.stderr is not None
    for pipe in (process.stdout, process.stderr):
        os.set_blocking(pipe.fileno(), False)
        chunks = []
        while True:
            try:
                chunk = os.read(pipe.fileno(), 65536)
            except BlockingIOError:
                pytest.fail("another process still holds the build's output open")
            if not chunk:
                break  # end of file: nobody else writes to it
            chunks.append(chunk)
        pipe.close()
