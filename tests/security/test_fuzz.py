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


# --- hostile layouts: generated templates and stylesheets --------------------------------------

LAYOUT_SECRET = "FUZZ-LAYOUT-SECRET-51d0"
REMOTE_HOST = "tracker.example"
# names a template might reach for, and what it might do with them
_NAMES = st.sampled_from(["leaflet", "meta", "slug", "settings", "target", "sources", "related",
                          "self", "loop", "range", "namespace", "cycler", "joiner", "lipsum",
                          "config", "callout_labels", "dict", "''", "[]", "{}", "0", "x", "qr",
                          "leaflet.blocks", "meta.image", "sources[0]", "related[0]"])
_TRAILERS = st.sampled_from([
    ".path", ".read_text()", ".read_bytes()", ".write_text('x')", ".unlink()", ".iterdir()",
    ".joinpath('{secret}')", ".parent", ".asset", ".src", ".href", ".__class__", ".__mro__[1]",
    ".__subclasses__()", ".__init__.__globals__", ".__self__", ".items()", ".keys()", ".copy()",
    ".format(1)", ".format_map({})", ".mro()", ".today()", ".fromisoformat('2000-01-01')",
    ".accessed", ".title", ".upper()", ".split('-')", "[0]", "['path']", "|attr('path')",
    "|list", "|first", "|last", "|length", "|string", "|safe", "|format_date", "|pprint",
    "|map(attribute='asset')", "|center(10**9)", "|batch(10**9, 'x')|list", " * 10**9",
    " ** 999999", " % (1,)", "(10**9)", "(x=1)", ".next()", "|e", "|tojson",
])
_STATEMENTS = st.sampled_from([
    "{% include '/etc/passwd' %}", "{% include '../../outside/secret.txt' %}",
    "{% include 'shared/disclaimer.html' %}", "{% extends 'leaflet.html' %}",
    "{% import 'blocks.html' as b %}{{ b.block }}", "{% for i in range(10**9) %}{% endfor %}",
    "{% set ns = namespace(x=1) %}", "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
    "{% for b in leaflet.blocks %}{{ b }}{% endfor %}", "{{ 1/0 }}", "{{ 'a'|int + 'b' }}",
    "{% if %}", "{{", "}}", "{% endfor %}", "{# x", "{% raw %}{{ 7*7 }}{% endraw %}",
    f'<img src="https://{REMOTE_HOST}/p.png" alt=""/>',
    f'<link rel="stylesheet" href="//{REMOTE_HOST}/x.css"/>',
    f'<p style="background: \\75rl(https://{REMOTE_HOST}/p.png)">x</p>',
    f'<style>@import "https://{REMOTE_HOST}/x.css";</style>',
    f'<img src="a.png" srcset="https://{REMOTE_HOST}/p.png 2x" alt=""/>',
    "<script>alert(1)</script>", "<p onclick=alert(1)>x</p>", "<a href='javascript:x'>x</a>",
    "<p>plain text</p>",
])


@st.composite
def hostile_template(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            trailers = "".join(draw(st.lists(_TRAILERS, max_size=4)))
            parts.append("{{ " + draw(_NAMES) + trailers + " }}")
        else:
            parts.append(draw(_STATEMENTS))
    return "\n".join(parts)


_CSS_PIECES = st.sampled_from([
    "body { color: red; }", f"@import url(https://{REMOTE_HOST}/a.css);",
    f'@import "//{REMOTE_HOST}/a.css";', f".a {{ background: \\75rl(https://{REMOTE_HOST}/a); }}",
    f'.a {{ background-image: image-set("https://{REMOTE_HOST}/a.png" 1x); }}',
    f"@font-face {{ font-family: X; src: url(https://{REMOTE_HOST}/f.woff); }}",
    f".a {{ background: U\\52L( https://{REMOTE_HOST}/b ); }}", ".a { background: url(a.png); }",
    ".a { background: url(../../outside/secret.txt); }", ".a { background: url(/etc/hosts); }",
    ".a { background: url(file:///etc/hosts); }", "/* {{ 7*7 }} */", "}", "{", "@media {",
    '.a::before { content: "\\', "url(", '"', "@font-face { src: local('DejaVu Serif'); }",
    'body { font-family: "DejaVu Serif", serif; }', "\\", "\x00", "@charset 'x';",
])


class _LayoutProject:
    """A scratch project whose layouts are rewritten for every example (a new name each time,
    so no cached environment or stylesheet hides the new text)."""

    def __init__(self) -> None:
        from leaflet_builder.project import load_project
        from tests.helpers import leaflet_text, make_project

        self.root = Path(tempfile.mkdtemp(prefix="fuzz-layout-"))
        (self.root / "outside").mkdir()
        self.secret = self.root / "outside" / "secret.txt"
        self.secret.write_text(LAYOUT_SECRET, encoding="utf-8")
        project = self.root / "project"
        make_project(project, {"one": leaflet_text(
            "## Part\n\n- See [NHS](https://www.nhs.uk)\n\n![A chart](images/a.png)\n",
            sources=[{"title": "NHS", "url": "https://www.nhs.uk", "accessed": "2026-01-02"}],
            image={"src": "images/a.png", "alt": "Hero"})}, files={"images/a.png": png_bytes()})
        self.project = project
        self.loaded = load_project(project / "source")
        self.count = 0

    def layout(self, files: dict[str, str]) -> str:
        self.count += 1
        name = f"fuzz{self.count}"
        folder = self.project / "layouts" / name
        folder.mkdir(parents=True)
        (folder / "layout.yaml").write_text("extends: clinic\n", encoding="utf-8")
        for relative, text in files.items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_text(text.replace("{secret}", str(self.secret)),
                                           encoding="utf-8", errors="surrogatepass")
        return name


_LAYOUT_PROJECT: _LayoutProject | None = None


def layout_project() -> _LayoutProject:
    global _LAYOUT_PROJECT
    if _LAYOUT_PROJECT is None:
        _LAYOUT_PROJECT = _LayoutProject()
    return _LAYOUT_PROJECT


def check_layout(files: dict[str, str], formats: tuple[str, ...]) -> None:
    """The property: an output with nothing secret or remote in it, or a located layout error."""
    from leaflet_builder.errors import LeafletError

    scratch = layout_project()
    name = scratch.layout(files)
    layout = load_layout(name, scratch.project)
    ctx = RenderContext(scratch.loaded.settings, layout, scratch.loaded.source_dir,
                        scratch.loaded.titles())
    for fmt in formats:
        try:
            data = get_renderer(fmt).render_leaflet(scratch.loaded.leaflets["one"], ctx)
        except LeafletError as error:
            shown = error.diagnostic.display(scratch.project)
            assert shown.startswith((f"layouts/{name}", "source/one.md")), shown
            assert LAYOUT_SECRET not in shown and "Traceback" not in shown
            continue
        assert LAYOUT_SECRET.encode() not in data, fmt
        assert REMOTE_HOST.encode() not in data, fmt
    assert sorted(p.name for p in scratch.secret.parent.iterdir()) == ["secret.txt"]
    assert (scratch.project / "source" / "one.md").is_file()


@settings(max_examples=20, **FUZZ)  # type: ignore[arg-type]
@given(hostile_template())
def test_hostile_layout_templates_fail_cleanly_and_leak_nothing(template: str) -> None:
    check_layout({"templates/shared/disclaimer.html": template}, ("html", "docx", "epub"))


@settings(max_examples=20, **FUZZ)  # type: ignore[arg-type]
@given(st.lists(st.one_of(_CSS_PIECES, st.text(max_size=8)), max_size=8).map("\n".join))
def test_hostile_layout_css_fails_cleanly_and_fetches_nothing(css: str) -> None:
    check_layout({"style.css": css}, ("html", "epub"))


@pytest.mark.slow
@settings(max_examples=500, **FUZZ)  # type: ignore[arg-type]
@given(hostile_template(), st.lists(_CSS_PIECES, max_size=6).map("\n".join))
def test_long_run_hostile_layouts(template: str, css: str) -> None:
    check_layout({"templates/shared/disclaimer.html": template, "style.css": css},
                 ("html", "docx", "epub"))
