"""Build engine: incremental decisions, cleanup, atomic writes, time limits, watch, CLI feedback."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

import pytest

from leaflet_builder.build import BuildOptions, BuildResult, build
from leaflet_builder.build.outputs import STATE_FILE, remove_stale_temp_files, write_atomic
from tests.helpers import leaflet_text, make_project, manifest, png_bytes, run_cli

HTML = ("html",)


def small_project(root: Path) -> Path:
    """Three leaflets (one with an image, one related to another) and a booklet of two."""
    return make_project(root, {
        "alpha": leaflet_text("## Start\n\nAlpha text.\n\n![A blue box](images/box.png)\n",
                              title="Alpha", related=["beta"], reviewed="2026-01-10"),
        "beta": leaflet_text("Beta text.\n", title="Beta", reviewed="2026-01-10"),
        "gamma": leaflet_text("Gamma text.\n", title="Gamma", reviewed="2026-01-10"),
    }, project={"organisation": "Test clinic"},
        booklets={"guide": {"title": "Guide", "leaflets": ["alpha", "beta"]}},
        files={"images/box.png": png_bytes()})


def run(source: Path, formats: tuple[str, ...] = HTML, **options: object) -> BuildResult:
    opts = BuildOptions(source, source.parent / "dist", formats=formats, jobs=1,
                        **options)  # type: ignore[arg-type]
    result = build(opts)
    assert not [d for d in result.diagnostics if d.level == "error"], result.diagnostics
    return result


def built_paths(result: BuildResult) -> set[str]:
    return {str(entry["path"]) for entry in result.built}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    source = small_project(tmp_path)
    first = run(source, ("html", "epub"))
    assert built_paths(first) == {f"clinic/{s}.{f}" for s in ("alpha", "beta", "gamma")
                                  for f in ("html", "epub")} | {"clinic/guide.epub"}
    return source


# --- incremental decisions ------------------------------------------------------------------


def test_second_build_rewrites_nothing(project: Path) -> None:
    dist = project.parent / "dist"
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (dist / "clinic").iterdir()}
    again = run(project, ("html", "epub"))
    assert again.built == [] and again.failed == []
    assert len(again.up_to_date) == len(before)
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (dist / "clinic").iterdir()}
    assert after == before  # not even rewritten with the same bytes
    # the manifest still lists every output with its real hash
    for entry in manifest(dist):
        data = (dist / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)


def test_editing_a_leaflet_rebuilds_it_and_its_booklet_only(project: Path) -> None:
    edit(project / "gamma.md", "Gamma text.", "Gamma text, revised.")
    assert built_paths(run(project, ("html", "epub"))) == {"clinic/gamma.html",
                                                           "clinic/gamma.epub"}
    edit(project / "beta.md", "Beta text.", "Beta text, revised.")
    rebuilt = built_paths(run(project, ("html", "epub")))
    assert {"clinic/beta.html", "clinic/beta.epub", "clinic/guide.epub"} <= rebuilt
    assert not rebuilt & {"clinic/gamma.html", "clinic/alpha.epub"}
    assert "Beta text, revised." in (project.parent / "dist/clinic/beta.html").read_text()


def test_a_related_title_change_rebuilds_the_leaflet_that_shows_it(project: Path) -> None:
    edit(project / "beta.md", "title: Beta", "title: Beta renamed")
    rebuilt = built_paths(run(project, HTML))
    assert "clinic/alpha.html" in rebuilt  # alpha lists beta under related, by title
    assert "clinic/gamma.html" not in rebuilt
    assert "Beta renamed" in (project.parent / "dist/clinic/alpha.html").read_text()


def test_an_image_change_rebuilds_the_leaflet_that_shows_it(project: Path) -> None:
    (project / "images/box.png").write_bytes(png_bytes(colour=(200, 0, 0)))
    assert built_paths(run(project, ("html", "epub"))) >= {"clinic/alpha.epub"}
    assert "clinic/gamma.epub" not in built_paths(run(project, ("html", "epub")))


def test_project_settings_layout_and_force_rebuild_everything(project: Path) -> None:
    (project / "project.yaml").write_text("organisation: Another clinic\n", encoding="utf-8")
    assert len(run(project, HTML).up_to_date) == 0
    # a project layout that extends the built-in one: a CSS change is an input of every output
    layout = project.parent / "layouts" / "house"
    layout.mkdir(parents=True)
    (layout / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
    run(project, HTML, layouts=("house",))
    assert len(run(project, HTML, layouts=("house",)).built) == 0
    (layout / "extra.css").write_text("p { color: black }\n", encoding="utf-8")
    assert len(run(project, HTML, layouts=("house",)).up_to_date) == 0
    forced = run(project, HTML, force=True)
    assert forced.up_to_date == [] and len(forced.built) >= 3


def test_an_output_changed_by_hand_is_rebuilt(project: Path) -> None:
    target = project.parent / "dist/clinic/gamma.html"
    target.write_text("edited by hand", encoding="utf-8")
    assert built_paths(run(project, HTML)) == {"clinic/gamma.html"}
    assert "Gamma text." in target.read_text()


def test_source_date_epoch_is_an_input(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run(project, ("docx",)).up_to_date == []
    assert run(project, ("docx",)).built == []
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = build(BuildOptions(project, project.parent / "dist", formats=("docx",), jobs=1))
    assert any("SOURCE_DATE_EPOCH" in d.message for d in result.diagnostics)
    assert not result.ok


# --- cleanup ------------------------------------------------------------------------------


def test_withdrawn_and_deleted_leaflets_lose_only_their_listed_outputs(project: Path) -> None:
    dist = project.parent / "dist"
    mine = dist / "clinic" / "gamma-notes.html"  # the user's own file, beside ours
    mine.write_text("keep me", encoding="utf-8")
    other = dist / "clinic" / "delta.html"  # never written by the build
    other.write_text("keep me too", encoding="utf-8")
    edit(project / "gamma.md", "status: draft", "status: withdrawn")
    (project / "alpha.md").unlink()
    edit(project / "booklets/guide.yaml", "- alpha\n", "")
    result = run(project, ("html", "epub"))
    assert sorted(result.removed) == ["clinic/alpha.epub", "clinic/alpha.html",
                                      "clinic/gamma.epub", "clinic/gamma.html"]
    assert not (dist / "clinic/gamma.html").exists() and not (dist / "clinic/alpha.epub").exists()
    assert mine.read_text() == "keep me" and other.read_text() == "keep me too"
    assert {e["slug"] for e in manifest(dist)} == {"beta", "guide"}


def test_a_tampered_manifest_cannot_delete_outside_dist(project: Path) -> None:
    dist = project.parent / "dist"
    precious = project.parent / "precious.txt"
    precious.write_text("mine", encoding="utf-8")
    data = json.loads((dist / "manifest.json").read_text())
    data["outputs"].append({"slug": "gone", "kind": "leaflet", "format": "html",
                            "layout": "clinic", "path": "../precious.txt"})
    (dist / "manifest.json").write_text(json.dumps(data))
    run(project, HTML)
    assert precious.read_text() == "mine"


def test_a_failing_leaflet_keeps_its_old_outputs(project: Path) -> None:
    dist = project.parent / "dist"
    old = (dist / "clinic/gamma.html").read_bytes()
    (project / "gamma.md").write_text("---\ntitle: [broken\n---\nText\n", encoding="utf-8")
    result = build(BuildOptions(project, dist, formats=HTML, jobs=1))
    assert not result.ok
    assert any(d.location.path.name == "gamma.md" for d in result.diagnostics)
    assert (dist / "clinic/gamma.html").read_bytes() == old
    assert "clinic/gamma.html" in {e["path"] for e in manifest(dist)}
    (project / "gamma.md").write_text(leaflet_text("Gamma back.\n", title="Gamma"))
    assert "clinic/gamma.html" in built_paths(run(project, HTML))  # old state: not up to date


def test_stale_temp_files_are_removed_but_look_alikes_are_not(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "clinic").mkdir(parents=True)
    stale = [dist / ".leaflet-tmp-manifest.json.k2j4_x9a.tmp",
             dist / "clinic" / ".leaflet-tmp-a.pdf.abcdefgh.tmp"]
    # a user's own hidden .tmp files look like mkstemp's too: only the build's prefix is removed
    keep = [dist / "clinic" / "notes.tmp", dist / "clinic" / ".notes.tmp",
            dist / "clinic" / ".leaflet-tmp-a.pdf.ABCDEFGH.tmp", dist / "clinic" / "a.pdf",
            dist / ".manifest.json.k2j4_x9a.tmp", dist / "clinic" / ".a.pdf.abcdefgh.tmp"]
    for path in stale + keep:
        path.write_text("x")
    assert sorted(remove_stale_temp_files(dist)) == sorted(stale)
    assert all(p.exists() for p in keep) and not any(p.exists() for p in stale)


def test_a_killed_builds_half_written_site_folder_is_removed_but_look_alikes_are_not(
        tmp_path: Path) -> None:
    """The web site is swapped in as a whole folder (OutputFolder.replace_folder); a build
    killed between writing and swapping leaves its temporary folder, which the next build's
    folder owner removes — and nothing of the user's that merely looks like one."""
    from leaflet_builder.build.outputs import OutputFolder

    dist = tmp_path / "dist"
    left = dist / ".leaflet-tmp-site.k2j4_x9a.tmp"
    (left / "site" / "clinic").mkdir(parents=True)
    (left / "site" / "clinic" / "index.html").write_text("half a site")
    keep = [dist / ".leaflet-tmp-sites", dist / "site.k2j4_x9a.tmp", dist / "clinic"]
    for folder in keep:
        folder.mkdir()
        (folder / "mine.txt").write_text("the user's")
    with OutputFolder.open(dist) as folder:
        assert folder.foreign_files("site", "site") == []  # no site yet: nothing to refuse
    assert not left.exists()
    assert all((folder / "mine.txt").read_text() == "the user's" for folder in keep)


def test_write_atomic_leaves_no_temp_file_and_readable_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.bin"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["a.bin"]
    assert target.stat().st_mode & 0o044 == 0o044


def test_state_file_is_hidden_and_not_in_the_manifest(project: Path) -> None:
    dist = project.parent / "dist"
    assert (dist / STATE_FILE).is_file()
    assert all(not str(e["path"]).startswith(".") for e in manifest(dist))


# --- time limit -----------------------------------------------------------------------------


def test_a_render_over_the_time_limit_is_stopped_and_the_others_finish(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from leaflet_builder.render import html

    source = small_project(tmp_path)
    original = html.RENDERER.render_leaflet

    def slow_for_beta(leaflet, ctx):  # type: ignore[no-untyped-def]
        if leaflet.slug == "beta":
            time.sleep(30)
        return original(leaflet, ctx)

    monkeypatch.setattr(html.RENDERER, "render_leaflet", slow_for_beta)
    started = time.monotonic()
    result = build(BuildOptions(source, tmp_path / "dist", formats=HTML, jobs=1, timeout=1))
    assert time.monotonic() - started < 25
    assert [t.slug for t in result.failed] == ["beta"]
    message = next(d for d in result.diagnostics if d.location.path.name == "beta.md")
    assert "longer than 1 s" in message.message and "--timeout" in message.message
    assert {"clinic/alpha.html", "clinic/gamma.html"} <= built_paths(result)


# --- watch ----------------------------------------------------------------------------------


def test_watch_rebuilds_a_saved_leaflet_and_survives_errors(tmp_path: Path) -> None:
    from leaflet_builder.watch import watch_and_build

    source = small_project(tmp_path)
    results: list[BuildResult] = []
    stop = threading.Event()
    options = BuildOptions(source, tmp_path / "dist", formats=HTML, jobs=1)
    thread = threading.Thread(target=watch_and_build, args=(options, "quiet", stop,
                                                            results.append), daemon=True)
    thread.start()

    def wait_for(count: int) -> BuildResult:
        deadline = time.monotonic() + 60
        while len(results) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(results) >= count, "watch did not rebuild"
        return results[count - 1]

    try:
        wait_for(1)
        time.sleep(0.5)  # let the watcher start
        (source / "gamma.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
        broken = wait_for(2)
        assert not broken.ok and broken.failed == [] and broken.built == []
        assert thread.is_alive()  # an error does not stop watching
        (source / "gamma.md").write_text(leaflet_text("Fixed text.\n", title="Gamma"))
        fixed = wait_for(3)
        assert built_paths(fixed) == {"clinic/gamma.html"}
        assert "Fixed text." in (tmp_path / "dist/clinic/gamma.html").read_text()
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()


# --- command line ---------------------------------------------------------------------------


def test_cli_plain_lines_summary_quiet_and_exit_codes(tmp_path: Path) -> None:
    small_project(tmp_path)
    first = run_cli("build", "--format", "html", "-j", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "built: clinic/alpha.html" in first.stderr  # not a terminal: plain lines
    assert "built 3 outputs in dist; 0 up to date" in first.stdout  # the result: standard output
    again = run_cli("build", "--format", "html", "--verbose", cwd=tmp_path)
    assert "up to date: clinic/alpha.html" in again.stderr
    assert "built 0 outputs in dist; 3 up to date" in again.stdout
    (tmp_path / "source/beta.md").write_text("---\ntitle: Beta\n---\nno summary\n")
    quiet = run_cli("build", "--format", "html", "--quiet", cwd=tmp_path)
    assert quiet.returncode == 1
    lines = quiet.stderr.strip().splitlines()
    assert lines and all(line.startswith("source/") and ": " in line for line in lines), lines
    assert "Traceback" not in quiet.stderr


def test_a_warm_process_shows_an_image_changed_between_builds(tmp_path: Path) -> None:
    """Workers keep caches between builds (watch): a changed image must not come from them."""
    import pypdf

    from leaflet_builder.build.runners import InlineRunner

    source = small_project(tmp_path)
    runner = InlineRunner()
    options = BuildOptions(source, tmp_path / "dist", formats=("pdf",), jobs=1)

    def image_colour() -> tuple[int, ...]:
        page = pypdf.PdfReader(tmp_path / "dist/clinic/alpha.pdf").pages[0]
        image = next(i for i in page.images if i.image.size == (40, 30)).image
        return tuple(image.convert("RGB").getpixel((5, 5)))

    assert build(options, runner=runner).ok
    assert image_colour() == (0, 94, 184)
    (source / "images/box.png").write_bytes(png_bytes(colour=(200, 0, 0)))
    assert "clinic/alpha.pdf" in built_paths(build(options, runner=runner))
    assert image_colour() == (200, 0, 0)


def test_booklet_formats_match_the_renderers(tmp_path: Path) -> None:
    """build plans booklets from the table of formats so that a no-op rebuild loads no
    renderer: what the table says of each format must be what its renderer does — a format
    with booklets renders one (both leaflets in it, read back with pypdf / zipfile), a format
    without refuses. The table is the only place these facts are written: a renderer that
    declared its own name, extension or booklet support again would be a copy to drift."""
    import io
    import zipfile

    import pypdf

    from leaflet_builder.project import booklet_members, load_project
    from leaflet_builder.render import get_renderer
    from leaflet_builder.render.formats import FORMATS
    from tests.epub_books import context_for

    project = load_project(small_project(tmp_path))
    booklet = project.booklets["guide"]
    members = booklet_members(project, booklet)
    ctx = context_for(project)
    rendered = [fmt for fmt, spec in FORMATS.items() if spec.renders_documents]
    assert {"pdf", "docx", "epub", "html"} <= set(rendered)
    for fmt in rendered:
        renderer = get_renderer(fmt)
        copies = {"format", "extension", "supports_booklets"} & set(dir(renderer))
        assert not copies, f"{fmt} renderer declares {copies}: the table in render/formats.py says"
        if not FORMATS[fmt].booklets:
            with pytest.raises(NotImplementedError):
                renderer.render_booklet(booklet, members, ctx)
            continue
        data = renderer.render_booklet(booklet, members, ctx)
        if fmt == "pdf":
            text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
        else:
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                text = " ".join(book.read(name).decode("utf-8") for name in book.namelist()
                                if name.endswith(".xhtml"))
        assert "Alpha text." in text and "Beta text." in text, fmt


def test_the_table_of_formats_loads_no_renderer() -> None:
    """The build plans and fingerprints from the table alone: importing it must not load
    WeasyPrint, python-docx or ebooklib (the no-op build and `leaflet --help` stay quick)."""
    import subprocess
    import sys

    code = ("import sys, leaflet_builder.render.formats as f; f.FORMATS['pdf'].libraries; "
            "print(sorted(m for m in ('weasyprint', 'docx', 'ebooklib') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_outputs_of_a_killed_first_build_are_known_as_the_builds_own(tmp_path: Path) -> None:
    """A build killed before its manifest: the journal says which files it wrote."""
    from leaflet_builder.build.outputs import JOURNAL_FILE

    source = small_project(tmp_path)
    dist = tmp_path / "dist"
    (dist / "clinic").mkdir(parents=True)
    # what a killed first build leaves: one output written, its journal line, no manifest
    (dist / "clinic/gamma.html").write_text("<html>old</html>")
    (dist / JOURNAL_FILE).write_text(json.dumps(
        {"slug": "gamma", "kind": "leaflet", "format": "html", "layout": "clinic",
         "path": "clinic/gamma.html"}) + "\n" + '{"slug": "cut sho')
    (dist / "clinic/alpha.html").write_text("the user's own file")  # not in any journal
    result = build(BuildOptions(source, dist, formats=HTML, jobs=1))
    assert "clinic/gamma.html" in built_paths(result)  # replaced: it was the build's own
    assert "Gamma text." in (dist / "clinic/gamma.html").read_text()
    assert (dist / "clinic/alpha.html").read_text() == "the user's own file"  # never replaced
    assert [t.slug for t in result.failed] == ["alpha"]
    assert not (dist / JOURNAL_FILE).exists()  # the manifest lists everything now
    # and a killed build's output of a leaflet deleted since is removed like any other
    (dist / "clinic/beta-old.html").write_text("<html>old</html>")
    (dist / JOURNAL_FILE).write_text(json.dumps(
        {"slug": "beta-old", "kind": "leaflet", "format": "html", "layout": "clinic",
         "path": "clinic/beta-old.html"}) + "\n")
    assert build(BuildOptions(source, dist, formats=HTML, jobs=1)).removed == [
        "clinic/beta-old.html"]
