"""Benchmark: our PDF time per leaflet against WeasyPrint alone on the very same HTML.

The floor is WeasyPrint laying out the page we hand it, in the same process, with the same fonts,
fetcher and PDF/UA options. Our time adds the model -> HTML step, the QR code, the metadata and the
finisher. Target: at most 15% over the floor. Usage: python benchmarks/bench_pdf.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from leaflet_builder.layouts import load_layout
from leaflet_builder.model import Leaflet, glossary_terms
from leaflet_builder.project import load_project
from leaflet_builder.render import RenderContext
from leaflet_builder.render.fonts import font_configuration, font_files
from leaflet_builder.render.pages import render_leaflet_page
from leaflet_builder.render.pdf.fetcher import ConfinedFetcher
from leaflet_builder.render.pdf.writer import PDF_TARGET, RENDERER, leaflet_css
from leaflet_builder.render.qr import qr_view

REPO = Path(__file__).resolve().parents[1]


def standalone_page(leaflet: Leaflet, ctx: RenderContext) -> str:
    """The leaflet's page with all its CSS in one `<style>`, as a WeasyPrint user would write it."""
    return render_leaflet_page(leaflet, ctx, PDF_TARGET, inline_css="\n".join(leaflet_css(leaflet, ctx)),
                               qr=qr_view(ctx.settings, leaflet.slug))


def floor_pdf(page: str, ctx: RenderContext) -> bytes:
    """WeasyPrint alone: the same page and CSS, fonts, fetcher and options as the renderer."""
    from weasyprint import HTML

    fetcher = ConfinedFetcher([ctx.source_dir, *ctx.layout.folders], list(font_files()))
    html = HTML(string=page, base_url=ctx.source_dir.as_uri() + "/", url_fetcher=fetcher)
    pdf: bytes = html.write_pdf(pdf_variant="pdf/ua-1", font_config=font_configuration(), pdf_tags=True,
                                presentational_hints=False)
    return pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=REPO / "source")
    parser.add_argument("--layout", default="clinic")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    project = load_project(args.source)
    layout = load_layout(args.layout, project.root)
    ctx = RenderContext(project.settings, layout, project.source_dir, project.titles(),
                        glossary_terms(project.leaflets.values()))
    leaflets = [project.leaflets[slug] for slug in sorted(project.leaflets)]
    RENDERER.render_leaflet(leaflets[0], ctx)  # warm up fonts and templates for both sides
    ours: list[float] = []
    floor: list[float] = []
    for _ in range(args.rounds):
        for leaflet in leaflets:
            # alternate the order so neither side profits from the other's warm caches
            start = time.perf_counter()
            RENDERER.render_leaflet(leaflet, ctx)
            ours.append(time.perf_counter() - start)
            page = standalone_page(leaflet, ctx)
            start = time.perf_counter()
            floor_pdf(page, ctx)
            floor.append(time.perf_counter() - start)
    ours_median, floor_median = statistics.median(ours), statistics.median(floor)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.system()}")
    print(f"{len(leaflets)} leaflets x {args.rounds} rounds, layout {args.layout}")
    print(f"ours (model -> PDF): median {ours_median * 1000:.0f} ms per leaflet")
    print(f"WeasyPrint alone on the same HTML: median {floor_median * 1000:.0f} ms per leaflet")
    print(f"overhead: {(ours_median / floor_median - 1) * 100:+.1f}% (target: at most +15%)")


if __name__ == "__main__":
    main()
