"""The document model: frozen, typed nodes that every renderer reads (and nothing else)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar, Literal

# --- inlines ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str
    kind: ClassVar[str] = "text"


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]
    kind: ClassVar[str] = "strong"


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]
    kind: ClassVar[str] = "emphasis"


@dataclass(frozen=True)
class Code:
    text: str
    kind: ClassVar[str] = "code"


@dataclass(frozen=True)
class Link:
    """A link. `href` is an http(s)/mailto/tel URL, or empty when it points at a leaflet.

    `target_slug` names the leaflet a `slug.md` link points at; renderers link it where
    the target is in the same output and otherwise show the text alone.
    """

    href: str
    children: tuple[Inline, ...]
    target_slug: str | None = None
    # the source line of the link itself (0: unknown), for messages about its target; a
    # paragraph or table can span many lines, and the mistake is on this one
    line: int = field(default=0, compare=False)
    kind: ClassVar[str] = "link"


@dataclass(frozen=True)
class LineBreak:
    kind: ClassVar[str] = "linebreak"


Inline = Text | Strong | Emphasis | Code | Link | LineBreak

# --- blocks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asset:
    """A local file (image) the reader has checked: inside `source/`, present, within bounds."""

    path: Path  # resolved absolute path
    relative: str  # path relative to source/, with forward slashes
    media_type: str
    width: int
    height: int

    def read_bytes(self) -> bytes:
        """The picture as every format embeds it: pixels and colour profile, no metadata."""
        from leaflet_builder.source.image_meta import strip_metadata

        return strip_metadata(self.path.read_bytes())


@dataclass(frozen=True)
class Heading:
    """A section heading; level 1 is the source's `##` (the title is the leaflet's level 0)."""

    level: int
    children: tuple[Inline, ...]
    anchor: str
    line: int
    kind: ClassVar[str] = "heading"


@dataclass(frozen=True)
class Paragraph:
    children: tuple[Inline, ...]
    line: int
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class ListItem:
    blocks: tuple[Block, ...]
    line: int
    kind: ClassVar[str] = "list_item"


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[ListItem, ...]
    line: int
    start: int = 1
    kind: ClassVar[str] = "list"


Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class TableCell:
    children: tuple[Inline, ...]
    align: Align | None = None


@dataclass(frozen=True)
class Table:
    header: tuple[TableCell, ...]
    rows: tuple[tuple[TableCell, ...], ...]
    line: int
    kind: ClassVar[str] = "table"


@dataclass(frozen=True)
class Image:
    asset: Asset
    alt: str
    line: int
    title: str = ""
    kind: ClassVar[str] = "image"


CalloutKind = Literal["note", "tip", "warning"]


@dataclass(frozen=True)
class Callout:
    callout: CalloutKind
    title: tuple[Inline, ...]
    blocks: tuple[Block, ...]
    line: int
    kind: ClassVar[str] = "callout"


Block = Heading | Paragraph | ListBlock | Table | Image | Callout

# --- documents -------------------------------------------------------------------------------

Status = Literal["draft", "approved", "withdrawn"]
LeafletKind = Literal["article", "glossary"]


@dataclass(frozen=True)
class SourceRef:
    title: str
    url: str | None = None
    accessed: dt.date | None = None


@dataclass(frozen=True)
class HeroImage:
    asset: Asset
    alt: str


@dataclass(frozen=True)
class LeafletMeta:
    """The validated front matter of one leaflet, with review dates already worked out."""

    title: str
    summary: str
    status: Status
    language: str
    kind: LeafletKind = "article"
    pronunciation: str | None = None
    part_of_speech: str | None = None
    origin: str | None = None
    reviewed: dt.date | None = None
    reviewer: str | None = None
    review_due: dt.date | None = None
    version: str | None = None
    sources: tuple[SourceRef, ...] = ()
    related: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image: HeroImage | None = None
    replaced_by: str | None = None  # a withdrawn leaflet's successor (its web page links there)
    aliases: tuple[str, ...] = ()  # earlier slugs; the web site redirects them here
    translation_of: str | None = None  # the original this leaflet translates (its slug)
    translation_version: str | None = None  # the original's `version` it was translated from
    # front-matter key -> line, so later checks can point at the field
    field_lines: tuple[tuple[str, int], ...] = ()

    @property
    def is_draft(self) -> bool:
        return self.status != "approved"

    @property
    def is_rtl(self) -> bool:
        return is_rtl_language(self.language)

    def line_of(self, key: str) -> int:
        return dict(self.field_lines).get(key, 1)


# The date of a leaflet whose source states none (a draft with no review or source-access
# date): fixed, so outputs never take the clock's time or a file's save time, which a checkout
# resets; the earliest date a ZIP entry (DOCX, EPUB) can hold. Never shown to readers.
UNDATED = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Leaflet:
    """One leaflet: its slug, where it came from, its metadata and its body."""

    slug: str
    path: Path
    meta: LeafletMeta
    blocks: tuple[Block, ...]
    # the newest date the source states (UNDATED when none), for dates not from the clock
    source_date: dt.datetime = field(default=UNDATED)
    # sha256 of the text this model was read from: the build's fingerprint uses it, not the
    # file on disk, which an editor may have saved again since (build/fingerprint.py)
    source_digest: str = ""


@dataclass(frozen=True)
class BookletTranslation:
    """One language version a booklet asks for (`translations:` in its file)."""

    language: str
    title: str
    subtitle: str | None = None
    cover: HeroImage | None = None
    line: int = 0  # where the booklet file names this language


@dataclass(frozen=True)
class Booklet:
    """A collection of leaflets, read from `source/booklets/<slug>.yaml`."""

    slug: str
    path: Path
    title: str
    language: str
    leaflets: tuple[str, ...]
    subtitle: str | None = None
    cover: HeroImage | None = None
    source_digest: str = ""  # as Leaflet.source_digest
    # where the reader found things, so messages point at them without reading the file
    # again: top-level key -> line, and the line of each entry of `leaflets` (same order)
    field_lines: tuple[tuple[str, int], ...] = field(default=(), repr=False, compare=False)
    member_lines: tuple[int, ...] = field(default=(), repr=False, compare=False)
    translations: tuple[BookletTranslation, ...] = ()
    # a language version's booklet: the slug of the booklet it was made from (project.py)
    translation_of: str | None = None

    @property
    def is_rtl(self) -> bool:
        return is_rtl_language(self.language)

    def line_of(self, key: str) -> int:
        return dict(self.field_lines).get(key, 1)

    def member_line(self, slug: str) -> int:
        """The line `slug` is listed on in `leaflets` (its first listing; 1 when not known)."""
        for member, line in zip(self.leaflets, self.member_lines, strict=False):
            if member == slug:
                return line
        return 1


@dataclass(frozen=True)
class CheckSettings:
    max_grade: float = 8.0
    plain_terms: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()


@dataclass(frozen=True)
class UrgentSettings:
    """`urgent:` in project.yaml: what every leaflet's "When to call us" block shows."""

    phone: str
    fever_threshold_c: float = 37.5
    emergency_number: str = "999"


@dataclass(frozen=True)
class SiteSettings:
    """`site:` in project.yaml. Large print is on by default: low-vision patients are a core
    audience, and a plain `leaflet build` should publish it without anyone asking."""

    large_print: bool = True


@dataclass(frozen=True)
class ProjectLines:
    """The project's contact, feedback and other-formats lines in one more language
    (`languages:` in project.yaml)."""

    contact: str | None = None
    feedback: str | None = None
    other_formats: str | None = None


@dataclass(frozen=True)
class ProjectSettings:
    """`source/project.yaml`: everything is optional."""

    organisation: str | None = None
    language: str = "en"
    contact: str | None = None
    base_url: str | None = None
    review_interval_years: int = 3
    default_layout: str = "clinic"
    feedback: str | None = None
    other_formats: str | None = None
    check: CheckSettings = CheckSettings()
    urgent: UrgentSettings | None = None
    site: SiteSettings = SiteSettings()
    # language tag -> the three lines above in that language: a Welsh leaflet that ends in
    # "Ask us for this leaflet in another language" in English tells a Welsh reader nothing
    languages: tuple[tuple[str, ProjectLines], ...] = ()
    # setting -> the line of project.yaml it is on, nested ones dotted ("check.disable"), so
    # checks point at a setting without reading the file again; repr=False: the build's
    # fingerprint is the repr, and moving a line changes no output
    field_lines: tuple[tuple[str, int], ...] = field(default=(), repr=False, compare=False)

    def line_of(self, key: str) -> int:
        """The line of setting `key` ("check.disable"); 0 when project.yaml does not set it."""
        return dict(self.field_lines).get(key, 0)

    def lines_for(self, language: str) -> ProjectLines | None:
        """The project's lines written for `language` (`cy`, or `cy` for `cy-GB`), or None when
        `language` is the project's own or project.yaml has none for it."""
        if primary_language(language) == primary_language(self.language):
            return None
        by_tag = {tag.lower(): lines for tag, lines in self.languages}
        return by_tag.get(language.lower()) or by_tag.get(primary_language(language))

    def in_language(self, language: str) -> ProjectSettings:
        """These settings with the contact, feedback and other-formats lines of `language`
        (each line it leaves out stays as the project writes it)."""
        lines = self.lines_for(language)
        if lines is None:
            return self
        return replace(self, contact=lines.contact or self.contact,
                       feedback=lines.feedback or self.feedback,
                       other_formats=lines.other_formats or self.other_formats)


def primary_language(tag: str) -> str:
    """`cy` for `cy-GB`: the language a tag names, without its region or script."""
    return tag.split("-")[0].lower()


RTL_LANGUAGES = frozenset({"ar", "arc", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"})


def is_rtl_language(tag: str) -> bool:
    """True for languages written right to left (by the primary subtag of a BCP 47 tag)."""
    return tag.split("-")[0].lower() in RTL_LANGUAGES


def walk_blocks(blocks: tuple[Block, ...]) -> list[Block]:
    """Every block, depth first, including those inside lists and callouts."""
    found: list[Block] = []
    for block in blocks:
        found.append(block)
        if isinstance(block, ListBlock):
            for item in block.items:
                found.extend(walk_blocks(item.blocks))
        elif isinstance(block, Callout):
            found.extend(walk_blocks(block.blocks))
    return found


def plain_text(inlines: tuple[Inline, ...],
               keep_link: Callable[[Link], bool] | None = None) -> str:
    """The text of some inlines, without markup (line breaks become spaces).

    `keep_link`, when given, decides which links' text counts (the quality gate leaves out
    links whose text is only an address).
    """
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, (Text, Code)):
            parts.append(node.text)
        elif isinstance(node, LineBreak):
            parts.append(" ")
        elif isinstance(node, Link) and keep_link is not None and not keep_link(node):
            continue
        else:
            parts.append(plain_text(node.children, keep_link))
    return "".join(parts)


def iter_inlines(inlines: tuple[Inline, ...]) -> Iterator[Inline]:
    """Every inline node, depth first."""
    for node in inlines:
        yield node
        if isinstance(node, (Strong, Emphasis, Link)):
            yield from iter_inlines(node.children)


def walk_inlines_of(blocks: tuple[Block, ...]) -> Iterator[tuple[Inline, int]]:
    """Every inline in some blocks with the line of the block that holds it."""
    for block in walk_blocks(blocks):
        groups: list[tuple[Inline, ...]] = []
        if isinstance(block, (Heading, Paragraph)):
            groups.append(block.children)
        elif isinstance(block, Callout):
            groups.append(block.title)
        elif isinstance(block, Table):
            groups.extend(cell.children for cell in block.header)
            groups.extend(cell.children for row in block.rows for cell in row)
        for group in groups:
            for node in iter_inlines(group):
                yield node, block.line


def glossary_terms(leaflets: Iterable[Leaflet]) -> dict[str, str]:
    """Glossary slug -> the term it explains (its title), for linking first mentions."""
    return {leaflet.slug: leaflet.meta.title for leaflet in leaflets if leaflet.meta.kind == "glossary"}
