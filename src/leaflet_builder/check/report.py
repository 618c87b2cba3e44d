"""Check stage: findings for people (text and a summary table) and for tools (JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from leaflet_builder.check.findings import RULES, Finding
from leaflet_builder.check.runner import CheckReport, LeafletSummary

JSON_SCHEMA_VERSION = 1


def display_path(path: Path, relative_to: Path) -> str:
    try:
        return path.relative_to(relative_to).as_posix()
    except ValueError:
        return path.as_posix()


def finding_json(item: Finding, relative_to: Path) -> dict[str, Any]:
    rule = RULES.get(item.rule)
    return {
        "rule": item.rule, "level": item.level,
        "path": display_path(item.location.path, relative_to), "line": item.location.line,
        "message": item.message, "slug": item.slug,
        "standard": rule.standard if rule else None,
    }


def summary_json(report: CheckReport, relative_to: Path, strict: bool) -> dict[str, Any]:
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "errors": report.count("error"), "warnings": report.count("warning"),
        "info": report.count("info"), "strict": strict, "passed": not report.failed(strict),
        "max_grade": report.max_grade, "booklets": report.booklets,
        "leaflets": [_row_json(row, relative_to) for row in report.leaflets],
    }


def _row_json(row: LeafletSummary, relative_to: Path) -> dict[str, Any]:
    return {
        "slug": row.slug, "path": display_path(row.path, relative_to), "status": row.status,
        "grade": None if row.grade is None else round(row.grade, 1),
        "smog": None if row.smog is None else round(row.smog, 1),
        "words": row.words, "sentences": row.sentences,
        "errors": row.counts.get("error", 0), "warnings": row.counts.get("warning", 0),
        "info": row.counts.get("info", 0),
    }


def write_json(report: CheckReport, out: IO[str], relative_to: Path, strict: bool) -> None:
    data = {"findings": [finding_json(f, relative_to) for f in report.findings],
            "summary": summary_json(report, relative_to, strict)}
    out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_text(report: CheckReport, out: IO[str], relative_to: Path, strict: bool,
               quiet: bool = False) -> None:
    """One `path:line: level: rule-id: message` line per finding, then the summary table."""
    from rich.console import Console
    from rich.table import Table

    for item in report.findings:
        if quiet and item.level == "info":
            continue
        out.write(item.display(relative_to) + "\n")
    console = Console(file=out, width=None if out.isatty() else 110, highlight=False, emoji=False,
                      soft_wrap=False)
    table = Table(title="leaflet check", title_justify="left", show_lines=False)
    for name, justify in (("leaflet", "left"), ("status", "left"), ("grade", "right"),
                          ("SMOG", "right"), ("words", "right"), ("sentences", "right"),
                          ("errors", "right"), ("warnings", "right"), ("info", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in report.leaflets:
        table.add_row(
            row.slug, row.status, _grade(row.grade, report.max_grade), _grade(row.smog, None),
            str(row.words or "–"), str(row.sentences or "–"),
            _count(row.counts.get("error", 0), "red"),
            _count(row.counts.get("warning", 0), "yellow"), str(row.counts.get("info", 0)))
    console.print(table)
    verdict = "FAILED" if report.failed(strict) else "passed"
    colour = "red" if report.failed(strict) else "green"
    console.print(f"[{colour}]{verdict}[/]: {_many(report.count('error'), 'error')}, "
                  f"{_many(report.count('warning'), 'warning')}, {report.count('info')} info "
                  f"in {_many(len(report.leaflets), 'leaflet')} and "
                  f"{_many(report.booklets, 'booklet')}"
                  + (" (--strict: warnings fail)" if strict else ""))


def _many(count: int, noun: str) -> str:
    """`1 booklet`, `2 booklets`: the summary line reads as a sentence."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _grade(value: float | None, maximum: float | None) -> str:
    if value is None:
        return "–"
    text = f"{value:.1f}"
    return f"[bold red]{text}[/]" if maximum is not None and value > maximum else text


def _count(value: int, colour: str) -> str:
    return f"[bold {colour}]{value}[/]" if value else "0"
