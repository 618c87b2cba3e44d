"""Safe YAML with source lines: every value's path maps to the line it was written on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
import yaml.constructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from leaflet_builder.errors import LeafletError
from leaflet_builder.source.files import FORBIDDEN_CHARS_RE, describe_forbidden_char

LinePath = tuple[str | int, ...]


MAX_YAML_DEPTH = 20


class _SafeNoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (`*name`, how YAML bombs expand), deep nesting (a
    recursion bomb for the composer) and keys given twice (the first value would be lost)."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                None, None, "YAML aliases (*name) are not allowed in leaflet sources — "
                "write the value out in full", event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.MarkedYAMLError(
                    None, None, f"values are nested more than {MAX_YAML_DEPTH} levels deep — "
                    "use a flatter structure",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            node: Node | None = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if isinstance(node, MappingNode):
            _refuse_duplicate_keys(node)
        return node


class UnreadableDate(str):
    """A value YAML reads as a date that is not one (2026-02-30): kept as the text typed, with
    why, so the schema reports it at its field and the other fields are still checked."""

    problem: str = ""


def _construct_timestamp(loader: yaml.SafeLoader, node: ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError) as exc:
        text = UnreadableDate(node.value)
        text.problem = str(exc)
        return text


_SafeNoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class TypedFloat(float):
    """A number as YAML reads it, with the text the author typed (`1.10`, read as 1.1)."""

    typed: str = ""


class TypedInt(int):
    """A whole number as YAML reads it, with the text typed (`010`, which YAML reads as 8)."""

    typed: str = ""


def _construct_float(loader: yaml.SafeLoader, node: ScalarNode) -> Any:
    number = TypedFloat(loader.construct_yaml_float(node))
    number.typed = node.value
    return number


def _construct_int(loader: yaml.SafeLoader, node: ScalarNode) -> Any:
    number = TypedInt(loader.construct_yaml_int(node))
    number.typed = node.value
    return number


# a field that is text to the author (`version: 1.10`) must keep what she typed, not 1.1
_SafeNoAliasLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_SafeNoAliasLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _refuse_duplicate_keys(node: MappingNode) -> None:
    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode):
            if key_node.value in seen:
                raise yaml.MarkedYAMLError(
                    None, None, f"'{key_node.value}' is given twice — keep one of them "
                    "(the first would be silently lost)", key_node.start_mark,
                )
            seen.add(key_node.value)


def _check_scalars(node: Node, path: Path, first_line: int) -> None:
    """Refuse text XML cannot carry (YAML escapes such as "\\x01" or "\\ud800" can make it)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ScalarNode):
            bad = FORBIDDEN_CHARS_RE.search(current.value)
            if bad is not None:
                raise LeafletError(
                    path, first_line + current.start_mark.line,
                    f"the value contains the control character "
                    f"{describe_forbidden_char(bad.group())}, which no output format can carry "
                    "— remove it (check for escapes such as \\x01 in quoted text)",
                )
        elif isinstance(current, MappingNode):
            for key_node, value_node in current.value:
                stack.extend((key_node, value_node))
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)


def load_yaml_with_lines(text: str, path: Path, first_line: int = 1) -> tuple[Any, dict[LinePath, int]]:
    """Parse YAML safely; return the data and a map from key paths to file lines.

    `first_line` is the file line where `text` starts (front matter starts after `---`).
    """
    loader = _SafeNoAliasLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _check_scalars(node, path, first_line)
        data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:  # a tag that would construct an object
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        raise LeafletError(path, line, f"YAML: {_describe_constructor_error(exc)}") from None
    except yaml.MarkedYAMLError as exc:
        index, problem = describe_syntax_error(exc, text)
        raise LeafletError(path, first_line + index, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise LeafletError(path, first_line, f"YAML error: {exc} — check the quoting and "
                                             "indentation") from None
    except (ValueError, TypeError, OverflowError, AttributeError) as exc:
        # a scalar YAML resolves but cannot build, e.g. the date 2026-13-45 (AttributeError:
        # PyYAML's `!!timestamp` on text that is no timestamp)
        line, key = _first_bad_scalar(loader_node_or_none(text), first_line, "")
        raise LeafletError(path, line or first_line,
                           f"{key or 'value'}: invalid value ({exc}) — dates are written "
                           "YYYY-MM-DD; put other text in quotes") from None
    except RecursionError:  # belt and braces: the depth bound above should come first
        raise LeafletError(path, first_line, "YAML is nested too deeply — use a flatter "
                                             "structure") from None
    finally:
        loader.dispose()
    lines: dict[LinePath, int] = {}
    _record_lines(node, (), lines, first_line)
    return data, lines


def describe_syntax_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """The 0-based line of a YAML syntax mistake and what to do about it, in plain words.

    PyYAML says what its parser expected ("expected <block end>, but found '<scalar>'"); an
    author needs the mistake she made (quotes inside quotes, a wrong indent, a missing colon)
    and the fix. The column is kept, so the place can be found in a long line.
    """
    problem_mark = exc.problem_mark or exc.context_mark
    if problem_mark is None:
        return 0, f"{exc.problem or exc.context or 'invalid YAML'} — check the quoting and indentation"
    lines = text.split("\n")
    index, column = problem_mark.line, problem_mark.column

    def source(at: int) -> str:
        return lines[at] if 0 <= at < len(lines) else ""

    problem, context = exc.problem or "", exc.context or ""
    opened = exc.context_mark.line if exc.context_mark is not None else index
    if not context and not problem.startswith(("mapping values", "expected")):
        return index, problem  # our own messages: already in words
    if "\\t" in problem or "\t" in problem:  # PyYAML shows the tab as \t
        return index, (f"a tab (column {column + 1}) is used to indent this line — YAML "
                       "indents with spaces only: replace the tab with spaces")
    if "quoted scalar" in context:
        at = exc.context_mark.column if exc.context_mark else 0
        quote = source(opened)[at:at + 1] or '"'
        return opened, (f"the {quote} that opens this value (column {at + 1}) is never closed "
                        f"— add a closing {quote} at the end of the value")
    if "flow sequence" in context or "flow mapping" in context:
        bracket, closer = ("[", "]") if "sequence" in context else ("{", "}")
        at = exc.context_mark.column if exc.context_mark else 0
        return opened, (f"the '{bracket}' on this line (column {at + 1}) is never closed — add "
                        f"'{closer}' at the end of the value, or check for a missing comma")
    if "could not find expected ':'" in problem:
        key_line = source(opened)
        stripped = key_line.strip()
        if re.match(r"^-[^\s-]", stripped):
            return opened, "put a space after the '-' that starts a list item ('- item')"
        if re.match(r"^[A-Za-z_][\w-]*:\S", stripped):
            at = key_line.index(":") + 2
            return opened, (f"put a space after the ':' (column {at}): write 'field: value', "
                            "not 'field:value'")
        return opened, ("this line has no ':' after the field name — write 'field: value' "
                        "(or, if it continues the line above, put that whole value in quotes)")
    if problem.startswith("mapping values are not allowed"):
        line = source(index)
        before = line[:column]
        if re.match(r"^\s*(- )?[\w-]+:\s", before):
            return index, (f"the value contains ': ' (column {column + 1}) — put the whole "
                           "value in quotes, e.g. title: \"Tip: rest\"")
        previous = _previous_content_line(lines, index)
        if previous is not None and ":" not in source(previous):
            return previous, ("this line has no ':' after the field name — write "
                              "'field: value'")
        return index, (f"this line is indented further than the line above it (its text "
                       f"starts at column {_indent(line) + 1}) — line it up with the fields it "
                       "belongs with (the same number of spaces)")
    if "expected <block end>" in problem and "<scalar>" in problem:
        line = source(index)
        value = line.split(":", 1)[1].strip() if ":" in line else line.strip()
        if value[:1] == '"':
            return index, (f"quotes inside quotes (column {column + 1}) — a value that "
                           "contains \" must be put in single quotes ('A \"quoted\" word'), or "
                           "leave out the outer quotes")
        if value[:1] == "'":
            return index, (f"quotes inside quotes (column {column + 1}) — write an apostrophe "
                           "inside single quotes twice ('It''s fine'), or use double quotes "
                           "(\"It's fine\")")
        return index, (f"unexpected text at column {column + 1} — check the quotes and the "
                       "indentation of this line")
    if "expected" in problem and "<block" in problem:
        return index, ("this line is indented differently from the lines above it (its text "
                       f"starts at column {_indent(source(index)) + 1}) — line up the fields "
                       "that belong together with the same number of spaces")
    return index, (f"{problem or context} (column {column + 1}) — check the quoting and "
                   "indentation")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _previous_content_line(lines: list[str], index: int) -> int | None:
    """The nearest line above `index` that is not blank or a comment."""
    for at in range(index - 1, -1, -1):
        if lines[at].strip() and not lines[at].lstrip().startswith("#"):
            return at
    return None


def _describe_constructor_error(exc: yaml.constructor.ConstructorError) -> str:
    problem = exc.problem or ""
    if "constructor for the tag" in problem:
        tag = problem.split("tag", 1)[1].strip(" '")
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        return (f"the tag '{tag}' is not allowed — leaflet sources hold only text, numbers, "
                "dates, lists and mappings; remove the tag")
    if "unhashable" in problem:
        return "a key must be plain text, not a list or mapping — write the key as text"
    return f"{problem or exc} — check the value's quoting"


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
        except (ValueError, TypeError, OverflowError, AttributeError):
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
