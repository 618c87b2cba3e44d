"""The authors' loop (issue 17): every mistake at once, at its own line, with advice that fits.

Each test writes a source with one kind of mistake, as a nurse writing her first leaflet might,
and asserts the exact `path:line:` and the words of the advice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import make_project, run_cli

FRONT = "---\ntitle: A leaflet\nsummary: It says one thing.\nstatus: draft\n"
GOOD = FRONT + "---\n## About\n\nAll good.\n"


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line holding `fragment` (where a message must point)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in the text")


def messages(result_stderr_or_stdout: str, path: str) -> list[str]:
    return [line for line in result_stderr_or_stdout.splitlines() if line.startswith(path)]


def check_lines(tmp_path: Path) -> list[str]:
    """`leaflet check`'s message lines, as an author reads them."""
    result = run_cli("check", cwd=tmp_path)
    return [line for line in result.stdout.splitlines() if line.startswith("source/")]


def build_lines(tmp_path: Path) -> list[str]:
    result = run_cli("build", "--format", "html", "-j", "1", cwd=tmp_path)
    return [line for line in (result.stdout + result.stderr).splitlines()
            if line.startswith("source/")]


# 1. Cross-field rules run on whatever fields did parse --------------------------------------

APPROVED_BAD_DATE = ("---\ntitle: T\nsummary: S.\nstatus: approved\nreviewed: last tuesday\n"
                     "---\n## About\n\nText.\n")


@pytest.mark.parametrize("command", [build_lines, check_lines])
def test_bad_review_date_and_missing_reviewer_are_both_reported(tmp_path: Path,
                                                                command: object) -> None:
    make_project(tmp_path, {"case": APPROVED_BAD_DATE, "good": GOOD})
    got = [m for m in command(tmp_path) if m.startswith("source/case.md")]  # type: ignore[operator]
    status, reviewed = line_of(APPROVED_BAD_DATE, "status"), line_of(APPROVED_BAD_DATE, "reviewed")
    assert any(m.startswith(f"source/case.md:{status}: ") and
               "reviewer: required when status is 'approved'" in m for m in got), got
    assert any(m.startswith(f"source/case.md:{reviewed}: ") and
               "reviewed: must be a date written YYYY-MM-DD" in m for m in got), got
    assert not any("reviewed: required" in m for m in got), got  # there, only wrong


# 2. One mistake, one message, with a close match -------------------------------------------

def test_a_typod_field_is_one_message_naming_the_field_meant(tmp_path: Path) -> None:
    text = "---\ntitle: T\nsumary: One sentence.\nstatus: draft\n---\n## About\n\nText.\n"
    make_project(tmp_path, {"case": text})
    got = messages("\n".join(check_lines(tmp_path)), "source/case.md")
    assert got == [(f"source/case.md:{line_of(text, 'sumary')}: error: source: unknown field "
                   "'sumary' — did you mean 'summary'?")], got


def test_close_matches_for_callouts_layouts_related_and_booklets(tmp_path: Path) -> None:
    text = (FRONT + "related: [checkpoint-inhibitor]\n---\n## About\n\n"
            "::: warnign Call us\nText.\n:::\n\nSee [the other](checkpoint-inhibitor.md).\n")
    make_project(tmp_path, {"case": text, "checkpoint-inhibitors": GOOD},
                 project={"default_layout": "clinc"},
                 booklets={"guide": {"title": "G", "leaflets": ["checkpoint-inhibitor"]}})
    got = check_lines(tmp_path)
    assert (f"source/case.md:{line_of(text, 'related')}: error: source: related: no leaflet "
            "'checkpoint-inhibitor' (no source/checkpoint-inhibitor.md) — did you mean "
            "'checkpoint-inhibitors'?") in got, got
    assert any(m.startswith(f"source/case.md:{line_of(text, ':::')}: ")
               and "unknown callout kind 'warnign'; did you mean 'warning'?" in m for m in got), got
    assert any(m.startswith(f"source/case.md:{line_of(text, 'See [')}: ")
               and "link to 'checkpoint-inhibitor.md': no such leaflet in source/ — did you "
                   "mean 'checkpoint-inhibitors'?" in m for m in got), got
    assert any(m.startswith("source/booklets/guide.yaml:2: ")
               and "no leaflet 'checkpoint-inhibitor' (no source/checkpoint-inhibitor.md) — "
                   "did you mean 'checkpoint-inhibitors'?" in m for m in got), got
    assert ("source/project.yaml:1: error: source: default_layout: no layout 'clinc'; did you "
            "mean 'clinic'?") in "\n".join(got), got


# 3. The right line ---------------------------------------------------------------------------

def test_a_missing_leaflet_in_a_table_is_reported_at_its_row(tmp_path: Path) -> None:
    text = (FRONT + "---\n## Medicines\n\n| Medicine | Leaflet |\n|---|---|\n"
            "| One | [one](good.md) |\n| Two | [two](nowhere.md) |\n")
    make_project(tmp_path, {"case": text, "good": GOOD})
    got = messages("\n".join(check_lines(tmp_path)), "source/case.md")
    assert got == [(f"source/case.md:{line_of(text, '[two]')}: error: source: link to "
                   "'nowhere.md': no such leaflet in source/")], got


@pytest.mark.parametrize("construct", [
    "Type `a code\nspan` here.",
    'See [this](https://example.org "a title\non two lines").',
    'Some <span\nclass="x">inline HTML</span> here.',
])
def test_lines_do_not_drift_after_an_inline_spanning_two_lines(tmp_path: Path,
                                                               construct: str) -> None:
    text = (FRONT + "---\n## About\n\n" + construct + "\nThen [a link](nowhere.md) and\n"
            "[b](other-nowhere.md) below.\n")
    make_project(tmp_path, {"case": text})
    got = [m for m in messages("\n".join(check_lines(tmp_path)), "source/case.md")
           if "no such leaflet" in m]
    assert [m.split(": ", 1)[0] for m in got] == [
        f"source/case.md:{line_of(text, '[a link]')}",
        f"source/case.md:{line_of(text, '[b]')}"], got


# 4. YAML in words ----------------------------------------------------------------------------

@pytest.mark.parametrize(("front", "fragment", "advice"), [
    ('title: "A "quoted" word"\nsummary: S.\nstatus: draft\n', "title",
     "quotes inside quotes (column 12) — a value that contains \" must be put in single quotes"),
    ("title: T\n  summary: S.\nstatus: draft\n", "summary",
     "this line is indented further than the line above it (its text starts at column 3)"),
    ("title: T\nsources:\n  - title: A\n   url: https://x.org\nstatus: draft\n", "url",
     "this line is indented differently from the lines above it"),
    ("title: T\nsummary S.\nstatus: draft\n", "summary", "this line has no ':' after the field"),
    ("title: T\nsummary:S.\nstatus: draft\n", "summary", "put a space after the ':' (column 9)"),
    ("title: T\n\tsummary: S.\nstatus: draft\n", "summary", "a tab (column 1) is used to indent"),
    ('title: "T\nsummary: S.\nstatus: draft\n', "title",
     'the " that opens this value (column 8) is never closed — add a closing "'),
    ("title: T\nrelated: [a, b\nstatus: draft\n", "related",
     "the '[' on this line (column 10) is never closed — add ']'"),
    ("title: Tip: rest\nsummary: S.\nstatus: draft\n", "title",
     "the value contains ': ' (column 11) — put the whole value in quotes"),
])
def test_yaml_mistakes_are_told_in_words(tmp_path: Path, front: str, fragment: str,
                                         advice: str) -> None:
    text = "---\n" + front + "---\n## About\n\nText.\n"
    make_project(tmp_path, {"case": text})
    got = messages("\n".join(check_lines(tmp_path)), "source/case.md")
    assert len(got) == 1, got
    assert got[0].startswith(f"source/case.md:{line_of(text, fragment)}: error: source: YAML "
                             f"syntax error: {advice}"), got
    assert "<block" not in got[0] and "<scalar>" not in got[0], got


def test_yaml_mistakes_in_project_and_booklets_are_told_in_words(tmp_path: Path) -> None:
    source = make_project(tmp_path, {"good": GOOD})
    (source / "project.yaml").write_text('organisation: "The "Best" Clinic"\n', encoding="utf-8")
    (source / "booklets").mkdir()
    (source / "booklets" / "guide.yaml").write_text("title: G\nleaflets: [good\n",
                                                    encoding="utf-8")
    got = check_lines(tmp_path)
    assert any(m.startswith("source/project.yaml:1: ") and "quotes inside quotes" in m
               for m in got), got
    assert any(m.startswith("source/booklets/guide.yaml:2: ")
               and "the '[' on this line (column 11) is never closed" in m for m in got), got


# 5. Advice that fits what the author typed ---------------------------------------------------

@pytest.mark.parametrize(("body", "fragment", "advice", "not_said"), [
    ("A heading\n===\n\nText.\n", "A heading", ("a line of '===' under text makes a top-level "
     "heading"), "change '#'"),
    ("## About\n\nSee [Empty]().\n", "[Empty]", "the link '[Empty]()' has no address",
     "not a web address"),
    ("## About\n\nSee [that part](#side-effects).\n", "[that part]",
     "links to a heading are not supported", "not a web address"),
    ("## About\n\nSee [that](Side-Effects.md).\n", "[that]",
     "'Side-Effects.md' is not a leaflet file name", "not a web address"),
    ("## About\n\nMail [us](nurse@example.org).\n", "[us]",
     "an email address needs 'mailto:' in front — write (mailto:nurse@example.org)",
     "not a web address"),
    ("## About\n\nSee [that](side-effects).\n", "[that]",
     "to link another leaflet, add '.md' — write (side-effects.md)", "not a web address"),
    ("## About\n\n:::\nText.\n:::\n", ":::", "a callout needs its kind after ':::'",
     "unknown callout kind ''"),
])
def test_advice_fits_what_was_typed(tmp_path: Path, body: str, fragment: str, advice: str,
                                    not_said: str) -> None:
    text = FRONT + "---\n" + body
    make_project(tmp_path, {"case": text})
    got = messages("\n".join(check_lines(tmp_path)), "source/case.md")
    assert len(got) == 1, got
    assert got[0].startswith(f"source/case.md:{line_of(text, fragment)}: "), got
    assert advice in got[0] and not_said not in got[0], got


@pytest.mark.parametrize(("front", "fragment", "advice"), [
    ("title: T\nsummary: S.\n", "---", ("status: required field is missing — add a line "
     "'status: ...'")),
    ("title: T\nsummary: S.\nstatus: draft\nsources: NHS website\n", "sources",
     ("sources: must be a list (got 'NHS website') — put each item on its own line below, "
     "starting with '- '")),
    ("title: T\nsummary: S.\nstatus: draft\nsources:\n  - url: https://www.nhs.uk\n", "- url",
     "sources.0.title: required field is missing — add a line 'title: ...' in this entry"),
    ("title: T\nsummary: S.\nstatus: draftt\n", "status",
     "(got 'draftt') — did you mean 'draft'?"),
    ("title: T\nsummary: S.\nstatus: draft\nrelated:\n  - good\n  - case\n", "- case",
     "related: 'case' is this leaflet itself — remove it from 'related'"),
])
def test_front_matter_advice_fits_what_was_typed(tmp_path: Path, front: str, fragment: str,
                                                 advice: str) -> None:
    text = "---\n" + front + "---\n## About\n\nText.\n"
    make_project(tmp_path, {"case": text, "good": GOOD})
    got = messages("\n".join(check_lines(tmp_path)), "source/case.md")
    assert len(got) == 1, got
    assert got[0].startswith(f"source/case.md:{line_of(text, fragment)}: "), got
    assert advice in got[0], got


# 6. `leaflet check`: file order, then booklets; counts right -----------------------------------

def test_check_prints_booklets_after_the_leaflets_they_point_at(tmp_path: Path) -> None:
    broken = FRONT.replace("status: draft", "status: final") + "---\n## About\n\nText.\n"
    make_project(tmp_path, {"broken": broken, "good": GOOD},
                 booklets={"a-guide": {"title": "A", "leaflets": ["broken"]},
                           "b-guide": {"title": "B", "leaflets": ["good"]}})
    result = run_cli("check", cwd=tmp_path)
    got = [m for m in result.stdout.splitlines() if m.startswith("source/") and ": error:" in m]
    assert [m.split(":", 1)[0] for m in got] == ["source/broken.md",
                                                 "source/booklets/a-guide.yaml"], got
    assert "(see above)" in got[1]
    assert "in 2 leaflets and 2 booklets" in result.stdout, result.stdout


# Ten different mistakes, all reported in one run, in line order -------------------------------

TEN = """---
title: Ten mistakes
sumary: A leaflet still being written.
status: final
related: [nowhere]
reviewed: 2026-02-30
---
Side effects
===

See [Empty]() and [the other](elsewhere.md).

::: danger Careful
Text.
:::

> A quoted line.

| Medicine | Leaflet |
|---|---|
| One | [one](missing-one.md) |
"""


def test_ten_mistakes_are_all_reported_in_one_run_in_line_order(tmp_path: Path) -> None:
    make_project(tmp_path, {"ten": TEN, "good": GOOD},
                 booklets={"guide": {"title": "Guide", "leaflets": ["good", "goood"]}})
    result = run_cli("check", cwd=tmp_path)
    got = [m for m in result.stdout.splitlines() if m.startswith("source/")]
    expected = [
        ("source/ten.md", "sumary", "unknown field 'sumary' — did you mean 'summary'?"),
        ("source/ten.md", "status", "status: must be 'draft', 'approved' or 'withdrawn'"),
        ("source/ten.md", "related", "related: no leaflet 'nowhere'"),
        ("source/ten.md", "reviewed", "reviewed: "),
        ("source/ten.md", "Side effects", "a line of '===' under text"),
        ("source/ten.md", "[Empty]", "has no address"),
        ("source/ten.md", "[the other]", "link to 'elsewhere.md': no such leaflet"),
        ("source/ten.md", "::: danger", "unknown callout kind 'danger'"),
        ("source/ten.md", "> A quoted", "block quotes (>) are not supported"),
        ("source/ten.md", "[one]", "link to 'missing-one.md': no such leaflet"),
    ]
    leaflet_lines = [m for m in got if m.startswith("source/ten.md")]
    assert len(leaflet_lines) == len(expected), got
    for message, (path, fragment, words) in zip(leaflet_lines, expected, strict=True):
        assert message.startswith(f"{path}:{line_of(TEN, fragment)}: "), (message, fragment)
        assert words in message, (message, words)
    assert got[-1].startswith("source/booklets/guide.yaml:"), got
    assert "no leaflet 'goood' (no source/goood.md) — did you mean 'good'?" in got[-1], got


def test_yaml_mistakes_in_a_layout_are_told_in_words(tmp_path: Path) -> None:
    make_project(tmp_path, {"good": GOOD})
    layout = tmp_path / "layouts" / "mine"
    layout.mkdir(parents=True)
    (layout / "layout.yaml").write_text("extends: clinic\ntype:\n  body_pt: 13\n   line: 2\n",
                                        encoding="utf-8")
    result = run_cli("check", "--layout", "mine", cwd=tmp_path)
    assert ("layouts/mine/layout.yaml:4: error: source: YAML syntax error: this line is "
            "indented further than the line above it") in result.stdout, result.stdout


def test_a_version_keeps_the_digits_typed(tmp_path: Path) -> None:
    # YAML reads 1.10 as the number 1.1: the leaflet would quietly say the wrong version
    make_project(tmp_path, {"case": FRONT + "version: 1.10\n---\n## About\n\nText.\n"})
    result = run_cli("build", "--format", "html", "-j", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    html = (tmp_path / "dist" / "clinic" / "case.html").read_text(encoding="utf-8")
    assert "<dt>Version</dt><dd>1.10</dd>" in html, html


@pytest.mark.parametrize(("text", "fragment", "advice"), [
    ("\n" + GOOD, "", "the '---' line must be the very first line — delete the empty line"),
    (FRONT + "---\n## About\n\nCall [us](tel:).\n", "[us]",
     "link 'tel:': nothing follows 'tel:' — add the number"),
    (FRONT + "related: [Good Leaflet]\n---\n## About\n\nText.\n", "related",
     ("'Good Leaflet' is not a leaflet slug (lowercase letters, digits, hyphens) — write "
     "'good-leaflet'")),
])
def test_more_advice_that_fits(tmp_path: Path, text: str, fragment: str, advice: str) -> None:
    make_project(tmp_path, {"case": text, "good-leaflet": GOOD})
    got = messages("\n".join(check_lines(tmp_path)), "source/case.md")
    assert len(got) == 1, got  # one mistake, one message
    assert got[0].startswith(f"source/case.md:{line_of(text, fragment)}: "), got
    assert advice in got[0], got


def test_nested_typos_in_settings_and_sources_name_the_field_meant(tmp_path: Path) -> None:
    text = (FRONT + "sources:\n  - title: NHS\n    acessed: 2026-01-05\n---\n## About\n\nText.\n")
    source = make_project(tmp_path, {"case": text})
    (source / "project.yaml").write_text("language: en-GB\ncheck:\n  max_grad: 8\n",
                                         encoding="utf-8")
    got = check_lines(tmp_path)
    assert any(m.startswith("source/project.yaml:3: ")
               and "unknown field 'check.max_grad' — did you mean 'max_grade'?" in m
               for m in got), got
    assert any(m.startswith(f"source/case.md:{line_of(text, 'acessed')}: ")
               and "unknown field 'sources.0.acessed' — did you mean 'accessed'?" in m
               for m in got), got
