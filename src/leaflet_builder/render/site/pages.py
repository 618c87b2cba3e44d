"""Every file of the web site, rendered in memory: pages, downloads, search index, sitemap.

Templates (`templates/site/*.html` in the layout) get plain data: strings, numbers, lists and
mappings. The leaflet page includes the same `leaflet_body.html` as the HTML, PDF and EPUB
formats, so the shared blocks read the same everywhere.

Addresses: every page lives in a folder (`<slug>/index.html`), so `<base_url>/<slug>` (the QR
code) and `<base_url>/<slug>/` both work on a host without rewrite rules. Links between pages
are relative (the site works wherever it is uploaded); only `404.html`, which a host serves at
any depth, links from the path of `base_url`.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from leaflet_builder.errors import Diagnostic, LeafletError, Location
from leaflet_builder.i18n import N_, Wording, date_locale, wording
from leaflet_builder.layout_urls import check_page
from leaflet_builder.layouts import Layout
from leaflet_builder.model import Asset, Leaflet, Link, is_rtl_language
from leaflet_builder.project import Project, booklet_members
from leaflet_builder.render import RenderContext
from leaflet_builder.render.shared import (
    PageTarget,
    format_date,
    leaflet_view,
    project_lines,
    template_data,
    wording_view,
)

ASSETS = "_assets"  # slugs never start with "_", so no leaflet can take this address
INDEX_TEXT_LIMIT = 20_000
RESPONSIVE_WIDTHS = (480, 960)  # smaller copies of wide pictures (phone, phone at 2x)
IMAGE_SIZES = "(max-width: 45rem) calc(100vw - 2rem), 43rem"  # the text column (site.css)  # characters of a leaflet's text in the search index

# (format, layout) of a leaflet's downloads, in the order a patient sees them; None: the
# site's own layout. Only what this build made or confirmed up to date is offered.
DOWNLOADS: tuple[tuple[str, str | None, str, str], ...] = (
    ("pdf", "clinic", N_("PDF for printing (A4)"), ".pdf"),
    ("pdf", "large-print", N_("Large-print PDF (A4)"), "-large-print.pdf"),
    ("docx", None, N_("Word document"), ".docx"),
    ("epub", None, N_("EPUB e-book (phones and e-readers)"), ".epub"),
)
FORMAT_NAMES = {"pdf": "PDF", "docx": "Word", "epub": "EPUB"}
LARGE_PRINT = N_("large print")
# the site's own words besides the templates', in each page's language
PATIENT_INFORMATION = N_("Patient information")
PATIENT_LEAFLETS = N_("Patient information leaflets")
MEDIA_TYPES = {"pdf": "application/pdf", "epub": "application/epub+zip",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
# names patients know their language by, with the English name beside it
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg (Welsh)", "ar": "العربية (Arabic)",
                  "fr": "Français (French)", "de": "Deutsch (German)", "es": "Español (Spanish)",
                  "pl": "Polski (Polish)", "ur": "اردو (Urdu)", "pa": "ਪੰਜਾਬੀ (Punjabi)",
                  "bn": "বাংলা (Bengali)", "zh": "中文 (Chinese)", "pt": "Português (Portuguese)",
                  "ro": "Română (Romanian)", "so": "Soomaali (Somali)", "gd": "Gàidhlig (Gaelic)"}


@dataclass
class SiteFile:
    """One file of the site and what the manifest says about it."""

    data: bytes
    slug: str = ""  # the leaflet or booklet it belongs to; "" for what every page shares
    status: str = ""  # that leaflet's or booklet's; "" for shared files
    language: str = ""


@dataclass
class SiteBuild:
    files: dict[str, SiteFile] = field(default_factory=dict)  # path inside site/ -> file
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class SiteInputs:
    project: Project
    layout: Layout
    ctx: RenderContext
    outputs: list[dict[str, object]]  # manifest entries written or confirmed in this build
    out_dir: Path
    approved_only: bool = False


def human_size(size: int, said: Wording | None = None) -> str:
    """`84 kB`, `1.2 MB`: how download sizes are shown (SI units, as the NHS site does), the
    unit in the page's language (`84 كيلوبايت`) when its wording is given."""
    def say(message: str, amount: str) -> str:
        return said.say(message, size=amount) if said else message % {"size": amount}

    if size < 1000:
        return say(N_("%(size)s bytes"), str(size))
    if size < 1_000_000:
        return say(N_("%(size)s kB"), str(round(size / 1000)))
    return say(N_("%(size)s MB"), f"{size / 1_000_000:.1f}")


def language_name(tag: str) -> str:
    return LANGUAGE_NAMES.get(tag.split("-")[0].lower(), tag)


def text_dir(tag: str) -> str:
    return "rtl" if is_rtl_language(tag) else "ltr"


def fingerprinted(name: str, data: bytes) -> str:
    """`site-1a2b3c4d5e.css`: a new name whenever the content changes, so hosts may cache it
    for ever."""
    stem, _, ext = name.rpartition(".")
    return f"{stem}-{hashlib.sha256(data).hexdigest()[:10]}.{ext}"


def _package_text(name: str) -> str:
    return resources.files("leaflet_builder.render.site").joinpath(name).read_text("utf-8")


class _Images:
    """Pictures copied once into `_assets/images/`, named by their content, with smaller copies
    (Pillow) for phones: a 390 px screen does not need to fetch a 2000 px photograph."""

    def __init__(self, build: SiteBuild) -> None:
        self.build = build
        # site path -> (width, height, srcset)
        self.sizes: dict[str, tuple[int, int, str]] = {}
        # source file -> site path: a picture shown on many pages (a hero three times on its
        # own) is read, stripped and hashed once; sources do not change within one build
        self.placed: dict[Path, str] = {}

    def add(self, asset: Asset) -> str:
        if asset.path in self.placed:
            return self.placed[asset.path]
        data = asset.read_bytes()
        ext = ".png" if asset.media_type == "image/png" else ".jpg"
        stem = f"{ASSETS}/images/{hashlib.sha256(data).hexdigest()[:16]}"
        path = stem + ext
        if path not in self.sizes:
            self.build.files[path] = SiteFile(data)
            candidates = [f"{path.rsplit('/', 1)[1]} {asset.width}w"]
            for width in RESPONSIVE_WIDTHS:
                if width <= asset.width * 0.8:  # only copies clearly smaller than the original
                    smaller = _resized(data, width, ext)
                    self.build.files[f"{stem}-{width}w{ext}"] = SiteFile(smaller)
                    candidates.insert(-1, f"{stem.rsplit('/', 1)[1]}-{width}w{ext} {width}w")
            srcset = ", ".join(candidates) if len(candidates) > 1 else ""
            self.sizes[path] = (asset.width, asset.height, srcset)
        self.placed[asset.path] = path
        return path

    def add_dimensions(self, page: str, prefix: str) -> str:
        """Explicit width and height on every picture, so nothing jumps while the page loads,
        and the smaller copies (the shared image template does not know the site's files)."""
        def sized(match: re.Match[str]) -> str:
            src = html.unescape(match.group(1))
            found = self.sizes.get(src.removeprefix(prefix))
            if found is None:
                return match.group(0)
            width, height, srcset = found
            extra = f' width="{width}" height="{height}"'
            if srcset:
                folder = src.rsplit("/", 1)[0] + "/"
                listed = ", ".join(folder + item for item in srcset.split(", "))
                extra += f' srcset="{html.escape(listed)}" sizes="{IMAGE_SIZES}"'
            return match.group(0) + extra
        return re.sub(r'<img src="([^"]+)"', sized, page)


def _resized(data: bytes, width: int, ext: str) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        height = max(1, round(image.height * width / image.width))
        smaller = image.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if ext == ".jpg":
            smaller.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
        else:
            smaller.save(out, "PNG", optimize=True)
        return out.getvalue()


def render_site(inputs: SiteInputs) -> SiteBuild:
    """Every file of `site/`, in memory; problems as diagnostics (nothing raised for content)."""
    build = SiteBuild()
    project, layout = inputs.project, inputs.layout
    settings = project.settings
    base_url = (settings.base_url or "").rstrip("/")
    base_path = (urlsplit(base_url).path.rstrip("/") + "/") if base_url else "/"
    images = _Images(build)

    def visible(leaflet: Leaflet) -> bool:
        return leaflet.meta.status == "approved" or not inputs.approved_only

    live = {slug: leaflet for slug, leaflet in sorted(project.leaflets.items()) if visible(leaflet)}
    guides = {slug: booklet for slug, booklet in sorted(project.booklets.items())
              if any(member.slug in live for member in booklet_members(project, booklet))}

    css = _site_css(layout)
    css_path = f"{ASSETS}/{fingerprinted('site.css', css)}"
    build.files[css_path] = SiteFile(css)
    script = _package_text("search.js").encode("utf-8")
    script_path = f"{ASSETS}/{fingerprinted('search.js', script)}"
    build.files[script_path] = SiteFile(script)

    def said(lang: str) -> Wording:
        return wording(lang, layout.folders)

    def chrome(prefix: str, lang: str, page_title: str, **extra: Any) -> dict[str, Any]:
        """What the frame around every page needs (header, footer, stylesheet)."""
        # the footer's contact line in the page's language when project.yaml gives it
        contact = project_lines(settings, lang, text_dir(lang) == "rtl").contact or ""
        return {**wording_view(said(lang)), "lang": lang, "dir": text_dir(lang), "page_title": page_title,
                "organisation": settings.organisation or "", "home": prefix or "./",
                "css": prefix + css_path, "script": "", "canonical": "", "noindex": False,
                "og": None, "refresh": "", "contact": contact, **extra}

    def absolute(path: str) -> str:
        return f"{base_url}/{path}" if base_url else ""

    downloads_of = _downloads(inputs, build)
    from leaflet_builder.render.site.share_card import draw_share_card  # Pillow: only when drawn

    site_words = said(settings.language)
    card = draw_share_card(settings.organisation or site_words.gettext(PATIENT_INFORMATION),
                           site_words.gettext(PATIENT_LEAFLETS),
                           str(layout.setting("colours", "accent", default="005eb8")))
    card_path = f"{ASSETS}/{fingerprinted('share.png', card)}"
    build.files[card_path] = SiteFile(card)
    card_alt = site_words.say("%(organisation)s: patient information leaflets",
                              organisation=settings.organisation
                              or site_words.gettext(PATIENT_INFORMATION))

    # leaflet pages
    search_entries: list[dict[str, str]] = []
    for slug, leaflet in live.items():
        prefix = "../"
        target = _site_target(prefix, live, images)
        view = leaflet_view(leaflet, inputs.ctx, target)
        meta = leaflet.meta
        page_downloads = [d for d in downloads_of(slug, "leaflet", meta.status)]
        page_words = said(meta.language)
        for item in page_downloads:
            item["href"] = item["name"]
            _translate_download(item, page_words)
        og_image, og_alt = absolute(card_path), card_alt
        if meta.image is not None:
            og_image, og_alt = absolute(images.add(meta.image.asset)), meta.image.alt
        view.update(chrome(
            prefix, meta.language, meta.title,
            canonical=absolute(f"{slug}/"), noindex=meta.is_draft,
            og={"title": meta.title, "description": meta.summary, "url": absolute(f"{slug}/"),
                "image": og_image, "image_alt": og_alt},
            downloads=page_downloads,
            page_reviewed=format_date(meta.reviewed, page_words),
            page_review_due=format_date(meta.review_due, page_words),
        ))
        page = _render(layout, "site/leaflet.html", view)
        page = images.add_dimensions(page, prefix)
        build.files[f"{slug}/index.html"] = SiteFile(page.encode("utf-8"), slug, meta.status,
                                                     meta.language)
        search_entries.append({"title": meta.title, "summary": meta.summary, "url": f"{slug}/",
                               "lang": meta.language, "draft": "1" if meta.is_draft else "",
                               "text": _plain_text(page)[:INDEX_TEXT_LIMIT]})

    # guide pages
    guide_items = []
    for slug, booklet in guides.items():
        members = [m for m in booklet_members(project, booklet) if m.slug in live]
        is_draft = any(m.meta.is_draft for m in members)
        status = "draft" if is_draft else "approved"
        page_downloads = [] if inputs.approved_only and is_draft else \
            downloads_of(slug, "booklet", status)
        for item in page_downloads:
            item["href"] = item["name"]
            _translate_download(item, said(booklet.language))
        view = chrome("../", booklet.language, booklet.title,
                      canonical=absolute(f"{slug}/"), noindex=is_draft, is_draft=is_draft,
                      og={"title": booklet.title, "description": booklet.subtitle or booklet.title,
                          "url": absolute(f"{slug}/"), "image": absolute(card_path),
                          "image_alt": card_alt},
                      title=booklet.title, subtitle=booklet.subtitle or "",
                      leaflets=[_leaflet_item(m, "../") for m in members],
                      downloads=page_downloads)
        page = _render(layout, "site/guide.html", view)
        build.files[f"{slug}/index.html"] = SiteFile(page.encode("utf-8"), slug, status,
                                                     booklet.language)
        guide_items.append({"title": booklet.title, "subtitle": booklet.subtitle or "",
                            "href": f"{slug}/", "count": len(members), "lang": booklet.language})

    # withdrawn leaflets keep their address: what happened, when, and where to go instead
    for slug, leaflet in sorted(project.withdrawn_leaflets.items()):
        meta = leaflet.meta
        replacement = live.get(meta.replaced_by or "")
        page_words = said(meta.language)
        view = chrome("../", meta.language,
                      page_words.say("Withdrawn: %(title)s", title=meta.title), noindex=True,
                      title=meta.title, withdrawn_on=format_date(meta.reviewed, page_words),
                      replacement=_leaflet_item(replacement, "../") if replacement else None)
        page = _render(layout, "site/withdrawn.html", view)
        build.files[f"{slug}/index.html"] = SiteFile(page.encode("utf-8"), slug, "withdrawn",
                                                     meta.language)

    # old addresses of renamed leaflets: a redirect page each (as Hugo's aliases)
    for alias, slug in sorted(project.aliases.items()):
        if slug in live:
            leaflet, where = live[slug], f"../{slug}/"
        elif slug in project.withdrawn_leaflets:
            leaflet, where = project.withdrawn_leaflets[slug], f"../{slug}/"
        else:
            continue  # a draft left out by --approved-only: no page to lead to
        view = chrome("../", leaflet.meta.language, leaflet.meta.title, noindex=True,
                      canonical=absolute(f"{slug}/"), refresh=where, title=leaflet.meta.title,
                      target=where)
        page = _render(layout, "site/alias.html", view)
        build.files[f"{alias}/index.html"] = SiteFile(page.encode("utf-8"), slug, "alias",
                                                      leaflet.meta.language)

    # the search index: fetched only when someone types in the search box
    index = _safe_json(search_entries)
    index_path = f"{ASSETS}/{fingerprinted('search.json', index)}"
    build.files[index_path] = SiteFile(index)

    # home page
    by_title = sorted(live.values(), key=lambda item: (item.meta.title.casefold(), item.slug))
    letters: list[dict[str, Any]] = []
    for leaflet in by_title:
        letter = _initial(leaflet.meta.title)
        if not letters or letters[-1]["letter"] != letter:
            letters.append({"letter": letter, "id": f"letter-{len(letters)}", "leaflets": []})
        letters[-1]["leaflets"].append(_leaflet_item(leaflet, ""))
    languages = sorted({leaflet.meta.language for leaflet in live.values()})
    home_title = settings.organisation or site_words.gettext(PATIENT_INFORMATION)
    view = chrome("", settings.language, home_title, canonical=absolute(""),
                  script=script_path, search_index=index_path,
                  og={"title": f"{site_words.gettext(PATIENT_LEAFLETS)} — {home_title}",
                      "description": site_words.gettext(
                          "Patient information leaflets: read online or download."),
                      "url": absolute(""), "image": absolute(card_path), "image_alt": card_alt},
                  letters=letters, guides=guide_items,
                  search_words=search_words(site_words),
                  languages=[{"tag": tag, "name": language_name(tag), "dir": text_dir(tag),
                              "count": sum(1 for lf in live.values() if lf.meta.language == tag)}
                             for tag in languages],
                  count=len(live))
    build.files["index.html"] = SiteFile(
        _render(layout, "site/home.html", view).encode("utf-8"),
        language=settings.language)

    # 404: served by hosts at any depth, so its links start from the site's own path
    view = chrome(base_path, settings.language, site_words.gettext("Page not found"),
                  noindex=True)
    build.files["404.html"] = SiteFile(
        _render(layout, "site/404.html", view).encode("utf-8"),
        language=settings.language)

    if base_url:
        public: list[tuple[str, Leaflet | None]] = [("", None)]
        public += [(f"{slug}/", lf) for slug, lf in live.items() if not lf.meta.is_draft]
        public += [(f"{slug}/", None) for slug, booklet in guides.items()
                   if all(not m.meta.is_draft for m in booklet_members(project, booklet))]
        build.files["sitemap.xml"] = SiteFile(_sitemap(base_url, public))
    # without base_url there is no sitemap, canonical link or link preview (they need
    # absolute addresses); a new project builds clean all the same (README)
    return build


def search_words(said: Wording) -> dict[str, Any]:
    """What the search script says, in the home page's language (search.js reads it from the
    form's `data-words`). "N leaflets found" has one message per plural category of the
    language (CLDR's, which the browser's Intl.PluralRules names), each made by the
    catalogue's plural rule from a number of that category; `{n}` is where the count goes."""
    from babel import Locale, UnknownLocaleError

    try:
        rule = Locale.parse(date_locale(said.language)).plural_form
    except (UnknownLocaleError, ValueError):
        rule = Locale.parse("en").plural_form
    examples: dict[str, int] = {}
    for number in range(200):
        examples.setdefault(rule(number), number)
    found = {category: said.ngettext("%(num)s leaflet found", "%(num)s leaflets found", number)
             % {"num": "{n}"} for category, number in examples.items()}
    return {"found": found, "draft": said.gettext("draft"),
            "none": said.gettext("No leaflets found. Try another word, or use the A to Z "
                                 "list below."),
            "unavailable": said.gettext("Search is not available. Use the A to Z list below.")}


def _translate_download(item: dict[str, Any], said: Wording) -> None:
    """A download's label and short name in the page's language (format names stay)."""
    item["label"] = said.gettext(item["label"])
    item["short"] = said.gettext(item["short"])
    item["size"] = human_size(int(item["bytes"]), said)


def _render(layout: Layout, name: str, view: dict[str, Any]) -> str:
    """A site template with plain data (`template_data`, as every format), its mistakes as a
    message naming the template and line, and the page checked like every format's: nothing
    remote to fetch, no script or frame — but for the site's own pieces it was handed."""
    data = template_data(view)
    try:
        page = layout.environment(str(view.get("lang") or "en")).get_template(name).render(data)
    except (LeafletError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - the sandbox's refusals, `{{ 1/0 }}`: the layout's
        line = getattr(exc, "lineno", None) or _template_line(exc, name)
        origin = getattr(exc, "filename", None)
        where = Path(origin) if origin else layout.folders[0] / "templates" / name
        raise LeafletError(where, line, (
            f"the web site was not made: layout '{layout.name}', template {name}: "
            f"{type(exc).__name__}: {exc} — fix the template, or remove it to use the "
            "built-in one")) from None
    check_page(_without_own_pieces(page, view), layout.folders, name)
    return page


def _without_own_pieces(page: str, view: dict[str, Any]) -> str:
    """The page as `check_page` should judge it: the site's own stylesheet, script, pictures,
    canonical link and redirect (made by this module, not the layout) taken out or made local."""
    checked = page
    if view.get("script"):
        checked = checked.replace(f'<script src="{view["script"]}" defer></script>', "")
    if view.get("canonical"):
        checked = checked.replace(f'<link rel="canonical" href="{view["canonical"]}"/>', "")
    # hreflang alternates to this page and its translations' pages (never fetched by a
    # browser: they tell search engines and browsers which page is in which language)
    alternates = [(view.get("lang"), "./"), *((item.get("lang"), item.get("href"))
                                              for item in view.get("other_languages") or ())]
    for lang, href in alternates:
        if href:
            checked = checked.replace(f'<link rel="alternate" hreflang="{lang}" href="{href}"/>',
                                      "")
    if view.get("refresh"):
        checked = checked.replace(
            f'<meta http-equiv="refresh" content="0; url={view["refresh"]}"/>', "")
    home = str(view.get("home", ""))
    if home:  # `../_assets/...` from a leaflet page, `/path/_assets/...` from the 404 page
        for before in ('"', ", "):  # an attribute's start, or a later srcset candidate
            checked = checked.replace(f"{before}{home}{ASSETS}/", f"{before}{ASSETS}/")
    return checked


def _template_line(exc: BaseException, name: str) -> int:
    """The template line a run-time error happened on (Jinja puts it in the traceback)."""
    line = 0
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(name) and frame.lineno:
            line = frame.lineno
    return line


def _initial(title: str) -> str:
    first = next((ch for ch in title if ch.isalnum()), "#")
    return first.upper() if first.isalpha() else "#"


def _leaflet_item(leaflet: Leaflet, prefix: str) -> dict[str, Any]:
    meta = leaflet.meta
    return {"title": meta.title, "summary": meta.summary, "href": f"{prefix}{leaflet.slug}/",
            "lang": meta.language, "dir": text_dir(meta.language), "is_draft": meta.is_draft}


def _site_target(prefix: str, live: dict[str, Leaflet], images: _Images) -> PageTarget:
    """Links to other leaflets go to their pages; pictures to `_assets/images/`."""
    def leaflet_href(slug: str) -> str | None:
        return f"{prefix}{slug}/" if slug in live else None

    def link_href(link: Link) -> str | None:
        if link.target_slug:
            return leaflet_href(link.target_slug)
        return link.href

    def image_src(asset: Asset) -> str:
        return prefix + images.add(asset)

    return PageTarget(name="site", xhtml=False, link_href=link_href, image_src=image_src,
                      related_href=leaflet_href, web_fallback=False)


def _downloads(inputs: SiteInputs, build: SiteBuild
               ) -> Callable[[str, str, str], list[dict[str, Any]]]:
    """A function giving the downloads of one leaflet or booklet, copying their files.

    Offered: only outputs this build wrote or confirmed up to date (never a file carried over
    from an earlier run, which may be stale), whose bytes on disk still match the manifest.
    """
    site_layout = inputs.layout.name
    by_key = {(str(e.get("kind")), str(e.get("slug")), str(e.get("format")),
               str(e.get("layout"))): e for e in inputs.outputs}

    def downloads(slug: str, kind: str, status: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for fmt, layout, label, suffix in DOWNLOADS:
            entry = by_key.get((kind, slug, fmt, layout or site_layout))
            if entry is None or entry.get("status") != status:
                continue
            source = inputs.out_dir / str(entry["path"])
            try:
                data = source.read_bytes()
            except OSError:
                continue
            if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
                build.diagnostics.append(Diagnostic(Location(source, 0), (
                    "changed after the build wrote it, so the web site does not offer it; "
                    "build again"), "warning"))
                continue
            name = f"{slug}{suffix}"
            build.files[f"{slug}/{name}"] = SiteFile(data, slug, status, str(entry["language"]))
            # "short": what the jump link at the top of the page lists; large print by name,
            # so a low-vision reader knows it is there before scrolling to the list
            short = LARGE_PRINT if layout == "large-print" else FORMAT_NAMES[fmt]
            found.append({"name": name, "label": label, "format": FORMAT_NAMES[fmt],
                          "short": short, "size": human_size(len(data)), "bytes": len(data),
                          "type": MEDIA_TYPES[fmt]})
        return found

    return downloads


def _site_css(layout: Layout) -> bytes:
    """The one stylesheet every page shares: the layout's screen CSS, then the site's own."""
    return (layout.read_text("style.css") + "\n" + layout.read_text("site.css")).encode("utf-8")


def _safe_json(value: Any) -> bytes:
    """JSON with `<`, `>` and `&` as \\u escapes: a title holding `<script>` stays text wherever
    the index ends up (the search script shows it with textContent in any case)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escape)
    return text.encode("utf-8")


def _plain_text(page: str) -> str:
    """The words of a rendered page's article, for the search index."""
    start = page.find("<article")
    end = page.find("</article>")
    body = page[start:end] if start >= 0 and end > start else page
    text = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def _sitemap(base_url: str, pages: Sequence[tuple[str, Leaflet | None]]) -> bytes:
    """sitemap.xml (sitemaps.org 0.9): approved pages only, with the review date as lastmod."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, leaflet in pages:
        lines.append(f"<url><loc>{html.escape(f'{base_url}/{path}')}</loc>")
        if leaflet is not None and leaflet.meta.reviewed is not None:
            lines.append(f"<lastmod>{leaflet.meta.reviewed.isoformat()}</lastmod>")
        lines.append("</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


__all__ = ["SiteBuild", "SiteFile", "SiteInputs", "human_size", "render_site"]
