"""Reading source files as text: confined to the project, size bound, UTF-8 (BOM allowed), any line end."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from leaflet_builder.errors import LeafletError

MAX_SOURCE_BYTES = 1_000_000
# Characters XML 1.0 cannot carry (C0 controls other than tab and line ends, U+FFFE, U+FFFF,
# lone surrogates): every output format is XML inside, so they are refused at the door rather
# than crashing a renderer later.
FORBIDDEN_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def confine_path(path: Path, root: Path, what: str = "file") -> Path:
    """The real path of `path`, refused when it (through `..` or a symbolic link) leaves `root`."""
    real_root = root.resolve()
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symbolic link loop
        raise LeafletError(path, 0, f"cannot read this {what} (missing, or a broken symbolic "
                                    "link) — restore the file or remove the link") from None
    if not real.is_relative_to(real_root):
        raise LeafletError(path, 0, f"this {what} is a symbolic link to {real}, outside "
                                    f"{real_root} — copy the file into the project instead "
                                    "of linking to it")
    return real


def text_digest(text: str) -> str:
    """sha256 of text as read: what the build fingerprints, so it matches what was rendered."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def describe_forbidden_char(char: str) -> str:
    """`U+0007` style name for a character an author cannot see."""
    return f"U+{ord(char):04X}"


def read_source_text(path: Path, limit: int = MAX_SOURCE_BYTES, root: Path | None = None) -> str:
    """Return the file's text with `\\n` line ends, or raise a LeafletError saying why not.

    With `root`, the file (after following symbolic links) must lie inside it.
    """
    real = confine_path(path, root) if root is not None else path
    size = real.stat().st_size
    if size > limit:
        raise LeafletError(
            path, 0, f"file is {size:,} bytes; a source may be at most {limit:,} bytes — "
                     "split it into smaller leaflets"
        )
    with real.open("rb") as handle:  # read at most limit + 1 bytes: the file may grow meanwhile
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise LeafletError(path, 0, f"file is over {limit:,} bytes — split it into smaller leaflets")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        bom = 3
    else:
        bom = 0
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LeafletError(
            path,
            line,
            f"not valid UTF-8 at byte offset {exc.start + bom} (byte 0x{data[exc.start]:02x}) — "
            "save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
        ) from None
    bad = FORBIDDEN_CHARS_RE.search(text)
    if bad is not None:
        offset = len(text[: bad.start()].encode("utf-8")) + bom
        char = bad.group()
        kind = "a NUL byte: this looks like a binary file, not text" if char == "\x00" else \
            f"the invisible control character {describe_forbidden_char(char)}"
        raise LeafletError(
            path, text.count("\n", 0, bad.start()) + 1,
            f"{kind} at byte offset {offset} — delete it (it often comes from copying out of "
            "another program)",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")
