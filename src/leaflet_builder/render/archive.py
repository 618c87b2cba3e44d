"""ZIP containers (DOCX, EPUB) whose bytes depend only on their entries: no clock, no platform."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable


def write_zip(entries: Iterable[tuple[str, bytes]], when: dt.datetime,
              stored: frozenset[str] = frozenset()) -> bytes:
    """A ZIP of `entries` in the order given, every entry dated `when` (naive or UTC).

    Entry times, attributes and the creating system are fixed, so equal entries give equal
    bytes on every machine; names in `stored` are not compressed (EPUB's `mimetype`).
    """
    # a ZIP stores years 1980 to 2107 only (a `reviewed: 2108-01-01` would crash zipfile)
    earliest, latest = dt.datetime(1980, 1, 1), dt.datetime(2107, 12, 31, 23, 59, 58)
    stamp = min(max(when.replace(tzinfo=None), earliest), latest).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # the same on every platform
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            target.writestr(info, content, compresslevel=9)
    return out.getvalue()
