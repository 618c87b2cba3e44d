"""Test helpers: external tools that must fail under CI, small projects, running the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REPO = Path(__file__).resolve().parents[1]
SHIPPED_SOURCE = REPO / "source"


def require_tool(command: str) -> str:
    """Path of an external command; skip locally when missing, but fail under CI=true."""
    found = shutil.which(command)
    if found:
        return found
    message = f"{command} is not installed (the README's test command installs it)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def require_module(name: str) -> Any:
    """Import a test-only module; skip locally when missing, fail under CI=true."""
    try:
        return __import__(name)
    except ImportError:
        if IN_CI:
            pytest.fail(f"python package {name} is missing")
        pytest.skip(f"python package {name} is missing")


def leaflet_text(body: str = "Some text.\n", **front: Any) -> str:
    """A leaflet file: front matter from keyword arguments (defaults make it valid)."""
    fields: dict[str, Any] = {"title": "A test leaflet", "summary": "A short summary.",
                              "status": "draft"}
    fields.update(front)
    fields = {k: v for k, v in fields.items() if v is not None}
    return "---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True) + "---\n" + \
        textwrap.dedent(body)


def make_project(root: Path, leaflets: dict[str, str], project: dict[str, Any] | None = None,
                 booklets: dict[str, dict[str, Any]] | None = None,
                 files: dict[str, bytes] | None = None) -> Path:
    """Write a content project under `root`; return its `source/` folder."""
    source = root / "source"
    source.mkdir(parents=True, exist_ok=True)
    for slug, text in leaflets.items():
        (source / f"{slug}.md").write_text(text, encoding="utf-8")
    if project is not None:
        (source / "project.yaml").write_text(yaml.safe_dump(project, allow_unicode=True),
                                             encoding="utf-8")
    for slug, data in (booklets or {}).items():
        (source / "booklets").mkdir(exist_ok=True)
        (source / "booklets" / f"{slug}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for relative, content in (files or {}).items():
        path = source / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return source


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the installed `leaflet` command as a user would (a real process, real exit code)."""
    return subprocess.run(
        ["leaflet", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})}, check=False,  # the exit code is what tests check
    )


def manifest(out_dir: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((out_dir / "manifest.json").read_text())["outputs"]
    return data


def png_bytes(width: int = 40, height: int = 30, colour: tuple[int, int, int] = (0, 94, 184)) -> bytes:
    """A small real PNG for image tests."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def page_blocks(pdf: Path) -> Any:
    """Page 1 of `pdf` drawn at 300 dpi in grey, as the mean of each 8 x 8 pixel block (a
    numpy array): where two drawings of one page are compared, a glyph out of place by a
    quarter of a point shows, anti-aliasing noise does not."""
    import numpy as np
    from PIL import Image

    pdftoppm = require_tool("pdftoppm")
    stem = pdf.with_suffix("")
    subprocess.run([pdftoppm, "-r", "300", "-gray", "-singlefile", str(pdf), str(stem)],
                   check=True)
    image = np.asarray(Image.open(stem.with_suffix(".pgm")), dtype=float)
    height, width = (image.shape[0] // 8) * 8, (image.shape[1] // 8) * 8
    return image[:height, :width].reshape(height // 8, 8, width // 8, 8).mean(axis=(1, 3))
