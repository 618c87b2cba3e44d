"""A character no packaged font can draw is found before it prints as an empty box (issue 13).

Malayalam and Kannada text used to build into PDFs of empty boxes with exit status 0. The
PDF build now refuses such a leaflet with `path:line: no font in layout 'clinic' has glyphs
for 'ക' (Malayalam)` (the other leaflets still build), and `leaflet check` reports the same as
rule `missing-glyph`. Read back with pdfplumber: what does build is drawn from packaged fonts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import leaflet_text, make_project, manifest, run_cli

pdfplumber = pytest.importorskip("pdfplumber")

MALAYALAM = "## ചികിത്സ\n\nഇമ്മ്യൂണോതെറാപ്പി ക്യാൻസറിനെതിരെ പോരാടാൻ സഹായിക്കുന്നു.\n"
KANNADA = "## Treatment\n\nSome words first.\n\nಚಿಕಿತ್ಸೆ ಬಗ್ಗೆ ಮಾಹಿತಿ.\n"
ARABIC = "## العلاج\n\nالعلاج المناعي يساعد جسمك.\n"
WELSH = "## Triniaeth\n\nMae'r driniaeth yn helpu'ch corff. Ŵyr a ŷd.\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("glyphs")
    make_project(root, {
        "malayalam": leaflet_text(MALAYALAM, title="Immunotherapy", language="ml"),
        "kannada": leaflet_text(KANNADA, title="Immunotherapy", language="kn"),
        "arabic": leaflet_text(ARABIC, title="العلاج المناعي", language="ar"),
        "welsh": leaflet_text(WELSH, title="Triniaeth", language="cy"),
    }, project={"organisation": "Example Cancer Centre", "contact": "0100 000 0000",
                "feedback": "a@example.org", "other_formats": "Ask us."})
    return root


def line_of(text: str, char: str) -> int:
    """The file line of `char`'s first occurrence (leaflet_text's front matter included)."""
    return next(number for number, line in enumerate(text.splitlines(), start=1) if char in line)


def test_pdf_build_refuses_text_no_font_can_draw(project: Path) -> None:
    result = run_cli("build", "--format", "pdf", "--layout", "clinic", "--force", cwd=project)
    assert result.returncode == 1
    malayalam = leaflet_text(MALAYALAM, title="Immunotherapy", language="ml")
    first = MALAYALAM.split("## ")[1][0]  # 'ച', the first Malayalam letter of the file
    expected = (f"source/malayalam.md:{line_of(malayalam, first)}: no font in layout 'clinic' "
                f"has glyphs for '{first}' (Malayalam)")
    assert expected in result.stderr, result.stderr
    kannada = leaflet_text(KANNADA, title="Immunotherapy", language="kn")
    assert (f"source/kannada.md:{line_of(kannada, 'ಚ')}: no font in layout 'clinic' has "
            "glyphs for 'ಚ' (Kannada)") in result.stderr
    assert "Traceback" not in result.stderr
    built = {entry["path"] for entry in manifest(project / "dist") if entry["format"] == "pdf"}
    assert {"clinic/arabic.pdf", "clinic/welsh.pdf"} <= built
    assert not {"clinic/malayalam.pdf", "clinic/kannada.pdf"} & built
    # what did build is drawn from the packaged fonts only, no empty box
    for slug in ("arabic", "welsh"):
        with pdfplumber.open(project / "dist" / "clinic" / f"{slug}.pdf") as pdf:
            fonts = {char["fontname"].split("+")[-1] for page in pdf.pages for char in page.chars}
        assert all(name.startswith(("Atkinson-Hyperlegible", "Noto-Sans", "IBM-Plex-Mono"))
                   for name in fonts), fonts


def test_other_formats_still_build(project: Path) -> None:
    """A reader's own device may have the font: Word, EPUB and HTML are not refused."""
    result = run_cli("build", "--format", "docx", "--format", "html", "--force", cwd=project)
    assert result.returncode == 0, result.stderr


def test_check_reports_missing_glyphs(project: Path) -> None:
    result = run_cli("check", "--format", "json", cwd=project)
    assert result.returncode == 1
    findings = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "missing-glyph"]
    assert {(f["slug"], f["level"]) for f in findings} == {("malayalam", "error"),
                                                          ("kannada", "error")}
    kannada = next(f for f in findings if f["slug"] == "kannada")
    assert kannada["message"] == "no font in layout 'clinic' has glyphs for 'ಚ' (Kannada)"
    assert kannada["line"] == line_of(leaflet_text(KANNADA, title="Immunotherapy",
                                                   language="kn"), "ಚ")
    text = run_cli("check", cwd=project).stdout
    assert ": error: missing-glyph: no font in layout 'clinic' has glyphs for" in text


def test_script_names() -> None:
    from leaflet_builder.render.coverage import script_name

    assert [script_name(c) for c in "കಕ中অਕ"] == ["Malayalam", "Kannada", "CJK", "Bengali",
                                                  "Gurmukhi"]
