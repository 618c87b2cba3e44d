"""Benchmark input: a generated project of N realistic leaflets (deterministic text)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

WORDS = ["treatment", "nurse", "doctor", "tablet", "infusion", "clinic", "week", "blood", "test", "side", "effect", "tired", "rest", "drink", "water", "eat", "small", "meals", "call", "us", "any", "time", "fever", "rash", "cough", "breath", "pain", "help", "family", "work", "drive", "sleep", "skin", "mouth", "sore", "care", "plan", "team", "appointment", "result", "dose", "hospital", "home", "ask", "question", "worry", "feel", "better", "slowly", "day", "night", "phone", "number", "leaflet", "medicine"]


def _sentence(rng: random.Random, low: int = 6, high: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))


def leaflet_markdown(index: int, count: int, rng: random.Random) -> str:
    """About 500 words: headings, paragraphs, lists, a table, a callout, related leaflets."""
    related = sorted({f"topic-{(index + step) % count:03d}" for step in (1, 7)} -
                     {f"topic-{index:03d}"})
    front = {
        "title": f"Topic {index:03d}: {rng.choice(WORDS)} and {rng.choice(WORDS)}",
        "summary": _sentence(rng),
        "status": "approved" if index % 3 else "draft",
        "reviewed": f"2026-0{1 + index % 9}-1{index % 9}",
        "reviewer": "Benchmark Nurse",
        "version": f"1.{index % 5}",
        "related": related,
        "sources": [{"title": "Cancer information service", "url": "https://example.org/info",
                     "accessed": "2026-01-15"}],
    }
    body = [f"## What is topic {index}?", _paragraph(rng), _paragraph(rng),
            "## What happens", "1. " + _sentence(rng), "2. " + _sentence(rng),
            "3. " + _sentence(rng), _paragraph(rng),
            "## Side effects", "- " + _sentence(rng), "- " + _sentence(rng),
            "- " + _sentence(rng), "- " + _sentence(rng),
            "| When | What to do |", "|---|---|",
            *[f"| Day {d} | {_sentence(rng, 3, 6)} |" for d in (1, 2, 7)],
            "", "::: warning Call us straight away", _sentence(rng), ":::",
            "## Living with it", _paragraph(rng), _paragraph(rng), _paragraph(rng)]
    return "---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n\n" + "\n\n".join(body) + "\n"


def generate_project(root: Path, count: int, seed: int = 7) -> Path:
    """Write `root/source` with `count` leaflets and a booklet of the first ten; return it."""
    rng = random.Random(seed)
    source = root / "source"
    if source.exists():
        shutil.rmtree(source)
    (source / "booklets").mkdir(parents=True)
    (source / "project.yaml").write_text(yaml.safe_dump({
        "organisation": "Benchmark Cancer Centre", "language": "en-GB",
        "contact": "Nurse line 0100 000 0000", "base_url": "https://example.org/leaflets",
    }), encoding="utf-8")
    for index in range(count):
        (source / f"topic-{index:03d}.md").write_text(leaflet_markdown(index, count, rng),
                                                      encoding="utf-8")
    (source / "booklets" / "starter.yaml").write_text(yaml.safe_dump({
        "title": "Starter pack", "leaflets": [f"topic-{i:03d}" for i in range(min(10, count))],
    }), encoding="utf-8")
    return source
