"""Layouts: built-in ones found, project layouts override them, `extends` merges settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaflet_builder.errors import LeafletError
from leaflet_builder.layouts import available_layouts, builtin_layouts_dir, load_layout


def test_builtin_clinic_layout_is_found_without_a_project() -> None:
    layout = load_layout("clinic", None)
    assert layout.folders == ((builtin_layouts_dir() / "clinic").resolve(),)
    assert layout.setting("page", "size") == "A4"
    assert layout.env.get_template("shared/about.html") is not None


def test_project_layout_extends_a_builtin_one(tmp_path: Path) -> None:
    own = tmp_path / "layouts" / "our-clinic"
    (own / "templates" / "shared").mkdir(parents=True)
    (own / "layout.yaml").write_text("extends: clinic\ntype:\n  body_pt: 14\n")
    (own / "templates" / "shared" / "disclaimer.html").write_text("<p>Our own words.</p>\n")
    layout = load_layout("our-clinic", tmp_path)
    assert layout.setting("type", "body_pt") == 14  # ours
    assert layout.setting("page", "size") == "A4"  # inherited
    assert "our-clinic" in available_layouts(tmp_path)
    # our template wins; the others come from clinic
    assert layout.env.get_template("shared/disclaimer.html").render() == "<p>Our own words.</p>\n"
    assert layout.find_file("style.css") == builtin_layouts_dir().resolve() / "clinic" / "style.css"


def test_unknown_layout_names_the_available_ones(tmp_path: Path) -> None:
    with pytest.raises(LeafletError) as caught:
        load_layout("glossy", tmp_path)
    assert "no layout 'glossy'" in caught.value.message and "clinic" in caught.value.message


def test_layouts_extending_in_a_circle_are_refused(tmp_path: Path) -> None:
    for name, parent in (("a", "b"), ("b", "a")):
        folder = tmp_path / "layouts" / name
        folder.mkdir(parents=True)
        (folder / "layout.yaml").write_text(f"extends: {parent}\n")
    with pytest.raises(LeafletError, match="circle"):
        load_layout("a", tmp_path)


def test_templates_autoescape_and_refuse_undefined_names() -> None:
    from jinja2 import UndefinedError

    env = load_layout("clinic", None).env
    assert env.from_string("{{ x }}").render(x="<b>{{ 7*7 }}</b>") == \
        "&lt;b&gt;{{ 7*7 }}&lt;/b&gt;"
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()
