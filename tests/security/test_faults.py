"""Faults a hostile or unlucky project can cause, each confined to the leaflet or output at fault.

Issue 18, items 3-11: bytes no file name can hold, trailing newlines in names, a booklet and a
leaflet sharing a slug, edits saved during a build, content a renderer cannot write, files of the
user's in dist/, a full or read-only disk, interrupted builds and runaway memory. Each test builds
a small project (HTML only where the format does not matter, for speed) and checks what a user
would: the message, the exit code, the files in dist/ and what they say.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaflet_builder.build import BuildOptions, build
from leaflet_builder.project import load_project
from tests.helpers import leaflet_text, make_project, manifest, png_bytes, run_cli

IMAGE = {"images/ok.png": png_bytes()}


def _build(source: Path, out: Path, formats: tuple[str, ...] = ("html",), **options: object
           ) -> object:
    return build(BuildOptions(source, out, formats=formats, jobs=1, **options))  # type: ignore[arg-type]


# --- item 3: any bytes in an image path are a content error of that leaflet only -------------

BAD_PATHS = {
    "nul-escape": "a%00.png",
    "control-escape": "images/a%07b.png",
    "del": "images/a%7f.png",
    "broken-escape": "images/%ff%fe.png",
    "surrogate-escape": "images/%ed%a0%80.png",
    "overlong-name": "images/" + "n" * 300 + ".png",
    "overlong-path": "/".join(["d"] * 700) + "/a.png",
}


@pytest.mark.parametrize("case", sorted(BAD_PATHS))
def test_unnameable_markdown_image_path_fails_only_its_leaflet(tmp_path: Path, case: str) -> None:
    source = make_project(tmp_path, {
        "bad": leaflet_text(f"Intro.\n\n![x]({BAD_PATHS[case]})\n"),
        "good": leaflet_text("Fine.\n\n![ok](images/ok.png)\n"),
    }, files=IMAGE)
    project = load_project(source)
    errors = [d.display(tmp_path) for d in project.diagnostics.errors]
    assert len(errors) == 1 and errors[0].startswith("source/bad.md:8: image '"), errors
    assert "\x00" not in errors[0] and "\x07" not in errors[0]
    assert set(project.leaflets) == {"good"}
    result = _build(source, tmp_path / "dist")
    assert {o["path"] for o in manifest(tmp_path / "dist")} == {"clinic/good.html"}
    assert not result.ok  # type: ignore[attr-defined]


@pytest.mark.parametrize("src", ['"a\\0.png"', '"images/\\x07.png"', '"images/\\ud800.png"',
                                 "images/" + "n" * 300 + ".png"])
def test_unnameable_front_matter_and_cover_paths_are_located_errors(tmp_path: Path,
                                                                    src: str) -> None:
    source = make_project(tmp_path, {"good": leaflet_text()}, files=IMAGE)
    (source / "hero.md").write_text(
        f"---\ntitle: Hero\nsummary: A summary.\nstatus: draft\nimage:\n  src: {src}\n"
        "  alt: A picture\n---\nText.\n", encoding="utf-8")
    (source / "booklets").mkdir()
    (source / "booklets" / "book.yaml").write_text(
        f"title: Book\nleaflets: [good]\ncover:\n  src: {src}\n  alt: Cover\n", encoding="utf-8")
    project = load_project(source)
    errors = sorted(d.display(tmp_path) for d in project.diagnostics.errors)
    assert [e.split(": ")[0] for e in errors] == ["source/booklets/book.yaml:4",
                                                   "source/hero.md:6"], errors
    assert set(project.leaflets) == {"good"}


def test_check_and_build_commands_report_a_nul_path_without_a_traceback(tmp_path: Path) -> None:
    make_project(tmp_path, {"bad": leaflet_text("![x](a%00.png)\n"), "good": leaflet_text()})
    checked = run_cli("check", cwd=tmp_path)
    assert checked.returncode == 1
    assert "source/bad.md:6: error: " in checked.stdout + checked.stderr
    built = run_cli("build", "--format", "html", "-j", "1", cwd=tmp_path)
    assert built.returncode == 1
    assert "Traceback" not in built.stderr and "source/bad.md:6:" in built.stderr
    assert (tmp_path / "dist" / "clinic" / "good.html").is_file()


# --- item 9: a trailing newline never passes a name check ------------------------------------

def test_layout_name_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    make_project(tmp_path, {"good": leaflet_text()})
    evil = tmp_path / "layouts" / "evil\n"
    evil.mkdir(parents=True)
    (evil / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
    result = run_cli("build", "--format", "html", "-j", "1", "--layout", "evil\n", cwd=tmp_path)
    assert result.returncode != 0, result.stderr
    assert "layout name 'evil\\n' is not valid" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dist" / "evil\n").exists()
    assert not list((tmp_path / "dist").rglob("*.html"))


def test_names_with_a_trailing_newline_are_content_errors(tmp_path: Path) -> None:
    from leaflet_builder.build.outputs import output_path

    source = make_project(tmp_path, {"good": leaflet_text(), "bad\n": leaflet_text()},
                          booklets={"book\n": {"title": "B", "leaflets": ["good"]}})
    project = load_project(source)
    assert set(project.leaflets) == {"good"}
    assert not project.booklets
    located = {d.location.path.name for d in project.diagnostics.errors}
    assert located == {"bad\n.md", "book\n.yaml"}, project.diagnostics.errors
    with pytest.raises(Exception, match="would leave the output folder"):
        output_path(tmp_path / "dist", "clinic\n/good.html")


# --- item 7: a booklet may not share its name with a leaflet ---------------------------------

def test_booklet_named_like_a_leaflet_is_an_error_in_build_and_check(tmp_path: Path) -> None:
    make_project(tmp_path, {"fever": leaflet_text(title="Fever leaflet"),
                            "rash": leaflet_text(title="Rash")},
                 booklets={"fever": {"title": "Fever booklet", "leaflets": ["rash"]}})
    for _ in range(2):  # on alternate builds each used to overwrite the other's file
        built = run_cli("build", "--format", "epub", "-j", "1", cwd=tmp_path)
        assert built.returncode == 1
        assert "source/booklets/fever.yaml: booklet 'fever' has the same name as the leaflet " \
            in built.stderr, built.stderr
        assert "source/fever.md" in built.stderr
        assert "was not written by" not in built.stderr
        entries = {o["path"]: o["kind"] for o in manifest(tmp_path / "dist")}
        assert entries == {"clinic/fever.epub": "leaflet", "clinic/rash.epub": "leaflet"}
        import zipfile
        with zipfile.ZipFile(tmp_path / "dist" / "clinic" / "fever.epub") as book:
            text = b"".join(book.read(n) for n in book.namelist() if n.endswith("html"))
        assert b"Fever leaflet" in text and b"Fever booklet" not in text
    checked = run_cli("check", cwd=tmp_path)
    assert checked.returncode == 1
    assert "source/booklets/fever.yaml: error: source: booklet 'fever' has the same name" in \
        checked.stdout + checked.stderr


# --- item 6: a save during a build is never marked as built ----------------------------------

def test_edit_saved_during_a_build_is_built_by_the_next_one(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import leaflet_builder.project as build_module  # the build imports load_project from here

    source = make_project(tmp_path, {"fever": leaflet_text("Old words.\n")},
                          booklets={"book": {"title": "Book", "leaflets": ["fever"]}})
    real_load = build_module.load_project

    def load_then_edit(folder: Path) -> object:
        project = real_load(folder)  # the build has read the sources; now the author saves
        (source / "fever.md").write_text(leaflet_text("New words.\n"), encoding="utf-8")
        (source / "booklets" / "book.yaml").write_text("title: Renamed\nleaflets: [fever]\n",
                                                       encoding="utf-8")
        return project

    monkeypatch.setattr(build_module, "load_project", load_then_edit)
    out = tmp_path / "dist"
    _build(source, out, formats=("html", "epub"))
    assert "Old words." in (out / "clinic" / "fever.html").read_text(encoding="utf-8")
    monkeypatch.setattr(build_module, "load_project", real_load)

    again = _build(source, out, formats=("html", "epub"))
    assert sorted(str(e["path"]) for e in again.built) == [  # type: ignore[attr-defined]
        "clinic/book.epub", "clinic/fever.epub", "clinic/fever.html"]
    assert "New words." in (out / "clinic" / "fever.html").read_text(encoding="utf-8")


# --- item 5: what the schema accepts, every renderer writes ----------------------------------

def _cmyk_jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()  # Pillow writes CMYK JPEGs with Adobe's marker, as Photoshop does
    Image.new("CMYK", (60, 40), (0, 200, 255, 0)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_long_properties_far_dates_and_cmyk_jpeg_build_in_every_format(tmp_path: Path) -> None:
    import zipfile

    import docx

    title = "Living well with immunotherapy " * 10  # about 310 characters
    source = make_project(tmp_path, {
        "long-title": leaflet_text(title=title.strip()),
        "tags": leaflet_text(tags=[f"immunotherapy side effect {i}" for i in range(20)]),
        "far": leaflet_text(reviewed="2108-01-01"),
        "cmyk": leaflet_text("A picture.\n\n![A red square](images/print.jpg)\n"),
    }, project={"organisation": "Oncology " * 40}, files={"images/print.jpg": _cmyk_jpeg()})
    out = tmp_path / "dist"
    result = _build(source, out, formats=("pdf", "docx", "epub", "html"))
    assert not result.failed, [d.display() for d in result.diagnostics]  # type: ignore[attr-defined]
    core = docx.Document(str(out / "clinic" / "long-title.docx")).core_properties
    assert core.title.endswith("…") and len(core.title) == 255
    assert title.startswith(core.title[:-1])
    assert len(core.author) == 255
    tagged = docx.Document(str(out / "clinic" / "tags.docx")).core_properties
    assert tagged.keywords.startswith("immunotherapy side effect 0, ") and len(tagged.keywords) <= 255
    with zipfile.ZipFile(out / "clinic" / "far.epub") as book:
        assert all(i.date_time[0] <= 2107 for i in book.infolist())
    picture = docx.Document(str(out / "clinic" / "cmyk.docx")).inline_shapes
    assert len(picture) == 1


def test_truncated_image_is_refused_at_read_time_for_every_format(tmp_path: Path) -> None:
    whole = png_bytes(300, 200)
    source = make_project(tmp_path, {
        "broken": leaflet_text("A picture.\n\n![A chart](images/cut.png)\n"),
        "good": leaflet_text(),
    }, files={"images/cut.png": whole[: len(whole) // 2]})
    project = load_project(source)
    assert [d.display(tmp_path) for d in project.diagnostics.errors] == [
        ("source/broken.md:8: image 'images/cut.png': the image is damaged or cut short — "
         "export it again as PNG or JPEG")]
    result = _build(source, tmp_path / "dist", formats=("pdf", "docx", "epub", "html"))
    assert sorted(o["path"] for o in manifest(tmp_path / "dist")) == [
        "clinic/good.docx", "clinic/good.epub", "clinic/good.html", "clinic/good.pdf"]
    assert not result.ok  # type: ignore[attr-defined]


# --- item 8: dist/ holds the user's files too: only the build's own are removed or replaced --

def test_users_tmp_files_in_dist_are_kept_and_the_builds_own_leftovers_removed(
        tmp_path: Path) -> None:
    source = make_project(tmp_path, {"good": leaflet_text()})
    out = tmp_path / "dist"
    (out / "clinic").mkdir(parents=True)
    mine = [out / "clinic" / ".report.abcd1234.tmp", out / ".budget.xlsx.q1w2e3r4.tmp"]
    for path in mine:
        path.write_text("my work", encoding="utf-8")
    leftover = out / "clinic" / ".leaflet-tmp-good.html.k2j4h5g6.tmp"  # a killed build's
    leftover.write_text("half", encoding="utf-8")
    _build(source, out)
    assert [p.read_text(encoding="utf-8") for p in mine] == ["my work", "my work"]
    assert not leftover.exists()
    assert not [p for p in out.rglob("*.tmp") if p not in mine]  # writes leave none behind


def test_a_users_own_manifest_json_is_never_overwritten(tmp_path: Path) -> None:
    make_project(tmp_path, {"good": leaflet_text()})
    own = tmp_path / "dist" / "manifest.json"
    own.parent.mkdir()
    own.write_text('{"name": "my web app", "version": 3}\n', encoding="utf-8")
    result = run_cli("build", "--format", "html", "-j", "1", cwd=tmp_path)
    assert result.returncode != 0
    assert "manifest.json" in result.stderr and "was not written by `leaflet build`" in \
        result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert own.read_text(encoding="utf-8") == '{"name": "my web app", "version": 3}\n'


@pytest.mark.parametrize("name", [".leaflet-build.lock", ".leaflet-build-journal.jsonl"])
def test_a_symlinked_lock_or_journal_never_leads_a_write_outside_dist(tmp_path: Path,
                                                                      name: str) -> None:
    make_project(tmp_path, {"good": leaflet_text()})
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / name).symlink_to(outside / "planted")
    result = run_cli("build", "--format", "html", "-j", "1", cwd=tmp_path)
    assert not (outside / "planted").exists()
    assert result.returncode != 0
    assert f"{name} is a symbolic link" in result.stderr and "Traceback" not in result.stderr


# --- item 4: a full disk or read-only --out: one clear line, exit 1, every file whole -------

def _noise_png(side: int) -> bytes:
    import io
    import os

    from PIL import Image

    buffer = io.BytesIO()  # random pixels do not compress: a big file from a small image
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def _dist_state(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in (".leaflet-build.lock",
                                              ".leaflet-build-journal.jsonl")}  # the build's notes


@pytest.mark.parametrize("code", ["ENOSPC", "EROFS"])
def test_failing_writes_keep_the_old_outputs_and_manifest_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    import errno
    import os

    source = make_project(tmp_path, {"fever": leaflet_text("Old.\n"), "rash": leaflet_text()})
    out = tmp_path / "dist"
    _build(source, out)
    before = _dist_state(out)
    (source / "fever.md").write_text(leaflet_text("New.\n"), encoding="utf-8")
    (source / "cough.md").write_text(leaflet_text(), encoding="utf-8")
    number = getattr(errno, code)

    def failing_fsync(fd: int) -> None:  # what a full or read-only disk answers a write
        raise OSError(number, os.strerror(number))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    result = _build(source, out)
    monkeypatch.undo()
    messages = [d.display(tmp_path) for d in result.diagnostics]  # type: ignore[attr-defined]
    assert any(m.startswith("dist/clinic/fever.html: could not write ") and
               os.strerror(number) in m for m in messages), messages
    assert any(m.startswith("dist/.leaflet-build-state.json: could not write") for m in messages)
    assert not result.ok  # type: ignore[attr-defined]
    # no temp file, no half file, the old manifest; the no-op record goes, so that the next
    # build looks at everything again instead of trusting the failed one
    del before[".leaflet-build-noop.json"]
    assert _dist_state(out) == before
    again = _build(source, out)  # space is back: the next build catches up
    assert again.ok and "New." in (out / "clinic" / "fever.html").read_text()  # type: ignore[attr-defined]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 300 kB file system (tmpfs) at tmp_path/dist; skipped where mounting is not allowed."""
    import shutil
    import subprocess

    mount = shutil.which("mount")
    target = tmp_path / "dist"
    target.mkdir()
    if mount is None or subprocess.run([mount, "-t", "tmpfs", "-o", "size=300k", "tmpfs",
                                        str(target)], capture_output=True, check=False).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root in a privileged container")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def test_full_and_read_only_disks_give_one_line_and_exit_1(tmp_path: Path,
                                                            small_disk: Path) -> None:
    import json
    import subprocess

    make_project(tmp_path, {"fever": leaflet_text(), "rash": leaflet_text()})
    first = run_cli("build", "--format", "html", "-j", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    manifest_before = (small_disk / "manifest.json").read_bytes()
    (tmp_path / "source" / "big.md").write_text(
        leaflet_text("A photo.\n\n![Noise](images/noise.png)\n"), encoding="utf-8")
    (tmp_path / "source" / "images").mkdir()
    (tmp_path / "source" / "images" / "noise.png").write_bytes(_noise_png(200))  # ~120 kB
    (tmp_path / "source" / "huge.md").write_text(
        leaflet_text("A photo.\n\n![Noise](images/noise2.png)\n"), encoding="utf-8")
    (tmp_path / "source" / "images" / "noise2.png").write_bytes(_noise_png(260))  # ~200 kB

    full = run_cli("build", "--format", "html", "-j", "1", cwd=tmp_path)
    assert full.returncode == 1
    assert "Traceback" not in full.stderr
    assert "No space left on device" in full.stderr and "dist/clinic/huge.html" in full.stderr
    assert not [p for p in small_disk.rglob("*.tmp")]
    outputs = json.loads((small_disk / "manifest.json").read_text())["outputs"]
    assert {"clinic/fever.html", "clinic/rash.html"} <= {o["path"] for o in outputs}

    (tmp_path / "source" / "huge.md").unlink()
    (tmp_path / "source" / "big.md").unlink()
    manifest_before = (small_disk / "manifest.json").read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    (tmp_path / "source" / "fever.md").write_text(leaflet_text("Changed.\n"), encoding="utf-8")
    read_only = run_cli("build", "--format", "html", "-j", "1", cwd=tmp_path)
    assert read_only.returncode == 1
    assert "Traceback" not in read_only.stderr
    assert "Read-only file system" in read_only.stderr
    assert len(read_only.stderr.strip().splitlines()) == 1, read_only.stderr
    assert (small_disk / "manifest.json").read_bytes() == manifest_before


# --- item 10: an interrupted build leaves no process and, by the next build, no folder -------

def _children_of(root: int) -> set[int]:
    """Every process descended from `root` now (a scan of /proc's parent pids)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_killed_build_leaves_no_process_and_its_font_folder_is_swept(tmp_path: Path,
                                                                     how: str) -> None:
    import os
    import signal
    import subprocess
    import tempfile
    import time

    if not Path("/proc/self/stat").exists():
        pytest.skip("needs Linux /proc")
    make_project(tmp_path, {f"leaflet-{i}": leaflet_text("Text.\n" * 50) for i in range(40)})
    build = subprocess.Popen(["leaflet", "build", "--format", "pdf", "-j", "2", "-q"],
                             cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((tmp_path / "dist").rglob("*.pdf")):
        time.sleep(0.1)  # mid-way: the workers are rendering
    family = _children_of(build.pid)
    assert family, "the build started no worker processes"
    # other builds share /tmp: ours are named with the pid of the process that made them
    ours = {path for pid in family | {build.pid}
            for path in Path(tempfile.gettempdir()).glob(f"leaflet-fonts-{pid}-*")}
    assert ours, "the workers made no font folder named with their pid"
    build.send_signal(getattr(signal, how))
    build.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in family):
        time.sleep(0.2)
    left = [pid for pid in family if _alive(pid)]
    for pid in left:  # do not leave them for the other tests either
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left behind: {left}"

    again = run_cli("build", "--format", "html", "-j", "1", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert not [p for p in ours if p.exists()], "the dead build's font folders were not swept"


def test_only_folders_of_ended_leaflet_processes_are_swept(tmp_path: Path) -> None:
    import os
    import subprocess

    from leaflet_builder.build.guards import sweep_dead_temp_dirs

    dead_pid = subprocess.Popen(["true"])
    dead_pid.wait()
    dead = tmp_path / f"leaflet-fonts-{dead_pid.pid}-abcd_123"
    live = tmp_path / f"leaflet-fonts-{os.getpid()}-abcd_123"
    old_style = tmp_path / "leaflet-fonts-abcd_123"  # no owner in the name: never guessed at
    users = tmp_path / f"my-fonts-{dead_pid.pid}-abcd_123"
    for folder in (dead, live, old_style, users):
        folder.mkdir()
        (folder / "font.ttf").write_bytes(b"x")
    link = tmp_path / f"leaflet-fonts-{dead_pid.pid}-link_123"
    link.symlink_to(users)
    assert sweep_dead_temp_dirs(tmp_path) == [dead]
    assert live.exists() and old_style.exists() and users.exists() and link.is_symlink()


# --- item 11: each worker has a memory ceiling; a runaway render fails alone -----------------

def test_runaway_template_hits_the_memory_ceiling_and_the_rest_builds(tmp_path: Path) -> None:
    make_project(tmp_path, {"normal": leaflet_text("Some text.\n"),
                            "runaway": leaflet_text(title="Runaway")})
    shared = tmp_path / "layouts" / "loop" / "templates" / "shared"
    shared.mkdir(parents=True)
    (tmp_path / "layouts" / "loop" / "layout.yaml").write_text("extends: clinic\n")
    (shared / "title.html").write_text(  # ten billion pieces of output for one leaflet
        '<header class="title-block">{% if meta.title == "Runaway" %}'
        "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxxxxxxxx{{ j }}"
        '{% endfor %}{% endfor %}{% endif %}<h1 class="title">{{ meta.title }}</h1></header>\n')
    result = run_cli("build", "--format", "html", "-j", "2", "--layout", "loop",
                     "--memory-limit", "400M", "--timeout", "100", cwd=tmp_path, timeout=200)
    assert result.returncode == 1
    assert "source/runaway.md: loop html: rendering ran out of memory (limit 400 MB) — " \
           "simplify the layout or the document, or raise --memory-limit" in result.stderr, \
        result.stderr
    assert "Traceback" not in result.stderr
    assert {o["path"] for o in manifest(tmp_path / "dist")} == {"loop/normal.html"}
    alone = run_cli("build", "--format", "html", "-j", "2", "--layout", "loop",  # one job only
                    "--memory-limit", "400M", "--timeout", "100", cwd=tmp_path, timeout=200)
    assert alone.returncode == 1
    assert "rendering ran out of memory (limit 400 MB)" in alone.stderr, alone.stderr


@pytest.mark.parametrize(("text", "size"), [("2G", 2 * 2**30), ("1500M", 1500 * 2**20),
                                            ("0", None)])
def test_memory_limit_sizes(text: str, size: int | None) -> None:
    from leaflet_builder.cli import _parse_size

    assert _parse_size(text) == size
