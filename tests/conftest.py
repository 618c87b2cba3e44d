"""Shared fixtures: the shipped content built once per session, and small test projects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import SHIPPED_SOURCE, run_cli


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped `source/` built once in every format with the default layout; returns dist/."""
    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(SHIPPED_SOURCE, root / "source")
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "dist"


@pytest.fixture(scope="session")
def shipped_pdf_builds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped `source/` as PDFs in the print and large-print layouts, built once; dist/."""
    root = tmp_path_factory.mktemp("shipped-pdf")
    shutil.copytree(SHIPPED_SOURCE, root / "source")
    result = run_cli("build", "--format", "pdf", "--layout", "print", "--layout", "large-print",
                     cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "dist"
