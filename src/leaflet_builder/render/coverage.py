"""Which characters of a leaflet no font of the layout can draw (a silent box on paper).

WeasyPrint draws a character that none of the CSS's fonts has as an empty box and at most logs
a line: a Malayalam or Kannada leaflet came out as rows of boxes with a successful build. This
module compares the characters of the leaflet's source with the `cmap` of the fonts the
layout's stylesheets name (the packaged families, and fonts the layout ships itself with
`@font-face`), so the PDF build refuses the leaflet and `leaflet check` reports it, at the
line where each script's first uncovered character is. Generic families (`sans-serif`) and
system fonts do not count: they differ between machines, and no system font is embedded.
"""

from __future__ import annotations

import functools
import re
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from leaflet_builder.layouts import Layout

_FAMILY_RE = re.compile(r"font-family\s*:\s*([^;{}]+)", re.IGNORECASE)
_FONT_FACE_RE = re.compile(r"@font-face\s*\{([^}]*)\}", re.IGNORECASE)
_URL_RE = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""", re.IGNORECASE)
_COMMENT_RE = re.compile(r"/\*.*?\*/", re.DOTALL)
# the words of a Unicode name that follow the script's name ("MALAYALAM LETTER KA")
_NAME_WORDS = ("LETTER", "SIGN", "DIGIT", "VOWEL", "SYLLABLE", "IDEOGRAPH", "MARK", "NUMBER",
               "LIGATURE", "CHARACTER", "PUNCTUATION", "CAPITAL", "SMALL", "FRACTION",
               "CONSONANT", "VIRAMA", "AU", "AI")


@dataclass(frozen=True)
class MissingGlyph:
    """The first character of one script that no font of the layout has, and its line."""

    line: int
    char: str
    script: str

    def message(self, layout: str) -> str:
        text = f"no font in layout '{layout}' has glyphs for '{self.char}' ({self.script})"
        extra = extra_for(self.char)
        return text + (f" — the fonts for it are an optional extra: pip install "
                       f"'leaflet-builder[{extra}]'" if extra else "")


# the characters an optional extra's fonts draw (Han, kana, CJK punctuation, full-width forms)
_EXTRA_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "cjk": ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
            (0x20000, 0x3FFFF)),
}


def extra_for(char: str) -> str | None:
    """The extra whose fonts would draw `char`, when that extra is not installed here."""
    from leaflet_builder.render.fonts import OPTIONAL_PACKAGES, installed_extras

    if not any(extra not in installed_extras() for extra in OPTIONAL_PACKAGES.values()):
        return None
    point = ord(char)
    for extra, ranges in _EXTRA_RANGES.items():
        if extra not in installed_extras() and any(low <= point <= high for low, high in ranges):
            return extra
    return None


def script_name(char: str) -> str:
    """The script a character belongs to, from its Unicode name ('ക' -> 'Malayalam')."""
    if any(low <= ord(char) <= high for low, high in _EXTRA_RANGES["cjk"]):
        return "CJK"  # ideographs, and the punctuation and full-width forms set with them
    name = unicodedata.name(char, "")
    if not name:
        return f"U+{ord(char):04X}"
    words = name.split()
    for index, word in enumerate(words):
        if index and word.split("-")[0] in _NAME_WORDS:
            script = " ".join(w for w in words[:index] if w != "UNIFIED")
            return script if script == "CJK" else script.title()
    return name.title()


def layout_fonts(layout: Layout) -> tuple[Path, ...]:
    """The font files the layout's stylesheets name: packaged families and its own fonts."""
    from leaflet_builder.render.fonts import FONT_PACKAGES, font_file

    css = "\n".join(_COMMENT_RE.sub("", text) for text in _stylesheets(layout))
    named = {family.strip().strip("'\"").lower()
             for match in _FAMILY_RE.finditer(css) for family in match.group(1).split(",")}
    files: list[Path] = []
    for _, family, faces in FONT_PACKAGES:
        if family.lower() in named:
            files.extend(path for name, _, _ in faces if (path := font_file(name)) is not None)
    for rule in _FONT_FACE_RE.finditer(css):
        family_match = _FAMILY_RE.search(rule.group(1))
        if family_match and family_match.group(1).strip().strip("'\"").lower() in named:
            for url in _URL_RE.findall(rule.group(1)):
                path = layout.find_file(url)
                if path is not None:
                    files.append(path)
    return tuple(files)


def missing_glyphs(path: Path, layout: Layout) -> list[MissingGlyph]:
    """Per script, the first character of the file at `path` that no layout font has."""
    covered = _coverage(layout_fonts(layout))
    found: dict[str, MissingGlyph] = {}
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []  # the reader reports an unreadable file
    for number, text in enumerate(lines, start=1):
        for char in text:
            if ord(char) in covered or not _needs_glyph(char):
                continue
            script = script_name(char)
            found.setdefault(script, MissingGlyph(number, char, script))
    return sorted(found.values(), key=lambda missing: (missing.line, missing.script))


def _needs_glyph(char: str) -> bool:
    # spaces, controls, format characters (bidi marks, joiners) and variation selectors are
    # not drawn; everything else, combining marks included, needs a glyph
    if "\ufe00" <= char <= "\ufe0f":
        return False
    return unicodedata.category(char)[0] not in "ZC"


@functools.lru_cache(maxsize=16)
def _coverage(files: tuple[Path, ...]) -> frozenset[int]:
    from fontTools.ttLib import TTFont, TTLibError

    covered: set[int] = set()
    for file in files:
        try:
            with TTFont(file, lazy=True, fontNumber=0) as font:
                covered.update(font.getBestCmap() or {})
        except (OSError, TTLibError, AssertionError, struct.error):
            pass  # a font that cannot be read covers nothing: its characters are reported
    return frozenset(covered)


def _stylesheets(layout: Layout) -> list[str]:
    names = layout.setting("stylesheets", default=["style.css"])
    texts = []
    for name in names if isinstance(names, list) else []:
        if layout.find_file(str(name)) is not None:
            texts.append(layout.read_text(str(name)))
    return texts
