"""The open-licensed fonts every PDF uses, installed as Python packages (same pages everywhere).

Atkinson Hyperlegible (Braille Institute) is drawn for low-vision readers; Noto Sans covers
the Latin letters it lacks (Welsh ŵ, ŷ and more); Noto Sans Arabic covers Arabic script; Hind
Siliguri covers Bengali; IBM Plex Mono sets code. WeasyPrint's fontconfig sees only these (and
fonts a layout ships with `@font-face`), never the system's, so a glyph none of these has is a
visible gap on every machine alike rather than a silent difference between machines (and the
build refuses it: render/coverage.py), and a layout naming a system font gets a packaged one
instead.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
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
    ("fontpkg_ibm_plex_mono", "IBM Plex Mono", (
        ("IBMPlexMono-Regular.ttf", "400", "normal"),
        ("IBMPlexMono-Bold.ttf", "700", "normal"),
        ("IBMPlexMono-Italic.ttf", "400", "italic"),
    )),
)

# the family names a PDF may contain (tests and `leaflet check` compare embedded fonts with it)
PACKAGED_FAMILIES: tuple[str, ...] = tuple(family for _, family, _ in FONT_PACKAGES)


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
        for path, family, weight, style in _faces()
    ]
    return "\n".join(rules)


def _faces() -> list[tuple[Path, str, str, str]]:
    faces = []
    for package, family, files in FONT_PACKAGES:
        folder = Path(importlib.import_module(package).__file__ or "").parent / "files"
        for name, weight, style in files:
            if (folder / name).is_file():
                faces.append(((folder / name).resolve(), family, weight, style))
    return faces


@functools.lru_cache(maxsize=1)
def font_configuration() -> Any:
    """This process's WeasyPrint font configuration, kept for every render (loading is slow).

    WeasyPrint copies each `@font-face` file (about 6 MB here) into a temporary folder that it
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
