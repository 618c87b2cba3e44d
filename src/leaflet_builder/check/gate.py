"""Check stage, at build time: approved leaflets past their review date are not built."""

from __future__ import annotations

import datetime as dt

from leaflet_builder.errors import Diagnostic, Location
from leaflet_builder.project import Project


def apply_build_gate(project: Project, today: dt.date | None = None,
                     allow_overdue: bool = False) -> list[Diagnostic]:
    """Take overdue approved leaflets (and booklets holding them) out of the build.

    Returns the messages for the author: an error per overdue leaflet (the build exits 1, the
    other leaflets still build), or a warning per leaflet when `allow_overdue` lets them through.
    Drafts are never stopped here (they are marked DRAFT); withdrawn leaflets are never read
    into `project.leaflets` at all.
    """
    today = today or dt.date.today()
    messages: list[Diagnostic] = []
    overdue: set[str] = set()
    for slug, leaflet in sorted(project.leaflets.items()):
        meta = leaflet.meta
        if meta.status != "approved" or meta.review_due is None or meta.review_due >= today:
            continue
        line = meta.line_of("review_due") if "review_due" in dict(meta.field_lines) else \
            meta.line_of("reviewed")
        where = Location(leaflet.path, line)
        if allow_overdue:
            messages.append(Diagnostic(where, f"review was due on {meta.review_due}: built "
                                              "anyway because of --allow-overdue", "warning"))
            continue
        messages.append(Diagnostic(where, f"review was due on {meta.review_due}: an approved "
                                          "leaflet past its review date is not built; review it "
                                          "(update reviewed/review_due) or build with "
                                          "--allow-overdue"))
        overdue.add(slug)
    for slug in overdue:
        del project.leaflets[slug]
        project.failed.add(slug)  # earlier outputs are kept, as for any leaflet with errors
    for slug, booklet in sorted(project.booklets.items()):
        held = [s for s in booklet.leaflets if s in overdue]
        if not held:
            continue
        del project.booklets[slug]
        project.failed_booklets.add(slug)
        for member in held:
            messages.append(Diagnostic(Location(booklet.path, booklet.member_line(member)),
                                       f"leaflet '{member}' is past its review date (see above); "
                                       "this booklet is not built"))
    return messages
