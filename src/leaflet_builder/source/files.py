"""Reading source files as text: size bound, UTF-8 (BOM allowed), any line ending."""

from __future__ import annotations

from pathlib import Path

from leaflet_builder.errors import LeafletError

MAX_SOURCE_BYTES = 1_000_000


def read_source_text(path: Path, limit: int = MAX_SOURCE_BYTES) -> str:
    """Return the file's text with `\\n` line ends, or raise a LeafletError saying why not."""
    size = path.stat().st_size
    if size > limit:
        raise LeafletError(
            path, 0, f"file is {size:,} bytes; a source may be at most {limit:,} bytes — split it"
        )
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LeafletError(
            path,
            line,
            f"not valid UTF-8 at byte offset {exc.start} (byte 0x{data[exc.start]:02x}); "
            "save the file as UTF-8",
        ) from None
    if "\x00" in text:
        offset = text.index("\x00")
        raise LeafletError(
            path, text.count("\n", 0, offset) + 1, f"NUL character at offset {offset}; "
            "this looks like a binary file, not text"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")
