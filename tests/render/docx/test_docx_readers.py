"""DOCX handouts opened by real clients: LibreOffice Writer (to PDF) and pandoc (outline)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from leaflet_builder.model import Callout, Heading, Paragraph, plain_text, walk_blocks
from leaflet_builder.project import Project, load_project
from tests.content_inventory import BIDI_CONTROLS, inventory, missing, missing_words
from tests.helpers import SHIPPED_SOURCE, require_module, require_tool
from tests.render.docx.test_docx import render

pytestmark = pytest.mark.external
# headings the shared blocks add after the leaflet's own (related.html, about.html)
SHARED_HEADINGS = {"Related leaflets", "About this leaflet", "Where this information comes from"}


@pytest.fixture(scope="module")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    out = tmp_path_factory.mktemp("handouts")
    project = load_project(SHIPPED_SOURCE)
    for slug in project.leaflets:
        (out / f"{slug}.docx").write_bytes(render(project, slug))
    return project, out


def _callout_texts(project: Project, slug: str) -> list[str]:
    texts = []
    for block in walk_blocks(project.leaflets[slug].blocks):
        if isinstance(block, Callout):
            texts += [plain_text(b.children) for b in walk_blocks(block.blocks)
                      if isinstance(b, Paragraph)]
    return texts


def test_libreoffice_opens_every_shipped_handout(handouts: tuple[Project, Path],
                                                  tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    project, folder = handouts
    files = sorted(folder.glob("*.docx"))
    # one LibreOffice start for all files (each start costs seconds)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *map(str, files)], check=True, capture_output=True, timeout=300)
    for path in files:
        pdf = tmp_path / f"{path.stem}.pdf"
        assert pdf.is_file(), f"LibreOffice could not convert {path.name}"
        text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        inv = inventory(project.leaflets[path.stem])
        wanted = [inv.title, *inv.headings, *inv.list_items, *inv.callout_titles,
                  *_callout_texts(project, path.stem)]
        if project.leaflets[path.stem].meta.is_rtl:
            # Arabic: pdftotext gives a line's words in visual order and turns LibreOffice's
            # lam-alef ligature round ("العالج" for "العلاج"); pypdf reads the same PDF in
            # logical order, letter for letter. Whole words are compared.
            from pypdf import PdfReader

            logical = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
            assert not missing_words(wanted, logical), path.name
        else:
            assert missing(wanted, text) == [], path.name
        # the layout's own wording is English in English leaflets (in a translation it is in
        # the leaflet's language once the layout has a catalogue for it)
        english = project.leaflets[path.stem].meta.language.startswith("en")
        if english:
            assert "DRAFT — not for patient use" in text  # the shipped leaflets are drafts
        pages = int(next(line.split()[-1] for line in subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
            if line.startswith("Pages:")))
        if english:
            assert f"Page {pages} of {pages}" in " ".join(text.split())  # PAGE/NUMPAGES fields
        else:  # the last page's number and the count, a word or two apart, in any wording
            assert re.search(rf"(?<!\d){pages}\D{{1,16}}{pages}(?!\d)", " ".join(text.split()))


def test_pandoc_reads_the_same_heading_outline(handouts: tuple[Project, Path]) -> None:
    pypandoc = require_module("pypandoc")
    project, folder = handouts
    for slug, leaflet in project.leaflets.items():
        ast = json.loads(pypandoc.convert_file(str(folder / f"{slug}.docx"), "json",
                                               format="docx"))
        headings = [(block["c"][0], _stringify(block["c"][2])) for block in ast["blocks"]
                    if block["t"] == "Header"]
        source = [(b.level, plain_text(b.children)) for b in walk_blocks(leaflet.blocks)
                  if isinstance(b, Heading)]
        assert headings[:len(source)] == source, slug
        if leaflet.meta.language.startswith("en"):  # the shared blocks' English headings
            assert {text for _, text in headings[len(source):]} <= SHARED_HEADINGS, slug
        # pandoc takes a Title paragraph as metadata only when it opens the document; here the
        # DRAFT banner and organisation come first, so it reads the title as a paragraph
        first = next(i for i, b in enumerate(ast["blocks"]) if b["t"] == "Header")
        before = [_stringify(b["c"]) for b in ast["blocks"][:first] if b["t"] in ("Para", "Plain")]
        title = _stringify(ast["meta"]["title"]["c"]) if "title" in ast["meta"] else ""
        assert leaflet.meta.title in (title, *before), slug


def _stringify(inlines: list[dict]) -> str:  # type: ignore[type-arg]
    parts = []
    for node in inlines:
        if node["t"] == "Str":
            parts.append(node["c"])
        elif node["t"] in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif node["t"] in ("Emph", "Strong", "Underline", "SmallCaps"):
            parts.append(_stringify(node["c"]))
        elif node["t"] in ("Link", "Span"):
            parts.append(_stringify(node["c"][1]))
        elif node["t"] == "Quoted":
            parts.append('"' + _stringify(node["c"][1]) + '"')
    # the embedding marks the Word writer puts around Latin stretches in Arabic are invisible
    return "".join(parts).translate(BIDI_CONTROLS)
