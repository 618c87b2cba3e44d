"""What every format shows besides the body: the shared text blocks' data, dates, draft marks.

The blocks themselves are templates in the layout (`templates/shared/*.html`); HTML, PDF and
EPUB include them, and DOCX renders the same templates and converts their small HTML.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from markupsafe import Markup

from leaflet_builder.i18n import FALLBACK_LANGUAGE, N_, Wording, wording
from leaflet_builder.model import (
    UNDATED,
    Asset,
    Booklet,
    HeroImage,
    Image,
    Leaflet,
    Link,
    ProjectSettings,
    UrgentSettings,
    is_rtl_language,
    walk_blocks,
)
from leaflet_builder.render import RenderContext
from leaflet_builder.render.bidi import LRI, PDI, isolate_leaflet, isolate_ltr

# the English words; each format says them in the document's language (`words(...)`)
DRAFT_MARK = N_("DRAFT")  # the short form: footers, the booklet footer, the watermark
DRAFT_LABEL = N_("DRAFT — not for patient use")
# the page number of PDF and Word footers; its placeholders become counters or fields
PAGE_OF = N_("Page %(page)s of %(pages)s")


def page_of_parts(said: Wording) -> list[str]:
    """"Page N of M" in the language, split so each format puts its own page numbers in:
    the words between, and the placeholders `%(page)s` and `%(pages)s` as they are."""
    return [part for part in re.split(r"(%\(pages?\)s)", said.gettext(PAGE_OF)) if part]
STATUS_LABELS = {"draft": N_("Draft"), "approved": N_("Approved"), "withdrawn": N_("Withdrawn")}


def words(ctx: RenderContext, language: str) -> Wording:
    """The layout's words in `language` (English when neither layout nor package has it)."""
    return wording(language, ctx.layout.folders)


def wording_view(said: Wording) -> dict[str, str]:
    """The language the layout's own words are in, for the `lang`/`dir` of blocks that hold
    only those words (the disclaimer): English in a Polish leaflet when Polish has no
    catalogue, so a screen reader reads them with English rules."""
    return {"ui_lang": said.language, "ui_dir": "rtl" if is_rtl_language(said.language) else "ltr"}


def output_date(ctx: RenderContext, leaflets: Iterable[Leaflet]) -> dt.datetime:
    """When an output says it was made, in UTC to the second: the build date when the build
    sets one (SOURCE_DATE_EPOCH), else its newest leaflet's date — never the clock, so
    rebuilding changes no byte."""
    when = ctx.build_date or max((leaflet.source_date for leaflet in leaflets), default=UNDATED)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).replace(microsecond=0)


def leaflet_url(settings: ProjectSettings, slug: str) -> str | None:
    """Where a leaflet lives online, `<base_url>/<slug>`; None when the project has no base_url."""
    if not settings.base_url:
        return None
    return f"{settings.base_url.rstrip('/')}/{slug}"


def format_date(day: dt.date | None, said: Wording | None = None) -> str:
    """`21 November 2026` (`21 Tachwedd 2026` in Welsh): the month in words, so unambiguous
    for every reader, whatever their locale."""
    return (said or wording(FALLBACK_LANGUAGE)).date(day)


@dataclass(frozen=True)
class PageTarget:
    """How one format wants links and images written into the shared HTML pages."""

    name: str  # "html", "pdf" or "epub"
    xhtml: bool
    link_href: Callable[[Link], str | None]
    image_src: Callable[[Asset], str]
    related_href: Callable[[str], str | None]
    # where a leaflet not in this output is linked at its web address (<base_url>/<slug>): on
    # paper and in files a patient keeps; not on the web site, which links its own pages only
    web_fallback: bool = True


def urgent_view(urgent: UrgentSettings | None, rtl: bool = False) -> dict[str, str] | None:
    """The "When to call us" block's data as plain strings: the threshold written as a reader
    sees it (`37.5°C`, `38°C`), each number with the `tel:` address a phone can dial.

    In a right-to-left leaflet the block's sentences are Arabic (the layout's catalogue), so
    each number is isolated left to right (LRI … PDI), as render/bidi.py does for the
    leaflet's own text: else "0100 000 0000" shows as "0000 000 0100" and 37.5°C as C°37.5.
    """
    if urgent is None:
        return None
    degrees = f"{urgent.fever_threshold_c:g}"

    def ltr(text: str) -> str:
        return f"{LRI}{text}{PDI}" if rtl else text

    return {
        "phone": ltr(urgent.phone),
        "phone_href": "tel:" + "".join(c for c in urgent.phone if c.isdigit() or c == "+"),
        "fever": ltr(f"{degrees}°C"),
        "emergency": ltr(urgent.emergency_number),
        "emergency_href": "tel:" + "".join(c for c in urgent.emergency_number if c.isdigit()),
    }


def status_label(leaflet: Leaflet, said: Wording | None = None) -> str:
    label = STATUS_LABELS[leaflet.meta.status]
    return said.gettext(label) if said else label


_THIS_LEAFLET = re.compile(r"\b([Tt])his leaflet\b")


def guide_texts(settings: ProjectSettings) -> dict[str, str]:
    """The project's contact, feedback and other-formats lines as a guide's pages say them.

    They are written for a leaflet ("Ask us for this leaflet in large print"); in a guide,
    which holds many leaflets, "this leaflet" would point at none of them, so it says
    "this guide".
    """
    def for_guide(text: str | None) -> str:
        return _THIS_LEAFLET.sub(lambda match: f"{match.group(1)}his guide", text or "")

    return {"contact": for_guide(settings.contact), "feedback": for_guide(settings.feedback),
            "other_formats": for_guide(settings.other_formats)}


def project_lines(settings: ProjectSettings, language: str, rtl: bool) -> ProjectSettings:
    """The settings whose contact, feedback and other-formats lines are those project.yaml
    gives for `language` (`languages:`); in a right-to-left document each left-to-right
    stretch in them (a phone number, an e-mail address) is isolated, as in the leaflet's text,
    so "0100 000 0000" is not shown as "0000 000 0100"."""
    local = settings.in_language(language)
    if not rtl:
        return local
    def isolated(text: str | None) -> str | None:
        return isolate_ltr(text) if text else text

    return dataclasses.replace(local, contact=isolated(local.contact),
                               feedback=isolated(local.feedback),
                               other_formats=isolated(local.other_formats))


def shown_hero(leaflet: Leaflet) -> HeroImage | None:
    """The front matter's hero image, unless the body shows the same picture itself.

    A picture is shown once. When the body places the hero's picture too, the author chose
    where it belongs in the reading order (beside the words it illustrates, perhaps with a
    caption and alt text written for that place), so the body's copy stays and the hero
    under the title is left out.
    """
    hero = leaflet.meta.image
    if hero is None:
        return None
    in_body = {block.asset.relative for block in walk_blocks(leaflet.blocks)
               if isinstance(block, Image)}
    return None if hero.asset.relative in in_body else hero


@functools.lru_cache(maxsize=64)
def language_name(tag: str) -> str:
    """A language's name in that language (CLDR, through Babel): العربية, Cymraeg, English.

    A patient looks for their own language's name, which they can read, not the name in
    the leaflet's language. The primary subtag's name (English, not "English (United
    Kingdom)"); a tag CLDR does not know is shown as written.
    """
    from babel import Locale, UnknownLocaleError

    primary = tag.split("-")[0].lower()
    try:
        name = Locale.parse(primary).get_display_name(primary)
    except (UnknownLocaleError, ValueError):
        return tag
    return name or tag


def other_languages(leaflet: Leaflet, ctx: RenderContext, target: PageTarget
                    ) -> list[dict[str, str | None]]:
    """The rest of the leaflet's translation family, for "This leaflet in other languages":
    each with its language's own name, `lang` and `dir`, and a link where the other is in the
    same output (the format's `related_href`), else at its web address where the format keeps
    one and the project has a `base_url`, else none (the name alone)."""
    entries: list[dict[str, str | None]] = []
    for slug, language, title in ctx.translations.get(leaflet.slug, ()):
        if slug == leaflet.slug:
            continue
        href = target.related_href(slug)
        if href is None and target.web_fallback:
            href = leaflet_url(ctx.settings, slug)
        entries.append({"slug": slug, "lang": language, "name": language_name(language),
                        "dir": "rtl" if is_rtl_language(language) else "ltr",
                        "title": title, "href": href})
    return entries


def leaflet_view(leaflet: Leaflet, ctx: RenderContext, target: PageTarget) -> dict[str, Any]:
    """The values the shared blocks and page templates of one leaflet use."""
    meta = leaflet.meta
    # contact, feedback and other formats in the leaflet's language when the project has them
    settings = project_lines(ctx.settings, meta.language, meta.is_rtl)
    hero = shown_hero(leaflet)
    said = words(ctx, meta.language)
    return {
        **wording_view(said),
        # numbers and Latin words inside Arabic read left to right (render/bidi.py)
        "leaflet": isolate_leaflet(leaflet) if meta.is_rtl else leaflet,
        "meta": meta,
        "slug": leaflet.slug,
        "lang": meta.language,
        "dir": "rtl" if meta.is_rtl else "ltr",
        "is_draft": meta.is_draft,
        "draft_label": said.gettext(DRAFT_LABEL),
        "status_label": status_label(leaflet, said),
        "version_label": meta.version or "",
        "footer_label": said.gettext(DRAFT_MARK) if meta.is_draft else (
            said.say("Version %(version)s", version=meta.version) if meta.version else ""),
        "reviewed": format_date(meta.reviewed, said),
        "review_due": format_date(meta.review_due, said),
        "sources": meta.sources,
        "related": [
            {"slug": slug, "title": ctx.titles.get(slug, slug), "href": target.related_href(slug)}
            for slug in meta.related
        ],
        "other_languages": other_languages(leaflet, ctx, target),
        "settings": settings,
        "organisation": settings.organisation or "",
        "urgent": urgent_view(settings.urgent, meta.is_rtl),
        "target": target,
        # plain strings: the template never sees the asset (a path) itself
        "hero": {"src": target.image_src(hero.asset), "alt": hero.alt} if hero else None,
        "qr": None,
        # inside a booklet PDF the guide's "About this guide" replaces each leaflet's own
        "in_booklet": False,
    }


def booklet_view(booklet: Booklet, leaflets: list[Leaflet], ctx: RenderContext) -> dict[str, Any]:
    """The values a booklet's cover, contents and back matter use."""
    said = words(ctx, booklet.language)
    return {
        **wording_view(said),
        "booklet": {"slug": booklet.slug, "title": booklet.title, "subtitle": booklet.subtitle,
                    "language": booklet.language,
                    "cover": {"alt": booklet.cover.alt} if booklet.cover else None},
        "leaflets": [{"slug": leaflet.slug, "title": leaflet.meta.title,
                      "status_label": status_label(leaflet, said)} for leaflet in leaflets],
        "lang": booklet.language,
        "dir": "rtl" if booklet.is_rtl else "ltr",
        "is_draft": any(leaflet.meta.is_draft for leaflet in leaflets),
        "draft_label": said.gettext(DRAFT_LABEL),
        "settings": project_lines(ctx.settings, booklet.language, booklet.is_rtl),
        "organisation": ctx.settings.organisation or "",
        "guide_texts": guide_texts(project_lines(ctx.settings, booklet.language,
                                                 booklet.is_rtl)),
    }



# values a template may be handed as they are: immutable, no method that reaches outside
_PLAIN = (str, int, float, bool, type(None), dt.date, dt.time)


def template_data(view: Mapping[str, Any]) -> dict[str, Any]:
    """The view as plain data — strings, numbers, dates, lists and dicts — for a template.

    Templates are shared between teams and as untrusted as sources: a model object, a `Path`
    or a function in the data would let one read or write files (`leaflet.path.read_text()`).
    Model nodes become dicts of their fields plus `kind`; a link gets its `href` and an image
    its `src` as the target format writes them (a view's `target`); fields holding a path are
    left out. Anything else is a programming error, raised here rather than handed over.
    """
    target = view.get("target")
    page_target = target if isinstance(target, PageTarget) else None
    return {str(key): _plain(value, page_target) for key, value in view.items()}


def _plain(value: Any, target: PageTarget | None) -> Any:
    if isinstance(value, Markup):
        return value  # HTML this package rendered (a booklet's leaflet bodies)
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Mapping):
        return {str(key): _plain(item, target) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item, target) for item in value]
    if isinstance(value, PageTarget):
        return {"name": value.name, "xhtml": value.xhtml}
    if isinstance(value, (Image, HeroImage, Link)):
        if target is None:
            raise TypeError(f"a {type(value).__name__} needs the view's target to become data")
        data = _fields(value, target)
        if isinstance(value, Link):
            data["href"] = target.link_href(value)
        elif isinstance(value, HeroImage):
            # the hero is shown only where a format packages it (an EPUB does not): elsewhere
            # it has no `src`, and a template asking for one fails loudly (StrictUndefined)
            with contextlib.suppress(KeyError):
                data["src"] = target.image_src(value.asset)
        else:
            data["src"] = target.image_src(value.asset)
        return data
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and \
            not isinstance(value, Asset):
        return _fields(value, target)
    raise TypeError(f"templates get plain data only, not {type(value).__name__}")


def _fields(node: Any, target: PageTarget | None) -> dict[str, Any]:
    """A dataclass's fields as data (and its `kind`), without paths and files."""
    data = {field.name: _plain(getattr(node, field.name), target)
            for field in dataclasses.fields(node)
            if not isinstance(getattr(node, field.name), (PurePath, Asset))}
    kind = getattr(node, "kind", None)
    if isinstance(kind, str):
        data["kind"] = kind
    # computed yes/no facts (`meta.is_draft`, `booklet.is_rtl`) are data too
    for name, member in vars(type(node)).items():
        if isinstance(member, property):
            value = getattr(node, name)
            if isinstance(value, _PLAIN):
                data[name] = value
    return data


def guide_reviews(leaflets: Iterable[Leaflet], href: Callable[[str], str],
                  said: Wording | None = None) -> list[dict[str, str]]:
    """One row per leaflet of a guide's "About this guide": status, version, review dates,
    in the guide's language (`said`).

    Shared by the EPUB's back matter and the booklet PDF's, so both say the same.
    """
    return [{
        "title": leaflet.meta.title, "href": href(leaflet.slug),
        "status": status_label(leaflet, said),
        "version": leaflet.meta.version or "",
        "reviewed": format_date(leaflet.meta.reviewed, said),
        "reviewer": leaflet.meta.reviewer or "",
        "review_due": format_date(leaflet.meta.review_due, said),
    } for leaflet in leaflets]


def guide_sources(leaflets: Iterable[Leaflet]) -> list[Any]:
    """Every leaflet's sources once each, in the order they first appear."""
    seen: dict[tuple[str, str | None], Any] = {}
    for leaflet in leaflets:
        for source in leaflet.meta.sources:
            seen.setdefault((source.title, source.url), source)
    return list(seen.values())
