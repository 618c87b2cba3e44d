"""Starting out (issue 17): `leaflet init` and `leaflet new` give sources that build clean at
once, never overwrite an author's work, and `leaflet schema` lets an editor check as she types.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import SHIPPED_SOURCE, require_module, run_cli


def assert_builds_and_checks_clean(project: Path) -> None:
    """`leaflet build` exits 0 without a warning, and `leaflet check` finds nothing to fix."""
    build = run_cli("build", "-j", "1", cwd=project)
    assert build.returncode == 0, build.stdout + build.stderr
    assert "warning" not in (build.stdout + build.stderr).lower(), build.stdout + build.stderr
    check = run_cli("check", cwd=project)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "passed: 0 errors, 0 warnings" in check.stdout, check.stdout
    assert not [m for m in check.stdout.splitlines() if ": error:" in m or ": warning:" in m]


def test_init_makes_a_project_that_builds_clean(tmp_path: Path) -> None:
    result = run_cli("init", "clinic-leaflets", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "clinic-leaflets"
    settings = (project / "source" / "project.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(settings)
    # every setting the reader knows is there, with a comment line above it saying what it does
    lines = settings.splitlines()
    for key in ("organisation", "language", "contact", "feedback", "other_formats", "base_url",
                "review_interval_years", "default_layout", "check", "max_grade",
                "plain_terms", "disable"):
        at = next(i for i, line in enumerate(lines) if line.lstrip("# ").startswith(f"{key}:"))
        assert lines[at - 1].lstrip().startswith("#"), (key, lines[at - 1])
    assert data["contact"] and data["feedback"] and data["other_formats"]
    leaflets = sorted(p.name for p in (project / "source").glob("*.md"))
    booklets = sorted(p.name for p in (project / "source" / "booklets").glob("*.yaml"))
    assert len(leaflets) == 1 and len(booklets) == 1, (leaflets, booklets)
    assert_builds_and_checks_clean(project)
    outputs = json.loads((project / "dist" / "manifest.json").read_text())["outputs"]
    assert {o["kind"] for o in outputs} >= {"leaflet", "booklet"}, outputs


def test_init_never_overwrites_a_project(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "mine.md").write_text("my work", encoding="utf-8")
    result = run_cli("init", cwd=tmp_path)
    assert result.returncode == 2
    assert "already has a project" in result.stderr and "never overwrites" in result.stderr
    assert (tmp_path / "source" / "mine.md").read_text(encoding="utf-8") == "my work"
    assert not (tmp_path / "source" / "project.yaml").exists()


@pytest.mark.parametrize("kind", ["article", "glossary"])
def test_new_writes_a_draft_with_every_field_that_builds_clean(tmp_path: Path,
                                                               kind: str) -> None:
    assert run_cli("init", cwd=tmp_path).returncode == 0
    result = run_cli("new", "car-t-cell-therapy", "--kind", kind, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "source" / "car-t-cell-therapy.md").read_text(encoding="utf-8")
    front: dict[str, Any] = yaml.safe_load(text.split("---\n")[1])
    assert front["status"] == "draft" and front["title"] and front["summary"]
    assert front["sources"][0]["accessed"] == dt.date.today()
    if kind == "glossary":
        assert front["kind"] == "glossary"
        assert front["pronunciation"] and front["part_of_speech"] and front["origin"]
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## What it is", "## How it is given", "## Side effects",
                        "## When to call us"]
    assert_builds_and_checks_clean(tmp_path)


@pytest.mark.parametrize(("slug", "words"), [
    ("CAR T", "lowercase letters, digits and hyphens"),
    ("car_t", "try 'car-t'"),
    ("-car", "starting and ending with a letter or digit"),
])
def test_new_refuses_a_bad_name_with_the_rule(tmp_path: Path, slug: str, words: str) -> None:
    (tmp_path / "source").mkdir()
    result = run_cli("new", slug, cwd=tmp_path) if not slug.startswith("-") else \
        run_cli("new", "--", slug, cwd=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr, result.stderr
    assert not list((tmp_path / "source").iterdir())


def test_new_never_overwrites_a_leaflet(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "rituximab.md").write_text("my work", encoding="utf-8")
    result = run_cli("new", "rituximab", cwd=tmp_path)
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert (tmp_path / "source" / "rituximab.md").read_text(encoding="utf-8") == "my work"


def as_editor_sees(value: Any) -> Any:
    """YAML as an editor's YAML support hands it to a JSON Schema: dates are text."""
    if isinstance(value, dict):
        return {key: as_editor_sees(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_editor_sees(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def schema_of(tmp_path: Path, *args: str) -> dict[str, Any]:
    result = run_cli("schema", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_schema_accepts_the_shipped_sources_and_rejects_a_typo(tmp_path: Path) -> None:
    jsonschema = require_module("jsonschema")
    everything = schema_of(tmp_path)
    assert set(everything["$defs"]) >= {"FrontMatter", "ProjectSchema", "BookletSchema"}
    checkers = {kind: jsonschema.Draft202012Validator(schema_of(tmp_path, "--for", kind))
                for kind in ("leaflet", "project", "booklet")}
    whole = jsonschema.Draft202012Validator(everything)
    files: list[tuple[str, Any]] = [
        ("leaflet", yaml.safe_load(p.read_text(encoding="utf-8").split("---\n")[1]))
        for p in sorted(SHIPPED_SOURCE.glob("*.md"))]
    files.append(("project", yaml.safe_load((SHIPPED_SOURCE / "project.yaml").read_text())))
    files += [("booklet", yaml.safe_load(p.read_text(encoding="utf-8")))
              for p in sorted((SHIPPED_SOURCE / "booklets").glob("*.yaml"))]
    assert len(files) > 3
    for kind, data in files:
        seen = as_editor_sees(data)
        assert not list(checkers[kind].iter_errors(seen)), (kind, data.get("title"))
        assert whole.is_valid(seen)
    typo = as_editor_sees(files[0][1])
    typo["sumary"] = typo.pop("summary")
    errors = [e.message for e in checkers["leaflet"].iter_errors(typo)]
    assert any("'sumary'" in e for e in errors) and any("'summary'" in e for e in errors), errors
    assert not whole.is_valid(typo)
    bad_status = {**as_editor_sees(files[0][1]), "status": "final"}
    assert not checkers["leaflet"].is_valid(bad_status)
