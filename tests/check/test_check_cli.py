"""`leaflet check` as a user runs it: text and JSON output, exit codes, --strict; the build gate."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from leaflet_builder.cli import main
from tests.helpers import SHIPPED_SOURCE, leaflet_text, make_project, manifest, run_cli

COMPLETE = {"contact": "Nurse line: 0100 000 0000", "feedback": "Tell us: a@example.org",
            "other_formats": "Ask us for large print or audio."}
FINDING_RE = re.compile(r"^(?P<path>[^:\s]+\.(?:md|yaml|css)):(?P<line>\d+): "
                        r"(?P<level>error|warning|info): (?P<rule>[a-z-]+): (?P<message>.+)$")
LONG = " ".join(["word"] * 30) + ".\n"
DANGLING = "Side effects include:\n\nTiredness.\n"


def _project(tmp_path: Path, body: str, project: dict[str, object] | None = None) -> Path:
    make_project(tmp_path, {"a": leaflet_text(body)}, {**COMPLETE, **(project or {})})
    return tmp_path


class _Result:
    def __init__(self, returncode: int, stdout: str) -> None:
        self.returncode, self.stdout = returncode, stdout


def check_here(*args: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> _Result:
    """`leaflet check` in this process (the real command object; saves a Python start-up)."""
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, ["check", *args], catch_exceptions=False)
    return _Result(result.exit_code, result.output)


def test_clean_project_exits_0_with_a_summary_table(tmp_path: Path) -> None:
    result = run_cli("check", "--today", "2026-06-01", cwd=_project(tmp_path, "Rest a lot.\n"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "leaflet" in result.stdout and "grade" in result.stdout and "words" in result.stdout
    assert re.search(r"│ a\s+│ draft\s+│", result.stdout)
    assert "passed: 0 errors, 0 warnings" in result.stdout


def test_error_exits_1_and_is_printed_as_path_line_level_rule_message(tmp_path: Path) -> None:
    result = run_cli("check", cwd=_project(tmp_path, DANGLING))
    assert result.returncode == 1
    lines = [m for m in map(FINDING_RE.match, result.stdout.splitlines()) if m]
    dangling = [m for m in lines if m["rule"] == "dangling-list"]
    assert len(dangling) == 1
    assert dangling[0]["path"] == "source/a.md" and dangling[0]["level"] == "error"
    text = (tmp_path / "source/a.md").read_text().splitlines()
    assert text[int(dangling[0]["line"]) - 1] == "Side effects include:"
    assert "FAILED" in result.stdout


def test_warnings_pass_unless_strict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, LONG)
    relaxed = check_here(cwd=root, monkeypatch=monkeypatch)
    assert relaxed.returncode == 0 and ": warning: long-sentence:" in relaxed.stdout
    strict = check_here("--strict", cwd=root, monkeypatch=monkeypatch)
    assert strict.returncode == 1 and "FAILED" in strict.stdout


def test_quiet_lists_errors_and_warnings_but_no_info(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, "## Section\n\n" + LONG)
    loud = check_here(cwd=root, monkeypatch=monkeypatch).stdout
    quiet = check_here("-q", cwd=root, monkeypatch=monkeypatch).stdout
    assert ": info: section-grade:" in loud and ": info:" not in quiet
    assert ": warning: long-sentence:" in quiet and "│ a " in quiet


def test_json_output_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, LONG + "\n" + DANGLING)
    result = check_here("--format", "json", cwd=root, monkeypatch=monkeypatch)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert set(data) == {"findings", "summary"}
    for item in data["findings"]:
        assert {"rule", "level", "path", "line", "message", "slug", "standard"} <= set(item)
        assert item["level"] in ("error", "warning", "info")
        assert isinstance(item["line"], int) and isinstance(item["message"], str)
    rules = {(f["rule"], f["level"], f["path"]) for f in data["findings"]}
    assert ("long-sentence", "warning", "source/a.md") in rules
    assert ("dangling-list", "error", "source/a.md") in rules
    summary = data["summary"]
    assert summary["errors"] == 1 and summary["warnings"] >= 1 and summary["passed"] is False
    assert summary["max_grade"] == 8
    row = summary["leaflets"][0]
    assert row["slug"] == "a" and row["status"] == "draft" and row["errors"] == 1
    assert isinstance(row["grade"], float) and row["words"] == 34 and row["sentences"] == 3


def test_disabled_rule_is_not_reported_nor_failing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, DANGLING, {"check": {"disable": ["dangling-list"]}})
    result = check_here("--format", "json", cwd=root, monkeypatch=monkeypatch)
    assert result.returncode == 0
    assert not [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "dangling-list"]


def test_unreadable_leaflet_is_a_source_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, {"bad": "---\ntitle: x\n---\nText.\n"}, COMPLETE)
    result = check_here(cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.returncode == 1
    assert re.search(r"^source/bad\.md:\d+: error: source: ", result.stdout, re.MULTILINE)
    assert "unreadable" in result.stdout


def test_missing_source_folder_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_here(cwd=tmp_path, monkeypatch=monkeypatch).returncode == 2


def test_shipped_content_passes_with_no_errors_and_no_warnings(tmp_path: Path) -> None:
    result = run_cli("check", "--source", str(SHIPPED_SOURCE), "--format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert result.returncode == 0, result.stdout
    assert [f for f in data["findings"] if f["level"] != "info"] == []
    # every shipped leaflet file is read and reported, none dropped
    assert len(data["summary"]["leaflets"]) == len(list(SHIPPED_SOURCE.glob("*.md"))) == 30
    # the reading grades are English formulas: the Welsh and Arabic translations have none
    translated = {p.stem for p in SHIPPED_SOURCE.glob("*.md") if p.stem.endswith(("-cy", "-ar"))}
    rows = data["summary"]["leaflets"]
    assert {row["slug"] for row in rows if row["grade"] is None} == translated
    assert all(row["grade"] <= 8 for row in rows if row["slug"] not in translated)


# --- the build gate ---------------------------------------------------------------------------

def _gated_project(tmp_path: Path) -> Path:
    overdue = leaflet_text("Some text.\n", title="Old", status="approved", reviewer="Dr A",
                           reviewed="2015-01-01", sources=[{"title": "NICE"}])
    current = leaflet_text("Some text.\n", title="New", status="approved", reviewer="Dr A",
                           reviewed=dt.date.today().isoformat(), sources=[{"title": "NICE"}])
    make_project(tmp_path, {"old": overdue, "new": current,
                            "gone": leaflet_text("Some text.\n", status="withdrawn")}, COMPLETE,
                 booklets={"guide": {"title": "Guide", "leaflets": ["new", "old"]}})
    return tmp_path


def test_build_refuses_an_approved_leaflet_past_review(tmp_path: Path) -> None:
    root = _gated_project(tmp_path)
    result = run_cli("build", "--format", "html", cwd=root)
    assert result.returncode == 1
    lines = (root / "source/old.md").read_text().splitlines()
    reviewed_line = next(i for i, line in enumerate(lines, start=1) if line.startswith("reviewed:"))
    assert f"source/old.md:{reviewed_line}: review was due on 2018-01-01" in result.stderr
    built = {entry["path"] for entry in manifest(root / "dist")}
    assert built == {"clinic/new.html"}  # the others still build; withdrawn ones never do
    assert not (root / "dist/clinic/gone.html").exists()


def test_allow_overdue_builds_it_with_a_warning(tmp_path: Path) -> None:
    root = _gated_project(tmp_path)
    result = run_cli("build", "--format", "html", "--allow-overdue", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "warning: review was due on 2018-01-01" in result.stderr
    built = {entry["path"] for entry in manifest(root / "dist")}
    assert {"clinic/new.html", "clinic/old.html"} <= built
    assert "clinic/gone.html" not in built


@pytest.mark.parametrize("module", ["leaflet_builder", "leaflet_builder.cli"])
def test_python_dash_m_runs_the_command(module: str, tmp_path: Path) -> None:
    """`python -m leaflet_builder.cli --version` once printed nothing and exited 0: a build
    command that silently did nothing. Both module spellings must run the real command."""
    import subprocess
    import sys

    from leaflet_builder import __version__

    result = subprocess.run([sys.executable, "-m", module, "--version"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout
