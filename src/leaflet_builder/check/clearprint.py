"""Check stage: clear print of the layouts in use — body size and left-aligned text."""

from __future__ import annotations

import re
from pathlib import Path

from leaflet_builder.check.context import CheckContext, finding
from leaflet_builder.check.findings import Finding
from leaflet_builder.layouts import Layout

CLEAR_PRINT_MIN_PT = 12.0  # UKAAF G003 / RNIB clear print
LARGE_PRINT_MIN_PT = 16.0  # UKAAF large print
_COMMENT_RE = re.compile(r"/\*.*?\*/", re.DOTALL)
_JUSTIFY_RE = re.compile(r"text-align\s*:\s*justify\b", re.IGNORECASE)
_BODY_SIZE_RE = re.compile(r"(?:^|[\s,}])body\s*\{[^}]*?font-size\s*:\s*([\d.]+)(pt|px)\b",
                           re.IGNORECASE)


def is_large_print(layout: Layout) -> bool:
    """A large-print layout is named so (or extends one so named), or says `large_print: true`."""
    return bool(layout.setting("large_print", default=False)) or \
        any(folder.name == "large-print" for folder in layout.folders)


def check_layout(layout: Layout, ctx: CheckContext) -> list[Finding]:
    large = is_large_print(layout)
    minimum = LARGE_PRINT_MIN_PT if large else CLEAR_PRINT_MIN_PT
    kind = "large print" if large else "clear print"
    found: list[Finding] = []
    body_pt = layout.setting("type", "body_pt")
    if isinstance(body_pt, (int, float)) and not isinstance(body_pt, bool) and body_pt < minimum:
        path, line = layout.line_of("type", "body_pt")
        found.append(finding("clear-print-size", path, line,
                             f"layout '{layout.name}': body text {body_pt:g} pt is under the "
                             f"{minimum:g} pt {kind} minimum (type.body_pt)"))
    body_sizes: list[tuple[Path, int, float]] = []
    for path, text in _stylesheets(layout):
        clean = _COMMENT_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
        for match in _JUSTIFY_RE.finditer(clean):
            found.append(finding("clear-print-justified", path, _line_at(clean, match.start()),
                                 f"layout '{layout.name}': justified text; use "
                                 "'text-align: left' (uneven word gaps lose low-vision readers)"))
        for match in _BODY_SIZE_RE.finditer(clean):
            size = float(match.group(1)) * (0.75 if match.group(2).lower() == "px" else 1.0)
            body_sizes.append((path, _line_at(clean, match.start(1)), size))
    if body_sizes and body_sizes[-1][2] < minimum:
        # the cascade: the last `body` font-size of the layout's stylesheets is the one used
        path, line, size = body_sizes[-1]
        found.append(finding("clear-print-size", path, line,
                             f"layout '{layout.name}': body font-size {size:g} pt is under "
                             f"the {minimum:g} pt {kind} minimum"))
    return found


def _stylesheets(layout: Layout) -> list[tuple[Path, str]]:
    names = layout.setting("stylesheets", default=["style.css"])
    sheets: list[tuple[Path, str]] = []
    for name in names if isinstance(names, list) else []:
        path = layout.find_file(str(name))
        if path is not None:
            sheets.append((path, path.read_text(encoding="utf-8", errors="replace")))
    return sheets


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
