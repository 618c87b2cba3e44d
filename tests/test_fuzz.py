"""Property-based hostile input: the reader answers with a model or a content error, never another
exception, and every renderer renders every model the reader accepts.

Generated leaflets mix random Unicode (control characters, surrogates escaped in YAML, right-to-
left text), odd YAML (tags, aliases, deep flow collections, duplicate keys), deep nesting of lists,
callouts and emphasis, wide and long tables, links with every kind of scheme and raw HTML. The
normal suite runs a short pass; `-m slow` runs 10,000 examples through the reader and the cheap
renderers.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leaflet_builder.errors import Diagnostics
from leaflet_builder.layouts import load_layout
from leaflet_builder.model import Leaflet, ProjectSettings
from leaflet_builder.render import RenderContext, get_renderer
from leaflet_builder.source.files import FORBIDDEN_CHARS_RE
from leaflet_builder.source.leaflet import read_leaflet
from tests.helpers import png_bytes

FUZZ = {"deadline": None, "database": None, "derandomize": True,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                   HealthCheck.filter_too_much]}

# text an author (or a hostile one) could type: all of Unicode, with markup characters made likely
_MARKUP = st.sampled_from(list("*_`[]()<>!#|:-\\&{}%\n\t \r\x00\x01\x1b\u202e\ufeff\uffff") +
                          ["{{ 7*7 }}", "{% raw %}", "]]>", "<script>alert(1)</script>", "&#0;",
                          "&#xD800;", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
                          "**", "~~~", ":::", "---", "\u0645\u0631\u062d\u0628\u0627", "ŵŷ"])
TEXT = st.lists(st.one_of(st.text(max_size=12), _MARKUP), max_size=12).map("".join)
# what the reader accepts: no control characters, so every renderer must cope with all of it
CLEAN_TEXT = TEXT.map(lambda text: FORBIDDEN_CHARS_RE.sub("", text).replace("\r", ""))
GOOD_SCHEMES = st.sampled_from(["https://example.org/a?b=<c>&d=\"e\"", "http://127.0.0.1:9/x",
                                "mailto:a@b.c", "tel:+441234", "good.md", "other.md"])
SCHEMES = st.sampled_from(["https://example.org/a", "http://127.0.0.1:9/x", "mailto:a@b.c",
                           "tel:+441234", "javascript:alert(1)", "JavaScript:x", "data:text/html,x",
                           "file:///etc/passwd", "vbscript:x", "other.md", "good.md", "#anchor",
                           "relative/page.html", " java\tscript:x", "//example.org", ""])
IMAGES = st.sampled_from(["images/ok.png", "images/missing.png", "../outside.png", "/etc/hosts",
                          "https://example.org/a.png", "file:///etc/hosts", "images/not.png"])


@st.composite
def inline(draw: st.DrawFn, depth: int = 0, valid: bool = False) -> str:
    kind = draw(st.sampled_from(["text", "em", "strong", "link", "code", "image", "html"]))
    text = CLEAN_TEXT if valid else TEXT
    if kind == "text" or depth > 3:
        return draw(text)
    if kind == "em":
        return f"*{draw(inline(depth + 1, valid))}*"
    if kind == "strong":
        return f"**{draw(inline(depth + 1, valid))}**"
    if kind == "link":
        return f"[{draw(inline(depth + 1, valid))}]({draw(GOOD_SCHEMES if valid else SCHEMES)})"
    if kind == "code":
        return f"`{draw(text)}`"
    if kind == "image":
        return "" if valid else f"![{draw(TEXT)}]({draw(IMAGES)})"
    return draw(st.sampled_from(["<b>", "</i>", "<span onclick=x>", "<!-- c -->"]))


@st.composite
def block(draw: st.DrawFn, depth: int = 0, valid: bool = False) -> str:
    kind = draw(st.sampled_from(["para", "heading", "list", "callout", "table", "deep", "raw",
                                 "image"]))
    if kind == "heading":
        line = " ".join(draw(st.lists(inline(valid=valid), min_size=1, max_size=4)))
        return f"{'#' * (2 if valid else draw(st.integers(1, 7)))} {line}"
    if kind == "image" and valid:
        return f"![{draw(CLEAN_TEXT)}](images/ok.png)"
    if kind == "list" and depth < 4:
        marker = draw(st.sampled_from(["- ", "* ", "1. ", "3) "]))
        items = draw(st.lists(block(depth + 1, valid), min_size=1, max_size=3))
        pad = " " * (len(marker))
        return "\n".join(marker + item.replace("\n", "\n" + pad) for item in items)
    if kind == "callout" and depth < 4:
        fence = ":" * (3 + 4 - depth)
        kinds = ["note", "tip", "warning"] + ([] if valid else ["danger", ""])
        inner = "\n\n".join(draw(st.lists(block(depth + 1, valid), min_size=0, max_size=2)))
        title = draw(CLEAN_TEXT if valid else TEXT).replace("\n", " ") or "Title"
        return f"{fence} {draw(st.sampled_from(kinds))} {title}\n{inner}\n{fence}"
    if kind == "table":
        columns = draw(st.integers(1, 40))
        rows = draw(st.integers(0, 60))
        cell = draw(CLEAN_TEXT if valid else TEXT).replace("\n", " ").replace("|", "\\|")
        header = "|" + "|".join(f" h{i} " for i in range(columns)) + "|"
        # one draw for the rule and one for the row shape: big tables, few hypothesis choices
        rule = "|" + "|".join([draw(st.sampled_from(["---", ":--", ":-:", "--:"]))] * columns) + "|"
        return "\n".join([header, rule] + [f"|{cell}|" * draw(st.integers(1, 3))] * rows)
    if kind == "deep":
        levels = draw(st.integers(10, 20) if valid else st.integers(15, 40))
        shape = draw(st.sampled_from(["list", "em", "callout"]))
        if shape == "list":
            return "\n".join("  " * i + "- x" for i in range(levels))
        if shape == "em":
            return "*a " * levels + "x" + " a*" * levels
        return "\n".join(":" * (3 + levels - i) + " note t" for i in range(levels)) + "\nx"
    if kind == "raw":
        return draw(st.sampled_from(["<script>alert(1)</script>", "<div onload=x>\nhi\n</div>",
                                     "***", "<?php ?>"] + ([] if valid else [
                                         "> quote", "    code", "```\nfence\n```"])))
    return " ".join(draw(st.lists(inline(valid=valid), min_size=1, max_size=4)))


FIELD_VALUES = st.one_of(TEXT, st.integers(), st.none(), st.booleans(), st.dates(),
                         st.lists(TEXT, max_size=3),
                         st.dictionaries(st.sampled_from(["title", "url", "src", "alt", "x"]),
                                         TEXT, max_size=3))
ODD_YAML = st.sampled_from([
    "version: !!python/object/apply:os.system ['echo pwned']", "x: &a [1]\ny: *a",
    "tags: " + "[" * 200, "title: twice", "version: \"\\x07\\ud800\"", "reviewed: 2026-02-30",
    "? [complex]\n: key", "version: !!binary aGVsbG8=", "version: 1e999", "tags: {a: 1}",
    "version: 0x" + "f" * 50, "sources:\n  - {title: T, url: 'javascript:x'}", "\t bad: indent",
    "related: [good, Not-A-Slug]", "image: {src: ../outside.png, alt: x}", "status: approved",
    "language: 'en-GB\u202e'", "reviewed: !!timestamp 'nope'",
])


@st.composite
def leaflet_source(draw: st.DrawFn) -> str:
    """A whole leaflet file: mostly-valid front matter with hostile values, then a body."""
    fields: dict[str, object] = {"title": draw(TEXT), "summary": draw(TEXT),
                                 "status": draw(st.sampled_from(["draft", "approved", "nope"]))}
    optional = ["kind", "pronunciation", "language", "reviewed", "reviewer", "version", "sources",
                "related", "tags", "image", "unknown"]
    for key in draw(st.lists(st.sampled_from(optional), max_size=4, unique=True)):
        fields[key] = draw(FIELD_VALUES)
    front = yaml.safe_dump(fields, allow_unicode=draw(st.booleans()), sort_keys=False)
    extra = draw(st.lists(ODD_YAML, max_size=2))
    if draw(st.booleans()):
        front += "\n".join(extra) + "\n"
    blocks = draw(st.lists(block(), max_size=6))
    text = "---\n" + front + "---\n" + "\n\n".join(blocks) + "\n"
    if draw(st.integers(0, 9)) == 0:  # now and then raw noise instead of front matter
        text = draw(st.text(max_size=200)) + text
    return text


@st.composite
def valid_leaflet_source(draw: st.DrawFn) -> str:
    """A leaflet the reader should accept, full of text that is hard to render."""
    title = draw(CLEAN_TEXT.filter(lambda text: text.strip()))
    fields = {"title": title, "summary": draw(CLEAN_TEXT) or "S", "status": "draft",
              "version": draw(CLEAN_TEXT) or None, "tags": draw(st.lists(CLEAN_TEXT, max_size=2)),
              "sources": [{"title": draw(CLEAN_TEXT) or "T", "url": "https://example.org/?a=<b>"}],
              "language": draw(st.sampled_from(["en", "en-GB", "cy", "ar", "fr"])),
              "kind": draw(st.sampled_from(["article", "glossary"])),
              "pronunciation": draw(CLEAN_TEXT) or None,
              "image": draw(st.sampled_from([None, {"src": "images/ok.png", "alt": "A <b>"}]))}
    fields = {key: value for key, value in fields.items() if value is not None}
    blocks = draw(st.lists(block(valid=True), max_size=6))
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n" + "\n\n".join(blocks) + "\n"


class _Project:
    """One scratch source folder for all examples (hypothesis reruns a test many times)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fuzz-"))
        self.source = self.root / "source"
        (self.source / "images").mkdir(parents=True)
        (self.source / "images" / "ok.png").write_bytes(png_bytes())
        (self.source / "images" / "not.png").write_bytes(b"not a png")
        (self.root / "outside.png").write_bytes(png_bytes())
        layout = load_layout("clinic", None)
        self.ctx = RenderContext(ProjectSettings(), layout, self.source,
                                 {"good": "A good leaflet", "other": "Other"}, {})

    def read(self, text: str, encoding: str = "utf-8") -> tuple[Leaflet | None, Diagnostics]:
        path = self.source / "fuzzed.md"
        path.write_bytes(text.encode(encoding, errors="surrogatepass"))
        diagnostics = Diagnostics()
        leaflet = read_leaflet(path, self.source, ProjectSettings(), diagnostics)
        return leaflet, diagnostics


_PROJECT: _Project | None = None


def project() -> _Project:
    global _PROJECT
    if _PROJECT is None:
        _PROJECT = _Project()
    return _PROJECT


def check_reader(text: str, encoding: str = "utf-8") -> Leaflet | None:
    """The property: a model, or errors that each name the file (never an exception)."""
    leaflet, diagnostics = project().read(text, encoding)
    if leaflet is None:
        assert diagnostics.errors, "no model and no error"
        for error in diagnostics.errors:
            assert error.location.path.name == "fuzzed.md"
            assert error.message and "Traceback" not in error.message
    else:
        assert not diagnostics.errors
    return leaflet


def check_renderers(leaflet: Leaflet, formats: tuple[str, ...]) -> None:
    for fmt in formats:
        data = get_renderer(fmt).render_leaflet(leaflet, project().ctx)
        assert data, fmt


@settings(max_examples=150, **FUZZ)  # type: ignore[arg-type]
@given(leaflet_source())
def test_reader_returns_a_model_or_a_content_error(text: str) -> None:
    check_reader(text)


@settings(max_examples=40, **FUZZ)  # type: ignore[arg-type]
@given(st.binary(max_size=400), st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_reader_survives_arbitrary_bytes(data: bytes, encoding: str) -> None:
    text = "---\ntitle: T\nsummary: S\nstatus: draft\n---\n" + data.decode("latin-1")
    check_reader(text, encoding)


def read_valid(text: str) -> Leaflet:
    leaflet = check_reader(text)
    assume(leaflet is not None)  # rare: e.g. a generated link text that empties a paragraph
    assert leaflet is not None
    return leaflet


@settings(max_examples=25, **FUZZ)  # type: ignore[arg-type]
@given(valid_leaflet_source())
def test_cheap_renderers_render_every_valid_model(text: str) -> None:
    check_renderers(read_valid(text), ("html", "docx", "epub"))


@settings(max_examples=3, **FUZZ)  # type: ignore[arg-type]
@given(valid_leaflet_source())
def test_pdf_renders_every_valid_model(text: str) -> None:
    # a character no packaged font has is refused on purpose (missing-glyph, tested below and
    # in test_missing_glyphs.py); such characters become '?' so that the PDF is still drawn
    check_renderers(read_valid(drawable(text)), ("pdf",))


@settings(max_examples=3, **FUZZ)  # type: ignore[arg-type]
@given(valid_leaflet_source())
def test_pdf_refuses_what_no_font_draws_with_a_located_error(text: str) -> None:
    from leaflet_builder.errors import LeafletError

    leaflet = read_valid(text + "\n\n\u0d15\n")  # Malayalam KA: no packaged font has it
    with pytest.raises(LeafletError) as refused:
        check_renderers(leaflet, ("pdf",))
    assert refused.value.location.path.name == "fuzzed.md"
    assert refused.value.location.line > 0
    assert "no font in layout 'clinic' has glyphs for" in refused.value.message


def drawable(text: str) -> str:
    """`text` with every character no font of the clinic layout has replaced by '?'."""
    from leaflet_builder.render.coverage import _coverage, _needs_glyph, layout_fonts

    covered = _coverage(layout_fonts(load_layout("clinic", None)))
    return "".join("?" if _needs_glyph(char) and ord(char) not in covered else char
                   for char in text)


@pytest.mark.slow
@settings(max_examples=10_000, **FUZZ)  # type: ignore[arg-type]
@given(leaflet_source())
def test_long_run_reader(text: str) -> None:
    # the reader only: the renderers have their own (slower) runs above and below
    check_reader(text)


@pytest.mark.slow
@settings(max_examples=100, **FUZZ)  # type: ignore[arg-type]
@given(valid_leaflet_source())
def test_long_run_valid_models_through_docx_and_epub(text: str) -> None:
    check_renderers(read_valid(text), ("docx", "epub"))
