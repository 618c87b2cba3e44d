"""Checking image references: inside source/, real files, PNG or JPEG, within size bounds."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from leaflet_builder.errors import LeafletError
from leaflet_builder.model import Asset
from leaflet_builder.source.image_meta import exif_orientation, oriented_size

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def resolve_asset(src: str, source_dir: Path, path: Path, line: int) -> Asset:
    """Check an image path written in `path` at `line` and describe the file it names.

    Raises at the first problem: each check needs the ones before it to pass, so one image gives
    one message. Callers record it and read on (the rest of the file is still checked).
    """
    def fail(message: str) -> LeafletError:
        return LeafletError(path, line, f"image '{src}': {message}")

    if _SCHEME_RE.match(src) or src.startswith("//"):
        raise fail("images must be local files inside source/ (URLs and file: links are not "
                   "allowed; nothing is fetched from the network) — download the image into "
                   "source/images/ and write e.g. images/diagram.png")
    posix = PurePosixPath(src.replace("\\", "/"))
    if posix.is_absolute() or re.match(r"^[A-Za-z]:", src):
        raise fail("absolute paths are not allowed — write the path relative to source/, "
                   "e.g. images/diagram.png")
    root = source_dir.resolve()
    candidate = root.joinpath(*posix.parts)
    try:
        resolved = candidate.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        raise fail("file not found (paths are relative to source/) — check the spelling "
                   "and that the file is in source/") from None
    if not resolved.is_relative_to(root):
        raise fail("the path leads outside source/ (through '..' or a symbolic link) — copy "
                   "the image into source/images/")
    if not resolved.is_file():
        raise fail("not a file — name the image file itself")
    size = resolved.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise fail(f"file is {size / 1e6:.1f} MB; images may be at most 20 MB — save it "
                   "smaller or as JPEG")
    media_type, width, height = _probe_image(resolved, fail)
    return Asset(
        path=resolved, relative=resolved.relative_to(root).as_posix(),
        media_type=media_type, width=width, height=height,
    )


def _probe_image(path: Path, fail: Callable[[str], LeafletError]) -> tuple[str, int, int]:
    """Read only the image header: format and pixel size (never decode a possible bomb)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                kind, (width, height) = image.format, image.size
                # the size it shows at: metadata is stripped after turning it upright
                width, height = oriented_size(width, height, exif_orientation(image))
    except Image.DecompressionBombError:  # Pillow's own bound, far above ours
        raise fail("the image declares far more than 40 megapixels (a decompression bomb?) — "
                   "use an image of at most 40 megapixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise fail("not a readable PNG or JPEG image — export it again as PNG or JPEG") from None
    if kind not in MEDIA_TYPES:
        raise fail(f"{kind} images are not supported; use PNG or JPEG")
    if width * height > MAX_IMAGE_PIXELS:
        raise fail(f"{width}x{height} pixels is over the 40 megapixel limit — scale the "
                   "image down (a leaflet needs far less)")
    if width < 1 or height < 1:
        raise fail("image has no pixels")
    return MEDIA_TYPES[kind], width, height
