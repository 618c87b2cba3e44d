"""Languages hyphenate by their own rules in PDFs: Welsh with its patterns, English not at all."""

from __future__ import annotations

import re
from pathlib import Path

from leaflet_builder.render.pdf.hyphenation import register_extra_dictionaries
from tests.helpers import leaflet_text, make_project, run_cli

# Welsh with long words (health information vocabulary), repeated to fill many lines
WELSH = ("Mae imiwnotherapi yn defnyddio system imiwnedd eich corff i ymladd canser. "
         "Gofynnwch i'ch tîm gofal am wybodaeth ychwanegol am feddyginiaethau, sgileffeithiau "
         "a thriniaethau cyffredinol cyn dechrau'r driniaeth. ") * 12
# a line that ends inside a word: WeasyPrint inserts U+2010 HYPHEN (or a hyphen-minus)
BREAK = re.compile(r"(\w+)[\u2010-]$")
ENGLISH = ("Immunotherapy uses your immune system to fight cancer. Ask your care team for "
           "information about medicines, side effects and treatments before you start. ") * 12


def _pdf_lines(root: Path, slug: str) -> list[str]:
    import pypdf

    reader = pypdf.PdfReader(root / "dist" / "clinic" / f"{slug}.pdf")
    return [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]


def test_welsh_breaks_words_by_welsh_patterns_and_english_never(tmp_path: Path) -> None:
    make_project(tmp_path, {
        "welsh": leaflet_text(f"## Gwybodaeth\n\n{WELSH}\n", title="Imiwnotherapi",
                              summary="Beth yw imiwnotherapi.", language="cy"),
        "english": leaflet_text(f"## Information\n\n{ENGLISH}\n", title="Immunotherapy"),
    })
    result = run_cli("build", "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    welsh_breaks = [line for line in _pdf_lines(tmp_path, "welsh") if BREAK.search(line)]
    assert welsh_breaks, "no Welsh word was hyphenated"
    # every break falls where the Welsh patterns allow one
    import pyphen

    register_extra_dictionaries()
    welsh = pyphen.Pyphen(lang="cy")
    lines = _pdf_lines(tmp_path, "welsh")
    for index, line in enumerate(lines):
        if line in welsh_breaks and index + 1 < len(lines):
            head = BREAK.findall(line)[0]
            tail = re.findall(r"^\w+", lines[index + 1])[0]
            assert len(head) in welsh.positions(head + tail), (head, tail)

    english_breaks = [line for line in _pdf_lines(tmp_path, "english") if BREAK.search(line)]
    assert english_breaks == []
