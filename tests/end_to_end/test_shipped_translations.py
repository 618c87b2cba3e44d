"""The shipped Welsh and Arabic translations say what their English originals say (issue 13).

A translation is its own leaflet (`<original>-cy`, `<original>-ar`) that names its original
(`translation_of`, `translation_version`). What a patient must be able to trust is checked
against the original's source file, without the package's reader: the numbers, the Latin
names and acronyms (drug names stay in Latin letters), the fill-in lines of the alert card, the
links and the shape of the text (headings, list items, callouts) are the same; the evidence is
kept and a note says how the translation was made and that it is not yet reviewed.

Then the built outputs are read back with independent readers — pypdf and poppler's pdftotext
for the PDF, python-docx, zipfile + lxml for the EPUB and the web page — and every word of the
translation's source is found in each (as whole words: PDF readers give Arabic lines in visual
order, so words are compared as a multiset there; Word, EPUB and HTML keep reading order and
are compared phrase by phrase). The 24-hour number, which the "When to call us" box adds from
project.yaml, must read "0100 000 0000" on the Arabic page, not "0000 000 0100".
"""

from __future__ import annotations

import collections
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from leaflet_builder.project import load_project
from tests.content_inventory import (
    BIDI_CONTROLS,
    Inventory,
    inventory,
    missing,
    missing_words,
)
from tests.helpers import SHIPPED_SOURCE, require_tool, run_cli

TRANSLATION_FIELDS = ("translation_of", "translation_version")
ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def read_source(slug: str) -> tuple[dict[str, Any], str]:
    """(front matter, body) of a shipped leaflet, read with PyYAML, not the package's reader."""
    text = (SHIPPED_SOURCE / f"{slug}.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def _translations() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(SHIPPED_SOURCE.glob("*.md")):
        front, _ = read_source(path.stem)
        if "translation_of" in front:
            found[path.stem] = front
    return found


TRANSLATIONS = _translations()
SLUGS = sorted(TRANSLATIONS)


def test_two_leaflets_are_translated_into_welsh_and_arabic() -> None:
    languages: dict[str, set[str]] = collections.defaultdict(set)
    for front in TRANSLATIONS.values():
        languages[front["translation_of"]].add(front["language"])
    both = sorted(slug for slug, langs in languages.items() if {"cy", "ar"} <= langs)
    assert len(both) >= 2, dict(languages)


@pytest.mark.parametrize("slug", SLUGS)
def test_translation_names_its_original_and_how_it_was_made(slug: str) -> None:
    front = TRANSLATIONS[slug]
    original, _ = read_source(front["translation_of"])
    assert "translation_of" not in original  # an original, not a translation of a translation
    assert slug == f"{front['translation_of']}-{front['language']}"
    assert front["language"] != original.get("language", "en-GB")
    assert front["status"] == "draft"  # not reviewed yet: every format marks it DRAFT
    assert front["translation_version"] == original["version"]
    for field in ("reviewed", "reviewer", "review_due"):
        assert front.get(field) == original.get(field), field
    # the evidence the original rests on is kept, with the same addresses
    urls = {s.get("url") for s in front["sources"]}
    assert {s.get("url") for s in original["sources"]} <= urls
    # ... and a note says, in English for the reviewer, how the translation was made
    notes = [s["title"] for s in front["sources"] if "url" not in s]
    english = [n for n in notes if n.startswith("About this translation:")]
    assert len(english) == 1, notes
    for words in ("language model", "back-translation", "Not yet reviewed",
                  "qualified medical translator", "must be reviewed before patient use"):
        assert words in english[0], words
    assert len(notes) == 2  # the same note in the leaflet's own language, for the patient


def numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:[.,]\d+)?", text.translate(ARABIC_INDIC))


def latin_names(text: str) -> list[str]:
    """Acronyms and names that stay in Latin letters (CAR-T, NHS, Keytruda) in any language."""
    return re.findall(r"\b[A-Z][A-Za-z]*[A-Z0-9](?:-[A-Z0-9]+)*\b|\b[A-Z][a-z]+mab\b", text)


def shape(body: str) -> list[tuple[str, ...]]:
    """The body's structure, line by line: headings, list items (with their number and depth),
    callouts, images, paragraphs, with each line's links and fill-in lines."""
    out: list[tuple[str, ...]] = []
    for line in body.splitlines():
        if not line.strip():
            continue
        links = tuple(re.findall(r"\]\(([^)\s]+)\)", line))
        blanks = str(len(re.findall(r"\.{5,}", line)))
        if match := re.match(r"(#+) ", line):
            kind: tuple[str, ...] = ("heading", match.group(1))
        elif match := re.match(r"(\s*)([-*+]|\d+\.) ", line):
            marker = match.group(2)
            kind = ("item", str(len(match.group(1))), "-" if marker in "-*+" else marker)
        elif match := re.match(r":::\s*(\w*)", line):
            kind = ("callout", match.group(1))
        elif line.startswith("!["):
            kind = ("image",)
        else:
            kind = ("paragraph",)
        out.append((*kind, blanks, *links))
    return out


@pytest.mark.parametrize("slug", SLUGS)
def test_translation_carries_every_number_name_and_line_of_the_original(slug: str) -> None:
    front, body = read_source(slug)
    original, original_body = read_source(front["translation_of"])

    def text(meta: dict[str, Any], body: str) -> str:
        return f"{meta['title']}\n{meta['summary']}\n{body}"

    # every number (the 24 of the 24-hour line, doses, days) and every Latin name, as often
    assert sorted(numbers(text(front, body))) == sorted(numbers(text(original, original_body)))
    assert sorted(latin_names(body)) == sorted(latin_names(original_body))
    # no temperature or phone number of its own: those come from project.yaml, once
    assert not re.search(r"°|\d{4} \d{3} \d{4}", body)
    assert shape(body) == shape(original_body)
    assert front.get("tags", []).count("wallet-card") == original.get("tags", []).count(
        "wallet-card")


# --- the built outputs -------------------------------------------------------------------------

def reader_knows_translations() -> bool:
    """Whether this build of the package reads `translation_of` (its JSON Schema says so)."""
    result = subprocess.run(["leaflet", "schema", "--for", "leaflet"], capture_output=True,
                            text=True, check=True)
    return all(f in json.loads(result.stdout)["properties"] for f in TRANSLATION_FIELDS)


@pytest.fixture(scope="module")
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[Path, Path]:
    """(source/, dist/) of the shipped content built in every format with the default layout.

    While the reader does not know the translation fields yet (they come with the
    translations branch), the two lines are left out of a copy: everything else is the same.
    """
    if reader_knows_translations():
        return SHIPPED_SOURCE, request.getfixturevalue("shipped_build")
    root = tmp_path_factory.mktemp("translations")
    shutil.copytree(SHIPPED_SOURCE, root / "source")
    for slug in SLUGS:
        path = root / "source" / f"{slug}.md"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for line in lines
                                if not line.startswith(TRANSLATION_FIELDS)), encoding="utf-8")
    result = run_cli("build", *(f"--format={f}" for f in ("pdf", "docx", "epub", "html")),
                     cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "source", root / "dist"


@pytest.fixture(scope="module")
def inventories(built: tuple[Path, Path]) -> dict[str, Inventory]:
    project = load_project(built[0])
    assert not project.diagnostics.errors, [d.display() for d in project.diagnostics.errors]
    return {slug: inventory(project.leaflets[slug]) for slug in SLUGS}


@pytest.mark.parametrize("slug", SLUGS)
def test_pdf_reads_back_every_word(built: tuple[Path, Path], inventories: dict[str, Inventory],
                                   slug: str) -> None:
    import pypdf

    pdf = built[1] / "clinic" / f"{slug}.pdf"
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert missing_words(inventories[slug].texts(), text) == collections.Counter()
    poppler = subprocess.run([require_tool("pdftotext"), "-raw", "-enc", "UTF-8", str(pdf), "-"],
                             capture_output=True, text=True, check=True).stdout
    assert missing_words(inventories[slug].texts(), poppler) == collections.Counter()
    # the link to the English CAR-T leaflet is a link on paper too
    reader = pypdf.PdfReader(pdf)
    annotations = [a.get_object() for page in reader.pages for a in page.get("/Annots", [])]
    uris = {a["/A"]["/URI"] for a in annotations if "/A" in a and "/URI" in a["/A"]}
    assert set(inventories[slug].link_targets) <= uris


@pytest.mark.parametrize("slug", SLUGS)
def test_word_handout_reads_back_every_phrase(built: tuple[Path, Path],
                                              inventories: dict[str, Inventory],
                                              slug: str) -> None:
    import docx

    document = docx.Document(str(built[1] / "clinic" / f"{slug}.docx"))
    cells = [p for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    text = "\n".join(p.text for p in [*document.paragraphs, *cells])
    assert missing(inventories[slug].texts(), text.translate(BIDI_CONTROLS)) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_epub_and_web_page_read_back_every_phrase_in_the_language(
        built: tuple[Path, Path], inventories: dict[str, Inventory], slug: str) -> None:
    language = TRANSLATIONS[slug]["language"]
    direction = "rtl" if language == "ar" else "ltr"
    html = etree.parse(str(built[1] / "clinic" / f"{slug}.html"), etree.HTMLParser()).getroot()
    assert (html.get("lang"), html.get("dir")) == (language, direction)
    html_text = "".join(html.itertext()).translate(BIDI_CONTROLS)
    assert missing(inventories[slug].texts(), html_text) == []
    hrefs = set(html.xpath("//a/@href"))
    assert set(inventories[slug].link_targets) <= hrefs
    # a link to another leaflet (the English CAR-T leaflet) goes to its page beside this one
    linked = re.findall(r"\]\(([a-z0-9-]+)\.md\)", read_source(slug)[1])
    assert {f"{target}.html" for target in linked} <= hrefs
    # "When to call us" follows the body once, with the project's 24-hour number
    phone = yaml.safe_load((SHIPPED_SOURCE / "project.yaml").read_text())["urgent"]["phone"]
    box = html.xpath("//aside[contains(@class, 'when-to-call')]")
    assert len(box) == 1 and phone in "".join(box[0].itertext())
    with zipfile.ZipFile(built[1] / "clinic" / f"{slug}.epub") as book:
        pages = [etree.fromstring(book.read(name)) for name in book.namelist()
                 if name.endswith(".xhtml") and not name.endswith("nav.xhtml")]
    assert pages and all(page.get("lang") == language for page in pages)
    epub_text = "\n".join("".join(page.itertext()) for page in pages).translate(BIDI_CONTROLS)
    assert missing(inventories[slug].texts(), epub_text) == []


def visual_lines(pdf: Path) -> list[str]:
    """Each printed line's words from left to right, as the eye reads the page."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        rows: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for number, page in enumerate(document.pages):
            for word in page.extract_words():
                rows.setdefault((number, round(word["bottom"] / 4)), []).append(word)
    return [" ".join(w["text"] for w in sorted(row, key=lambda w: w["x0"]))
            for _, row in sorted(rows.items())]


@pytest.mark.parametrize("slug", [s for s in SLUGS if TRANSLATIONS[s]["language"] == "ar"])
def test_arabic_page_shows_the_24_hour_number_as_dialled(built: tuple[Path, Path],
                                                          slug: str) -> None:
    """A number in groups inside right-to-left text is laid out group by group from the right
    ("0000 000 0100") unless it is isolated as left-to-right text; a patient dials what they
    see."""
    phone = yaml.safe_load((SHIPPED_SOURCE / "project.yaml").read_text())["urgent"]["phone"]
    reversed_phone = " ".join(reversed(phone.split()))
    lines = visual_lines(built[1] / "clinic" / f"{slug}.pdf")
    assert [line for line in lines if phone in line], lines
    assert not [line for line in lines if reversed_phone in line]
    html = (built[1] / "clinic" / f"{slug}.html").read_text(encoding="utf-8")
    box = html[html.index('class="callout callout-warning when-to-call"'):]
    assert f"\u2066{phone}\u2069" in box[:box.index("</aside>")]
    # Word gets the older embedding marks (LRE ... PDF), which it has honoured longer
    with zipfile.ZipFile(built[1] / "clinic" / f"{slug}.docx") as handout:
        body = handout.read("word/document.xml").decode()
    assert "\u2066" not in body and "\u2069" not in body
    import docx

    paragraphs = [p.text for p in docx.Document(str(built[1] / "clinic" / f"{slug}.docx"))
                  .paragraphs]
    assert [p for p in paragraphs if f"\u202a{phone}\u202c" in p], paragraphs


def test_the_24_hour_number_is_isolated_only_in_a_right_to_left_leaflet() -> None:
    from leaflet_builder.model import UrgentSettings
    from leaflet_builder.render.shared import urgent_view

    grouped = urgent_view(UrgentSettings(phone="0100 000 0000"), rtl=True)
    assert grouped is not None and grouped["phone"] == "\u20660100 000 0000\u2069"
    assert grouped["phone_href"] == "tel:01000000000"
    # left to right: nothing to reorder, no invisible marks to copy
    plain = urgent_view(UrgentSettings(phone="0100 000 0000"))
    assert plain is not None and plain["phone"] == "0100 000 0000"
