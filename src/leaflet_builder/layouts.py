"""Finding a layout (project's own, else built-in), its settings, files and Jinja2 environment."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from leaflet_builder.errors import LeafletError

LAYOUT_FILE = "layout.yaml"


def builtin_layouts_dir() -> Path:
    """The layouts shipped with the package (inside the wheel; the repo's `layouts/` when editable)."""
    packaged = Path(__file__).parent / "layouts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "layouts"


@dataclass(frozen=True)
class Layout:
    """A resolved layout: its folders, most specific first (a layout may extend another)."""

    name: str
    folders: tuple[Path, ...]
    settings: dict[str, Any]

    @property
    def template_dirs(self) -> list[str]:
        return [str(folder / "templates") for folder in self.folders]

    def find_file(self, relative: str) -> Path | None:
        """The first folder's copy of a layout file (CSS, reference.docx, images)."""
        for folder in self.folders:
            candidate = folder / relative
            if candidate.is_file():
                return candidate
        return None

    def read_text(self, relative: str) -> str:
        found = self.find_file(relative)
        if found is None:
            raise LeafletError(self.folders[0] / relative, 0, f"layout '{self.name}' has no {relative}")
        return found.read_text(encoding="utf-8")

    def files(self) -> list[Path]:
        """Every file the layout consists of (for build hashes and the URL fetcher)."""
        return sorted(p for folder in self.folders for p in folder.rglob("*") if p.is_file())

    def setting(self, *keys: str, default: Any = None) -> Any:
        value: Any = self.settings
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value

    @property
    def env(self) -> Environment:
        return _environment(self.folders)


def load_layout(name: str, project_root: Path | None) -> Layout:
    """Find layout `name` in the project's `layouts/` or the built-in ones, following `extends`."""
    folders: list[Path] = []
    settings: dict[str, Any] = {}
    current: str | None = name
    while current is not None:
        folder = _find_layout_folder(current, project_root)
        if folder is None:
            known = ", ".join(available_layouts(project_root))
            raise LeafletError(Path("layouts") / current, 0,
                               f"no layout '{current}'; available layouts: {known}")
        if folder in folders:
            raise LeafletError(folder / LAYOUT_FILE, 0, "layouts extend each other in a circle")
        folders.append(folder)
        own = _read_settings(folder)
        settings = _merge(own, settings)
        current = own.get("extends")
    settings.pop("extends", None)
    return Layout(name, tuple(folders), settings)


def available_layouts(project_root: Path | None) -> list[str]:
    roots = [builtin_layouts_dir()] + ([project_root / "layouts"] if project_root else [])
    return sorted({p.parent.name for root in roots for p in root.glob(f"*/{LAYOUT_FILE}")})


def _find_layout_folder(name: str, project_root: Path | None) -> Path | None:
    for root in ([project_root / "layouts"] if project_root else []) + [builtin_layouts_dir()]:
        if (root / name / LAYOUT_FILE).is_file():
            return (root / name).resolve()
    return None


def _read_settings(folder: Path) -> dict[str, Any]:
    path = folder / LAYOUT_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LeafletError(path, mark.line + 1 if mark else 0, f"YAML syntax error: {exc}") from None
    if not isinstance(data, dict):
        raise LeafletError(path, 1, "layout.yaml must be a mapping of settings")
    return data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: the more specific layout's settings win."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@functools.lru_cache(maxsize=16)
def _environment(folders: tuple[Path, ...]) -> Environment:
    """One Jinja2 environment per layout per process: templates compile once and are reused.

    Content is only ever data to these templates (never a template itself); autoescaping is
    on for every template and undefined names are errors, not silent blanks.
    """
    env = Environment(
        loader=FileSystemLoader([str(folder / "templates") for folder in folders]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env
