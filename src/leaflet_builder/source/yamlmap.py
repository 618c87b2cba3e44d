"""Safe YAML with source lines: every value's path maps to the line it was written on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from leaflet_builder.errors import LeafletError

LinePath = tuple[str | int, ...]


class _SafeNoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (`*name`): they are how YAML bombs expand."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "YAML aliases (*name) are not allowed in leaflet sources",
                event.start_mark,
            )
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


def load_yaml_with_lines(text: str, path: Path, first_line: int = 1) -> tuple[Any, dict[LinePath, int]]:
    """Parse YAML safely; return the data and a map from key paths to file lines.

    `first_line` is the file line where `text` starts (front matter starts after `---`).
    """
    loader = _SafeNoAliasLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        raise LeafletError(path, line, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:  # e.g. a tag that would construct an object
        raise LeafletError(path, first_line, f"YAML error: {exc}") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # a scalar YAML resolves but cannot build, e.g. the date 2026-13-45
        line, key = _first_bad_scalar(loader_node_or_none(text), first_line, "")
        raise LeafletError(path, line or first_line,
                           f"{key or 'value'}: invalid value ({exc}); dates are written "
                           "YYYY-MM-DD") from None
    finally:
        loader.dispose()
    lines: dict[LinePath, int] = {}
    _record_lines(node, (), lines, first_line)
    return data, lines


def _record_lines(node: Node, prefix: LinePath, lines: dict[LinePath, int], first_line: int) -> None:
    lines.setdefault(prefix, first_line + node.start_mark.line)
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
            lines[prefix + (key,)] = first_line + key_node.start_mark.line
            _record_lines(value_node, prefix + (key,), lines, first_line)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            lines[prefix + (index,)] = first_line + item.start_mark.line
            _record_lines(item, prefix + (index,), lines, first_line)


def line_for(lines: dict[LinePath, int], loc: tuple[Any, ...], default: int = 1) -> int:
    """The line of the deepest known prefix of `loc` (a pydantic error location)."""
    for end in range(len(loc), -1, -1):
        key = tuple(loc[:end])
        if key in lines:
            return lines[key]
    return default


def loader_node_or_none(text: str) -> Node | None:
    """Compose (without constructing) the YAML, to find which scalar failed to build."""
    loader = _SafeNoAliasLoader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _first_bad_scalar(node: Node | None, first_line: int, key: str) -> tuple[int, str]:
    """The line and key of the first scalar that the safe constructor cannot build."""
    if node is None:
        return 0, key
    if isinstance(node, ScalarNode):
        try:
            yaml.SafeLoader("").construct_object(node, deep=True)
        except (ValueError, TypeError, OverflowError):
            return first_line + node.start_mark.line, key
        return 0, key
    children: list[tuple[str, Node]] = []
    if isinstance(node, MappingNode):
        children = [(f"{key}.{k.value}" if key else str(k.value), v) for k, v in node.value]
    elif isinstance(node, SequenceNode):
        children = [(f"{key}.{i}", v) for i, v in enumerate(node.value)]
    for child_key, child in children:
        line, found = _first_bad_scalar(child, first_line, child_key)
        if line:
            return line, found
    return 0, key
