"""The "When to call us" block: the 24-hour line, fever threshold and 999 from project.yaml.

A patient with a fever acts on the number printed in the leaflet, so the threshold and the phone
must be the project's setting in every format — change it once and every output changes.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.helpers import leaflet_text, make_project, run_cli

BODY = "## Side effects\n\nYou may feel tired.\n\n::: warning Warning signs\n- a new rash\n:::\n"
PHONE = "0100 555 0199"
URGENT_38 = {"phone": PHONE, "fever_threshold_c": 38}


def _project(root: Path, urgent: dict[str, object] | None) -> Path:
    project: dict[str, object] = {"organisation": "Test Centre", "language": "en-GB"}
    if urgent is not None:
        project["urgent"] = urgent
    make_project(root, {"tired": leaflet_text(BODY, title="Feeling tired",
                                              related=["other"]),
                        "other": leaflet_text(title="Another leaflet")}, project)
    return root


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def built_38(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _project(tmp_path_factory.mktemp("urgent38"), URGENT_38)
    result = run_cli("build", "-j", "1", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "dist" / "clinic"


def _assert_block(text: str) -> None:
    text = _squash(text)
    assert "When to call us" in text
    assert f"Call our 24-hour line straight away on {PHONE}" in text
    assert "your temperature is 38°C or higher" in text
    assert "37.5" not in text  # the default never leaks past the project's setting
    assert "Call 999 if" in text
    # after the leaflet's own warning signs, before the related leaflets and "About"
    assert text.index("a new rash") < text.index("When to call us") < text.index("About this leaflet")
    assert text.index("When to call us") < text.index("Related leaflets")


def test_pdf_shows_the_configured_threshold_and_phone(built_38: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(built_38 / "tired.pdf")
    _assert_block("\n".join(page.extract_text() for page in reader.pages))
    links = [a.get_object().get("/A", {}).get("/URI") for page in reader.pages
             for a in page.get("/Annots", [])]
    assert "tel:01005550199" in links and "tel:999" in links


def test_docx_shows_the_configured_threshold_and_phone(built_38: Path) -> None:
    import docx

    from tests.render.docx.test_docx import all_paragraphs

    document = docx.Document(str(built_38 / "tired.docx"))
    # in reading order, those inside callout boxes (one-cell tables) too
    paragraphs = [p for p in all_paragraphs(document) if p.text.strip()]
    _assert_block("\n".join(p.text for p in paragraphs))
    heading = next(p for p in paragraphs if p.text == "When to call us")
    assert heading.style is not None and heading.style.name == "Callout Warning"
    # every paragraph of the box, its list items too, is in the warning box's style
    start = paragraphs.index(heading)
    box = paragraphs[start:next(i for i, p in enumerate(paragraphs) if "Call 999" in p.text) + 1]
    assert any("38°C" in p.text for p in box)
    assert {p.style.name for p in box if p.style is not None} == {"Callout Warning"}


def test_docx_keeps_the_when_to_call_box_on_one_page(built_38: Path) -> None:
    """Word split the box at a page foot (the number on one page, "Call 999" on the next; seen
    in LibreOffice for checkpoint-inhibitors and rituximab): each of its paragraphs but the last
    keeps with the next one, so the urgent advice is read as one block."""
    import docx
    from docx.text.paragraph import Paragraph

    from tests.render.docx.test_docx import all_paragraphs

    document = docx.Document(str(built_38 / "tired.docx"))
    paragraphs = [p for p in all_paragraphs(document) if p.text.strip()]
    start = next(i for i, p in enumerate(paragraphs) if p.text == "When to call us")
    end = next(i for i, p in enumerate(paragraphs) if "Call 999" in p.text)
    assert end - start >= 4  # heading, line, three conditions, "Do not wait", 999

    def keeps_with_next(paragraph: Paragraph) -> bool:
        own = paragraph.paragraph_format.keep_with_next
        style = paragraph.style
        while own is None and style is not None:
            own, style = style.paragraph_format.keep_with_next, style.base_style
        return bool(own)

    assert [p.text for p in paragraphs[start:end] if not keeps_with_next(p)] == []


def test_epub_and_html_show_the_configured_threshold_and_phone(built_38: Path) -> None:
    with zipfile.ZipFile(built_38 / "tired.epub") as book:
        page = next(n for n in book.namelist() if n.endswith(".xhtml") and
                    b"Feeling tired" in book.read(n) and b"When to call" in book.read(n))
        tree = etree.fromstring(book.read(page))
    _assert_block("".join(tree.itertext()))
    html = etree.HTML((built_38 / "tired.html").read_bytes())
    _assert_block("".join(html.itertext()))
    aside = html.xpath("//aside[contains(@class, 'when-to-call')]")[0]
    assert {a.get("href") for a in aside.iter("a")} == {"tel:01005550199", "tel:999"}


def test_default_threshold_is_37_5_and_no_setting_means_no_block(tmp_path: Path) -> None:
    with_default = _project(tmp_path / "default", {"phone": PHONE})
    assert run_cli("build", "--format", "html", cwd=with_default).returncode == 0
    text = _squash("".join(etree.HTML(
        (with_default / "dist" / "clinic" / "tired.html").read_bytes()).itertext()))
    assert "your temperature is 37.5°C or higher" in text
    without = _project(tmp_path / "none", None)
    assert run_cli("build", "--format", "html", cwd=without).returncode == 0
    assert b"When to call us" not in (without / "dist" / "clinic" / "tired.html").read_bytes()


@pytest.mark.parametrize(("urgent", "message"), [
    ({"phone": PHONE, "fever_threshold_c": 40},
     "source/project.yaml:4: urgent.fever_threshold_c:"),
    ({"phone": "ring the ward"}, "source/project.yaml:4: urgent.phone: must be a phone number"),
    ({"fever_threshold_c": 38}, "source/project.yaml:3: urgent.phone:"),
])
def test_a_bad_urgent_setting_is_a_content_error_with_its_line(
        tmp_path: Path, urgent: dict[str, object], message: str) -> None:
    root = _project(tmp_path, urgent)
    result = run_cli("build", "--format", "html", cwd=root)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
