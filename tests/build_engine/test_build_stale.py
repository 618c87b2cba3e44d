"""A failed leaflet's earlier outputs stay in dist/, marked stale in the manifest and counted
loudly in the summary, so a print room or a deploy copying dist/ cannot mistake them for current.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import leaflet_text, make_project, manifest, png_bytes, run_cli

BUILD = ("build", "--format", "html", "--format", "epub", "-j", "1")


def three_leaflets(root: Path) -> Path:
    return make_project(root, {
        "alpha": leaflet_text("Alpha text.\n", title="Alpha", reviewed="2026-01-10"),
        "beta": leaflet_text("Beta text.\n", title="Beta", reviewed="2026-01-10"),
        "gamma": leaflet_text("Gamma text.\n", title="Gamma", reviewed="2026-01-10"),
    }, project={"organisation": "Test clinic"},
        booklets={"guide": {"title": "Guide", "leaflets": ["alpha", "beta"]}},
        files={"images/box.png": png_bytes()})


def stale_entries(dist: Path) -> dict[str, str]:
    return {entry["path"]: entry["stale"] for entry in manifest(dist) if "stale" in entry}


def test_a_broken_leaflet_keeps_its_outputs_marked_stale_until_it_is_fixed(tmp_path: Path) -> None:
    source = three_leaflets(tmp_path)
    dist = tmp_path / "dist"
    first = run_cli(*BUILD, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert stale_entries(dist) == {}
    good = (source / "beta.md").read_text(encoding="utf-8")

    # line 4: a status the format does not know
    (source / "beta.md").write_text(good.replace("status: draft", "status: final"),
                                    encoding="utf-8")
    broken = run_cli(*BUILD, cwd=tmp_path)
    assert broken.returncode == 1
    stale = stale_entries(dist)
    assert sorted(stale) == ["clinic/beta.epub", "clinic/beta.html", "clinic/guide.epub"]
    assert stale["clinic/beta.html"].startswith("source has errors: source/beta.md:4: status")
    assert stale["clinic/beta.epub"] == stale["clinic/beta.html"]
    assert stale["clinic/guide.epub"].startswith("source has errors: source/booklets/guide.yaml:")
    assert all((dist / path).is_file() for path in stale)  # kept: the only copy there is
    summary = ("built 0 outputs in dist; 4 up to date; failed 1 leaflet and 1 booklet "
               "(3 outputs kept from an earlier build, marked stale)")
    assert summary in broken.stdout, broken.stdout
    assert summary not in broken.stderr
    assert "source/beta.md:4: status" in broken.stderr  # messages go with the progress

    # still broken, nothing else changed: still stale (the mark survives a second build)
    again = run_cli(*BUILD, cwd=tmp_path)
    assert again.returncode == 1 and stale_entries(dist) == stale

    (source / "beta.md").write_text(good, encoding="utf-8")
    fixed = run_cli(*BUILD, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert stale_entries(dist) == {}
    assert "failed" not in fixed.stdout and "stale" not in fixed.stdout


def test_an_overdue_leaflet_keeps_its_outputs_marked_stale_with_the_date(tmp_path: Path) -> None:
    make_project(tmp_path, {
        "alpha": leaflet_text("Alpha text.\n", title="Alpha", status="approved",
                              reviewed="2025-01-10", review_due="2025-12-31",
                              reviewer="A. Nurse"),
        "beta": leaflet_text("Beta text.\n", title="Beta"),
    }, project={"organisation": "Test clinic"})
    dist = tmp_path / "dist"
    first = run_cli("build", "--format", "html", "-j", "1", "--allow-overdue", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert stale_entries(dist) == {}
    gated = run_cli("build", "--format", "html", "-j", "1", cwd=tmp_path)
    assert gated.returncode == 1
    stale = stale_entries(dist)
    assert list(stale) == ["clinic/alpha.html"]
    assert stale["clinic/alpha.html"].startswith(
        "review overdue: source/alpha.md:6: review was due on 2025-12-31"), stale
    assert ("failed 1 leaflet (1 output kept from an earlier build, marked stale)"
            in gated.stdout), gated.stdout


def test_progress_goes_to_standard_error_and_the_summary_to_standard_output(
        tmp_path: Path) -> None:
    three_leaflets(tmp_path)
    done = run_cli("build", "--format", "html", "-j", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "built: clinic/alpha.html" in done.stderr and "clinic/alpha.html" not in done.stdout
    assert done.stdout.startswith("built 3 outputs in dist; 0 up to date (")
    assert len(done.stdout.splitlines()) == 1


def test_an_output_whose_render_fails_is_kept_marked_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from leaflet_builder.build import BuildOptions, build
    from leaflet_builder.build.report import summary_line
    from leaflet_builder.render import html

    source = three_leaflets(tmp_path)
    dist = tmp_path / "dist"
    options = BuildOptions(source, dist, formats=("html",), jobs=1)
    assert build(options).ok
    (source / "gamma.md").write_text(leaflet_text("Gamma text, edited.\n", title="Gamma",
                                                  reviewed="2026-01-10"), encoding="utf-8")
    original = html.RENDERER.render_leaflet

    def broken_for_gamma(leaflet, ctx):  # type: ignore[no-untyped-def]
        if leaflet.slug == "gamma":
            raise RuntimeError("the renderer fell over")
        return original(leaflet, ctx)

    monkeypatch.setattr(html.RENDERER, "render_leaflet", broken_for_gamma)
    result = build(options)
    assert [t.slug for t in result.failed] == ["gamma"]
    stale = stale_entries(dist)
    assert list(stale) == ["clinic/gamma.html"]
    assert stale["clinic/gamma.html"].startswith("rendering failed: source/gamma.md"), stale
    assert "Gamma text." in (dist / "clinic/gamma.html").read_text()  # the earlier build's
    assert "failed 1 leaflet (1 output kept from an earlier build, marked stale)" in \
        summary_line(result, dist)
