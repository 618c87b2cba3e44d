"""JSON Schema of the source files, made from the same pydantic models the reader validates with.

Editors with YAML support (VS Code's YAML extension, JetBrains IDEs) underline a typo'd field
or a wrong value while the author types; the schema comes from the reader's own models, so the
editor and `leaflet build` can never disagree about which fields exist.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from leaflet_builder.source.schema import BookletSchema, FrontMatter, ProjectSchema

Target = Literal["leaflet", "project", "booklet"]
TARGETS: dict[Target, tuple[type[BaseModel], str]] = {
    "leaflet": (FrontMatter, ("The front matter of a leaflet (source/<slug>.md, between the "
                             "'---' lines)")),
    "project": (ProjectSchema, "Project settings (source/project.yaml)"),
    "booklet": (BookletSchema, "A booklet (source/booklets/<slug>.yaml)"),
}
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(target: Target | None = None) -> dict[str, Any]:
    """One file kind's schema, or (None) all three in one document under `$defs`."""
    if target is not None:
        model, description = TARGETS[target]
        schema = model.model_json_schema()
        return {"$schema": DIALECT, **schema, "description": description}
    keys = list(TARGETS)
    refs, document = models_json_schema(
        [(TARGETS[key][0], "validation") for key in keys], title="leaflet_builder sources")
    defs: dict[str, Any] = dict(document.get("$defs", {}))
    for key in keys:
        model, description = TARGETS[key]
        defs[model.__name__] = {**defs[model.__name__], "description": description}
    return {
        "$schema": DIALECT, "title": "leaflet_builder sources",
        "description": "Leaflet front matter, project.yaml and booklets: each file is one of "
                       "these; `leaflet schema --for leaflet|project|booklet` gives one alone.",
        "anyOf": [refs[(TARGETS[key][0], "validation")] for key in keys],
        "$defs": defs,
    }
