"""The alert card: a leaflet tagged `wallet-card` prints on 85 x 55 mm pages in the print layout.

A card that comes out A5, or whose text is too small to read, is not a card a patient can carry;
a card page inside an A5 booklet would jam the printer's imposition. Read back with pikepdf
(page boxes) and pdfplumber (text and character sizes).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import leaflet_text, make_project, run_cli

MM = 72 / 25.4
CARD = (85.0, 55.0)
A5 = (148.0, 210.0)
BLEED = 3.0
CARD_BODY = """\
## I am having immunotherapy

Side effects can start months after treatment ends.

## For doctors and nurses

Please call my cancer team before you start treatment.
"""


def _size_mm(box: object) -> tuple[float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)  # type: ignore[attr-defined]
    return round((x1 - x0) / MM, 1), round((y1 - y0) / MM, 1)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("card")
    make_project(root, {
        "card": leaflet_text(CARD_BODY, title="Alert card", tags=["wallet-card"],
                             sources=[{"title": "A source only the leaflet lists"}]),
        "plain": leaflet_text(title="A plain leaflet"),
    }, {"organisation": "Test Centre", "urgent": {"phone": "0100 555 0199"}},
        booklets={"guide": {"title": "Guide", "leaflets": ["plain", "card"]}})
    result = run_cli("build", "--layout", "print", "--format", "pdf", "-j", "1", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "dist" / "print"


def test_card_pages_are_wallet_size_with_bleed(printed: Path) -> None:
    import pikepdf

    with pikepdf.open(printed / "card.pdf") as pdf:
        assert len(pdf.pages) >= 2  # front and back at least
        for page in pdf.pages:
            assert _size_mm(page.TrimBox) == CARD
            assert _size_mm(page.BleedBox) == (CARD[0] + 2 * BLEED, CARD[1] + 2 * BLEED)
    with pikepdf.open(printed / "plain.pdf") as pdf:  # only the tagged leaflet is a card
        assert all(_size_mm(page.TrimBox) == A5 for page in pdf.pages)


def test_card_text_is_readable_and_complete(printed: Path) -> None:
    import pdfplumber

    with pdfplumber.open(printed / "card.pdf") as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
        sizes = [char["size"] for page in pdf.pages for char in page.chars
                 if char["text"].strip()]
    text = " ".join(" ".join(texts).split())
    # 8 pt is the floor for a card (footer); the card's own text is 9 pt and up
    assert min(sizes) >= 7.9, min(sizes)
    for words in ("Alert card", "I am having immunotherapy", "For doctors and nurses",
                  "When to call us", "0100 555 0199", "37.5°C", "Call 999"):
        assert words in text, words
    assert all("DRAFT" in page for page in texts)  # every face says DRAFT in words
    # the leaflet's sources and review dates are not printed on the card
    assert "About this leaflet" not in text and "only the leaflet lists" not in text


def test_card_in_a_booklet_is_an_ordinary_a5_page(printed: Path) -> None:
    import pikepdf

    with pikepdf.open(printed / "guide.pdf") as pdf:
        assert {_size_mm(page.TrimBox) for page in pdf.pages} == {A5}
