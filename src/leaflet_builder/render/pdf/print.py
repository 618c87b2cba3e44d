"""What a professional printer needs from a PDF that WeasyPrint does not give: PDF/X-4 and a slug.

WeasyPrint draws `marks: crop` inside the bleed, where the bleed artwork covers them and the
guillotine cannot find them, and its MediaBox is the bleed box. Printers expect (ISO 12647-2 and
common prepress practice) the crop marks in a slug outside the bleed, offset from the trim by
about 3 mm. So the `print` layout asks for no CSS marks; this module enlarges each page's
MediaBox by the slug and draws the marks there as thin vector lines in the registration colour
(/Separation /All), marked as artifacts so that screen readers and text extraction skip them.

The layout's `pdf:` settings choose the PDF standard: `pdf/ua-1` (the default: clinic and large
print, for screen readers) or `pdf/x-4` with a CMYK output profile shipped in the layout (the
output intent's characterisation). A PDF/X-4 file stays tagged: the structure tree, language and
alternative texts are written as for PDF/UA, only the PDF/UA identifier is not claimed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaflet_builder.errors import LeafletError
from leaflet_builder.layouts import Layout

MM = 72 / 25.4
STANDARDS = ("pdf/ua-1", "pdf/x-4")
MARK_OFFSET_MM = 3.5  # from the trim: just clear of the 3 mm bleed, as printers expect
MARK_LENGTH_MM = 5.0
MARK_WIDTH_PT = 0.25  # a hairline the guillotine operator can align to
DEFAULT_SLUG_MM = 7.0  # beyond the bleed; at least 5 mm, and room for offset + length


@dataclass(frozen=True)
class PrintSettings:
    """How one layout's PDFs are finished: the standard, the output profile, the slug."""

    standard: str
    profile: Path | None
    slug_mm: float
    crop_marks: bool


def print_settings(layout: Layout) -> PrintSettings:
    """The layout's `pdf:` and `page:` choices, checked: a mistake is a located error."""
    where = layout.folders[0] / "layout.yaml"
    standard = layout.setting("pdf", "standard", default="pdf/ua-1")
    if standard not in STANDARDS:
        raise LeafletError(where, 0, f"pdf.standard must be one of {', '.join(STANDARDS)} "
                                     f"(got {standard!r})")
    profile = None
    if standard == "pdf/x-4":
        name = layout.setting("pdf", "output_profile")
        if not isinstance(name, str) or not name:
            raise LeafletError(where, 0, "pdf.standard pdf/x-4 needs pdf.output_profile: the "
                                         "printer's CMYK ICC profile, a file in the layout folder")
        profile = layout.find_file(name)
        if profile is None:
            raise LeafletError(where, 0, f"pdf.output_profile: no file {name!r} in layout "
                                         f"'{layout.name}' — put the ICC profile beside layout.yaml")
        check_cmyk_output_profile(profile, where)
    crop_marks = bool(layout.setting("page", "crop_marks", default=False))
    slug = layout.setting("page", "slug_mm", default=DEFAULT_SLUG_MM if crop_marks else 0.0)
    if not isinstance(slug, (int, float)) or slug < 0 or (crop_marks and slug < 5):
        raise LeafletError(where, 0, f"page.slug_mm must be a number of millimetres, at least 5 "
                                     f"with crop marks (got {slug!r})")
    return PrintSettings(standard, profile, float(slug), crop_marks)


def check_cmyk_output_profile(path: Path, where: Path) -> None:
    """An output intent for print must be a CMYK printer profile (ICC header, class 'prtr')."""
    with path.open("rb") as profile:
        header = profile.read(40)
    if len(header) < 40 or header[36:40] != b"acsp":
        raise LeafletError(where, 0, f"pdf.output_profile: {path.name} is not an ICC profile — "
                                     "name the printer's CMYK .icc file (e.g. FOGRA39)")
    if header[16:20] != b"CMYK" or header[12:16] != b"prtr":
        raise LeafletError(where, 0, f"pdf.output_profile: {path.name} must be a CMYK printer "
                                     "(output) profile, e.g. FOGRA39 (it is "
                                     f"{header[16:20].decode('latin-1').strip()}, class "
                                     f"{header[12:16].decode('latin-1')})")


def color_profiles(settings: PrintSettings) -> dict[str, Any] | None:
    """WeasyPrint's `device-cmyk` profile: it becomes the PDF/X output intent."""
    if settings.profile is None:
        return None
    from weasyprint.css import ColorProfile

    with settings.profile.open("rb") as handle:
        profile = ColorProfile(handle, settings.profile.name, "relative-colorimetric",
                               (["c"], ["m"], ["y"], ["k"]))
    return {"device-cmyk": profile}


def finish_for_print(pdf: Any, settings: PrintSettings, identity: str) -> None:
    """Slug and crop marks on every page; a stable XMP document ID for PDF/X."""
    if settings.standard == "pdf/x-4":
        _stable_document_id(pdf, identity)
        _manage_rgb(pdf)
    if settings.crop_marks:
        for page in [obj for obj in pdf.objects if _is_page(obj)]:
            _add_slug_and_marks(pdf, page, settings.slug_mm)


def _is_page(obj: Any) -> bool:
    import pydyf

    return isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page"


def _stable_document_id(pdf: Any, identity: str) -> None:
    """WeasyPrint writes a random xmpMM:DocumentID for PDF/X-4; one from the output's identity
    keeps a rebuild byte-identical."""
    import pydyf

    stable = hashlib.sha256(identity.encode()).hexdigest()
    uuid = f"{stable[:8]}-{stable[8:12]}-{stable[12:16]}-{stable[16:20]}-{stable[20:32]}"
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
            obj.stream = [re.sub(rb"xmp\.did:[0-9a-f-]{36}", f"xmp.did:{uuid}".encode(), part)
                          if isinstance(part, bytes) else part for part in obj.stream]


def _manage_rgb(pdf: Any) -> None:
    """Make WeasyPrint's DeviceRGB colours ICC-based (sRGB), as PDF/X-4 asks.

    PDF/X-4 allows RGB only as managed colour: a /DefaultRGB colour space in each resource
    dictionary turns every DeviceRGB fill, stroke and image drawn with it into ICC-based sRGB,
    which the printer's RIP converts to the output intent's CMYK. The text and shapes are
    left as they are (no conversion here, so nothing moves or changes shade on screen).
    """
    from importlib.resources import files

    import pydyf

    srgb = pydyf.Stream([(files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()],
                        pydyf.Dictionary({"N": 3, "Alternate": "/DeviceRGB"}), compress=True)
    pdf.add_object(srgb)
    default_rgb = pydyf.Array(["/ICCBased", srgb.reference])
    holders = [obj.extra if isinstance(obj, pydyf.Stream) else obj for obj in pdf.objects
               if isinstance(obj, (pydyf.Dictionary, pydyf.Stream))]
    seen: set[int] = set()
    for holder in holders:
        if not isinstance(holder, dict) or "Resources" not in holder:
            continue
        resources = _resolve(pdf, holder["Resources"])
        if not isinstance(resources, dict) or id(resources) in seen:
            continue
        seen.add(id(resources))
        if "ColorSpace" not in resources:
            resources["ColorSpace"] = pydyf.Dictionary()
        _resolve(pdf, resources["ColorSpace"])["DefaultRGB"] = default_rgb


def _add_slug_and_marks(pdf: Any, page: Any, slug_mm: float) -> None:
    import pydyf

    x0, y0, x1, y1 = (float(v) for v in page["TrimBox"])
    bx0, by0, bx1, by1 = (float(v) for v in page["BleedBox"])
    slug = slug_mm * MM
    page["MediaBox"] = pydyf.Array([bx0 - slug, by0 - slug, bx1 + slug, by1 + slug])
    near, far = MARK_OFFSET_MM * MM, (MARK_OFFSET_MM + MARK_LENGTH_MM) * MM
    lines = []
    for x, y, sx, sy in ((x0, y0, -1, -1), (x1, y0, 1, -1), (x0, y1, -1, 1), (x1, y1, 1, 1)):
        # at each corner one mark along each trim edge, pointing away from the page
        lines.append((x + sx * near, y, x + sx * far, y))
        lines.append((x, y + sy * near, x, y + sy * far))
    drawing = [b"/Artifact BMC", b"q", f"{MARK_WIDTH_PT} w 0 J".encode(), b"/Registration CS 1 SCN"]
    drawing += [f"{a:.3f} {b:.3f} m {c:.3f} {d:.3f} l S".encode() for a, b, c, d in lines]
    drawing += [b"Q", b"EMC"]
    before = pydyf.Stream([b"q"])
    after = pydyf.Stream([b"Q", *drawing])
    pdf.add_object(before)
    pdf.add_object(after)
    contents = page["Contents"]
    parts = list(contents) if isinstance(contents, pydyf.Array) else [contents]
    page["Contents"] = pydyf.Array([before.reference, *parts, after.reference])
    page["Resources"] = _with_registration(pdf, page["Resources"])


def _with_registration(pdf: Any, resources_ref: Any) -> Any:
    """The page's resources plus /Registration: the separation every plate prints (/All)."""
    import pydyf

    resources = _resolve(pdf, resources_ref)
    colour_spaces = _resolve(pdf, resources.get("ColorSpace"))
    if "Registration" not in colour_spaces:
        tint = pydyf.Dictionary({"FunctionType": 2, "Domain": pydyf.Array([0, 1]),
                                 "C0": pydyf.Array([0, 0, 0, 0]),
                                 "C1": pydyf.Array([1, 1, 1, 1]), "N": 1})
        colour_spaces["Registration"] = pydyf.Array(["/Separation", "/All", "/DeviceCMYK", tint])
    return resources_ref


def _resolve(pdf: Any, value: Any) -> Any:
    """A pydyf object from its reference (b"<n> 0 R"), or the object itself."""
    number = reference_number(value)
    return pdf.objects[number] if number is not None else value


def reference_number(reference: Any) -> int | None:
    """The object number of a pydyf reference (written as b"<number> 0 R"), else None."""
    if isinstance(reference, (bytes, str)):
        text = reference.decode() if isinstance(reference, bytes) else reference
        head = text.split(" ", 1)[0]
        return int(head) if head.isdigit() else None
    return None
