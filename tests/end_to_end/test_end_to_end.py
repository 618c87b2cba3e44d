"""End to end: the shipped content in every format, read back with independent readers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from leaflet_builder.project import load_project
from tests.content_inventory import inventory, missing
from tests.helpers import REPO, SHIPPED_SOURCE, leaflet_text, make_project, manifest

PROJECT = load_project(SHIPPED_SOURCE)
SLUGS = sorted(PROJECT.leaflets)
# the layouts' wording, PDF line breaks and reading order are English here; the shipped Welsh
# and Arabic translations are read back with readers for their languages in
# test_shipped_translations.py (pypdf and poppler give Arabic lines in visual order, and Welsh
# hyphenates by its own patterns)
ENGLISH = [slug for slug in SLUGS if PROJECT.leaflets[slug].meta.language.startswith("en")]
PAGE_BREAK_NOISE = re.compile(r"^(?:•\s*|DRAFT|.* Page \d+ of \d+)$", re.MULTILINE)
XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def test_shipped_content_reads_without_errors() -> None:
    assert not PROJECT.diagnostics.errors, [d.display() for d in PROJECT.diagnostics.errors]
    assert len(PROJECT.leaflets) >= 8
    assert "immunotherapy-guide" in PROJECT.booklets
    assert PROJECT.leaflets["immunotherapy"].meta.kind == "glossary"
    assert all(leaflet.meta.status == "draft" for leaflet in PROJECT.leaflets.values())


def test_manifest_lists_every_output(shipped_build: Path) -> None:
    everything = manifest(shipped_build)
    site = [e for e in everything if e["format"] == "site"]  # the web site: test_site.py
    assert {f"site/{slug}/index.html" for slug in SLUGS} <= {e["path"] for e in site}
    entries = [e for e in everything if e["format"] != "site"]
    got = {(e["slug"], e["format"]) for e in entries}
    want = {(slug, fmt) for slug in SLUGS for fmt in ("pdf", "docx", "epub", "html")}
    assert set(PROJECT.booklets) == {"immunotherapy-guide", "car-t-for-carers"}
    want |= {(booklet, fmt) for booklet in PROJECT.booklets for fmt in ("epub", "pdf")}
    assert got == want
    # a plain build also makes each leaflet's large-print PDF, which the web site offers
    large_print = {(e["slug"], e["format"], e["kind"]) for e in entries
                   if e["layout"] == "large-print"}
    assert large_print == {(slug, "pdf", "leaflet") for slug in SLUGS}
    import hashlib
    for entry in entries:
        data = (shipped_build / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        language = (PROJECT.leaflets[entry["slug"]].meta.language
                    if entry["slug"] in PROJECT.leaflets else "en-GB")
        assert entry["layout"] in ("clinic", "large-print") and entry["language"] == language
        assert entry["status"] == "draft"
        assert entry["kind"] == ("booklet" if entry["slug"] in PROJECT.booklets else "leaflet")


@pytest.mark.parametrize("slug", ENGLISH)
def test_pdf_carries_every_piece(shipped_build: Path, slug: str) -> None:
    from pypdf import PdfReader

    reader = PdfReader(shipped_build / "clinic" / f"{slug}.pdf")
    # what pypdf reads between the two halves of a paragraph that runs over a page: the page's
    # list bullets, its running footer and the next page's DRAFT watermark
    text = PAGE_BREAK_NOISE.sub("", "\n".join(page.extract_text() for page in reader.pages))
    inv = inventory(PROJECT.leaflets[slug])
    assert missing(inv.texts(), text) == []
    assert "DRAFT" in text
    annotations = [a.get_object() for page in reader.pages for a in page.get("/Annots", [])]
    uris = {a["/A"]["/URI"] for a in annotations if "/A" in a and "/URI" in a["/A"]}
    assert set(inv.link_targets) <= uris


@pytest.mark.parametrize("slug", ENGLISH)
def test_docx_carries_every_piece_in_builtin_styles(shipped_build: Path, slug: str) -> None:
    import docx

    document = docx.Document(str(shipped_build / "clinic" / f"{slug}.docx"))
    paragraphs = list(document.paragraphs)
    cells = [p for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    text = "\n".join(p.text for p in paragraphs + cells)
    inv = inventory(PROJECT.leaflets[slug])
    assert missing(inv.texts(), text) == []
    def styles_of(text: str) -> list[str]:
        # callouts are boxes (one-cell tables): their paragraphs are among the cells'
        return [p.style.name for p in paragraphs + cells if p.text.strip() == text.strip()]

    assert "Title" in styles_of(inv.title)
    assert "Subtitle" in styles_of(inv.summary)
    for heading in inv.headings:
        assert any(s.startswith("Heading ") for s in styles_of(heading)), heading
    for item in inv.list_items:
        # list items inside callouts keep the callout's look but are still list paragraphs
        assert any(s.startswith(("List Bullet", "List Number", "Callout"))
                   for s in styles_of(item)), (item, styles_of(item))


def _epub_pages(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as book:
        return {name: etree.fromstring(book.read(name)) for name in book.namelist()
                if name.endswith((".xhtml", ".html"))}


@pytest.mark.parametrize("slug", ENGLISH)
def test_epub_and_html_carry_every_piece(shipped_build: Path, slug: str) -> None:
    inv = inventory(PROJECT.leaflets[slug])
    pages = _epub_pages(shipped_build / "clinic" / f"{slug}.epub")
    epub_text = "\n".join("".join(root.itertext()) for root in pages.values())
    assert missing(inv.texts(), epub_text) == []
    html = etree.parse(str(shipped_build / "clinic" / f"{slug}.html"), etree.HTMLParser())
    assert missing(inv.texts(), "".join(html.getroot().itertext())) == []
    hrefs = set(html.xpath("//a/@href"))
    assert set(inv.link_targets) <= hrefs


@pytest.mark.parametrize("slug", ENGLISH)
def test_every_shipped_leaflet_ends_with_when_to_call_us(shipped_build: Path, slug: str) -> None:
    """The 24-hour line and the fever threshold come from project.yaml, after the body."""
    urgent = PROJECT.settings.urgent
    assert urgent is not None
    html = etree.parse(str(shipped_build / "clinic" / f"{slug}.html"), etree.HTMLParser())
    box = html.xpath("//aside[contains(@class, 'when-to-call')]")
    assert len(box) == 1
    text = " ".join("".join(box[0].itertext()).split())
    assert urgent.phone in text and f"{urgent.fever_threshold_c:g}°C or higher" in text
    assert "Call 999" in text
    # no leaflet writes its own fever threshold: the project setting is the one place
    assert not re.search(r"\d\d(?:\.\d)?\s*°C", PROJECT.leaflets[slug].path.read_text())


def test_epub_container_basics_and_booklet_nav(shipped_build: Path) -> None:
    for path in (shipped_build / "clinic").glob("*.epub"):
        with zipfile.ZipFile(path) as book:
            first = book.infolist()[0]
            assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
            assert book.read("mimetype") == b"application/epub+zip"
    pages = _epub_pages(shipped_build / "clinic" / "immunotherapy-guide.epub")
    nav = next(root for root in pages.values()
               if root.xpath("//x:nav[@epub:type='toc']", namespaces=XHTML))
    toc_text = "".join(nav.xpath("//x:nav[@epub:type='toc']", namespaces=XHTML)[0].itertext())
    for slug in PROJECT.booklets["immunotherapy-guide"].leaflets:
        assert PROJECT.leaflets[slug].meta.title in toc_text


def see_running_environment(python: Path) -> None:
    """Let a new virtual environment import the dependencies this test run has.

    `--system-site-packages` gives it the *base* interpreter's packages; when the tests run in
    a virtual environment (as the README advises) the dependencies are in that environment
    instead. A `.pth` file adds its folders after the new environment's own, so the wheel
    installed there is still what `import leaflet_builder` finds (a plain folder line does not
    run the editable install's own `.pth` hooks).
    """
    import sysconfig

    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    inner = subprocess.run([str(python), "-c", where], capture_output=True, text=True,
                           check=True).stdout.strip()
    paths = sysconfig.get_paths()
    folders = dict.fromkeys([paths["purelib"], paths["platlib"]])  # ordered, no repeats
    (Path(inner) / "_test_run_packages.pth").write_text("\n".join(folders) + "\n")


@pytest.mark.slow
def test_installed_wheel_builds_a_project_with_only_markdown(tmp_path: Path) -> None:
    """A new user's folder — no project.yaml, no layouts/ — built by a pip-installed wheel."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheel_dir), str(REPO)], check=True, timeout=300)
    wheel = next(wheel_dir.glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "leaflet_builder/layouts/clinic/layout.yaml" in names
    assert "leaflet_builder/layouts/clinic/templates/shared/about.html" in names
    # `leaflet init` and `leaflet new` read their texts from the installed package
    assert {"leaflet_builder/scaffold/article.md", "leaflet_builder/scaffold/glossary.md",
            "leaflet_builder/scaffold/project/source/project.yaml",
            "leaflet_builder/scaffold/project/source/booklets/example-guide.yaml"} <= names
    # the layouts' wording in each language is read from the installed package's catalogues
    assert {f"leaflet_builder/locale/{lang}/LC_MESSAGES/messages.po"
            for lang in ("en", "cy", "ar")} | {"leaflet_builder/locale/messages.pot"} <= names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=300)
    python = venv / "bin" / "python"
    see_running_environment(python)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                   check=True, timeout=300)
    project = tmp_path / "newcomer"
    make_project(project, {"first-leaflet": leaflet_text("## Hello\n\n- one\n- two\n",
                                                         title="My first leaflet"),
                           "cymraeg": leaflet_text("Helo.\n", language="cy")})
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    located = subprocess.run([str(python), "-c", "import leaflet_builder; print(leaflet_builder.__file__)"],
                             capture_output=True, text=True, cwd=project, env=env, check=True)
    assert str(venv) in located.stdout  # the wheel, not the checkout
    result = subprocess.run([str(venv / "bin" / "leaflet"), "build"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    for ext in ("pdf", "docx", "epub", "html"):
        assert (project / "dist" / "clinic" / f"first-leaflet.{ext}").stat().st_size > 0
    welsh = (project / "dist" / "clinic" / "cymraeg.html").read_text(encoding="utf-8")
    assert "Am y daflen hon" in welsh and "language" not in result.stderr
