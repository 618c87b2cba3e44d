"""What every format shows besides the body: the shared text blocks' data, dates, draft marks.

The blocks themselves are templates in the layout (`templates/shared/*.html`); HTML, PDF and
EPUB include them, and DOCX renders the same templates and converts their small HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from leaflet_builder.model import Asset, Booklet, Leaflet, Link, ProjectSettings
from leaflet_builder.render import RenderContext

DRAFT_MARK = "DRAFT"  # the short form: footers, the booklet footer, the watermark
DRAFT_LABEL = f"{DRAFT_MARK} — not for patient use"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def output_date(ctx: RenderContext, leaflets: Iterable[Leaflet]) -> dt.datetime:
    """When an output says it was made, in UTC to the second: the build date when the build
    sets one (SOURCE_DATE_EPOCH), else its newest leaflet's date — never the clock, so
    rebuilding changes no byte."""
    when = ctx.build_date or max((leaflet.source_date for leaflet in leaflets),
                                 default=dt.datetime(1980, 1, 1, tzinfo=dt.UTC))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).replace(microsecond=0)


def leaflet_url(settings: ProjectSettings, slug: str) -> str | None:
    """Where a leaflet lives online, `<base_url>/<slug>`; None when the project has no base_url."""
    if not settings.base_url:
        return None
    return f"{settings.base_url.rstrip('/')}/{slug}"


def format_date(day: dt.date | None) -> str:
    """`21 November 2026`: unambiguous for every reader, whatever their locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else ""


@dataclass(frozen=True)
class PageTarget:
    """How one format wants links and images written into the shared HTML pages."""

    name: str  # "html", "pdf" or "epub"
    xhtml: bool
    link_href: Callable[[Link], str | None]
    image_src: Callable[[Asset], str]
    related_href: Callable[[str], str | None]


def status_label(leaflet: Leaflet) -> str:
    return {"draft": "Draft", "approved": "Approved", "withdrawn": "Withdrawn"}[leaflet.meta.status]


def leaflet_view(leaflet: Leaflet, ctx: RenderContext, target: PageTarget) -> dict[str, Any]:
    """The values the shared blocks and page templates of one leaflet use."""
    meta = leaflet.meta
    settings = ctx.settings
    return {
        "leaflet": leaflet,
        "meta": meta,
        "slug": leaflet.slug,
        "lang": meta.language,
        "dir": "rtl" if meta.is_rtl else "ltr",
        "is_draft": meta.is_draft,
        "draft_label": DRAFT_LABEL,
        "status_label": status_label(leaflet),
        "version_label": meta.version or "",
        "footer_label": DRAFT_MARK if meta.is_draft else (
            f"Version {meta.version}" if meta.version else ""),
        "reviewed": format_date(meta.reviewed),
        "review_due": format_date(meta.review_due),
        "sources": meta.sources,
        "format_date": format_date,
        "related": [
            {"slug": slug, "title": ctx.titles.get(slug, slug), "href": target.related_href(slug)}
            for slug in meta.related
        ],
        "settings": settings,
        "organisation": settings.organisation or "",
        "target": target,
        "qr": None,
        # inside a booklet PDF the guide's "About this guide" replaces each leaflet's own
        "in_booklet": False,
    }


def booklet_view(booklet: Booklet, leaflets: list[Leaflet], ctx: RenderContext) -> dict[str, Any]:
    """The values a booklet's cover, contents and back matter use."""
    return {
        "booklet": booklet,
        "leaflets": leaflets,
        "lang": booklet.language,
        "dir": "rtl" if booklet.is_rtl else "ltr",
        "is_draft": any(leaflet.meta.is_draft for leaflet in leaflets),
        "draft_label": DRAFT_LABEL,
        "settings": ctx.settings,
        "organisation": ctx.settings.organisation or "",
        "format_date": format_date,
        "status_label": status_label,
    }



def guide_reviews(leaflets: Iterable[Leaflet], href: Callable[[str], str]) -> list[dict[str, str]]:
    """One row per leaflet of a guide's "About this guide": status, version, review dates.

    Shared by the EPUB's back matter and the booklet PDF's, so both say the same.
    """
    return [{
        "title": leaflet.meta.title, "href": href(leaflet.slug),
        "status": status_label(leaflet),
        "version": leaflet.meta.version or "", "reviewed": format_date(leaflet.meta.reviewed),
        "reviewer": leaflet.meta.reviewer or "", "review_due": format_date(leaflet.meta.review_due),
    } for leaflet in leaflets]


def guide_sources(leaflets: Iterable[Leaflet]) -> list[Any]:
    """Every leaflet's sources once each, in the order they first appear."""
    seen: dict[tuple[str, str | None], Any] = {}
    for leaflet in leaflets:
        for source in leaflet.meta.sources:
            seen.setdefault((source.title, source.url), source)
    return list(seen.values())
