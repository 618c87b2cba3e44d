"""Every message the layouts and renderers say, found in their source: the catalogue template.

Run from a checkout to refresh `locale/messages.pot` after a template or renderer gains or
changes a string, and to bring each packaged `messages.po` in step with it (new messages
come in untranslated, which the completeness test then reports; README: "Languages of the
layouts"):

    python -m leaflet_builder.i18n_extract

Babel's own extractors do the reading — `jinja2.ext.babel_extract` for the templates
(`_()`, `gettext`, `ngettext`, `{% trans %}`, trimmed as the environment trims them) and
Babel's Python extractor for `_()`, `gettext()`, `ngettext()`, `N_()` and `Wording.say()` in
the code — so the catalogue completeness test sees exactly what a translator is given.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import write_po

from leaflet_builder.i18n import DOMAIN, LOCALE_DIR

PACKAGE_DIR = Path(__file__).parent
KEYWORDS = {**DEFAULT_KEYWORDS, "say": None}
TEMPLATE_OPTIONS = {"trimmed": "true", "newstyle_gettext": "true"}


def extract(layouts_dir: Path | None = None) -> Catalog:
    """A catalogue of every message in the built-in layouts' templates and the package's code."""
    from leaflet_builder.layouts import builtin_layouts_dir

    catalog = Catalog(project="leaflet_builder", domain=DOMAIN, fuzzy=False)
    templates = layouts_dir or builtin_layouts_dir()
    sources = [
        (templates, [("**/templates/**.html", "jinja2"), ("**/templates/**.xhtml", "jinja2")],
         {"**.html": TEMPLATE_OPTIONS, "**.xhtml": TEMPLATE_OPTIONS}, templates.name),
        (PACKAGE_DIR, [("**.py", "python")], {}, "leaflet_builder"),
    ]
    for folder, method_map, options_map, label in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
                str(folder), method_map, options_map, keywords=KEYWORDS,
                comment_tags=("Translators:",), strip_comment_tags=True):
            catalog.add(message, None, [(f"{label}/{filename}", lineno)],
                        auto_comments=comments, context=context)
    return catalog


def pot_text(catalog: Catalog) -> str:
    buffer = io.BytesIO()
    # no dates in the file: refreshing it changes only what changed in the messages
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=False,
             include_lineno=False)
    text = buffer.getvalue().decode("utf-8")
    return "\n".join(line for line in text.splitlines()
                     if not line.startswith('"POT-Creation-Date')) + "\n"


def update_catalogue(path: Path, template: Catalog) -> Catalog:
    """`path`'s catalogue with the template's messages: translations kept, new ones empty,
    gone ones dropped (Babel's `Catalog.update`, without fuzzy guesses a reader would see)."""
    from babel.messages.pofile import read_po

    with path.open("rb") as stream:
        catalog = read_po(stream)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    return catalog


def po_text(catalog: Catalog) -> str:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=False, include_lineno=False,
             ignore_obsolete=True)
    return "\n".join(line for line in buffer.getvalue().decode("utf-8").splitlines()
                     if not line.startswith('"POT-Creation-Date')) + "\n"


def main() -> None:
    target = LOCALE_DIR / f"{DOMAIN}.pot"
    target.parent.mkdir(parents=True, exist_ok=True)
    catalog = extract()
    target.write_text(pot_text(catalog), encoding="utf-8")
    print(f"{target}: {len(catalog)} messages")
    for path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        updated = update_catalogue(path, catalog)
        path.write_text(po_text(updated), encoding="utf-8")
        missing = sum(1 for message in updated if message.id and not all(
            message.string if isinstance(message.string, (tuple, list)) else [message.string]))
        print(f"{path}: {missing} messages to translate")


if __name__ == "__main__":
    main()
