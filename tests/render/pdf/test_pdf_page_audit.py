"""The page audit: every shipped PDF in every layout read back page by page (tests/page_audit.py).

What a print designer sends back: a QR code alone on a page or apart from "About this leaflet",
a page under 40% filled that is not a leaflet's last, a heading at the foot of a page, print
files without PDF/X-4 keys or with crop marks out of place; and in a booklet, the per-leaflet
end matter twelve times over instead of one "About this guide". (Hero images are the `faithful`
branch's; their presence is tested there.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SHIPPED_SOURCE
from tests.page_audit import audit_pdf, audit_print_pdf

pdfplumber = pytest.importorskip("pdfplumber")

SLUGS = sorted(p.stem for p in SHIPPED_SOURCE.glob("*.md"))
BOOKLETS = sorted(p.stem for p in (SHIPPED_SOURCE / "booklets").glob("*.yaml"))


def shipped_pdfs(dist: Path, layout: str) -> list[Path]:
    return [dist / layout / f"{slug}.pdf" for slug in SLUGS + BOOKLETS]


def test_every_clinic_page_passes_the_audit(shipped_build: Path) -> None:
    findings = [f for path in shipped_pdfs(shipped_build, "clinic")
                for f in audit_pdf(path, "clinic")]
    assert not findings, findings


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["print", "large-print"])
def test_every_print_and_large_print_page_passes_the_audit(
        shipped_pdf_builds: Path, layout: str) -> None:
    findings = [f for path in shipped_pdfs(shipped_pdf_builds, layout)
                for f in audit_pdf(path, layout)]
    if layout == "print":  # PDF/X-4 keys, boxes, crop marks in the slug on every page
        findings += [f for path in shipped_pdfs(shipped_pdf_builds, layout)
                     for f in audit_print_pdf(path)]
    assert not findings, findings


def booklet_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        # words joined by single spaces: a phrase reads the same wherever its line wraps
        return " ".join(" ".join(page.extract_text() or "" for page in pdf.pages).split())


def test_a_booklet_is_one_publication_with_one_about_this_guide(shipped_build: Path) -> None:
    path = shipped_build / "clinic" / f"{BOOKLETS[0]}.pdf"
    text = booklet_text(path)
    with pdfplumber.open(path) as pdf:
        last = " ".join((pdf.pages[-1].extract_text() or "").split())
        about_pages = [n for n, page in enumerate(pdf.pages, start=1)
                       if "About this guide" in (page.extract_text() or "").splitlines()[0]]
    assert "About this leaflet" not in text
    assert "Read this leaflet online" not in text
    assert text.count("does not replace advice from your own care team") == 1
    assert about_pages and about_pages[0] > 2 and "does not replace advice" in last
    # every leaflet's review is listed there, and a short line under each leaflet's title
    assert text.count("When each leaflet was reviewed") == 1
    assert text.count("· Next review due") == len(yaml_leaflets())
    for slug in yaml_leaflets():
        assert slug_title(slug) in text


def yaml_leaflets() -> list[str]:
    import yaml

    data = yaml.safe_load((SHIPPED_SOURCE / "booklets" / f"{BOOKLETS[0]}.yaml").read_text())
    leaflets: list[str] = data["leaflets"]
    return leaflets


def slug_title(slug: str) -> str:
    import yaml

    text = (SHIPPED_SOURCE / f"{slug}.md").read_text(encoding="utf-8")
    title: str = yaml.safe_load(text.split("---")[1])["title"]
    return title
