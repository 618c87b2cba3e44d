"""Errors and warnings about users' content, always tied to a file and, where known, a line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Level = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Location:
    """Where in the user's files something is: a path and a 1-based line (0 when unknown)."""

    path: Path
    line: int = 0

    def display(self, relative_to: Path | None = None) -> str:
        """Return `path:line` (or `path`) as an author would type it."""
        path = self.path
        if relative_to is not None:
            try:
                path = path.relative_to(relative_to)
            except ValueError:
                pass
        return f"{path}:{self.line}" if self.line else f"{path}"


@dataclass(frozen=True)
class Diagnostic:
    """One message for an author: what is wrong, where, and how bad it is."""

    location: Location
    message: str
    level: Level = "error"

    def display(self, relative_to: Path | None = None) -> str:
        """Format as `path:line: message` (warnings say so)."""
        prefix = "" if self.level == "error" else f"{self.level}: "
        return f"{self.location.display(relative_to)}: {prefix}{self.message}"


class LeafletError(Exception):
    """A mistake in the user's content: the one exception a user ever sees."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(message)
        self.diagnostic = Diagnostic(Location(Path(path), line), message)

    @property
    def location(self) -> Location:
        return self.diagnostic.location

    @property
    def message(self) -> str:
        return self.diagnostic.message

    def __str__(self) -> str:
        return self.diagnostic.display()


@dataclass
class Diagnostics:
    """Collects the errors and warnings of one reading pass, so all are reported at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: Path, line: int, message: str) -> None:
        self.items.append(Diagnostic(Location(path, line), message, "error"))

    def warn(self, path: Path, line: int, message: str) -> None:
        self.items.append(Diagnostic(Location(path, line), message, "warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "warning"]
