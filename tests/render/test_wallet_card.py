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


def test_a_card_that_needs_a_fifth_face_is_refused_and_the_others_build(tmp_path: Path) -> None:
    """A card folded once has four faces: a fifth would carry the last lines of "When to call
    us" ("Call 999 if …") on a face the card does not have, so it is an error, not a print."""
    long_note = " ".join(["Please call my cancer team before you start any treatment."] * 12)
    make_project(tmp_path, {
        "card": leaflet_text(CARD_BODY.replace("Please call my cancer team before you start "
                                               "treatment.", long_note),
                             title="Alert card", tags=["wallet-card"]),
        "plain": leaflet_text(title="A plain leaflet"),
    }, {"organisation": "Test Centre", "urgent": {"phone": "0100 555 0199"}})
    result = run_cli("build", "--layout", "print", "--format", "pdf", "-j", "1", cwd=tmp_path)
    assert result.returncode == 1
    assert "source/card.md: the wallet card needs" in result.stderr + result.stdout
    assert "a card folded once has 4" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dist" / "print" / "card.pdf").exists()
    assert (tmp_path / "dist" / "print" / "plain.pdf").exists()


@pytest.mark.slow  # the shipped print build, shared with the page audit
def test_every_shipped_card_has_four_faces_in_each_language(shipped_pdf_builds: Path) -> None:
    """The Welsh and Arabic alert cards fit the same four faces as the English one: their
    "When to call us" box runs about a sixth longer, and the layout's card rules must hold it."""
    import pikepdf

    cards = sorted((shipped_pdf_builds / "print").glob("immunotherapy-alert-card*.pdf"))
    assert {card.stem for card in cards} >= {"immunotherapy-alert-card",
                                             "immunotherapy-alert-card-cy",
                                             "immunotherapy-alert-card-ar"}
    for card in cards:
        with pikepdf.open(card) as pdf:
            assert len(pdf.pages) == 4, card.name
            assert all(_size_mm(page.TrimBox) == CARD for page in pdf.pages), card.name
