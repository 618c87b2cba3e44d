"""Finding a layout (project's own, else built-in), its settings, files and Jinja2 environment."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)

from leaflet_builder.errors import LeafletError
from leaflet_builder.i18n import FALLBACK_LANGUAGE, N_, catalogue_stamp, wording
from leaflet_builder.layout_urls import check_stylesheet_references
from leaflet_builder.source.schema import close_match
from leaflet_builder.source.yamlmap import describe_syntax_error
from leaflet_builder.template_sandbox import LayoutSandbox, install_messages

LAYOUT_FILE = "layout.yaml"
# What a callout's kind is called in print; a layout may rename them (`labels: callout:`);
# either way the word is looked up in the language's catalogue (`callout_labels_in`)
DEFAULT_CALLOUT_LABELS = {"note": N_("Note"), "tip": N_("Tip"), "warning": N_("Important")}
# what a screen reader hears a callout called (`aria-label`, from its kind): the same words
CALLOUT_KIND_NAMES = (N_("Note"), N_("Tip"), N_("Warning"))
# a layout name becomes a folder name under --out: letters, digits, hyphens, underscores only
LAYOUT_NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,63})$")


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
    # where each setting is written: (key path, layout.yaml, line), the most specific layout's
    # first, so messages point at the line that set a value without searching files again
    setting_lines: tuple[tuple[tuple[str, ...], Path, int], ...] = field(
        default=(), repr=False, compare=False)

    def line_of(self, *keys: str) -> tuple[Path, int]:
        """The layout.yaml and line that set the setting at `keys` (e.g. "type", "body_pt")."""
        for path_of_keys, path, line in self.setting_lines:
            if path_of_keys == keys:
                return path, line
        return self.folders[0] / LAYOUT_FILE, 0

    def find_file(self, relative: str) -> Path | None:
        """The first folder's copy of a layout file (CSS, reference.docx, images).

        A file that leads out of its layout folder (`..`, or a symbolic link to elsewhere)
        is an error: a shared layout must not be able to read other files of the machine.
        """
        for folder in self.folders:
            candidate = folder / relative
            if candidate.is_file():
                if not candidate.resolve().is_relative_to(folder):
                    raise LeafletError(candidate, 0, f"layout file '{relative}' leads outside "
                                                     f"the layout folder {folder} — copy the "
                                                     "file into the layout instead of linking")
                return candidate
        return None

    def read_text(self, relative: str) -> str:
        found = self.find_file(relative)
        if found is None:
            raise LeafletError(self.folders[0] / relative, 0, f"layout '{self.name}' has no {relative}")
        text = found.read_text(encoding="utf-8")
        if found.suffix.lower() == ".css":
            check_stylesheet_references(text, found)
        return text

    def files(self) -> list[Path]:
        """Every file the layout consists of (for build hashes): only those inside its folders."""
        return sorted(p for folder in self.folders for p in folder.rglob("*")
                      if p.is_file() and p.resolve().is_relative_to(folder))

    def setting(self, *keys: str, default: Any = None) -> Any:
        value: Any = self.settings
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value

    @property
    def env(self) -> Environment:
        """The English environment (see `environment` for a document's own language)."""
        return self.environment(FALLBACK_LANGUAGE)

    def environment(self, language: str) -> Environment:
        """The Jinja2 environment whose `_()` speaks `language` (English when it has no
        catalogue). A broken catalogue of the layout raises LeafletError at its line."""
        said = wording(language, self.folders).language
        # the catalogue's version is part of the key: an edited catalogue makes a new one
        return _environment(self.folders, tuple(self.callout_labels.items()), said,
                            catalogue_stamp(said, self.folders))

    def callout_labels_in(self, language: str) -> dict[str, str]:
        """The callout labels in `language`: each word through its catalogue."""
        words = wording(language, self.folders)
        return {kind: words.gettext(label) for kind, label in self.callout_labels.items()}

    @property
    def callout_labels(self) -> dict[str, str]:
        """The words every format prints before a callout's title (`labels: callout:`)."""
        labels = self.setting("labels", "callout", default={})
        own = {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
        return {**DEFAULT_CALLOUT_LABELS, **own}


def load_layout(name: str, project_root: Path | None) -> Layout:
    """Find layout `name` in the project's `layouts/` or the built-in ones, following `extends`."""
    folders: list[Path] = []
    settings: dict[str, Any] = {}
    lines: list[tuple[tuple[str, ...], Path, int]] = []
    current: str | None = name
    while current is not None:
        if not isinstance(current, str) or not LAYOUT_NAME_RE.fullmatch(current):
            raise LeafletError(Path("layouts"), 0, f"layout name {current!r} is not valid — use "
                                                   "letters, digits and hyphens, e.g. 'clinic'")
        folder = _find_layout_folder(current, project_root)
        if folder is None:
            names = available_layouts(project_root)
            guess = close_match(current, names)
            hint = f"did you mean '{guess}'? " if guess else ""
            raise LeafletError(Path("layouts") / current, 0,
                               f"no layout '{current}'; {hint}available layouts: "
                               f"{', '.join(names)}")
        if folder in folders:
            raise LeafletError(folder / LAYOUT_FILE, 0, "layouts extend each other in a circle")
        folders.append(folder)
        own, own_lines = _read_settings(folder)
        lines += [(keys, folder / LAYOUT_FILE, line) for keys, line in own_lines]
        settings = _merge(own, settings)
        current = own.get("extends")
    settings.pop("extends", None)
    return Layout(name, tuple(folders), settings, tuple(lines))


def available_layouts(project_root: Path | None) -> list[str]:
    roots = [builtin_layouts_dir()] + ([project_root / "layouts"] if project_root else [])
    return sorted({p.parent.name for root in roots for p in root.glob(f"*/{LAYOUT_FILE}")})


def _find_layout_folder(name: str, project_root: Path | None) -> Path | None:
    for root in ([project_root / "layouts"] if project_root else []) + [builtin_layouts_dir()]:
        if (root / name / LAYOUT_FILE).is_file():
            folder = (root / name).resolve()
            if not folder.is_relative_to(root.resolve()):
                raise LeafletError(root / name, 0, f"layout folder '{name}' is a symbolic link to "
                                                   f"{folder}, outside {root} — copy the layout "
                                                   "into the project instead of linking to it")
            return folder
    return None


def _date_filter(language: str, folders: tuple[Path, ...]) -> Any:
    """`|format_date` in one language: `21 November 2026`, `21 Tachwedd 2026` (as every
    format writes a date)."""
    words = wording(language, folders)

    def format_date(day: Any) -> str:
        return words.date(day) if isinstance(day, dt.date) else ""

    return format_date


def text_direction(text: Any) -> str:
    """`|text_direction`: "rtl" or "ltr" by the first letter of `text` that has a direction
    (as HTML's dir="auto"), "" when it has none. A template marks a stretch of another script
    with it — an English source title in an Arabic list — so its punctuation stays at its end
    (WeasyPrint does not implement dir="auto")."""
    for char in str(text):
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return ""


def _read_settings(folder: Path) -> tuple[dict[str, Any], list[tuple[tuple[str, ...], int]]]:
    path = folder / LAYOUT_FILE
    if not path.resolve().is_relative_to(folder):
        raise LeafletError(path, 0, f"{LAYOUT_FILE} is a symbolic link to {path.resolve()}, "
                                    "outside the layout folder — copy the file into the layout")
    text = path.read_text(encoding="utf-8")
    loader = yaml.SafeLoader(text)
    try:  # one parse: the node gives the settings and the line of each key
        node = loader.get_single_node()
        data = (loader.construct_document(node) if node is not None else None) or {}
    except yaml.MarkedYAMLError as exc:  # in words, at the faulty line, as for sources
        index, problem = describe_syntax_error(exc, text)
        raise LeafletError(path, index + 1, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise LeafletError(path, 0, f"YAML syntax error: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise LeafletError(path, 1, "layout.yaml must be a mapping of settings")
    return data, _key_lines(node)


def _key_lines(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], int]]:
    """(key path, line) of every mapping key under `node`, as the YAML parser saw them."""
    found: list[tuple[tuple[str, ...], int]] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            keys = (*prefix, str(key.value))
            found.append((keys, key.start_mark.line + 1))
            found += _key_lines(value, keys)
    return found


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: the more specific layout's settings win."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class LinkedTemplate(TemplateNotFound):
    """A template that is a symbolic link out of its layout: reported at the link itself."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(path.name, message)
        self.path = path


class _ConfinedLoader(FileSystemLoader):
    """FileSystemLoader that refuses a template whose real path leaves its layout folder.

    The check is against the layout folder (already resolved), not against its `templates/`
    folder resolved: a `templates/` that is itself a link to `/etc` would otherwise make
    every file under `/etc` look inside. A link at any depth is caught because the template's
    whole real path is compared.
    """

    def __init__(self, folders: tuple[Path, ...]) -> None:
        super().__init__([str(folder / "templates") for folder in folders])
        self.folders = folders

    def get_source(self, environment: Environment, template: str) -> Any:
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(filename).resolve()
        for folder, root in zip(self.folders, self.searchpath, strict=True):
            if filename.startswith(root + "/") and not real.is_relative_to(folder):
                raise LinkedTemplate(Path(filename), (
                    f"template '{template}' is a symbolic link to {real}, outside the layout "
                    f"folder {folder} — copy the file into the layout instead of linking"))
        return source, filename, uptodate


@functools.lru_cache(maxsize=64)
def _environment(folders: tuple[Path, ...], callout_labels: tuple[tuple[str, str], ...],
                 language: str, stamp: tuple[tuple[str, int, int], ...] = ()) -> Environment:
    """One Jinja2 environment per layout and language per process: templates compile once
    and are reused. The language's catalogue is installed on it (jinja2.ext.i18n), so a
    render never swaps translations on an environment another render shares.

    Content is only ever data to these templates (never a template itself); autoescaping is
    on for every template and undefined names are errors, not silent blanks. The environment is
    sandboxed: a layout shared between teams cannot reach Python internals
    (`''.__class__.__mro__`) from a template and run code on the build server.
    """
    env = LayoutSandbox(
        loader=_ConfinedLoader(folders),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    # `{% trans %}` blocks are joined to one line, as the extractor (i18n_extract) reads them
    env.policies["ext.i18n.trimmed"] = True
    words = wording(language, folders)
    install_messages(env, words.gettext, words.ngettext)
    # layout-wide words every template may use (the DOCX renderer reads the same ones)
    env.globals["callout_labels"] = {kind: words.gettext(label) for kind, label in callout_labels}
    # dates are data; how to write one is a filter of ours, not a function handed in the data
    env.filters["format_date"] = _date_filter(language, folders)
    env.filters["text_direction"] = text_direction
    return env
