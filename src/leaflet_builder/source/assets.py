"""Checking image references: inside source/, real files, PNG or JPEG, within size bounds."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from leaflet_builder.errors import LeafletError
from leaflet_builder.model import Asset
from leaflet_builder.source.files import describe_forbidden_char
from leaflet_builder.source.image_meta import exif_orientation, oriented_size

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# what no file name of an author's holds: control characters (C0, DEL, C1), lone surrogates,
# non-characters, and U+FFFD (what a broken percent-escape such as %ff decodes to)
_UNNAMEABLE_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffd\ufffe\uffff]")
MAX_NAME_BYTES = 255  # one path segment (NAME_MAX on Linux, macOS and Windows)
MAX_PATH_CHARS = 1024


def resolve_asset(src: str, source_dir: Path, path: Path, line: int) -> Asset:
    """Check an image path written in `path` at `line` and describe the file it names.

    Raises at the first problem: each check needs the ones before it to pass, so one image gives
    one message. Callers record it and read on (the rest of the file is still checked).
    """
    def fail(message: str) -> LeafletError:
        return LeafletError(path, line, f"image '{printable_path(src)}': {message}")

    _check_path_text(src, fail)
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
    except (RuntimeError, OSError, ValueError):  # ValueError: a name the OS cannot take
        raise fail("file not found (paths are relative to source/) — check the spelling "
                   "and that the file is in source/") from None
    if not resolved.is_relative_to(root):
        raise fail("the path leads outside source/ (through '..' or a symbolic link) — copy "
                   "the image into source/images/")
    try:
        if not resolved.is_file():
            raise fail("not a file — name the image file itself")
        size = resolved.stat().st_size
    except (OSError, ValueError):
        raise fail("the file cannot be read — check that it exists and may be read") from None
    if size > MAX_IMAGE_BYTES:
        raise fail(f"file is {size / 1e6:.1f} MB; images may be at most 20 MB — save it "
                   "smaller or as JPEG")
    media_type, width, height = _probe_image(resolved, fail)
    return Asset(
        path=resolved, relative=resolved.relative_to(root).as_posix(),
        media_type=media_type, width=width, height=height,
    )


def printable_path(src: str) -> str:
    """`src` as a message can show it: invisible characters as `U+0000`, long names cut short."""
    shown = _UNNAMEABLE_RE.sub(lambda m: describe_forbidden_char(m.group()), src)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _check_path_text(src: str, fail: Callable[[str], LeafletError]) -> None:
    """Refuse names no file can have before the file system sees them (a NUL raises ValueError).

    Checked on the decoded text, so `a%00.png` in Markdown and `"a\\0.png"` in YAML alike.
    """
    bad = _UNNAMEABLE_RE.search(src)
    if bad is not None:
        what = ("a broken percent-escape or an undecodable character"
                if bad.group() == "\ufffd" else
                f"the invisible control character {describe_forbidden_char(bad.group())}")
        raise fail(f"the path holds {what}, which no file name can have — "
                   "type the file name again, e.g. images/diagram.png")
    if not src.strip():
        raise fail("the path is empty — name the image file, e.g. images/diagram.png")
    if len(src) > MAX_PATH_CHARS or any(
            len(part.encode("utf-8")) > MAX_NAME_BYTES for part in src.replace("\\", "/").split("/")):
        raise fail(f"the path is too long (at most {MAX_NAME_BYTES} bytes per name and "
                   f"{MAX_PATH_CHARS} characters in all) — give the file a shorter name")


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
    _decode_fully(path, fail)
    return MEDIA_TYPES[kind], width, height


def _decode_fully(path: Path, fail: Callable[[str], LeafletError]) -> None:
    """Decode every pixel once (the size is already known to be in bounds).

    A truncated or corrupt file would otherwise be embedded as it is by PDF, EPUB and HTML and
    crash only the Word renderer: refusing it here treats every format alike.
    """
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                image.verify()  # the file's structure and checksums
            with Image.open(path) as image:
                image.load()  # every pixel: verify() does not decode
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        raise fail("the image is damaged or cut short — export it again as PNG or JPEG") from None
