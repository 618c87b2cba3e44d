"""A leaflet with many mistakes: every one reported in one run, by line, one message each.

Built through the real `leaflet` command, as an author would run it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers import make_project, manifest, png_bytes, run_cli

GOOD = "---\ntitle: A good leaflet\nsummary: It is fine.\nstatus: draft\n---\n## Fine\n\nAll good.\n"

MANY = """---
title: Many mistakes
summary: A leaflet an author is still working on.
status: final
image:
  src: images/gone.png
  alt: The clinic entrance
---
#### Starts too deep

See [the clinic](www.example.org/clinic) for times.

::: danger Careful
Ring [us](javascript:alert(1)) at once.
:::

![A chart](images/missing.png)

![Not a picture](images/notes.png)

> A quoted line.

```
a code block
```

## Table

| Drug | Picture |
|------|---------|
| A    | ![x](images/ok.png) |

# A title in the body

## A fine section

Fine text with a [good link](https://example.org) and ![an image](images/ok.png).
"""

# (a line of MANY that the message is about, what the message must say), in the order expected
EXPECTED: list[tuple[str, str]] = [
    ("status: final", "status: must be 'draft', 'approved' or 'withdrawn' (got 'final')"),
    ("  src: images/gone.png", "image 'images/gone.png': file not found"),
    ("#### Starts too deep", "the first heading is '####'; headings start at '##'"),
    ("See [the clinic]", "link 'www.example.org/clinic': not a web address — write a full address"),
    ("::: danger Careful", "unknown callout kind 'danger'; use one of: note, tip, warning"),
    ("Ring [us]", "link 'javascript:alert(1)': the 'javascript:' scheme is not allowed"),
    ("![A chart]", "image 'images/missing.png': file not found"),
    ("![Not a picture]", "image 'images/notes.png': not a readable PNG or JPEG image"),
    ("> A quoted line.", "block quotes (>) are not supported; use a callout"),
    ("```", "code blocks are not supported in patient leaflets"),
    ("| A    |", "images cannot be inside a table cell"),
    ("# A title in the body", "headings start at '##'"),
]


def line_of(text: str, start: str) -> int:
    """1-based number of the first line of `text` that starts with `start`."""
    return next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith(start))


def messages_for(stderr: str, slug: str) -> list[str]:
    return [m for m in stderr.splitlines() if m.startswith(f"source/{slug}.md")]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("many")
    make_project(root, {"many": MANY, "good": GOOD},
                 files={"images/ok.png": png_bytes(), "images/notes.png": b"not a png"})
    return root, run_cli("build", "--format", "html", cwd=root)


def test_every_mistake_is_reported_once_in_line_order(
    build: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    _, result = build
    got = messages_for(result.stderr, "many")
    assert len(got) == len(EXPECTED), "\n".join(got)
    for message, (line_start, fragment) in zip(got, EXPECTED, strict=True):
        where = f"source/many.md:{line_of(MANY, line_start)}: "
        assert message.startswith(where) and fragment in message, (where, fragment, message)


def test_the_broken_leaflet_fails_and_its_neighbour_is_built(
    build: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    root, result = build
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert {(o["slug"], o["format"]) for o in manifest(root / "dist")} == {("good", "html")}
    assert "All good." in (root / "dist" / "clinic" / "good.html").read_text()
    assert not (root / "dist" / "clinic" / "many.html").exists()


def read_messages(tmp_path: Path, body: str, front: str = "title: T\nsummary: S.\nstatus: draft\n",
                  slug: str = "case") -> tuple[str, list[str]]:
    """Build one leaflet; return its whole text and the messages about it."""
    text = f"---\n{front}---\n{body}"
    make_project(tmp_path, {slug: text})
    result = run_cli("build", "--format", "html", cwd=tmp_path)
    assert "Traceback" not in result.stdout + result.stderr
    return text, messages_for(result.stderr, slug)


@pytest.mark.parametrize(("body", "culprit"), [
    # a skipped level: the headings under the jump are not blamed for it
    ("## One\n\n#### Three\n\n##### Four\n\n#### Three again\n\n## Two\n", "#### Three"),
    # a '#' heading: read on as '##', so its '###' subsection is fine
    ("# Big\n\n### Under it\n\n## Next\n", "# Big"),
    # a refused link inside emphasis and strong text: one message, not one per wrapper
    ("Some **bold _[text](ftp://example.org/file)_** here.\n", "Some **bold"),
    # the same refused link twice on one line: said once for that line
    ("[a](www.example.org) and [b](www.example.org)\n", "[a]"),
])
def test_one_mistake_gives_one_message(tmp_path: Path, body: str, culprit: str) -> None:
    text, got = read_messages(tmp_path, body)
    assert len(got) == 1, got
    assert got[0].startswith(f"source/case.md:{line_of(text, culprit)}: "), got


def test_broken_front_matter_does_not_hide_the_body(tmp_path: Path) -> None:
    text, got = read_messages(tmp_path, "#### Deep\n", front="title: [unclosed\nsummary: S.\n",
                              slug="Bad_Name")
    assert [m.split(": ", 1)[0] for m in got] == [
        "source/Bad_Name.md",  # the file name: no line
        f"source/Bad_Name.md:{line_of(text, 'title')}",  # where the unclosed '[' is
        f"source/Bad_Name.md:{line_of(text, '####')}"]
    assert "is not a valid slug" in got[0]
    assert "YAML syntax error" in got[1]
    assert "the first heading is '####'" in got[2]


def test_messages_stop_at_fifty_per_file_errors_first(tmp_path: Path) -> None:
    warnings = "".join(f"<div>raw {n}</div>\n\n" for n in range(10))
    # six refused links a line (each its own message), so the lines stay short of line 100
    errors = "".join(" ".join(f"[page {n}](page{n}.html)" for n in range(row * 6, row * 6 + 6))
                     + "\n\n" for row in range(10))
    text, got = read_messages(tmp_path, warnings + errors)
    shown, last = got[:-1], got[-1]
    assert len(shown) == 50
    assert not any(": warning:" in m for m in shown), "errors must come before warnings"
    assert [(m.split(": ", 1)[0], m.split("'")[1]) for m in shown] == [
        (f"source/case.md:{line_of(text, f'[page {n - n % 6}]')}", f"page{n}.html")
        for n in range(50)]
    assert last == ("source/case.md: ... and 20 more problems in this file — fix the ones above "
                    "and build again to see them")


def test_line_one_hundred_is_printed_as_typed(tmp_path: Path) -> None:
    text, got = read_messages(tmp_path, "Text.\n\n" * 47 + "[x](www.example.org)\n")
    assert line_of(text, "[x]") == 100
    assert got == [("source/case.md:100: link 'www.example.org': not a web address — write a "
                    "full address (https://...), mailto:, tel:, or another leaflet as 'slug.md'")]


def test_links_to_missing_leaflets_come_with_the_files_other_mistakes(tmp_path: Path) -> None:
    # they used to be checked only for leaflets without other errors: a second run found them
    front = "title: T\nsummary: S.\nstatus: final\nrelated: [nowhere]\n"
    text, got = read_messages(tmp_path, "## Part\n\nSee [the other](elsewhere.md).\n", front)
    assert got == [
        (f"source/case.md:{line_of(text, 'status')}: status: must be 'draft', 'approved' or "
         "'withdrawn' (got 'final')"),
        (f"source/case.md:{line_of(text, 'related')}: related: no leaflet 'nowhere' "
         "(no source/nowhere.md)"),
        (f"source/case.md:{line_of(text, 'See')}: link to 'elsewhere.md': no such leaflet in "
         "source/"),
    ]
