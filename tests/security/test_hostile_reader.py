"""Hostile input at the reader: bombs, escapes, odd encodings -> a located content error, fast.

Each case is a file an attacker (or an unlucky copy-paste) could put in source/; the reader
must answer with `path:line: what is wrong — what to do`, never another exception, never a
hang, never a silently shortened document.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from leaflet_builder.errors import Diagnostics, LeafletError
from leaflet_builder.model import ListBlock, plain_text
from leaflet_builder.project import load_project
from leaflet_builder.source.files import read_source_text
from leaflet_builder.source.markdown import parse_body
from leaflet_builder.source.yamlmap import load_yaml_with_lines
from tests.helpers import leaflet_text, make_project, png_bytes

FRONT = "---\ntitle: T\nsummary: S.\nstatus: draft\n"
BILLION_LAUGHS = "\n".join(
    ["title: T", "summary: S.", "status: draft", 'a: &a ["lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
       f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]" for i in range(9)]
)


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels: a decompression bomb's shape."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def read_one(tmp_path: Path, text: str | bytes, files: dict[str, bytes] | None = None) -> list[str]:
    """Build a one-leaflet project, read it, return the diagnostics as users see them."""
    source = make_project(tmp_path, {}, files=files)
    path = source / "case.md"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    project = load_project(source)
    return [d.display(tmp_path) for d in project.diagnostics.items]


# (file bytes or text, expected "path:line: fragment")
CASES: dict[str, tuple[str | bytes, str]] = {
    "python-object": (FRONT + "version: !!python/object/apply:os.system ['touch pwned']\n---\nx\n",
                      "source/case.md:5: YAML: the tag '!!python/object/apply:os.system' is not allowed"),
    "python-name": (FRONT + "version: !!python/name:os.system\n---\nx\n",
                    "source/case.md:5: YAML: the tag '!!python/name:os.system' is not allowed"),
    "custom-tag": (FRONT + "version: !shell ls\n---\nx\n", "source/case.md:5: YAML: the tag '!shell'"),
    "billion-laughs": ("---\n" + BILLION_LAUGHS + "\n---\nx\n",
                       "source/case.md:6: YAML syntax error: YAML aliases (*name) are not allowed"),
    "yaml-deep-flow": (FRONT + "tags: " + "[" * 50_000 + "\n---\nx\n",
                       "source/case.md:5: YAML syntax error: values are nested more than 20 levels"),
    "yaml-deep-block": (FRONT + "sources:\n" + "".join(" " * i + "- \n" for i in range(1, 60))
                        + "---\nx\n", "values are nested more than 20 levels deep"),
    "yaml-duplicate-key": (FRONT + "title: Again\n---\nx\n",
                           "source/case.md:5: YAML syntax error: 'title' is given twice — keep one"),
    "yaml-escaped-control": (FRONT + 'version: "1\\x07"\n---\nx\n',
                             "source/case.md:5: the value contains the control character U+0007"),
    "yaml-lone-surrogate": (FRONT + 'version: "\\ud800"\n---\nx\n',
                            "source/case.md:5: the value contains the control character U+D800"),
    "yaml-huge-int": (FRONT + "version: " + "9" * 6000 + "\n---\nx\n", "source/case.md:5: version"),
    "latin-1": ((FRONT + "---\nCaf\xe9 au lait.\n").encode("latin-1"),
                (f"source/case.md:6: not valid UTF-8 at byte offset {len(FRONT) + 7} (byte 0xe9) — "
                "save the file as UTF-8")),
    "utf-16": ((FRONT + "---\nText.\n").encode("utf-16"), "not valid UTF-8 at byte offset 0"),
    "nul-byte": ((FRONT + "---\nText\x00.\n").encode(), "source/case.md:6: a NUL byte"),
    "control-char": ((FRONT + "---\nText\x1b[31m.\n").encode(),
                     (f"source/case.md:6: the invisible control character U+001B at byte offset "
                     f"{len(FRONT) + 8}")),
    "noncharacter": (FRONT + "---\nText\uffff.\n", "the invisible control character U+FFFF"),
    "too-big": (FRONT + "---\n" + "word " * 210_000, "source/case.md: file is 1,050,0"),
    "deep-list": (FRONT + "---\n" + "".join("  " * i + f"- level {i}\n" for i in range(25)),
                  "source/case.md:26: lists and callouts are nested more than 20 levels deep — use fewer"),
    "deep-list-one-line": (FRONT + "---\n" + "- " * 5000 + "x\n", "nested more than 20 levels deep"),
    "deep-callouts": (FRONT + "---\n" + "".join(":" * (40 - i) + " note N\n" for i in range(30))
                      + "x\n" + "".join(":" * (11 + i) + "\n" for i in range(30)),
                      "lists and callouts are nested more than 20 levels deep"),
    "deep-emphasis": (FRONT + "---\n" + "*a " * 2000 + "x" + " a*" * 2000 + "\n",
                      "source/case.md:6: emphasis and links are nested more than 20 levels deep"),
    "deep-strong": (FRONT + "---\n" + "**" * 3000 + "x" + "**" * 3000 + "\n",
                    "emphasis and links are nested more than 20 levels deep"),
    "javascript-link": (FRONT + "---\n[x](JavaScript:alert(1))\n", "the 'JavaScript:' scheme is not allowed"),
    "javascript-autolink": (FRONT + "---\n<javascript:alert(1)>\n", "the 'javascript:' scheme"),
    "vbscript-reference": (FRONT + "---\n[x][r]\n\n[r]: vbscript:msgbox\n", "source/case.md:6: link 'vbscript:msgbox'"),
    "data-link": (FRONT + "---\n[x](data:text/html;base64,PHNjcmlwdD4=)\n", "the 'data:' scheme"),
    "file-link": (FRONT + "---\n[x](file:///etc/passwd)\n", "the 'file:' scheme is not allowed"),
    "image-decompression-bomb": (FRONT + "---\n![Bomb](images/bomb.png)\n",
                                 "source/case.md:6: image 'images/bomb.png': the image declares far more than 40 megapixels"),
    "image-49-megapixels": (FRONT + "---\n![Big](images/big.png)\n",
                            "image 'images/big.png': 7000x7000 pixels is over the 40 megapixel limit"),
    "image-over-20mb": (FRONT + "---\n![Huge](images/huge.png)\n", "images may be at most 20 MB"),
    "image-escape": (FRONT + "---\n![x](images/../../secret.png)\n", "leads outside source/"),
    "image-absolute": (FRONT + "---\n![x](/etc/hosts)\n", "absolute paths are not allowed"),
    "image-windows-absolute": (FRONT + "---\n![x](C:\\secret.png)\n", "must be local files"),
    "image-file-url": (FRONT + "---\n![x](file:///etc/hosts)\n", "must be local files inside source/"),
    "image-remote": (FRONT + "---\n![x](https://example.org/a.png)\n", "nothing is fetched from the network"),
    "image-protocol-relative": (FRONT + "---\n![x](//example.org/a.png)\n", "must be local files"),
    "hero-image-escape": (FRONT + "image:\n  src: ../secret.png\n  alt: A\n---\nx\n",
                          "source/case.md:6: image '../secret.png': the path leads outside source/"),
}

IMAGES = {
    "images/bomb.png": png_header_only(100_000, 100_000),
    "images/big.png": png_header_only(7_000, 7_000),
    "images/huge.png": png_bytes() + b"\x00" * (20 * 1024 * 1024 + 1),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_source_is_a_located_content_error(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    (tmp_path / "secret.png").write_bytes(png_bytes())
    messages = read_one(tmp_path, text, IMAGES if "image" in case else None)
    assert any(expected in m for m in messages), messages
    assert all(" — " in m or "YAML syntax error" in m or "scheme is not allowed" in m
               for m in messages if ": warning:" not in m), messages
    assert not (tmp_path / "pwned").exists()


def test_python_tag_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    read_one(tmp_path, FRONT + f"version: !!python/object/apply:os.system ['touch {marker}']\n---\nx\n")
    read_one(tmp_path, FRONT + f"version: !!python/object/new:os.system ['touch {marker}']\n---\nx\n")
    assert not marker.exists()


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    text = "\ufeff" + (FRONT + "---\n## Heading\n\nLine one\nline two.\n").replace("\n", "\r\n")
    source = make_project(tmp_path, {})
    (source / "crlf.md").write_bytes(text.encode("utf-8"))
    (source / "cr.md").write_bytes(text.replace("\r\n", "\r").encode("utf-8"))
    project = load_project(source)
    assert project.diagnostics.items == []
    for slug in ("crlf", "cr"):
        leaflet = project.leaflets[slug]
        assert leaflet.meta.title == "T"
        assert plain_text(leaflet.blocks[1].children) == "Line one line two."  # type: ignore[union-attr]
        assert leaflet.blocks[0].line == 6  # type: ignore[union-attr]


def test_twenty_levels_of_nesting_are_kept_whole(tmp_path: Path) -> None:
    """At the bound, nothing is dropped (markdown-it alone would stop at its own nesting limit)."""
    body = "".join("  " * i + f"- level {i}\n" for i in range(20))
    blocks = parse_body(body, tmp_path / "x.md", tmp_path, 0, Diagnostics())

    depth, block = 0, blocks[0]
    while isinstance(block, ListBlock):
        depth += 1
        last = block.items[0].blocks[-1]
        if not isinstance(last, ListBlock):
            assert plain_text(block.items[0].blocks[0].children) == f"level {depth - 1}"  # type: ignore[union-attr]
            break
        block = last
    assert depth == 20


def test_raw_html_is_dropped_with_a_warning(tmp_path: Path) -> None:
    diagnostics = Diagnostics()
    blocks = parse_body("<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> here.\n",
                        tmp_path / "x.md", tmp_path, 4, diagnostics)
    assert [d.display() for d in diagnostics.warnings] == [
        f"{tmp_path / 'x.md'}:5: warning: raw HTML is not allowed in leaflets and was left out",
        (f"{tmp_path / 'x.md'}:7: warning: raw HTML '<img src=x onerror=alert(1)>' is not allowed "
        "and was left out"),
    ]
    assert plain_text(blocks[0].children) == "Text  here."  # type: ignore[union-attr]


def test_symlinked_sources_leading_outside_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "stolen.md").write_text(leaflet_text(title="SECRET-LEAFLET"), encoding="utf-8")
    (outside / "stolen.yaml").write_text("title: SECRET\nleaflets: [good]\n", encoding="utf-8")
    (outside / "project.yaml").write_text("organisation: SECRET\n", encoding="utf-8")
    (outside / "secret.png").write_bytes(png_bytes())
    source = make_project(tmp_path / "proj", {
        "good": leaflet_text(), "with-image": leaflet_text("![Alt](images/linked.png)\n")})
    (source / "images").mkdir()
    (source / "images" / "linked.png").symlink_to(outside / "secret.png")
    (source / "linked.md").symlink_to(outside / "stolen.md")
    (source / "booklets").mkdir()
    (source / "booklets" / "linked.yaml").symlink_to(outside / "stolen.yaml")
    (source / "project.yaml").symlink_to(outside / "project.yaml")
    (source / "inside.md").symlink_to(source / "good.md")  # a link inside source/ is fine

    project = load_project(source)
    messages = [d.display(tmp_path / "proj") for d in project.diagnostics.items]
    assert "source/linked.md: this file is a symbolic link to" in "\n".join(messages)
    assert any(m.startswith("source/booklets/linked.yaml: this file is a symbolic link")
               for m in messages), messages
    assert any(m.startswith("source/project.yaml: this file is a symbolic link") for m in messages)
    assert any("source/with-image.md:6: image 'images/linked.png': the path leads outside source/"
               in m for m in messages), messages
    assert sorted(project.leaflets) == ["good", "inside"]
    assert "SECRET" not in repr(project.leaflets) + repr(project.booklets) + repr(project.settings)


def test_error_type_is_only_leaflet_error(tmp_path: Path) -> None:
    """The helpers raise LeafletError, never the parser's own exceptions."""
    path = tmp_path / "x.md"
    with pytest.raises(LeafletError):
        load_yaml_with_lines("a: [" * 1000, path)
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(LeafletError, match="byte offset 0"):
        read_source_text(path)
