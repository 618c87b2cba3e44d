"""Test books for the EPUB tests: a small project with every feature, rendered through the API."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from leaflet_builder.layouts import load_layout
from leaflet_builder.model import glossary_terms
from leaflet_builder.project import Project, booklet_members, load_project
from leaflet_builder.render import RenderContext, get_renderer
from tests.helpers import leaflet_text, make_project, png_bytes

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

FEATURES = """\
## Your treatment

Immunotherapy helps your body. Immunotherapy is given in hospital.

| Week | What happens | Time |
|:-----|:------------:|-----:|
| 1 | First drip | 2 hours |
| 2 | Blood test | 10 minutes |

![A nurse sets up a drip](images/Drip_Chart.png)

1. Before you come:
   - eat a light meal
   - bring a list of your medicines
     1. tablets
     2. creams
2. On the day, read about monoclonal antibodies.

### On the day

::: warning When to call us
Call straight away if you have a fever.
:::

::: tip Keep a diary
Write down how you feel each day.
:::

::: note
Your nurse will explain everything.
:::
"""

WELSH = """\
## Beth yw imiwnotherapi?

Mae'r driniaeth hon yn helpu'ch corff. Dŵr, ŵyr a ŷd.
"""

ARABIC = """\
## ما هو العلاج المناعي؟

العلاج المناعي يساعد جهازك المناعي.

- النقطة الأولى
- النقطة الثانية
"""


def write_test_project(root: Path) -> Path:
    """A project with tables, images, nested lists, callouts, glossary entries, Welsh and Arabic."""
    return make_project(root, {
        "features": leaflet_text(FEATURES, title="Having treatment",
                                 related=["immunotherapy", "welsh", "arabic"]),
        "immunotherapy": leaflet_text(
            "## What it is\n\nA treatment that uses your immune system.\n",
            title="Immunotherapy", summary="A treatment that helps your immune system.",
            kind="glossary", pronunciation="ih-myoo-noh-THER-uh-pee", part_of_speech="noun",
            origin="From the Latin word immunis.",
            sources=[{"title": "A trusted source", "url": "https://example.org/source"}]),
        "monoclonal-antibodies": leaflet_text(
            "## What they are\n\nMade in a laboratory.\n", title="Monoclonal antibodies",
            kind="glossary", status="approved", reviewed="2026-01-10", reviewer="Dr Test",
            version="2"),
        "welsh": leaflet_text(WELSH, title="Imiwnotherapi: gwybodaeth i gleifion",
                              summary="Gwybodaeth am ŵyr a ŷd.", language="cy"),
        "arabic": leaflet_text(ARABIC, title="العلاج المناعي", summary="معلومات للمرضى.",
                               language="ar"),
    }, project={"organisation": "Test Clinic", "language": "en-GB", "contact": "Call 0100 000",
                "feedback": "Tell us what you think", "other_formats": "Ask us for large print"},
        booklets={
            "guide": {"title": "A test guide", "subtitle": "With every feature",
                      "leaflets": ["features", "immunotherapy", "monoclonal-antibodies", "welsh"]},
            "arabic-guide": {"title": "دليل العلاج المناعي", "language": "ar",
                             "leaflets": ["arabic"]},
            "welsh-guide": {"title": "Canllaw ŵyr", "language": "cy", "leaflets": ["welsh"]},
            "covered": {"title": "A guide with its own cover", "leaflets": ["immunotherapy"],
                        "cover": {"src": "images/cover.png", "alt": "A plain blue square"}},
        },
        files={"images/Drip_Chart.png": png_bytes(), "images/cover.png": png_bytes(60, 90)})


def context_for(project: Project, build_date: dt.datetime | None = None) -> RenderContext:
    """The context the build gives renderers (titles, glossary terms, layout)."""
    layout = load_layout(project.settings.default_layout, project.root)
    return RenderContext(project.settings, layout, project.source_dir, project.titles(),
                         glossary_terms(project.leaflets.values()), build_date)


def render_all(project: Project, out: Path, build_date: dt.datetime | None = None) -> dict[str, Path]:
    """Every leaflet and booklet of the project as EPUB files in `out`; slug -> path."""
    assert not project.failed and not project.failed_booklets, project.diagnostics.items
    ctx = context_for(project, build_date)
    renderer = get_renderer("epub")
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for slug, leaflet in project.leaflets.items():
        paths[slug] = out / f"{slug}.epub"
        paths[slug].write_bytes(renderer.render_leaflet(leaflet, ctx))
    for slug, booklet in project.booklets.items():
        paths[slug] = out / f"{slug}.epub"
        paths[slug].write_bytes(renderer.render_booklet(booklet, booklet_members(project, booklet), ctx))
    return paths


def load_test_project(root: Path) -> Project:
    return load_project(write_test_project(root))


class OpenBook:
    """An EPUB opened with zipfile + lxml: the package document, its pages and the nav."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as archive:
            self.infos = archive.infolist()
            self.files = {info.filename: archive.read(info.filename) for info in self.infos}
        container = etree.fromstring(self.files["META-INF/container.xml"])
        self.opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        self.base = self.opf_path.rsplit("/", 1)[0] + "/" if "/" in self.opf_path else ""
        self.opf = etree.fromstring(self.files[self.opf_path])
        self.manifest = {item.get("id"): item for item in self.opf.xpath("//opf:manifest/opf:item",
                                                                        namespaces=NS)}

    def xml(self, href: str) -> Any:
        return etree.fromstring(self.files[self.base + href.split("#")[0]])

    def spine_hrefs(self) -> list[str]:
        return [self.manifest[ref].get("href")
                for ref in self.opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)]

    def item_with(self, prop: str) -> Any:
        return next(item for item in self.manifest.values()
                    if prop in (item.get("properties") or "").split())

    def nav(self) -> Any:
        return self.xml(self.item_with("nav").get("href"))

    def meta(self, prop: str) -> list[str]:
        return [el.text for el in self.opf.xpath(f"//opf:meta[@property='{prop}']", namespaces=NS)]

    def dc(self, name: str) -> list[str]:
        return [el.text for el in self.opf.xpath(f"//dc:{name}", namespaces=NS)]
