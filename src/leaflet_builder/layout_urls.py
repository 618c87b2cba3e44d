"""What a layout may make a reader's device fetch: files beside it, never anything remote.

The PDF's fetcher refuses remote and outside files while WeasyPrint renders, but HTML and EPUB
outputs are opened later on a patient's phone, which fetches whatever the page names: a remote
`<img>`, `<link>`, `srcset`, `@import`, `@font-face` or `url()` tells a third party who is
reading which leaflet, and when. So the layout's stylesheets are checked when read (with their
line), and every page a layout template renders is checked before it goes into any output.

Stylesheets are tokenised with tinycss2 (WeasyPrint's own CSS parser), so CSS escapes
(`\\75rl(https://…)`), `image-set("https://…")` and `@import "…"` are seen as a browser
sees them rather than as a regular expression would.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from leaflet_builder.errors import LeafletError

# CSS functions whose string arguments are addresses the browser fetches
_FETCHING_FUNCTIONS = frozenset({
    "url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "-webkit-cross-fade",
})
# URLs the package itself writes into pages: the PDF's stable source address (served by the
# confined fetcher) and the DOCX renderer's picture references (never a real fetch)
_INTERNAL_PREFIXES = ("file:///leaflet-project/source/", "asset:")
# attributes whose value a browser or reading system fetches without the reader's asking
_FETCHED_ATTRIBUTES = frozenset({
    "src", "srcset", "imagesrcset", "poster", "data", "background", "lowsrc", "dynsrc", "ping",
    "action", "formaction", "manifest", "codebase", "archive", "xlink:href",
})
# elements that run code or embed another page: a leaflet never needs one
_REFUSED_ELEMENTS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal",
})
_LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:")


def local_reference_problem(url: str) -> str | None:
    """Why `url` may not be fetched from a layout, or None for a file beside it or `data:`."""
    url = url.strip()
    lowered = url.lower()
    if not url or lowered.startswith("data:") or url.startswith("#") or \
            lowered.startswith(_INTERNAL_PREFIXES):
        return None
    parts = url.replace("\\", "/").split("/")
    if _SCHEME_RE.match(lowered) or url.startswith(("/", "\\")) or ".." in parts:
        return ("a layout may only use files inside its own folder (no web addresses, file: "
                "URLs, absolute paths or '..')")
    return None


def css_references(css: str) -> Iterator[tuple[str, int]]:
    """Every address a stylesheet (or a `style` attribute) would fetch, with its line."""
    import tinycss2

    yield from _references(tinycss2.parse_component_value_list(css, skip_comments=True))


def _references(tokens: Iterable[Any]) -> Iterator[tuple[str, int]]:
    tokens = list(tokens)
    for index, token in enumerate(tokens):
        kind = getattr(token, "type", "")
        if kind == "url":
            yield token.value, token.source_line
        elif kind == "function":
            if token.lower_name in _FETCHING_FUNCTIONS:
                yield from ((arg.value, arg.source_line) for arg in token.arguments
                            if getattr(arg, "type", "") == "string")
            yield from _references(token.arguments)
        elif kind in ("() block", "[] block", "{} block"):
            yield from _references(token.content)
        elif kind == "at-keyword" and token.lower_value == "import":
            following = next((t for t in tokens[index + 1:]
                              if getattr(t, "type", "") not in ("whitespace", "comment")), None)
            if following is not None and following.type == "string":
                yield following.value, following.source_line


def check_stylesheet_references(css: str, path: Path) -> None:
    """Layout CSS may refer only to files beside it: no URLs, absolute paths or `..` escapes.

    WeasyPrint's fetcher refuses those anyway; refusing them here too gives the layout author
    a message with a line instead of a silently missing background or font, and keeps remote
    references out of HTML and EPUB outputs, where a reader's device would fetch them.
    """
    for url, line in css_references(css):
        problem = local_reference_problem(url)
        if problem:
            raise LeafletError(path, line, f"stylesheet refers to '{url}' — {problem}")


def check_page(page: str, folders: tuple[Path, ...], template: str) -> None:
    """Refuse a rendered page that would make a reader's device fetch or run anything.

    The error points at the first layout template that holds the address, when one does
    (a template may also build it from pieces: then at the template rendered).
    """
    finder = _PageReferences()
    finder.feed(page)
    finder.close()
    if finder.problem is None:
        return
    what, value, needle = finder.problem
    path, line = _find_in_templates(folders, needle) or (folders[0], 0)
    raise LeafletError(path, line, (
        f"the page made from {template} {what} '{value[:200]}' — a reader's device would fetch "
        "or run it; a layout may only use files inside its own folder, and pages carry no "
        "scripts, frames or web addresses other than links"))


class _PageReferences(HTMLParser):
    """Finds the first fetched address, script or frame in an HTML or XHTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # (what is wrong, the value, the text to look for in the templates)
        self.problem: tuple[str, str, str] | None = None
        self._in_style = False

    def _flag(self, what: str, value: str, needle: str | None = None) -> None:
        if self.problem is None:
            self.problem = (what, value, needle or value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        self._in_style = tag == "style"
        if tag in _REFUSED_ELEMENTS:
            self._flag("has a", f"<{tag}>", f"<{tag}")
        for name, raw in attrs:
            name, value = name.lower(), raw or ""
            if name.startswith("on"):
                self._flag("has an event handler", f"{name}={value}", name)
            elif name == "style":
                self._check_css(value)
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    self._check_fetched(name, candidate.strip().split(" ")[0])
            elif name in _FETCHED_ATTRIBUTES or (name == "href" and tag not in ("a", "area")):
                self._check_fetched(name, value)
            elif name == "href" and _SCHEME_RE.match(value.strip().lower()) and \
                    not value.strip().lower().startswith(_LINK_SCHEMES):
                self._flag("links to", value)
            elif name == "content" and ("url" in value.lower() or "//" in value) and \
                    any(k.lower() == "http-equiv" for k, _ in attrs):
                self._flag("redirects to", value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._check_css(data)

    def _check_fetched(self, name: str, value: str) -> None:
        if local_reference_problem(value):
            self._flag(f"has a {name} attribute of", value)

    def _check_css(self, css: str) -> None:
        for url, _ in css_references(css):
            if local_reference_problem(url):
                self._flag("has CSS that fetches", url)


def _find_in_templates(folders: tuple[Path, ...], value: str) -> tuple[Path, int] | None:
    """The first layout template (most specific layout first) whose text holds `value`."""
    for folder in folders:
        for path in sorted((folder / "templates").rglob("*")):
            if not path.is_file() or not path.resolve().is_relative_to(folder):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            index = text.find(value)
            if index >= 0:
                return path, text.count("\n", 0, index) + 1
    return None
