"""Pictures without their metadata: what every format embeds is the pixels, nothing private.

A photo taken on a ward phone carries where and when it was taken (EXIF with GPS), the device,
sometimes a name (XMP, PNG text chunks, JPEG comments), and bytes hidden after the end of the
image. Every output used to copy the file byte for byte. This is the one place all formats get a
picture's bytes from (`Asset.read_bytes` and the PDF's fetcher):

- PNG keeps its critical chunks and the colour and transparency chunks (an allow-list), so the
  pixels and ICC profile are untouched; text, EXIF, time and unknown chunks are dropped;
- JPEG keeps every segment the decoder needs, JFIF, the ICC profile and Adobe's colour
  transform marker; EXIF, XMP, IPTC, comments and other application segments are dropped
  without re-encoding (no quality lost);
- a picture whose EXIF says it is rotated or mirrored is turned upright first (Pillow's
  `exif_transpose`) and saved again, because dropping EXIF would otherwise show it sideways.
"""

from __future__ import annotations

import functools
import io
import struct
from typing import Any

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG chunks that affect how the pixels look; everything else (tEXt, zTXt, iTXt, eXIf, tIME,
# private chunks) is left out
_PNG_KEEP = frozenset({
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
    b"pHYs", b"bKGD", b"cICP", b"mDCv", b"cLLi", b"acTL", b"fcTL", b"fdAT",
})
EXIF_ORIENTATION = 0x0112
_JPEG_APP0, _JPEG_APP2, _JPEG_APP14 = 0xE0, 0xE2, 0xEE
_JPEG_SOS, _JPEG_EOI, _JPEG_COM = 0xDA, 0xD9, 0xFE


def strip_metadata(data: bytes) -> bytes:
    """The picture in `data` without metadata (PNG or JPEG; other bytes are returned as given)."""
    if not data.startswith((PNG_SIGNATURE, b"\xff\xd8")):
        return data
    if _orientation(data) not in (None, 1):
        data = _upright(data)
    return _strip_png(data) if data.startswith(PNG_SIGNATURE) else _strip_jpeg(data)


def oriented_size(width: int, height: int, orientation: int | None) -> tuple[int, int]:
    """The size a picture shows at once turned upright (EXIF 5–8 swap width and height)."""
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def exif_orientation(image: Any) -> int | None:
    """A Pillow image's EXIF orientation (1–8), or None when it has none or it is unreadable."""
    try:
        value = image.getexif().get(EXIF_ORIENTATION)
    except Exception:  # noqa: BLE001 - damaged EXIF: nothing to turn; the reader checks the rest
        return None
    return int(value) if isinstance(value, int) else None


def _orientation(data: bytes) -> int | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return exif_orientation(image)
    except Exception:  # noqa: BLE001 - not a picture Pillow reads: the reader reports it
        return None


# a picture is read for every format, layout and page that shows it: decode, turn and encode
# a rotated photo once per process (the result depends on its bytes alone)
@functools.lru_cache(maxsize=4)
def _upright(data: bytes) -> bytes:
    """Turn the pixels as EXIF says, and save again without EXIF (keeping the ICC profile)."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        kind = image.format
        info = image.info
        upright = ImageOps.exif_transpose(image)
        keep = {key: info[key] for key in ("icc_profile", "transparency", "dpi", "gamma")
                if key in info}
        out = io.BytesIO()
        if kind == "PNG":
            upright.save(out, "PNG", **keep)
        else:
            keep.pop("transparency", None)
            keep.pop("gamma", None)
            upright.save(out, "JPEG", quality=95, **keep)
    return out.getvalue()


def _strip_png(data: bytes) -> bytes:
    parts = [PNG_SIGNATURE]
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if kind in _PNG_KEEP:
            parts.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break  # bytes after the end of the image are never part of it
    return b"".join(parts)


def _keep_jpeg_segment(marker: int, body: bytes) -> bool:
    if marker == _JPEG_APP0:
        return body.startswith((b"JFIF\x00", b"JFXX\x00"))
    if marker == _JPEG_APP2:
        return body.startswith(b"ICC_PROFILE\x00")
    if marker == _JPEG_APP14:
        return body.startswith(b"Adobe")
    return not (0xE0 <= marker <= 0xEF or marker == _JPEG_COM)


def _strip_jpeg(data: bytes) -> bytes:
    parts = [b"\xff\xd8"]
    pos = 2
    while pos + 1 < len(data):
        if data[pos] != 0xFF:
            break  # not a marker: a damaged file; keep what was read (the reader checks it)
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1  # fill byte
            continue
        if marker == _JPEG_EOI:
            parts.append(b"\xff\xd9")
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            parts.append(data[pos:pos + 2])
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        segment = data[pos:pos + 2 + length]
        if _keep_jpeg_segment(marker, segment[4:]):
            parts.append(segment)
        pos += 2 + length
        if marker == _JPEG_SOS:
            scan_end = _scan_end(data, pos)
            parts.append(data[pos:scan_end])
            pos = scan_end
    return b"".join(parts)


def _scan_end(data: bytes, pos: int) -> int:
    """Where a scan's entropy-coded data ends: the next marker other than a stuffed 0xFF00 or RSTn."""
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= len(data):
            return len(data)
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos = found + 2
            continue
        return found

