"""What a print designer checks on every page of a PDF, measured with pdfplumber and pikepdf.

Shared by the page-audit tests and usable by hand (`python -m tests.page_audit DIST`) to count
pages and list what is wrong before and after a layout change. A finding is one sentence
naming the file and page.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

LAYOUTS_DIR = Path(__file__).resolve().parents[1] / "layouts"
MM = 72 / 25.4
WATERMARK_PT = 40  # the DRAFT watermark's letters are page background, about 80 pt high
MIN_FILL = 0.40
QR_LINE = "Readthisleafletonline:"  # pdfplumber's characters of a line, spaces left out
SECTION_HEADINGS = ("Contents", "About this guide")


def layout_values(layout: str) -> dict[str, dict[str, Any]]:
    """The clinic layout's `page:` and `type:` values, overridden by the layout's own."""
    settings: dict[str, dict[str, Any]] = {"page": {}, "type": {}}
    for name in ("clinic", layout):
        own = yaml.safe_load((LAYOUTS_DIR / name / "layout.yaml").read_text(encoding="utf-8"))
        for key, values in settings.items():
            values.update(own.get(key, {}))
    return settings


@dataclass(frozen=True)
class AuditPage:
    """One page: its number, text area (pt, top down), body lines and whether a QR code is on it."""

    number: int
    area_top: float
    area_bottom: float
    lines: tuple[tuple[float, float, float, str], ...]  # top, bottom, largest size, text
    has_qr: bool

    @property
    def blank(self) -> bool:
        return not self.lines

    @property
    def text(self) -> str:
        return " ".join(line[3] for line in self.lines)

    def fill(self) -> float:
        """The share of the text area between the first line's top and the last line's foot."""
        if not self.lines:
            return 0.0
        used = self.lines[-1][1] - self.lines[0][0]
        return used / (self.area_bottom - self.area_top)


def read_pages(path: Path, layout: str) -> list[AuditPage]:
    """Every page's body text as lines (footer and watermark left out)."""
    import pdfplumber

    values = layout_values(layout)
    page_mm = values["page"]
    pages = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            attrs = page.page_obj.attrs
            _x0, y0, _x1, y1 = (float(v) for v in attrs.get("TrimBox", attrs["MediaBox"]))
            trim_top, trim_bottom = float(page.height) - y1, float(page.height) - y0
            area_top = trim_top + page_mm["margin_top_mm"] * MM
            area_bottom = trim_bottom - page_mm["margin_bottom_mm"] * MM
            chars = [c for c in page.chars if float(c["size"]) < WATERMARK_PT
                     and c["top"] < area_bottom - 1 and c["text"].strip()]
            lines: list[list[Any]] = []
            for char in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
                if lines and abs(char["top"] - lines[-1][0]) <= 2:
                    line = lines[-1]
                    line[1] = max(line[1], char["bottom"])
                    line[2] = max(line[2], float(char["size"]))
                    line[3].append(char)
                else:
                    lines.append([char["top"], char["bottom"], float(char["size"]), [char]])
            merged = tuple((t, b, s, "".join(c["text"] for c in sorted(cs, key=lambda c: c["x0"])))
                           for t, b, s, cs in lines)
            # the QR code is vector art (segno's SVG): found by the words printed beside it
            qr = any(QR_LINE in line[3] for line in merged)
            pages.append(AuditPage(number, area_top, area_bottom, merged, qr))
    return pages


def section_starts(pages: list[AuditPage], title_pt: float) -> set[int]:
    """Pages a new leaflet (its big title), the contents or "About this guide" starts on."""
    starts = set()
    for page in pages:
        if not page.lines:
            continue
        first = page.lines[0]
        if any(line[2] >= title_pt - 0.1 for line in page.lines) or \
                first[3].replace(" ", "") in {h.replace(" ", "") for h in SECTION_HEADINGS}:
            starts.add(page.number)
    return starts


def exempt_from_fill(pages: list[AuditPage], starts: set[int]) -> set[int]:
    """The last page, and a page (blank or not) after which only blanks lead to a new section."""
    exempt = {pages[-1].number}
    for page in pages[:-1]:
        following = pages[page.number:]
        for later in following:
            if later.blank:
                continue
            if later.number in starts:
                exempt.add(page.number)
            break
        else:
            exempt.add(page.number)
    return exempt


def is_heading(line: tuple[float, float, float, str], heading_pt: float) -> bool:
    """A line set at a heading's size: `type.h2_pt` is the smallest heading the shipped
    leaflets use (a `###`), larger than the body, the summary and the DRAFT banner."""
    return line[2] >= heading_pt - 0.1


def audit_pdf(path: Path, layout: str) -> list[str]:
    """Every finding on one PDF: QR code alone or apart from "About", under-filled pages,
    a heading at the foot of a page."""
    kind = layout_values(layout)["type"]
    pages = read_pages(path, layout)
    starts = section_starts(pages, float(kind["title_pt"]))
    exempt = exempt_from_fill(pages, starts)
    where = f"{layout}/{path.name}"
    findings = []
    for page in pages:
        others = [line for line in page.lines if QR_LINE not in line[3] and "://" not in line[3]]
        if page.has_qr and not others:
            findings.append(f"{where} page {page.number}: the QR code is alone on the page")
        if page.has_qr and "Aboutthisleaflet" not in page.text:
            findings.append(f"{where} page {page.number}: the QR code is apart from "
                            "\"About this leaflet\"")
        if page.number not in exempt and page.fill() < MIN_FILL:
            findings.append(f"{where} page {page.number}: only {page.fill():.0%} filled")
        if page.number != pages[-1].number and page.lines and \
                is_heading(page.lines[-1], float(kind["h2_pt"])):
            findings.append(f"{where} page {page.number}: ends with the heading "
                            f"{page.lines[-1][3]!r}")
    return findings


def audit_print_pdf(path: Path) -> list[str]:
    """The print layout's PDF/X-4 keys, boxes and crop marks (pikepdf for keys, pdfplumber for
    the marks' lines): what a print shop's preflight looks at first."""
    import pdfplumber
    import pikepdf

    where = f"print/{path.name}"
    findings = []
    with pikepdf.open(path) as pdf, pdfplumber.open(path) as plumbed:
        with pdf.open_metadata() as meta:
            version = str(meta.get("{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion", ""))
        if version != "PDF/X-4":
            findings.append(f"{where}: GTS_PDFXVersion is {version!r}, not 'PDF/X-4'")
        intents = [i for i in pdf.Root.get("/OutputIntents", []) if str(i.S) == "/GTS_PDFX"]
        if len(intents) != 1 or "/DestOutputProfile" not in intents[0] or \
                intents[0].DestOutputProfile.read_bytes()[16:20] != b"CMYK":
            findings.append(f"{where}: no single PDF/X output intent with a CMYK profile")
        for number, (page, lines) in enumerate(
                zip(pdf.pages, (p.lines for p in plumbed.pages)), start=1):
            if "/TrimBox" not in page.obj or "/BleedBox" not in page.obj:
                findings.append(f"{where} page {number}: no TrimBox or BleedBox")
                continue
            trim, bleed, media = ([float(v) for v in page.obj[key]]
                                  for key in ("/TrimBox", "/BleedBox", "/MediaBox"))
            if min(bleed[0] - media[0], bleed[1] - media[1], media[2] - bleed[2],
                   media[3] - bleed[3]) < 5 * MM - 0.1:
                findings.append(f"{where} page {number}: slug under 5 mm")
            marks = 0
            for line in lines:
                # pdfplumber keeps x in PDF user space but shifts y by -MediaBox[1]
                x0, x1 = float(line["x0"]), float(line["x1"])
                y0, y1 = float(line["y0"]) + media[1], float(line["y1"]) + media[1]
                if x1 > bleed[0] + 0.05 and x0 < bleed[2] - 0.05 and \
                        y1 > bleed[1] + 0.05 and y0 < bleed[3] - 0.05:
                    continue  # inside the bleed: artwork
                gap = max(trim[0] - x1, x0 - trim[2], trim[1] - y1, y0 - trim[3])
                if not 3 * MM - 0.1 <= gap <= 4 * MM:
                    findings.append(f"{where} page {number}: a mark {gap / MM:.1f} mm from "
                                    "the trim")
                marks += 1
            if marks != 8:
                findings.append(f"{where} page {number}: {marks} crop marks outside the "
                                "bleed, not 8")
    return findings


def main(dist: str) -> None:
    for folder in sorted(Path(dist).iterdir()):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        import pdfplumber

        for path in sorted(folder.glob("*.pdf")):
            with pdfplumber.open(path) as pdf:
                count = len(pdf.pages)
            findings = audit_pdf(path, folder.name)
            if folder.name == "print":
                findings += audit_print_pdf(path)
            print(f"{folder.name}/{path.name}: {count} pages")
            for finding in findings:
                print("   ", finding)


if __name__ == "__main__":
    main(sys.argv[1])
