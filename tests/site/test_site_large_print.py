"""Large print on the web site by default: a plain build that makes the site also makes each
leaflet's large-print PDF, so low-vision patients find it on the page behind the QR code; a
project can switch it off (`site: {large_print: false}` in project.yaml)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pdfplumber
import yaml
from lxml import html as lxml_html

from leaflet_builder.build import BuildOptions, build
from leaflet_builder.build.noop import quick_build
from tests.helpers import leaflet_text, make_project

FORMATS = ("pdf", "site")  # the large-print PDF comes with the A4 PDF; Word and EPUB change nothing


def project(root: Path, site: dict[str, Any] | None = None) -> Path:
    settings: dict[str, Any] = {"organisation": "Test clinic"}
    if site is not None:
        settings["site"] = site
    return make_project(root, {
        "fever": leaflet_text("## When to call\n\nCall us if you have a fever or shivering.\n",
                              title="Fever after treatment", summary="What to do."),
        "rashes": leaflet_text("## Skin\n\nA rash can be a side effect.\n", title="Rashes",
                               summary="Rashes and itchy skin."),
    }, project=settings, booklets={"guide": {"title": "Guide", "leaflets": ["fever", "rashes"]}})


def options(root: Path, formats: tuple[str, ...] = FORMATS) -> BuildOptions:
    # layouts left empty: what a plain `leaflet build` does (the project's default layout)
    return BuildOptions(root / "source", root / "dist", formats=formats, jobs=1)


def manifest(dist: Path) -> list[dict[str, Any]]:
    outputs: list[dict[str, Any]] = json.loads((dist / "manifest.json").read_text())["outputs"]
    return outputs


def downloads(dist: Path, slug: str) -> list[str]:
    doc = lxml_html.fromstring((dist / "site" / slug / "index.html").read_bytes())
    return [str(a.get("href")) for a in doc.xpath('//section[@id="downloads"]//a')]


def test_a_plain_build_offers_large_print_on_each_leaflet_page(tmp_path: Path) -> None:
    project(tmp_path)
    result = build(options(tmp_path))
    assert result.ok, [d.display() for d in result.diagnostics]
    dist = tmp_path / "dist"
    assert downloads(dist, "fever") == ["fever.pdf", "fever-large-print.pdf"]
    doc = lxml_html.fromstring((dist / "site" / "fever" / "index.html").read_bytes())
    # the link at the top names large print, so a low-vision reader need not scroll to find it
    assert doc.xpath('string(//p[@class="jump-downloads"]/a)') == \
        "Download this leaflet (PDF, large print)"
    entries = {e["path"]: e for e in manifest(dist)}
    entry = entries["large-print/fever.pdf"]  # listed like any output
    assert (entry["kind"], entry["format"], entry["layout"]) == ("leaflet", "pdf", "large-print")
    offered = (dist / "site" / "fever" / "fever-large-print.pdf").read_bytes()
    assert hashlib.sha256(offered).hexdigest() == entry["sha256"]
    with pdfplumber.open(dist / "large-print" / "fever.pdf") as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages)
        body = [c["size"] for page in pdf.pages for c in page.chars if c["text"].strip()]
    assert "Call us if you have a fever or shivering." in " ".join(text.split())
    assert min(body) >= 15.9  # really the large-print layout, not the A4 one copied
    # only leaflets: a guide's large print stays a choice (--layout large-print)
    assert "large-print/guide.pdf" not in entries
    assert downloads(dist, "guide") == ["guide.pdf"]
    assert sorted(p.name for p in (dist / "large-print").iterdir()) == ["fever.pdf", "rashes.pdf"]


def test_large_print_is_incremental_and_kept_by_the_no_op_path(tmp_path: Path) -> None:
    source = project(tmp_path)
    assert build(options(tmp_path)).ok
    quick = quick_build(options(tmp_path))
    assert quick is not None and quick.built == []
    assert {"large-print/fever.pdf", "large-print/rashes.pdf"} <= {
        str(e["path"]) for e in quick.up_to_date}
    (source / "rashes.md").write_text(leaflet_text("## Skin\n\nA rash can itch.\n",
                                                   title="Rashes", summary="Rashes."))
    again = build(options(tmp_path))
    assert again.ok
    assert sorted(str(e["path"]) for e in again.built if e["kind"] != "site") == [
        "clinic/guide.pdf", "clinic/rashes.pdf", "large-print/rashes.pdf"]
    assert downloads(tmp_path / "dist", "rashes") == ["rashes.pdf", "rashes-large-print.pdf"]


def test_a_project_can_switch_it_off(tmp_path: Path) -> None:
    project(tmp_path, site={"large_print": False})
    assert build(options(tmp_path)).ok
    dist = tmp_path / "dist"
    assert downloads(dist, "fever") == ["fever.pdf"]
    assert not (dist / "large-print").exists()
    assert not [e for e in manifest(dist) if e["layout"] == "large-print"]


def test_no_site_no_extra_large_print(tmp_path: Path) -> None:
    project(tmp_path)
    assert build(options(tmp_path, ("pdf",))).ok
    assert not (tmp_path / "dist" / "large-print").exists()


def test_a_wrong_setting_is_a_clear_error(tmp_path: Path) -> None:
    source = project(tmp_path)
    (source / "project.yaml").write_text(yaml.safe_dump(
        {"organisation": "Test clinic", "site": {"large_prnt": False}}))
    result = build(options(tmp_path))
    messages = [d.display() for d in result.diagnostics if d.level == "error"]
    assert any("project.yaml" in m and "large_print" in m for m in messages), messages
