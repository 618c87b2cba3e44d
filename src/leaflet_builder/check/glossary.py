"""Check stage: a term with its own glossary entry should be linked or related where it is used."""

from __future__ import annotations

import re

from leaflet_builder.check.context import CheckContext, finding
from leaflet_builder.check.findings import Finding
from leaflet_builder.model import Leaflet, Link, walk_inlines_of


def term_pattern(term: str) -> re.Pattern[str]:
    """The term as whole words, singular or plural, any case ("Interferons" finds "interferon")."""
    words = term.strip().split()
    last = words[-1]
    if last.lower().endswith("ies"):
        last_re = re.escape(last[:-3]) + "(?:y|ies)"
    elif last.lower().endswith("s") and not last.lower().endswith("ss"):
        last_re = re.escape(last[:-1]) + "s?"
    else:
        last_re = re.escape(last) + "s?"
    body = r"[\s-]+".join([*(re.escape(w) for w in words[:-1]), last_re])
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", re.IGNORECASE)


def linked_slugs(leaflet: Leaflet) -> set[str]:
    return {node.target_slug for node, _ in walk_inlines_of(leaflet.blocks)
            if isinstance(node, Link) and node.target_slug}


def check_project(ctx: CheckContext) -> list[Finding]:
    """For every leaflet, the first use of each other leaflet's glossary term that is not tied to it."""
    entries = [(leaflet.slug, leaflet.meta.title, term_pattern(leaflet.meta.title))
               for leaflet in ctx.project.leaflets.values() if leaflet.meta.kind == "glossary"]
    found: list[Finding] = []
    for slug, leaflet in sorted(ctx.project.leaflets.items()):
        tied = set(leaflet.meta.related) | linked_slugs(leaflet) | {slug}
        for term_slug, term, pattern in entries:
            if term_slug in tied:
                continue
            for sentence in ctx.sentences(leaflet):
                if pattern.search(sentence.text):
                    found.append(finding(
                        "glossary-link", leaflet.path, sentence.line,
                        f"'{term}' has its own glossary entry ({term_slug}.md): link the first "
                        f"use ([{term}]({term_slug}.md)) or add '{term_slug}' to related",
                        slug=slug))
                    break
    return found
