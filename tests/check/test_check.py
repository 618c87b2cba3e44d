"""`leaflet check` rules: each one triggered (rule id, level, line) and not triggered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from leaflet_builder.check import Finding, run_checks
from leaflet_builder.check.findings import RULES
from leaflet_builder.project import load_project
from tests.helpers import leaflet_text, make_project, png_bytes

TODAY = dt.date(2026, 6, 1)
COMPLETE = {"contact": "Nurse line: 0100 000 0000", "feedback": "Tell us: a@example.org",
            "other_formats": "Ask us for large print or audio."}
EASY = "You may feel tired. Rest when you can.\n"


def run(tmp_path: Path, leaflets: dict[str, str], project: dict[str, Any] | None = None,
        today: dt.date = TODAY, **kwargs: Any) -> list[Finding]:
    source = make_project(tmp_path, leaflets, {**COMPLETE, **(project or {})}, **kwargs)
    return run_checks(load_project(source), today).findings


def of(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def line_of(tmp_path: Path, slug: str, needle: str) -> int:
    lines = (tmp_path / "source" / f"{slug}.md").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def one(findings: list[Finding], rule: str, level: str, line: int | None = None) -> Finding:
    found = of(findings, rule)
    assert len(found) == 1, found
    assert found[0].level == level
    if line is not None:
        assert found[0].location.line == line
    return found[0]


def approved(**front: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"status": "approved", "reviewer": "Dr A Nurse",
                              "reviewed": dt.date(2025, 1, 10),
                              "sources": [{"title": "NICE guideline"}]}
    fields.update(front)
    return fields


# --- metadata ---------------------------------------------------------------------------------

def test_approved_leaflet_needs_sources(tmp_path: Path) -> None:
    findings = run(tmp_path, {"a": leaflet_text(EASY, **approved(sources=[]))})
    found = one(findings, "approval-fields", "error", line_of(tmp_path, "a", "status:"))
    assert "sources" in found.message


def test_complete_approved_leaflet_has_no_metadata_findings(tmp_path: Path) -> None:
    findings = run(tmp_path, {"a": leaflet_text(EASY, **approved())})
    assert not [f for f in findings if f.rule in ("approval-fields", "review-order",
                                                  "review-interval", "review-overdue",
                                                  "review-due-soon") or f.rule.startswith("project-")]


def test_review_due_must_follow_reviewed(tmp_path: Path) -> None:
    findings = run(tmp_path, {"a": leaflet_text(EASY, **approved(
        reviewed=dt.date(2026, 1, 10), review_due=dt.date(2026, 1, 1)))})
    one(findings, "review-order", "error", line_of(tmp_path, "a", "review_due:"))


def test_review_due_at_most_36_months_after_reviewed(tmp_path: Path) -> None:
    late = run(tmp_path / "late", {"a": leaflet_text(EASY, **approved(
        reviewed=dt.date(2025, 1, 10), review_due=dt.date(2028, 1, 11)))})
    one(late, "review-interval", "error", line_of(tmp_path / "late", "a", "review_due:"))
    fine = run(tmp_path / "fine", {"a": leaflet_text(EASY, **approved(
        reviewed=dt.date(2025, 1, 10), review_due=dt.date(2028, 1, 10)))})
    assert not of(fine, "review-interval")


def test_review_interval_from_project_setting_is_checked_too(tmp_path: Path) -> None:
    # no review_due: the reader adds the project's 5-year interval, longer than 36 months
    findings = run(tmp_path, {"a": leaflet_text(EASY, **approved())},
                   {"review_interval_years": 5})
    one(findings, "review-interval", "error", line_of(tmp_path, "a", "reviewed:"))


def test_past_due_is_an_error_when_approved(tmp_path: Path) -> None:
    findings = run(tmp_path, {"a": leaflet_text(EASY, **approved(
        reviewed=dt.date(2023, 1, 1), review_due=dt.date(2026, 1, 1)))})
    found = one(findings, "review-overdue", "error", line_of(tmp_path, "a", "review_due:"))
    assert "2026-01-01" in found.message


def test_past_due_is_a_warning_for_a_draft(tmp_path: Path) -> None:
    findings = run(tmp_path, {"a": leaflet_text(EASY, status="draft", reviewed="2023-01-01")})
    one(findings, "review-overdue", "warning", line_of(tmp_path, "a", "reviewed:"))


def test_due_within_six_months_warns(tmp_path: Path) -> None:
    soon = run(tmp_path / "soon", {"a": leaflet_text(EASY, **approved(
        review_due=dt.date(2026, 11, 30)))})
    one(soon, "review-due-soon", "warning", line_of(tmp_path / "soon", "a", "review_due:"))
    later = run(tmp_path / "later", {"a": leaflet_text(EASY, **approved(
        review_due=dt.date(2026, 12, 2)))})
    assert not of(later, "review-due-soon") and not of(later, "review-overdue")


@pytest.mark.parametrize("key,rule", [("contact", "project-contact"),
                                      ("feedback", "project-feedback"),
                                      ("other_formats", "project-other-formats")])
def test_project_must_name_contact_feedback_and_other_formats(tmp_path: Path, key: str,
                                                              rule: str) -> None:
    source = make_project(tmp_path, {"a": leaflet_text(EASY)},
                          {k: v for k, v in COMPLETE.items() if k != key})
    findings = run_checks(load_project(source), TODAY).findings
    found = one(findings, rule, "warning")
    assert found.location.path == source / "project.yaml"
    assert not [f for f in findings if f.rule.startswith("project-") and f.rule != rule]


def test_leaflet_in_another_language_without_the_project_lines_in_it_warns(
        tmp_path: Path) -> None:
    """A Welsh leaflet would end in the project's English contact, feedback and other-formats
    lines: one warning for Welsh (not one per leaflet), naming the lines and what to add."""
    leaflets = {"a": leaflet_text(EASY),
                "a-cy": leaflet_text("Ffoniwch ni.\n", language="cy", translation_of="a"),
                "b-cy": leaflet_text("Gorffwyswch.\n", language="cy")}
    found = one(run(tmp_path / "none", leaflets), "project-lines-language", "warning")
    assert found.location.path.name == "project.yaml"
    assert "'cy'" in found.message and "contact, feedback, other_formats" in found.message
    partly = run(tmp_path / "partly", leaflets,
                 {"languages": {"cy": {"contact": "Llinell y nyrsys: 0100 000 0000"}}})
    message = one(partly, "project-lines-language", "warning").message
    assert "feedback, other_formats" in message and "contact," not in message
    welsh = {key: f"{key} yn Gymraeg" for key in COMPLETE}
    assert not of(run(tmp_path / "all", leaflets, {"languages": {"cy": welsh}}),
                  "project-lines-language")
    # English leaflets in an en-GB project, and a project without such lines: nothing to say
    assert not of(run(tmp_path / "en", {"a": leaflet_text(EASY, language="en-US")},
                      {"language": "en-GB"}), "project-lines-language")


# --- readability ------------------------------------------------------------------------------

HARD = ("Immunological interventions frequently precipitate considerable physiological "
        "disturbances, necessitating meticulous monitoring. Individuals experiencing "
        "deteriorating symptomatology should immediately communicate with specialist "
        "practitioners.\n")


def test_hard_leaflet_gets_a_reading_grade_warning_with_the_grade(tmp_path: Path) -> None:
    findings = run(tmp_path, {"a": leaflet_text("## Side effects\n\n" + HARD)})
    found = one(findings, "reading-grade", "warning", 1)
    assert "reading grade" in found.message and "above the project's maximum of 8" in found.message
    assert "'Side effects'" in found.message


def test_easy_leaflet_has_no_reading_grade_warning(tmp_path: Path) -> None:
    assert not of(run(tmp_path, {"a": leaflet_text(EASY)}), "reading-grade")


def test_max_grade_comes_from_the_project(tmp_path: Path) -> None:
    assert not of(run(tmp_path, {"a": leaflet_text(HARD)}, {"check": {"max_grade": 60}}),
                  "reading-grade")


def test_plain_terms_are_not_counted_as_hard(tmp_path: Path) -> None:
    body = ("Pembrolizumab, nivolumab and ipilimumab help your body fight cancer. "
            "Atezolizumab and durvalumab do too.\n")
    terms = ["pembrolizumab", "nivolumab", "ipilimumab", "atezolizumab", "durvalumab"]
    assert of(run(tmp_path / "raw", {"a": leaflet_text(body)}), "reading-grade")
    assert not of(run(tmp_path / "plain", {"a": leaflet_text(body)},
                      {"check": {"plain_terms": terms}}), "reading-grade")


def test_headings_links_and_urls_are_not_scored(tmp_path: Path) -> None:
    body = ("## Extraordinarily complicated pharmacological considerations\n\n"
            "Read more at https://www.example.org/immunological-interventions-information. "
            "Ask us.\n")
    findings = run(tmp_path, {"a": leaflet_text(body)})
    assert not of(findings, "reading-grade")


def test_each_section_gets_its_grade_as_info(tmp_path: Path) -> None:
    findings = run(tmp_path, {"a": leaflet_text("## First\n\n" + EASY + "\n## Second\n\n" + HARD)})
    sections = of(findings, "section-grade")
    assert [f.level for f in sections] == ["info", "info"]
    assert [f.location.line for f in sections] == [line_of(tmp_path, "a", "## First"),
                                                   line_of(tmp_path, "a", "## Second")]
    assert "'Second': reading grade" in sections[1].message


def test_smog_only_from_thirty_sentences(tmp_path: Path) -> None:
    assert not of(run(tmp_path / "few", {"a": leaflet_text("Rest when you can. " * 29)}),
                  "smog-grade")
    one(run(tmp_path / "many", {"a": leaflet_text("Rest when you can. " * 30)}),
        "smog-grade", "info")


def test_long_sentence_warns_at_its_own_line(tmp_path: Path) -> None:
    long = " ".join(["word"] * 26) + "."
    body = f"A short first sentence.\nThen another one here.\n{long}\n"
    findings = run(tmp_path, {"a": leaflet_text(body)})
    found = one(findings, "long-sentence", "warning", line_of(tmp_path, "a", "word word"))
    assert "26 words" in found.message


def test_sentence_of_25_words_is_fine(tmp_path: Path) -> None:
    body = " ".join(["word"] * 25) + ".\n"
    assert not of(run(tmp_path, {"a": leaflet_text(body)}), "long-sentence")


def test_list_items_are_sentences_of_their_own(tmp_path: Path) -> None:
    items = "".join(f"- {' '.join(['item'] * 10)}\n" for _ in range(4))
    findings = run(tmp_path, {"a": leaflet_text("Side effects are:\n\n" + items)})
    assert not of(findings, "long-sentence")


# --- dangling list ----------------------------------------------------------------------------

@pytest.mark.parametrize("ending", ["These include:", "such as:", "for example:",
                                    "Common side effects include:"])
def test_announced_list_that_is_missing_is_an_error(tmp_path: Path, ending: str) -> None:
    body = f"## Side effects\n\nSome people get side effects.\n{ending}\n\nTiredness and a rash.\n"
    findings = run(tmp_path, {"a": leaflet_text(body)})
    found = one(findings, "dangling-list", "error", line_of(tmp_path, "a", ending))
    assert "announces a list" in found.message


def test_announced_list_at_the_end_of_a_callout(tmp_path: Path) -> None:
    body = "::: warning Call us\nCall straight away if you have:\n:::\n\nMore text.\n"
    findings = run(tmp_path, {"a": leaflet_text(body)})
    one(findings, "dangling-list", "error", line_of(tmp_path, "a", "Call straight away"))


def test_list_lost_into_its_paragraph_is_an_error_at_the_announcing_line(tmp_path: Path) -> None:
    # the seed text's failure: the '- ' markers were lost, the items joined the paragraph
    body = "## Side effects\n\nCommon side effects are:\nfeeling very tired\na rash\n"
    findings = run(tmp_path, {"a": leaflet_text(body)})
    found = one(findings, "dangling-list", "error", line_of(tmp_path, "a", "are:"))
    assert "same paragraph" in found.message


def test_nested_list_announced_inside_a_tight_list_is_fine(tmp_path: Path) -> None:
    body = ("A nurse will teach you:\n\n1. How to store it.\n2. Where to inject, such as:\n"
            "   - your thigh\n   - your tummy\n3. How to get rid of needles.\n")
    assert not of(run(tmp_path, {"a": leaflet_text(body)}), "dangling-list")


def test_announced_list_that_follows_is_fine(tmp_path: Path) -> None:
    body = "Common side effects include:\n\n- tiredness\n- a rash\n"
    assert not of(run(tmp_path, {"a": leaflet_text(body)}), "dangling-list")


# --- images -----------------------------------------------------------------------------------

def _image_project(tmp_path: Path, alt: str) -> list[Finding]:
    body = f"Some text.\n\n![{alt}](images/drip.png)\n"
    return run(tmp_path, {"a": leaflet_text(body)}, files={"images/drip.png": png_bytes()})


def test_image_without_alt_text_is_an_error(tmp_path: Path) -> None:
    one(_image_project(tmp_path, ""), "image-alt-missing", "error",
        line_of(tmp_path, "a", "![]"))


@pytest.mark.parametrize("alt", ["drip.png", "IMG_0042.JPG", "Photo", "drip"])
def test_alt_text_that_is_a_file_name_or_one_word_warns(tmp_path: Path, alt: str) -> None:
    findings = _image_project(tmp_path, alt)
    one(findings, "image-alt-weak", "warning", line_of(tmp_path, "a", "!["))
    assert not of(findings, "image-alt-missing")


def test_descriptive_alt_text_is_fine(tmp_path: Path) -> None:
    findings = _image_project(tmp_path, "A nurse setting up a drip in a patient's arm")
    assert not of(findings, "image-alt-missing") and not of(findings, "image-alt-weak")


def test_weak_hero_image_and_booklet_cover_alt_warn(tmp_path: Path) -> None:
    leaflet = leaflet_text(EASY, image={"src": "images/drip.png", "alt": "drip.png"})
    source = make_project(tmp_path, {"a": leaflet}, COMPLETE,
                          booklets={"guide": {"title": "Guide", "leaflets": ["a"],
                                              "cover": {"src": "images/drip.png", "alt": "Cover"}}},
                          files={"images/drip.png": png_bytes()})
    weak = of(run_checks(load_project(source), TODAY).findings, "image-alt-weak")
    assert {(f.location.path.name, f.location.line) for f in weak} == {
        ("a.md", line_of(tmp_path, "a", "image:")), ("guide.yaml", 1 + next(
            i for i, line in enumerate((source / "booklets/guide.yaml").read_text().splitlines())
            if line.startswith("cover:")))}


# --- glossary terms ---------------------------------------------------------------------------

GLOSSARY = leaflet_text("Interferons are proteins made by the body.\n", title="Interferons",
                        kind="glossary")


def test_glossary_term_used_without_link_or_related_is_info(tmp_path: Path) -> None:
    body = "You rest first.\n\nYou may have an interferon injection.\n"
    findings = run(tmp_path, {"interferons": GLOSSARY, "a": leaflet_text(body)})
    found = one(findings, "glossary-link", "info", line_of(tmp_path, "a", "interferon injection"))
    assert found.slug == "a" and "interferons.md" in found.message


def test_glossary_term_that_is_related_or_linked_is_fine(tmp_path: Path) -> None:
    body = "You may have an interferon injection.\n"
    related = run(tmp_path / "r", {"interferons": GLOSSARY,
                                   "a": leaflet_text(body, related=["interferons"])})
    linked = run(tmp_path / "l", {"interferons": GLOSSARY, "a": leaflet_text(
        "You may have an [interferon](interferons.md) injection.\n")})
    assert not of(related, "glossary-link") and not of(linked, "glossary-link")


# --- clear print ------------------------------------------------------------------------------

def _layout(tmp_path: Path, name: str, yaml_text: str, css: str = "",
            css_name: str = "style.css") -> None:
    folder = tmp_path / "layouts" / name
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text(yaml_text, encoding="utf-8")
    if css:
        (folder / css_name).write_text(css, encoding="utf-8")


def test_small_or_justified_body_text_warns(tmp_path: Path) -> None:
    _layout(tmp_path, "tiny", "extends: clinic\ntype:\n  body_pt: 10\n",
            "body { color: black; }\n/* text-align: justify in a comment */\np {\n"
            "  text-align: justify;\n}\n")
    findings = run(tmp_path, {"a": leaflet_text(EASY)}, {"default_layout": "tiny"})
    size = one(findings, "clear-print-size", "warning", 3)
    assert size.location.path.name == "layout.yaml" and "10 pt" in size.message
    justified = one(findings, "clear-print-justified", "warning", 4)
    assert justified.location.path.name == "style.css"


def test_small_body_text_points_at_the_line_that_sets_it(tmp_path: Path) -> None:
    """The line comes from reading layout.yaml, not from searching it: a comment naming the
    key, a key of the same name elsewhere, or flow style does not mislead it."""
    _layout(tmp_path, "tiny", "extends: clinic\n# body_pt: 13 was the clinic's size\n"
            "docx: {body_pt_note: x}\ntype: {heading: x, body_pt: 10}\n")
    findings = run(tmp_path, {"a": leaflet_text(EASY)}, {"default_layout": "tiny"})
    size = one(findings, "clear-print-size", "warning", 4)
    assert size.location.path.name == "layout.yaml" and "10 pt" in size.message


def test_large_print_needs_16_pt(tmp_path: Path) -> None:
    # its own stylesheet, last in the cascade, makes the HTML/PDF body 18 pt; the DOCX body
    # size (type.body_pt) is still too small
    _layout(tmp_path, "large-print", "extends: clinic\ntype:\n  body_pt: 14\n"
            "stylesheets: [style.css, print.css, large.css]\n",
            "body { font-size: 18pt; }\n", "large.css")
    findings = run(tmp_path, {"a": leaflet_text(EASY)}, {"default_layout": "large-print"})
    found = one(findings, "clear-print-size", "warning", 3)
    assert "16 pt large print" in found.message and found.location.path.name == "layout.yaml"


def test_large_print_css_must_be_large_too(tmp_path: Path) -> None:
    # only type.body_pt raised: the inherited clinic stylesheets keep a clear-print body size
    _layout(tmp_path, "large-print", "extends: clinic\ntype:\n  body_pt: 18\n")
    findings = run(tmp_path, {"a": leaflet_text(EASY)}, {"default_layout": "large-print"})
    found = one(findings, "clear-print-size", "warning")
    assert found.location.path.suffix == ".css" and found.location.path.parent.name == "clinic"
    assert "body font-size" in found.message and "16 pt large print minimum" in found.message


def test_word_blocks_that_leave_out_a_block_the_pages_show_warn(tmp_path: Path) -> None:
    """A layout's own `docx: blocks:` list written before a shared block existed would leave
    it out of every Word handout without a word: the list is checked against the blocks the
    layout's pages include, at the list's line."""
    _layout(tmp_path, "mine", "extends: clinic\ndocx:\n  blocks: [shared/draft.html, "
            "shared/title.html, body, shared/about.html]\n")
    findings = run(tmp_path, {"a": leaflet_text(EASY)}, {"default_layout": "mine"})
    found = one(findings, "word-blocks", "warning", 3)
    assert found.location.path.parent.name == "mine"
    for block in ("shared/other_languages.html", "shared/when_to_call.html",
                  "shared/disclaimer.html"):
        assert block in found.message
    assert "shared/about.html" not in found.message.split("leaves out")[1]


def test_shipped_clinic_layout_is_clear_print(tmp_path: Path) -> None:
    findings = run(tmp_path, {"a": leaflet_text(EASY)})
    assert not of(findings, "clear-print-size") and not of(findings, "clear-print-justified")
    assert not of(findings, "word-blocks")


# --- reading errors, switching rules off ------------------------------------------------------

def test_reading_errors_are_findings(tmp_path: Path) -> None:
    findings = run(tmp_path, {"bad": "---\ntitle: x\nstatus: maybe\n---\nText.\n"})
    errors = of(findings, "source")
    assert errors and all(f.level == "error" for f in errors)
    assert {f.location.path.name for f in errors} == {"bad.md"}


def test_rules_are_switched_off_by_check_disable(tmp_path: Path) -> None:
    body = " ".join(["word"] * 30) + ".\n"
    findings = run(tmp_path, {"a": leaflet_text(body)},
                   {"check": {"disable": ["long-sentence", "section-grade", "no-such-rule"]}})
    assert not of(findings, "long-sentence") and not of(findings, "section-grade")
    config = one(findings, "check-config", "warning")
    assert "no-such-rule" in config.message



def test_check_disable_written_inline_is_pointed_at_its_own_line(tmp_path: Path) -> None:
    # `check: {disable: [...]}` on one line, below a comment and a block of text naming the
    # setting: the message points at the line the reader found the setting on
    source = make_project(tmp_path, {"a": leaflet_text(EASY)})
    settings = "".join(f"{key}: {value!r}\n" for key, value in COMPLETE.items())
    (source / "project.yaml").write_text(
        "# turn rules off with disable: [rule, ...] under check\n" + settings +
        "organisation: |\n  Example\n  disable: is not a setting here\n"
        "check: {max_grade: 8, disable: [no-such-rule]}\n", encoding="utf-8")
    config = one(run_checks(load_project(source), TODAY).findings, "check-config", "warning")
    assert config.location.line == len(COMPLETE) + 5

def test_every_rule_documents_reason_and_standard() -> None:
    for rule in RULES.values():
        assert rule.reason and rule.standard and rule.level in ("error", "warning", "info")


def test_repeated_sentences_each_get_their_own_line(tmp_path: Path) -> None:
    long = " ".join(["word"] * 26) + "."
    findings = run(tmp_path, {"a": leaflet_text(f"{long}\n{long}\n")})
    first = line_of(tmp_path, "a", "word word")
    assert [f.location.line for f in of(findings, "long-sentence")] == [first, first + 1]


def test_other_languages_are_not_graded(tmp_path: Path) -> None:
    source = make_project(tmp_path, {"a": leaflet_text(HARD, language="cy")}, COMPLETE)
    report = run_checks(load_project(source), TODAY)
    assert not of(report.findings, "reading-grade") and not of(report.findings, "section-grade")
    assert report.leaflets[0].grade is None


# --- the build gate (in-process; the CLI tests run the real build) ----------------------------

def test_build_gate_takes_out_overdue_approved_leaflets_and_their_booklets(tmp_path: Path) -> None:
    from leaflet_builder.check import apply_build_gate

    old = leaflet_text(EASY, **approved(reviewed=dt.date(2020, 1, 1),
                                        review_due=dt.date(2023, 1, 1)))
    source = make_project(tmp_path, {"old": old, "fresh": leaflet_text(EASY, **approved()),
                                     "draft": leaflet_text(EASY, reviewed="2015-01-01")},
                          COMPLETE, booklets={"guide": {"title": "G", "leaflets": ["fresh", "old"]}})
    project = load_project(source)
    messages = apply_build_gate(project, TODAY)
    assert sorted(project.leaflets) == ["draft", "fresh"]  # drafts are marked DRAFT, not stopped
    assert "old" in project.failed and "guide" in project.failed_booklets
    assert [(m.level, m.location.path.name, m.location.line) for m in messages] == [
        ("error", "old.md", line_of(tmp_path, "old", "review_due:")),
        ("error", "guide.yaml", (source / "booklets/guide.yaml").read_text().splitlines()
         .index("- old") + 1)]



def test_build_gate_points_at_the_member_not_a_title_naming_it(tmp_path: Path) -> None:
    from leaflet_builder.check import apply_build_gate

    old = leaflet_text(EASY, **approved(reviewed=dt.date(2020, 1, 1),
                                        review_due=dt.date(2023, 1, 1)))
    source = make_project(tmp_path, {"old": old, "fresh": leaflet_text(EASY, **approved())},
                          COMPLETE)
    (source / "booklets").mkdir()
    (source / "booklets/guide.yaml").write_text(
        "title: What old and fresh mean\nleaflets:\n  - fresh\n  - old\n", encoding="utf-8")
    messages = apply_build_gate(load_project(source), TODAY)
    assert [(m.location.path.name, m.location.line) for m in messages][1:] == [("guide.yaml", 4)]

def test_build_gate_lets_overdue_through_with_a_warning_when_allowed(tmp_path: Path) -> None:
    from leaflet_builder.check import apply_build_gate

    old = leaflet_text(EASY, **approved(reviewed=dt.date(2020, 1, 1)))
    project = load_project(make_project(tmp_path, {"old": old}, COMPLETE))
    messages = apply_build_gate(project, TODAY, allow_overdue=True)
    assert "old" in project.leaflets and [m.level for m in messages] == ["warning"]
