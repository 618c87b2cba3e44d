"""The words the layouts add around a leaflet, in the leaflet's language (gettext catalogues).

"About this leaflet", "Page 1 of 3", DRAFT, the callout labels and the dates are not in the
source: the layouts add them, so they must follow the reader's language, not the code's.
They live in standard gettext catalogues (`messages.po`), one per language:

- packaged: `leaflet_builder/locale/<lang>/LC_MESSAGES/messages.po` (en, cy, ar);
- a project's layout may add a language or override single messages of one in
  `layouts/<name>/locale/<lang>/LC_MESSAGES/messages.po` (the more specific layout wins).

The .po files are read as they are (Babel's `read_po`) rather than compiled to .mo: there is
no build step to forget and no compiled file to go stale beside its source, and a layout's
catalogue is untrusted input we must check line by line anyway. A message whose translation
has other placeholders than the original (`%(phone)s` left out, `%(page)s` misspelt) is an
error at `path:line` when the catalogue is read — never a crash, or a silently lost phone
number, when a leaflet is rendered. Fuzzy and empty translations are not used (the English
wording shows instead), as gettext's own tools do.

A language with no catalogue gets English wording; the build and `leaflet check` say so once
per language (`missing_catalogue_diagnostics`).
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from leaflet_builder.errors import Diagnostic, LeafletError, Location

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
FALLBACK_LANGUAGE = "en"
# how a language's dates are written when the catalogue's own code is not what Babel needs:
# plain `en` is American English in Babel (November 21, 2026); the clinics are British
_DATE_LOCALES = {"en": "en_GB"}
# one printf-style conversion: `%(name)s`, `%s`, `%%`, with optional flags, width, precision
_CONVERSION_RE = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*\d*(?:\.\d+)?([a-zA-Z%])?")
_TAG_RE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*")
# a line of a .po file: a keyword and a quoted string, a continued string, or a comment
_PO_LINE_RE = re.compile(
    r'^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"\s*$')


def N_(message: str) -> str:  # the name every gettext extractor knows
    """Mark `message` for the catalogue where it is defined; it is translated where used."""
    return message


def catalogue_language(tag: str) -> str:
    """The catalogue folder name of a BCP 47 tag: `cy-GB` -> `cy_GB` (then `cy` is tried)."""
    parts = tag.replace("_", "-").split("-")
    return "_".join([parts[0].lower(), *(p.upper() for p in parts[1:] if len(p) == 2)])


def _candidates(tag: str) -> list[str]:
    # the tag becomes a folder name: letters, digits and hyphens only (the source reader
    # checks BCP 47 already; this keeps `../` out however a tag arrives)
    if not _TAG_RE.fullmatch(tag):
        return []
    name = catalogue_language(tag)
    primary = name.split("_")[0]
    return [name] if name == primary else [name, primary]


def catalogue_files(tag: str, layout_folders: Iterable[Path]) -> list[Path]:
    """The .po files that make up `tag`'s wording, least specific first (packaged, then the
    layouts from the one extended to the one named); empty when no catalogue has it."""
    folders = list(layout_folders)
    for name in _candidates(tag):
        found = [LOCALE_DIR / name / "LC_MESSAGES" / f"{DOMAIN}.po"]
        for folder in reversed(folders):
            path = folder / "locale" / name / "LC_MESSAGES" / f"{DOMAIN}.po"
            # as every layout file: a link out of the layout folder is refused, not followed
            if path.is_file() and not path.resolve().is_relative_to(folder.resolve()):
                raise LeafletError(path, 0, "message catalogue is a symbolic link to "
                                   f"{path.resolve()}, outside the layout folder {folder} — "
                                   "copy the file into the layout instead of linking")
            found.append(path)
        existing = [path for path in found if path.is_file()]
        if existing:
            return existing
    return []


def has_catalogue(tag: str, layout_folders: Iterable[Path]) -> bool:
    return bool(catalogue_files(tag, layout_folders))


class Catalogue(gettext.NullTranslations):
    """A gettext translations object built from checked .po messages (no .mo file needed)."""

    def __init__(self, messages: dict[str, tuple[str, ...]], plural: Callable[[int], int]) -> None:
        super().__init__()
        self._messages = messages
        self._plural = plural

    def gettext(self, message: str) -> str:
        forms = self._messages.get(message)
        return forms[0] if forms else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        forms = self._messages.get(msgid1)
        if not forms:
            return msgid1 if n == 1 else msgid2
        index = self._plural(n)
        return forms[index] if 0 <= index < len(forms) else forms[-1]


@dataclass(frozen=True)
class Wording:
    """The layouts' words in one language: what the Python renderers call for their strings.

    Templates never get this object: they get its two functions, sandboxed
    (`template_sandbox.install_messages`).
    """

    language: str  # the catalogue used: the leaflet's language, or `en` when it has none
    translations: gettext.NullTranslations
    missing: bool = False  # True when the requested language had no catalogue

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return self.translations.ngettext(singular, plural, number)

    def say(self, message: str, **values: object) -> str:
        """The translated `message` with its `%(name)s` placeholders filled in."""
        return self.gettext(message) % values

    def date(self, day: dt.date | None) -> str:
        """`21 November 2026`, `21 Tachwedd 2026`, `21 نوفمبر 2026`: day, month in words, year.

        The long form names the month, so no reader mistakes 3/4 for 4 March or 3 April.
        Digits are Western (0-9) in every language, Arabic too: CLDR's default for `ar`, the
        digits of the NHS letters, phone numbers and doses in the same leaflet.
        """
        if day is None:
            return ""
        from babel import UnknownLocaleError
        from babel.dates import format_date

        try:
            return format_date(day, format="long", locale=date_locale(self.language))
        except (UnknownLocaleError, ValueError):
            # a layout's catalogue for a language CLDR does not know: its words, British dates
            return format_date(day, format="long", locale=date_locale(FALLBACK_LANGUAGE))


def date_locale(language: str) -> str:
    return _DATE_LOCALES.get(language, language)


def catalogue_stamp(tag: str, layout_folders: tuple[Path, ...] = ()
                    ) -> tuple[tuple[str, int, int], ...]:
    """Which catalogue files make `tag`'s wording, and their versions (time and size): a key
    under which what was read from them may be kept, so `leaflet watch` reads an edited
    catalogue again."""
    stamps = []
    for path in catalogue_files(tag, layout_folders):
        stat = path.stat()
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


def wording(tag: str, layout_folders: tuple[Path, ...] = ()) -> Wording:
    """The wording for language `tag` with the layout's catalogues over the packaged one.

    A broken catalogue raises LeafletError at its file and line.
    """
    return _wording(tag, layout_folders, catalogue_stamp(tag, layout_folders))


@functools.lru_cache(maxsize=64)
def _wording(tag: str, layout_folders: tuple[Path, ...],
             stamp: tuple[tuple[str, int, int], ...]) -> Wording:
    files = [Path(path) for path, _, _ in stamp]
    if not files:
        english = wording(FALLBACK_LANGUAGE, layout_folders) if \
            catalogue_language(tag) != FALLBACK_LANGUAGE else None
        translations = english.translations if english else gettext.NullTranslations()
        return Wording(FALLBACK_LANGUAGE, translations, missing=True)
    messages: dict[str, tuple[str, ...]] = {}
    plurals: list[Callable[[int], int]] = []
    for path in files:
        own, own_plural = read_catalogue(path)
        messages.update(own)  # message by message: the more specific catalogue wins
        plurals.append(own_plural)
    # the plural rule is the least specific catalogue's: the packaged one when there is one
    # (checked), not the default header of a .pot a layout author copied
    return Wording(files[0].parent.parent.name, Catalogue(messages, plurals[0]))


def read_catalogue(path: Path) -> tuple[dict[str, tuple[str, ...]], Callable[[int], int]]:
    """One .po file's translated messages (msgid -> its forms) and its plural rule, checked."""
    from babel.messages.pofile import read_po

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LeafletError(path, text_line_of(path, exc.start), "message catalogue is not "
                           "UTF-8 text — save it as UTF-8") from None
    _check_po_syntax(path, text)
    try:
        with path.open("rb") as stream:
            catalog = read_po(stream, abort_invalid=True)
    except Exception as exc:  # noqa: BLE001 - Babel's reader: any failure is the file's fault
        line = getattr(exc, "lineno", 0) or 0
        raise LeafletError(path, int(line), f"message catalogue could not be read: {exc}"
                           ) from None
    try:
        plural = gettext.c2py(catalog.plural_expr)
    except ValueError:
        raise LeafletError(path, _line_of(text, "Plural-Forms"), "the Plural-Forms header "
                           f"'{catalog.plural_expr}' is not a valid rule — copy it from the "
                           "packaged catalogue of a language with the same plurals") from None
    messages: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = tuple(str(part) for part in message.id) if isinstance(message.id, (tuple, list)) \
            else (str(message.id),)
        forms = tuple(str(part or "") for part in message.string) \
            if isinstance(message.string, (tuple, list)) else (str(message.string or ""),)
        if not all(forms):
            continue  # untranslated: the English wording shows
        line = message.lineno or 0
        if len(ids) > 1 and len(forms) != catalog.num_plurals:
            raise LeafletError(path, line, f"'{ids[0]}' has {len(forms)} plural "
                               f"forms, the catalogue's Plural-Forms says {catalog.num_plurals}")
        _check_placeholders(path, line, ids, forms)
        messages[ids[0]] = tuple(forms)
    return messages, plural


def _check_po_syntax(path: Path, text: str) -> None:
    """Refuse what Babel's lenient reader would take silently (`msgid "Bad` loses its last
    letter): every line is a comment, a keyword with a quoted string, or a quoted string."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not _PO_LINE_RE.match(stripped):
            raise LeafletError(path, number, "message catalogue syntax error: each line must "
                               'be a comment (#), msgid "...", msgstr "..." or a continued '
                               '"..." string, with its closing quote (write \\" for a quote '
                               "inside)")


def _check_placeholders(path: Path, line: int, ids: tuple[str, ...],
                        forms: tuple[str, ...]) -> None:
    wanted = set().union(*(conversions(text) for text in ids))
    for form in forms:
        try:
            got = conversions(form)
        except ValueError as exc:
            raise LeafletError(path, line, f"translation of '{ids[0]}': {exc}") from None
        plural_form = len(ids) > 1
        # a plural form may leave the number out ("One leaflet"); nothing else may go missing
        if got - wanted or (not plural_form and got != wanted) or \
                (plural_form and wanted - got - {"%(num)d", "%(num)s"}):
            raise LeafletError(path, line, (
                f"the translation of '{ids[0]}' has the placeholders "
                f"{_listed(got)}, the original {_listed(wanted)} — keep each %(name)s exactly "
                "as in the msgid (the words around it may move), and write %% for a percent "
                "sign"))


def conversions(text: str) -> set[str]:
    """The printf-style placeholders of a message (`%(page)s`); ValueError for a stray `%`,
    an unnamed `%s` or a width (`%(x)99999s`), which a catalogue must not have."""
    found: set[str] = set()
    for match in _CONVERSION_RE.finditer(text):
        spec = match.group(0)
        if spec == "%%":
            continue
        if match.group(1) is None or match.group(2) is None or \
                not re.fullmatch(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sd]", spec):
            raise ValueError(f"'{spec}' is not a placeholder — use %(name)s as in the "
                             "original, and %% for a percent sign")
        found.add(spec)
    return found


def _listed(specs: set[str]) -> str:
    return ", ".join(sorted(specs)) if specs else "(none)"


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 0


def text_line_of(path: Path, offset: int) -> int:
    """The 1-based line of byte `offset` in `path` (for an encoding error)."""
    return path.read_bytes()[:offset].count(b"\n") + 1


def language_diagnostics(documents: Iterable[tuple[str, Path]],
                         layouts: Iterable[tuple[str, tuple[Path, ...]]]) -> list[Diagnostic]:
    """What the build and `leaflet check` say about the wording of the languages in use.

    `documents`: (language, source file) of every leaflet and booklet; `layouts`: (name,
    folders) of each layout in use. One warning per language with no catalogue — however
    many leaflets, formats and layouts use it — at the first file written in it, naming the
    layouts and saying how to add one; one error per catalogue that cannot be read.
    """
    first: dict[str, Path] = {}
    for tag, path in sorted(documents, key=lambda item: str(item[1])):
        first.setdefault(tag, path)
    layouts = list(layouts)
    found: list[Diagnostic] = []
    broken: dict[Location, Diagnostic] = {}
    for tag, path in sorted(first.items()):
        lacking = []
        for name, folders in layouts:
            try:
                if not has_catalogue(tag, folders):
                    lacking.append(name)
            except LeafletError as exc:  # a catalogue linked out of its layout
                broken.setdefault(exc.location, exc.diagnostic)
        if lacking:
            name = lacking[0]
            found.append(Diagnostic(Location(path, _language_line(path)), (
                f"no wording for language '{tag}' in layout{'s' if len(lacking) > 1 else ''} "
                f"{', '.join(repr(n) for n in lacking)}: the words the layout adds (About this "
                "leaflet, Page 1 of 2, DRAFT, dates) stay English — to add them, translate "
                f"{LOCALE_DIR.name}/{DOMAIN}.pot of the package into layouts/{name}/locale/"
                f"{catalogue_language(tag)}/LC_MESSAGES/{DOMAIN}.po (README: Languages of "
                "the layouts)"), "warning"))
        for _, folders in layouts:
            try:
                wording(tag, folders)
            except LeafletError as exc:
                broken.setdefault(exc.location, exc.diagnostic)
    return found + list(broken.values())


def _language_line(path: Path) -> int:
    """The line of a source's `language:` field (0 when it has none: the project's default)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 0
    return next((number for number, line in enumerate(text.splitlines(), start=1)
                 if re.match(r"language\s*:", line)), 0)
