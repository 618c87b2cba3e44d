"""The one table of output formats: what each is, known without importing any renderer.

The build plans, fingerprints and names outputs from this table alone, so a no-op build and
`leaflet --help` never load WeasyPrint, python-docx or ebooklib; a renderer module is imported
by its dotted name only when something is rendered. Adding a format is one renderer module
(exposing `RENDERER`) and one line here — as pandoc's table of writers or Sphinx's builder
attributes (`name`, `format`) do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormatSpec:
    """One output format, as the build and the command line need to know it."""

    name: str  # what --format takes and the manifest's `format` says
    extension: str  # of each output file: dist/<layout>/<slug>.<extension>
    booklets: bool  # booklets are made in it too (else leaflets only)
    # the libraries whose release changes its bytes (in each output's fingerprint)
    libraries: tuple[str, ...]
    # the module whose RENDERER renders one document (render.get_renderer imports it); None
    # for the web site, which the build makes from the other outputs once they are written
    module: str | None

    @property
    def renders_documents(self) -> bool:
        return self.module is not None


_FONTS = ("fontpkg-atkinson-hyperlegible", "fontpkg-noto-sans", "fontpkg-noto-sans-arabic",
          "fontpkg-hind-siliguri", "fontpkg-noto-sans-tamil", "justmytype-intl-cjk")

# in the order the build plans them and --format lists them
FORMATS: dict[str, FormatSpec] = {spec.name: spec for spec in (
    FormatSpec("pdf", "pdf", booklets=True, module="leaflet_builder.render.pdf",
               libraries=("weasyprint", "pydyf", "fonttools", *_FONTS, "segno", "babel")),
    FormatSpec("docx", "docx", booklets=False, module="leaflet_builder.render.docx",
               libraries=("python-docx", "lxml", "pillow", "babel")),
    FormatSpec("epub", "epub", booklets=True, module="leaflet_builder.render.epub",
               libraries=("ebooklib", "lxml", "pillow", *_FONTS, "babel")),
    FormatSpec("html", "html", booklets=False, module="leaflet_builder.render.html",
               libraries=("jinja2", "markupsafe", "segno", "babel")),  # babel: dates per language
    # its fingerprint covers its own code instead (render/site/publish.site_fingerprint)
    FormatSpec("site", "", booklets=False, module=None, libraries=()),
)}
SITE = FORMATS["site"].name  # the one format made from the others, after they are written
