"""The open-licensed fonts every PDF uses, installed as Python packages (same pages everywhere).

Atkinson Hyperlegible (Braille Institute) is drawn for low-vision readers and covers the Latin
letters of Polish, Romanian and Lithuanian too; Noto Sans covers the Latin letters it lacks
(Welsh ŵ, ŷ) and Devanagari (Hindi); Noto Sans Arabic covers Arabic script and Urdu's
letters; Hind Siliguri covers Bengali; Noto Sans Gurmukhi, Gujarati and Tamil cover Punjabi,
Gujarati and Tamil; Noto Sans SC covers Simplified Chinese when the optional `[cjk]` extra is installed (it
is 30 MB, so not in every install); IBM Plex Mono sets code. WeasyPrint's fontconfig sees only
these (and fonts a layout ships with `@font-face`), never the system's, so a glyph none of
these has is a visible gap on every machine alike rather than a silent difference between
machines (and the build refuses it: render/coverage.py), and a layout naming a system font gets
a packaged one instead. WeasyPrint embeds only the fonts a document's text uses, each subset
to its glyphs, so a font that a leaflet does not need costs that leaflet nothing.
"""
from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import os
import shutil
from collections.abc import Iterator
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from leaflet_builder.build.guards import owned_temp_dir

# (package, family, [(file, weight, style)])
FONT_PACKAGES: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    ("fontpkg_atkinson_hyperlegible", "Atkinson Hyperlegible", (
        ("AtkinsonHyperlegible-Regular.ttf", "400", "normal"),
        ("AtkinsonHyperlegible-Bold.ttf", "700", "normal"),
        ("AtkinsonHyperlegible-Italic.ttf", "400", "italic"),
        ("AtkinsonHyperlegible-BoldItalic.ttf", "700", "italic"),
    )),
    ("fontpkg_noto_sans", "Noto Sans", (
        ("NotoSans[wdth,wght].ttf", "100 900", "normal"),
        ("NotoSans-Italic[wdth,wght].ttf", "100 900", "italic"),
    )),
    ("fontpkg_noto_sans_arabic", "Noto Sans Arabic", (
        ("NotoSansArabic[wdth,wght].ttf", "100 900", "normal"),
    )),
    ("fontpkg_hind_siliguri", "Hind Siliguri", (
        ("HindSiliguri-Regular.ttf", "400", "normal"),
        ("HindSiliguri-Bold.ttf", "700", "normal"),
    )),
    ("leaflet_builder.fontfiles", "Noto Sans Gurmukhi", (
        ("NotoSansGurmukhi-Regular.ttf", "400", "normal"),
        ("NotoSansGurmukhi-Bold.ttf", "700", "normal"),
    )),
    ("leaflet_builder.fontfiles", "Noto Sans Gujarati", (
        ("NotoSansGujarati-Regular.ttf", "400", "normal"),
        ("NotoSansGujarati-Bold.ttf", "700", "normal"),
    )),
    ("fontpkg_noto_sans_tamil", "Noto Sans Tamil", (
        ("NotoSansTamil[wdth,wght].ttf", "100 900", "normal"),
    )),
    # optional: the `[cjk]` extra (leaflet-builder[cjk]); without it Chinese text is reported
    # as missing glyphs with the command that adds the fonts (render/coverage.py)
    ("justmytype_intl_cjk", "Noto Sans SC", (
        ("NotoSansSC[wght].ttf", "100 900", "normal"),
    )),
    ("fontpkg_ibm_plex_mono", "IBM Plex Mono", (
        ("IBMPlexMono-Regular.ttf", "400", "normal"),
        ("IBMPlexMono-Bold.ttf", "700", "normal"),
        ("IBMPlexMono-Italic.ttf", "400", "italic"),
    )),
)

# where a package keeps its font files (fontpkg packages and ours: "files")
_FOLDERS: dict[str, tuple[str, ...]] = {"justmytype_intl_cjk": ("fonts", "ofl", "notosanssc")}

# packages an install may lack, and the extra that adds each (the missing-glyph message says so)
OPTIONAL_PACKAGES: dict[str, str] = {"justmytype_intl_cjk": "cjk"}

# Word takes the font of Bengali, Gurmukhi, Gujarati, Tamil and Devanagari text from `w:cs`
# (complex script) and of Chinese from `w:eastAsia`, not from the body font: each document names
# the font that has its language's letters there (the same family as its PDF), or Word drew
# them in the Arabic `cs` font, which lacks them, and fell back to whatever it found
WORD_SCRIPT_FONTS: dict[str, dict[str, str]] = {
    "bn": {"cs": "Hind Siliguri"},
    "pa": {"cs": "Noto Sans Gurmukhi"},
    "gu": {"cs": "Noto Sans Gujarati"},
    "ta": {"cs": "Noto Sans Tamil"},
    "hi": {"cs": "Noto Sans"}, "mr": {"cs": "Noto Sans"}, "ne": {"cs": "Noto Sans"},
    "zh": {"eastAsia": "Noto Sans SC"},
}


def word_script_fonts(language: str) -> dict[str, str]:
    """The `w:rFonts` slots a document in `language` ('pa', 'zh-Hans') sets for its script."""
    return dict(WORD_SCRIPT_FONTS.get(language.split("-")[0].lower(), {}))


# families fontconfig finds in their package folder without an `@font-face` rule, which would
# make WeasyPrint copy the file into every worker's temporary folder (Noto Sans SC is 17 MB);
# the PDFs are the same either way (same fonts embedded, same subsets, bold from the variable
# font's weight axis)
_READ_IN_PLACE = frozenset({"Noto Sans SC"})

# the family names a PDF may contain (tests and `leaflet check` compare embedded fonts with it)
PACKAGED_FAMILIES: tuple[str, ...] = tuple(family for _, family, _ in FONT_PACKAGES)


@functools.lru_cache(maxsize=1)
def installed_extras() -> frozenset[str]:
    """The optional font extras installed here ('cjk')."""
    return frozenset(extra for package, extra in OPTIONAL_PACKAGES.items()
                     if _importable(package))


def _importable(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):  # a broken or half-removed install: as if absent
        return False


@functools.lru_cache(maxsize=1)
def font_files() -> tuple[Path, ...]:
    """The font files on this machine (for the URL fetcher's allow-list)."""
    return tuple(path for path, _, _, _ in _faces())


def font_file(name: str) -> Path | None:
    """The packaged font file called `name` (e.g. 'AtkinsonHyperlegible-Bold.ttf'), if here."""
    return next((path for path in font_files() if path.name == name), None)


@functools.lru_cache(maxsize=1)
def font_face_css() -> str:
    """`@font-face` rules pointing at the packaged font files."""
    rules = [
        f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for path, family, weight, style in _faces() if family not in _READ_IN_PLACE
    ]
    return "\n".join(rules)


def _faces() -> list[tuple[Path, str, str, str]]:
    faces = []
    for package, family, files in FONT_PACKAGES:
        try:
            module = importlib.import_module(package)
        except ModuleNotFoundError:
            if package in OPTIONAL_PACKAGES:
                continue  # an extra not installed: its script is reported as missing glyphs
            raise
        folder = Path(module.__file__ or "").parent.joinpath(*_FOLDERS.get(package, ("files",)))
        for name, weight, style in files:
            if (folder / name).is_file():
                faces.append(((folder / name).resolve(), family, weight, style))
    return faces


@functools.lru_cache(maxsize=1)
def font_configuration() -> Any:
    """This process's WeasyPrint font configuration, kept for every render (loading is slow).

    WeasyPrint copies each `@font-face` file (about 7 MB here) into a temporary folder that it
    removes only when the configuration is garbage-collected, which never happens in a pool
    worker (it ends with os._exit): every build used to leave a folder per worker in /tmp. The
    folder is made here and removed by a multiprocessing finalizer instead, which runs when this
    process ends normally (pool shutdown or interpreter exit) and which forked children do not
    inherit, so only the process that made the folder removes it.
    """
    from weasyprint.text.fonts import FontConfiguration

    # named with this process's pid: if it is killed, the next build sweeps the folder
    folder = owned_temp_dir("fonts")
    with _confined_fontconfig(folder):
        config = FontConfiguration()
    config._folder = folder  # WeasyPrint's attribute
    Finalize(None, _remove_font_folder, args=(config,), exitpriority=10)
    return config


@contextlib.contextmanager
def _confined_fontconfig(folder: Path) -> Iterator[None]:
    """Fontconfig that knows only the packaged fonts (and what `@font-face` adds), not the system's.

    WeasyPrint's FontConfiguration loads fontconfig's configuration from FONTCONFIG_FILE when
    it is made; with the system's, a layout naming `"DejaVu Serif"` (or a generic `serif`, or a
    glyph the packaged fonts lack) got a system font embedded — pages that differ between
    machines, and a font file no layout chose. This configuration lists only the packaged
    fonts' folders and keeps fontconfig's cache in the temporary folder.
    """
    folders = sorted({str(path.parent) for path in font_files()})
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n" + "".join(f"<dir>{escape(name)}</dir>\n" for name in folders) +
        f"<cachedir>{escape(str(folder / 'cache'))}</cachedir>\n</fontconfig>\n",
        encoding="utf-8")
    previous = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = previous


def _remove_font_folder(config: Any) -> None:
    # forget the folder too, or WeasyPrint's own clean-up would run again at interpreter
    # shutdown, when `shutil` is already gone, and print an ignored exception
    folder, config._folder = config._folder, None
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
