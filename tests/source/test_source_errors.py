"""Every rule of SOURCE-FORMAT.md, broken once: `path:line: message`, exit 1, neighbours built.

One project holds all the broken leaflets beside good ones and is built once, as an author's
project with several mistakes would be.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers import make_project, manifest, png_bytes, run_cli

GOOD = """---
title: A good leaflet
summary: It is fine.
status: draft
related: [good-two]
---
## Fine

All good.
"""

FRONT = "---\ntitle: T\nsummary: S.\nstatus: draft\n"

# slug -> (file text, expected line, fragment the message must contain)
CASES: dict[str, tuple[str, int, str]] = {
    "no-front-matter": ("## Just a body\n", 1, "missing front matter"),
    "unclosed-front-matter": ("---\ntitle: T\nsummary: S\n", 1, "front matter is not closed"),
    # the line holding the unclosed '[' (not the next one, where YAML noticed it)
    "yaml-syntax": ("---\ntitle: T\nsummary: [unclosed\nstatus: draft\n---\nText.\n", 3,
                    "YAML syntax error"),
    "missing-title": ("---\nsummary: S.\nstatus: draft\n---\nText.\n", 1,
                      "title: required field is missing"),
    "empty-title": ("---\ntitle: ''\nsummary: S.\nstatus: draft\n---\nText.\n", 2,
                    "title: must not be empty"),
    "missing-summary": ("---\ntitle: T\nstatus: draft\n---\nText.\n", 1,
                        "summary: required field is missing"),
    "missing-status": ("---\ntitle: T\nsummary: S.\n---\nText.\n", 1,
                       "status: required field is missing"),
    "bad-status": ("---\ntitle: T\nsummary: S.\nstatus: final\n---\nText.\n", 4,
                   "status: must be 'draft', 'approved' or 'withdrawn'"),
    "bad-kind": (FRONT + "kind: recipe\n---\nText.\n", 5, "kind: must be 'article' or 'glossary'"),
    "bad-language": (FRONT + "language: english please\n---\nText.\n", 5,
                     "language: must be a BCP 47 language tag"),
    "bad-reviewed": (FRONT + "reviewed: last tuesday\n---\nText.\n", 5,
                     "reviewed: must be a date written YYYY-MM-DD"),
    "bad-review-due": (FRONT + "review_due: 2026-13-45\n---\nText.\n", 5,
                       "review_due: invalid value (month must be in 1..12)"),
    "approved-no-reviewer": (("---\ntitle: T\nsummary: S.\nstatus: approved\nreviewed: 2026-01-01\n"
                             "---\nText.\n"), 4, "reviewer: required when status is 'approved'"),
    "approved-no-reviewed": (("---\ntitle: T\nsummary: S.\nstatus: approved\nreviewer: Editor\n"
                             "---\nText.\n"), 4, "reviewed: required when status is 'approved'"),
    "sources-not-list": (FRONT + "sources: NHS website\n---\nText.\n", 5,
                         "sources: must be a list"),
    "source-no-title": (FRONT + "sources:\n  - url: https://www.nhs.uk\n---\nText.\n", 6,
                        "sources.0.title: required field is missing"),
    "source-bad-url": (FRONT + "sources:\n  - title: NHS\n    url: www.nhs.uk\n---\nText.\n", 7,
                       "sources.0.url: must be an http:// or https:// address"),
    "unknown-related": (FRONT + "related: [no-such-leaflet]\n---\nText.\n", 5,
                        "related: no leaflet 'no-such-leaflet'"),
    "bad-related-slug": (FRONT + "related: [Not A Slug]\n---\nText.\n", 5,
                         "is not a leaflet slug"),
    "tags-not-list": (FRONT + "tags: 5\n---\nText.\n", 5, "tags: must be a list"),
    "image-no-alt": (FRONT + "image:\n  src: images/ok.png\n---\nText.\n", 5,
                     "image.alt: required field is missing"),
    "image-missing-file": (FRONT + "image:\n  src: images/nope.png\n  alt: A picture\n---\nText.\n",
                           6, "image 'images/nope.png': file not found"),
    "unknown-field": (FRONT + "titel: typo\n---\nText.\n", 5, "unknown field 'titel'"),
    "h1-heading": (FRONT + "---\nText.\n\n# Big title\n", 8, "headings start at '##'"),
    "skipped-heading": (FRONT + "---\n## One\n\n#### Three\n", 8,
                        "heading level jumps from ## to ####; do not skip levels"),
    "first-heading-deep": (FRONT + "---\nText.\n\n### Too deep\n", 8,
                           "the first heading is '###'; headings start at '##'"),
    "unknown-callout": (FRONT + "---\nText.\n\n::: danger Careful\nBody.\n:::\n", 8,
                        "unknown callout kind 'danger'"),
    "javascript-link": (FRONT + "---\nText.\n\nClick [here](javascript:alert(1)).\n", 8,
                        "the 'javascript:' scheme is not allowed"),
    "ftp-link": (FRONT + "---\nSee [files](ftp://example.org/x).\n", 6,
                 "the 'ftp:' scheme is not allowed"),
    "relative-link": (FRONT + "---\nSee [page](other/page.html).\n", 6, "write a full address"),
    "leaflet-link-unknown": (FRONT + "---\nSee [x](nowhere.md).\n", 6,
                             "link to 'nowhere.md': no such leaflet"),
    "image-absolute": (FRONT + "---\nText.\n\n![Alt](/etc/passwd)\n", 8,
                       "absolute paths are not allowed"),
    "image-escape": (FRONT + "---\n![Alt](../outside.png)\n", 6, "leads outside source/"),
    "image-file-url": (FRONT + "---\n![Alt](file:///etc/passwd)\n", 6, "must be local files"),
    "image-remote": (FRONT + "---\n![Alt](https://example.org/a.png)\n", 6, "must be local files"),
    "image-not-image": (FRONT + "---\n![Alt](images/notes.png)\n", 6,
                        "not a readable PNG or JPEG image"),
    "Bad_Name": (GOOD, 0, "is not a valid slug"),
    "block-quote": (FRONT + "---\nText.\n\n> quoted\n", 8, "block quotes (>) are not supported"),
}

BAD_BOOKLETS = {
    "unknown-member": ({"title": "Guide", "leaflets": ["good-one", "ghost"]}, 3,
                       "no leaflet 'ghost'"),
    "broken-member": ({"title": "Guide", "leaflets": ["good-one", "bad-status"]}, 3,
                      "leaflet 'bad-status' has errors"),
    "no-title": ({"leaflets": ["good-one"]}, 1, "title: required field is missing"),
    "unknown-booklet-field": ({"title": "Guide", "leaflets": ["good-one"], "colour": "red"}, 1,
                              "unknown field 'colour'"),
}


@pytest.fixture(scope="module")
def broken_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("broken")
    leaflets = {slug: text for slug, (text, _, _) in CASES.items()}
    leaflets["good-one"] = GOOD
    leaflets["good-two"] = GOOD.replace("related: [good-two]", "related: [good-one]")
    make_project(
        root, leaflets,
        booklets={**{slug: data for slug, (data, _, _) in BAD_BOOKLETS.items()},
                  "good-guide": {"title": "Good guide", "leaflets": ["good-one", "good-two"]}},
        files={"images/ok.png": png_bytes(), "images/notes.png": b"not really a png",
               "../outside.png": png_bytes()},
    )
    result = run_cli("build", "--format", "html", "--format", "epub", cwd=root)
    return root, result


def test_exit_code_is_one_and_no_traceback(broken_build: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, result = broken_build
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("slug", sorted(CASES))
def test_each_broken_leaflet_gets_path_and_line(
    broken_build: tuple[Path, subprocess.CompletedProcess[str]], slug: str
) -> None:
    _, result = broken_build
    _, line, fragment = CASES[slug]
    where = f"source/{slug}.md:{line}: " if line else f"source/{slug}.md: "
    matching = [m for m in result.stderr.splitlines() if m.startswith(where)]
    assert any(fragment in m for m in matching), (where, fragment, result.stderr)


@pytest.mark.parametrize("slug", sorted(BAD_BOOKLETS))
def test_each_broken_booklet_gets_path_and_line(
    broken_build: tuple[Path, subprocess.CompletedProcess[str]], slug: str
) -> None:
    _, result = broken_build
    _, line, fragment = BAD_BOOKLETS[slug]
    where = f"source/booklets/{slug}.yaml:{line}: "
    assert any(m.startswith(where) and fragment in m for m in result.stderr.splitlines()), (
        where, fragment, result.stderr)


def test_good_neighbours_are_built(broken_build: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    root, _ = broken_build
    outputs = {(o["slug"], o["format"]) for o in manifest(root / "dist")}
    assert outputs == {("good-one", "html"), ("good-one", "epub"), ("good-two", "html"),
                       ("good-two", "epub"), ("good-guide", "epub")}
    for slug in CASES:
        assert not (root / "dist" / "clinic" / f"{slug}.html").exists()
    # the good leaflet links its related leaflet, which was built beside it
    page = (root / "dist" / "clinic" / "good-one.html").read_text()
    assert '<a href="good-two.html">A good leaflet</a>' in page


def test_raw_html_is_dropped_with_a_warning(tmp_path: Path) -> None:
    make_project(tmp_path, {"raw": FRONT + "---\nHello <b onclick=\"x()\">bold</b> friend.\n\n"
                            "<script>alert('x')</script>\n\n<div class=\"box\">kept out</div>\n"})
    result = run_cli("build", "--format", "html", "--format", "docx", "--format", "epub",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "source/raw.md:6: warning: raw HTML" in result.stderr
    assert "source/raw.md:8: warning: raw HTML" in result.stderr
    html = (tmp_path / "dist" / "clinic" / "raw.html").read_text()
    assert "Hello bold friend." in html
    for forbidden in ("<script", "onclick", "<b ", "kept out", "alert("):
        assert forbidden not in html
    import zipfile
    with zipfile.ZipFile(tmp_path / "dist" / "clinic" / "raw.epub") as book:
        text = b"".join(book.read(n) for n in book.namelist())
    assert b"<script" not in text and b"kept out" not in text
    with zipfile.ZipFile(tmp_path / "dist" / "clinic" / "raw.docx") as doc:
        xml = doc.read("word/document.xml")
    assert b"kept out" not in xml and b"alert" not in xml


def test_bad_project_yaml_is_reported_with_line(tmp_path: Path) -> None:
    source = make_project(tmp_path, {"one": GOOD.replace("related: [good-two]\n", "")})
    (source / "project.yaml").write_text("organisation: Example\nlanguage: en-GB\nreview_interval: 3\n")
    result = run_cli("build", "--format", "html", cwd=tmp_path)
    assert result.returncode == 1
    assert "source/project.yaml:3: unknown field 'review_interval'" in result.stderr


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    assert run_cli("build", "--format", "rtf", cwd=tmp_path).returncode == 2
    result = run_cli("build", cwd=tmp_path)  # no source/ here
    assert result.returncode == 2 and "no source folder" in result.stderr
