"""A no-op build stops after hashing the sources: no reading, no renderer, no worker; and any
change at all still takes the full build, which decides exactly what to render.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from leaflet_builder.build import BuildOptions, build
from leaflet_builder.build import noop as build_noop
from leaflet_builder.build.noop import NOOP_FILE, quick_build
from tests.helpers import leaflet_text, make_project, png_bytes, run_cli

HEAVY = ("weasyprint", "docx", "ebooklib", "markdown_it", "pydantic", "yaml", "jinja2")
# runs `leaflet build` in a fresh interpreter, then says what it imported and started
PROBE = """
import json, sys
from multiprocessing import forkserver
from leaflet_builder.cli import main
sys.argv = ["leaflet", "build", "-j", "2"]
try:
    main()
except SystemExit as done:
    code = done.code
report = {"code": code, "modules": sorted(m for m in sys.modules if m.split(".")[0] in %r),
          "fork_server": forkserver._forkserver._forkserver_pid}
with open(%r, "w") as out:
    json.dump(report, out)
"""


def project(root: Path) -> Path:
    return make_project(root, {
        "alpha": leaflet_text("Alpha text.\n\n![A blue box](images/box.png)\n", title="Alpha",
                              related=["beta"], reviewed="2026-01-10"),
        "beta": leaflet_text("Beta text.\n", title="Beta", reviewed="2026-01-10"),
    }, project={"organisation": "Test clinic"},
        booklets={"guide": {"title": "Guide", "leaflets": ["alpha", "beta"]}},
        files={"images/box.png": png_bytes()})


def probe(root: Path) -> dict[str, object]:
    report = root / "probe.json"
    done = subprocess.run([sys.executable, "-c", PROBE % (HEAVY, str(report))], cwd=root,
                          capture_output=True, text=True, timeout=600, check=False)
    assert report.is_file(), done.stderr
    data: dict[str, object] = json.loads(report.read_text())
    return data


def test_a_no_op_build_imports_no_renderer_and_starts_no_worker(tmp_path: Path) -> None:
    project(tmp_path)
    first = probe(tmp_path)  # the full build reads the project and renders in workers
    assert first["code"] == 0 and "yaml" in first["modules"]  # type: ignore[operator]
    assert first["fork_server"] is not None
    assert (tmp_path / "dist" / NOOP_FILE).is_file()
    again = probe(tmp_path)
    assert again == {"code": 0, "modules": [], "fork_server": None}
    shown = run_cli("build", cwd=tmp_path)
    assert shown.returncode == 0
    # 2 leaflets x 4 formats, the guide's PDF and EPUB, and each leaflet's large-print PDF
    # for the web site
    assert shown.stdout.startswith("built 0 outputs in dist; 12 up to date ("), shown.stdout


def options(root: Path) -> BuildOptions:
    return BuildOptions(root / "source", root / "dist", formats=("html", "epub"), jobs=1)


def test_any_change_takes_the_full_build_and_a_touch_does_not(tmp_path: Path) -> None:
    source = project(tmp_path)
    assert build(options(tmp_path)).ok
    quick = quick_build(options(tmp_path))
    assert quick is not None and len(quick.up_to_date) == 5 and quick.built == []

    (source / "images/box.png").touch()  # saved again, same bytes: still nothing to do
    assert quick_build(options(tmp_path)) is not None

    (source / "images/box.png").write_bytes(png_bytes(colour=(200, 0, 0)))
    assert quick_build(options(tmp_path)) is None
    rebuilt = build(options(tmp_path))
    assert sorted(str(e["path"]) for e in rebuilt.built) == [
        "clinic/alpha.epub", "clinic/alpha.html", "clinic/guide.epub"]
    assert quick_build(options(tmp_path)) is not None

    (tmp_path / "dist/clinic/beta.html").unlink()  # an output removed by hand
    assert quick_build(options(tmp_path)) is None
    assert [str(e["path"]) for e in build(options(tmp_path)).built] == ["clinic/beta.html"]

    (tmp_path / "dist/clinic/beta.html").write_text("edited by hand")
    assert quick_build(options(tmp_path)) is None

    assert build(options(tmp_path)).ok
    other = BuildOptions(tmp_path / "source", tmp_path / "dist", formats=("html",), jobs=1)
    assert quick_build(other) is None  # other options: the record does not speak for them
    assert quick_build(options(tmp_path)) is not None
    forced = BuildOptions(tmp_path / "source", tmp_path / "dist",
                                    formats=("html", "epub"), jobs=1, force=True)
    assert quick_build(forced) is None  # --force always renders


def test_a_failed_build_leaves_no_record_and_warnings_are_shown_again(tmp_path: Path) -> None:
    source = project(tmp_path)
    good = (source / "beta.md").read_text()
    (source / "beta.md").write_text(good.replace("status: draft", "status: final"))
    assert not build(options(tmp_path)).ok
    assert not (tmp_path / "dist" / NOOP_FILE).exists()
    assert quick_build(options(tmp_path)) is None

    # a warning (a related leaflet that is withdrawn) is part of what a no-op reports
    (source / "beta.md").write_text(good.replace("status: draft", "status: withdrawn"))
    full = build(options(tmp_path))
    warnings = [d.display(tmp_path) for d in full.diagnostics]
    assert full.ok and warnings, full.diagnostics
    quick = quick_build(options(tmp_path))
    assert quick is not None and [d.display(tmp_path) for d in quick.diagnostics] == warnings


def test_a_review_falling_due_ends_the_no_op(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, {"alpha": leaflet_text(
        "Alpha text.\n", title="Alpha", status="approved", reviewed="2026-01-10",
        review_due="2099-12-31", reviewer="A. Nurse")})
    opts = BuildOptions(tmp_path / "source", tmp_path / "dist", formats=("html",), jobs=1)
    assert build(opts).ok
    assert quick_build(opts) is not None

    class LaterDate(dt.date):
        @classmethod
        def today(cls) -> LaterDate:
            return cls(2100, 1, 1)

    monkeypatch.setattr(build_noop, "dt", types.SimpleNamespace(date=LaterDate))
    assert quick_build(opts) is None  # the build gate must look at it again


@pytest.mark.parametrize("damage", [
    "{", "[]", '{"version": 1, "digest": 5}',
    '{"version": 1, "digest": "x", "layout_folders": "clinic"}',
])
def test_a_damaged_record_takes_the_full_build(tmp_path: Path, damage: str) -> None:
    project(tmp_path)
    assert build(options(tmp_path)).ok
    (tmp_path / "dist" / NOOP_FILE).write_text(damage)
    assert quick_build(options(tmp_path)) is None


def test_a_record_with_damaged_entries_takes_the_full_build(tmp_path: Path) -> None:
    project(tmp_path)
    assert build(options(tmp_path)).ok
    path = tmp_path / "dist" / NOOP_FILE
    good = json.loads(path.read_text())
    for key, value in (("outputs", 7), ("diagnostics", [{"path": "x"}]),
                       ("diagnostics", [{"path": "x", "line": 1, "message": "m",
                                         "level": "error"}]),
                       ("review_due_next", "someday")):
        path.write_text(json.dumps({**good, key: value}))
        assert quick_build(options(tmp_path)) is None, (key, value)
    path.write_text(json.dumps(good))
    assert quick_build(options(tmp_path)) is not None
