"""Hyphenation dictionaries pyphen lacks (Welsh), registered before WeasyPrint lays out text."""

from __future__ import annotations

import functools
from pathlib import Path

DICTIONARIES = Path(__file__).parent / "hyphenation"
EXTRA_LANGUAGES = {"cy": "hyph_cy.dic"}


@functools.lru_cache(maxsize=1)
def register_extra_dictionaries() -> None:
    """Teach pyphen the languages in `hyphenation/` (never replacing one it already has)."""
    import pyphen

    for language, name in EXTRA_LANGUAGES.items():
        path = DICTIONARIES / name
        if path.is_file() and language not in pyphen.LANGUAGES:
            pyphen.LANGUAGES[language] = path
            # pyphen resolves `cy-GB` through this lower-case index, built when it was imported
            pyphen.LANGUAGES_LOWERCASE[language.lower()] = language
