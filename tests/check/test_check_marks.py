"""`leaflet check` rule word-final-mark: an Arabic word ending in a vowel mark is named at its
line, because poppler reads such a mark apart from its word in the PDF's text layer (the
strict xfail in tests/render/pdf/test_pdf_text_layer.py pins that limit)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import leaflet_text, make_project, run_cli


def marks_found(root: Path) -> list[dict[str, object]]:
    result = run_cli("check", "--format", "json", cwd=root)
    return [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "word-final-mark"]


def test_a_word_ending_in_tanween_is_named_at_its_line(tmp_path: Path) -> None:
    body = "## متى تتصل\n\nاتصل بنا فوراً إذا ارتفعت حرارتك.\n\nهذا مُهِمّة جدا.\n"
    make_project(tmp_path, {"call": leaflet_text(body, title="اتصل بنا", language="ar")})
    found = marks_found(tmp_path)
    assert len(found) == 1, found
    source = (tmp_path / "source" / "call.md").read_text(encoding="utf-8").splitlines()
    assert "فوراً" in source[int(str(found[0]["line"])) - 1]
    assert found[0]["level"] == "warning"
    assert "'فوراً'" in str(found[0]["message"]) and "'فورا'" in str(found[0]["message"])


def test_marks_inside_words_and_plain_spelling_are_not_named(tmp_path: Path) -> None:
    # a shadda or kasra inside a word reads in place; a word ending in a letter is fine
    body = "## متى تتصل\n\nاتصل بنا فورا، هذا أمر مُهِمّة.\n"
    make_project(tmp_path, {"call": leaflet_text(body, title="اتصل بنا", language="ar")})
    assert marks_found(tmp_path) == []
