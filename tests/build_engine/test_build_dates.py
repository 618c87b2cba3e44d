"""Dates never from the clock: a leaflet whose source states no date gets one fixed, documented
date (1 January 1980, 00:00 UTC, the earliest a ZIP can store) in every format, whenever its file
was saved and whatever the clock says during the build.
"""

from __future__ import annotations

import os
import re
import time
import zipfile
from pathlib import Path

import pytest

from leaflet_builder.build import BuildOptions, build
from tests.helpers import leaflet_text, make_project

UNDATED_ZIP = (1980, 1, 1, 0, 0, 0)


def build_at(source: Path, dist: Path, clock: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """Save the sources at `clock` and build with the clock set to it."""
    for path in source.rglob("*"):
        os.utime(path, (clock, clock))
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: clock)
        patched.setattr(time, "localtime", lambda secs=None: time.gmtime(clock))
        result = build(BuildOptions(source, dist, formats=("epub", "docx", "pdf"), jobs=1,
                                    force=True))
    assert result.ok, result.diagnostics


def test_an_undated_leaflet_gets_the_documented_date_not_the_clock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    source = make_project(tmp_path, {
        "nodates": leaflet_text("Some text.\n", title="No dates"),  # a draft: no reviewed date
        "other": leaflet_text("Other text.\n", title="Other"),
    }, project={"organisation": "Test clinic"},
        booklets={"guide": {"title": "Guide", "leaflets": ["nodates", "other"]}})
    dist = tmp_path / "dist"
    build_at(source, dist, 1_700_000_000.0, monkeypatch)  # November 2023
    first = {p.name: p.read_bytes() for p in (dist / "clinic").iterdir()}
    build_at(source, dist, 1_800_000_000.0, monkeypatch)  # January 2027
    second = {p.name: p.read_bytes() for p in (dist / "clinic").iterdir()}
    assert sorted(name for name in first if first[name] != second[name]) == []

    for name in ("nodates.epub", "guide.epub", "nodates.docx"):
        with zipfile.ZipFile(dist / "clinic" / name) as book:
            # DOCX entries never go below 2 January 1980 (docx_xml.repack: a day's margin for
            # readers that convert ZIP times to local time)
            floor = (1980, 1, 2, 0, 0, 0) if name.endswith(".docx") else UNDATED_ZIP
            assert {info.date_time for info in book.infolist()} == {floor}, name
            if name.endswith(".epub"):
                opf = book.read(next(n for n in book.namelist() if n.endswith(".opf"))).decode()
                assert "<meta property=\"dcterms:modified\">1980-01-01T00:00:00Z" in opf
            else:
                core = book.read("docProps/core.xml").decode()
                assert "1980-01-01T00:00:00Z" in core
    with zipfile.ZipFile(dist / "clinic" / "guide.epub") as book:
        pages = " ".join(book.read(n).decode() for n in book.namelist() if n.endswith("xhtml"))
    # the fixed date is for machines: a patient is never shown "1 January 1980"
    assert "1980" not in re.sub(r"<[^>]+>", " ", pages)
