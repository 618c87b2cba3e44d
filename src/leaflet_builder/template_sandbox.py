"""The Jinja2 sandbox layout templates run in: plain data in, no way out.

Layouts are shared between teams, so a template is as untrusted as a source. Jinja2's own
sandbox only stops underscore attributes (`__class__`); an ordinary method of an object handed to
a template (`path.read_text()`, `path.write_text()`, `asset.read_bytes()`) still runs. So two
walls, each enough on its own:

1. templates are handed plain data only (`render.shared.template_data` builds it);
2. this environment allows attribute access and calls on an allow-list of plain types and
   harmless methods, refuses everything else (`SecurityError`, reported with the template's
   line), and bounds the cheap ways to make a huge string or list (`'x' * 10**10`,
   `'%099999999d' % 1`, `|center(10**9)`, `|batch(10**9, 'x')`, and a recursive macro
   doubling a string with `~`, `%`, `|join` or `|replace`).

Loops are bounded by the sandbox's `range` (MAX_RANGE); what is left (deep recursion of macros)
is bounded by the render time limit and the workers' memory limit.

The layouts' words are translated with `{{ _('About this leaflet') }}` and `{% trans %}`
(Jinja2's i18n extension, newstyle): `gettext`, `_` and `ngettext` are the only callables a
template is given, and they are ours (`install_messages`), bounded like `%` above — a
template cannot make `_('%099999999s')` or a placeholder repeated over a huge value into a
string of gigabytes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, Undefined, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import BlockReference, Context, LoopContext, Macro
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment, safe_range
from markupsafe import Markup

# the largest repeat count, width or range one template operation may ask for
MAX_TEMPLATE_SIZE = 100_000
# the longest string a template may build by joining (`~`, `%`, |join, |replace): far above any
# leaflet, far below what would exhaust memory when a recursive macro doubles a string each call
MAX_TEMPLATE_STRING = 10_000_000
# string methods a template may call: none reads outside itself or grows without bound
_STR_METHODS = frozenset({
    "lower", "upper", "title", "capitalize", "casefold", "strip", "lstrip", "rstrip", "split",
    "rsplit", "splitlines", "startswith", "endswith", "join", "isdigit", "isalpha", "isspace",
    "removeprefix", "removesuffix", "count", "find",
})
_MAPPING_METHODS = frozenset({"items", "keys", "values", "get"})
_DATE_ATTRIBUTES = frozenset({"year", "month", "day", "isoformat", "weekday", "isoweekday"})
_LOOP_ATTRIBUTES = frozenset({
    "index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0",
    "previtem", "nextitem", "cycle", "changed",
})
# globals Jinja2 adds by default that hand a template a mutable object or a generator
_UNSAFE_GLOBALS = ("namespace", "cycler", "joiner", "lipsum")
# printf-style widths and precisions: `%099999999d` would allocate that many characters
_PERCENT_WIDTH_RE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


class TemplateTooLarge(SecurityError):
    """A template asked for a string, list or number too large to make."""


def _allowed_attribute(obj: Any, attr: str) -> bool:
    if attr.startswith("_"):
        return False
    if isinstance(obj, str):
        return attr in _STR_METHODS
    if isinstance(obj, Mapping):
        return attr in _MAPPING_METHODS
    if isinstance(obj, (dt.date, dt.time)):
        return attr in _DATE_ATTRIBUTES
    if isinstance(obj, LoopContext):
        return attr in _LOOP_ATTRIBUTES
    return False


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` so that its result goes through `environment.bounded` (a size check).

    Jinja2 joins with a plain function the sandbox never sees; without this, a recursive macro
    doubling a string at each call (`m(s ~ s)`) fills the memory in 40 calls.
    """

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")


class LayoutSandbox(ImmutableSandboxedEnvironment):
    """An immutable sandbox that lets templates read plain data and call nothing else."""

    intercepted_binops = frozenset({"*", "**", "%"})
    code_generator_class = _BoundedCodeGenerator

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in _UNSAFE_GLOBALS:
            self.globals.pop(name, None)
        self.globals["range"] = _bounded_range
        for name in ("center", "indent", "batch", "slice", "wordwrap", "truncate", "format",
                     "join", "replace"):
            self.filters[name] = _bounded_filter(name, self.filters[name])

    @staticmethod
    def bounded(value: Any) -> Any:
        """`value` when it is a string of at most MAX_TEMPLATE_STRING characters; else refused."""
        if isinstance(value, str) and len(value) > MAX_TEMPLATE_STRING:
            raise TemplateTooLarge(f"a template built a string of {len(value)} characters "
                                f"(at most {MAX_TEMPLATE_STRING})")
        return value

    def getattr(self, obj: Any, attribute: str) -> Any:
        # a mapping's own keys win over its methods: `meta.items` is the data, not dict.items
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def wrap_str_format(self, value: Any) -> None:
        # `'{:>999999999}'.format(1)` bypasses is_safe_attribute in Jinja2: no str.format at all
        return None

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return _allowed_attribute(obj, attr) and super().is_safe_attribute(obj, attr, value)

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, (Macro, BlockReference, LoopContext)) or obj is _bounded_range or \
                obj is dict or obj in getattr(self, "message_callables", ()):
            return True
        owner = getattr(obj, "__self__", None)
        name = getattr(obj, "__name__", "")
        # a bound method reached through is_safe_attribute above (str.split, dict.items, ...)
        return owner is not None and not isinstance(owner, type) and \
            _allowed_attribute(owner, name)

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
        elif operator_ == "**" and isinstance(left, (int, float)) and isinstance(right, int) \
                and abs(right) > 64 and abs(left) > 1:
            raise TemplateTooLarge(f"{left!r} ** {right!r} is too large for a template")
        elif operator_ == "%" and isinstance(left, str):
            _check_percent_format(left)
        return self.bounded(super().call_binop(context, operator_, left, right))


def _bounded_range(*args: int) -> range:
    """Jinja2's sandboxed range, failing as a template error rather than an OverflowError."""
    try:
        return safe_range(*args)
    except OverflowError:
        raise TemplateTooLarge(f"range{args!r} is longer than {MAX_RANGE} items") from None


def _check_repeat(sequence: Any, times: Any) -> None:
    if isinstance(sequence, (str, list, tuple)) and isinstance(times, int) and \
            len(sequence) * times > MAX_TEMPLATE_SIZE:
        raise TemplateTooLarge(f"repeating a {type(sequence).__name__} {times} times would be "
                            f"larger than {MAX_TEMPLATE_SIZE} items")


def _check_replace(text: Any = "", old: Any = "", new: Any = "") -> None:
    """Refuse a `|replace` whose result would pass MAX_TEMPLATE_STRING (checked before it is made)."""
    text, old, new = str(text), str(old), str(new)
    times = text.count(old) if old else len(text) + 1
    if len(text) + times * len(new) > MAX_TEMPLATE_STRING:
        raise TemplateTooLarge(f"|replace would build a string over {MAX_TEMPLATE_STRING} characters")


def _check_percent_format(fmt: str) -> None:
    for match in _PERCENT_WIDTH_RE.finditer(fmt):
        for number in match.groups():
            if number == "*" or (number and int(number) > 1000):
                raise TemplateTooLarge(f"the format '{match.group(0)}' is too wide for a template")


def _bounded_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose numeric arguments (widths, counts) stay below MAX_TEMPLATE_SIZE."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = [*args[1:], *kwargs.values()] if not isinstance(args[0], Undefined) else []
        if name == "format" and isinstance(args[0], str):
            _check_percent_format(args[0])
        if name == "replace":
            _check_replace(*args[1:4])
        for value in values:
            if isinstance(value, int) and not isinstance(value, bool) and \
                    abs(value) > MAX_TEMPLATE_SIZE:
                raise TemplateTooLarge(f"|{name}({value}) is too large for a template")
        return LayoutSandbox.bounded(original(*args, **kwargs))

    # Jinja2 passes the environment or context to filters marked so; keep the marks
    for mark in ("jinja_pass_arg",):
        if hasattr(original, mark):
            setattr(bounded, mark, getattr(original, mark))
    return bounded


def install_messages(env: Environment, gettext: Callable[[str], str],
                     ngettext: Callable[[str, str, int], str]) -> None:
    """Give `env`'s templates `_`, `gettext` and `ngettext` over one language's catalogue.

    Newstyle, as Jinja2's own (`_('Page %(page)s', page=1)`, `{% trans %}` passes its
    variables; the result is always %-formatted, so a literal percent sign is `%%`), and
    autoescape-safe (the translation is markup, the values are escaped). Unlike Jinja2's own,
    the format is checked before it is applied: no width over 1000 (`%099999999s`), and no
    result over MAX_TEMPLATE_STRING however often a placeholder repeats a long value.
    """

    @pass_context
    def translate(context: Context, string: str, /, **variables: Any) -> str:
        return _fill(context, gettext(str(string)), variables)

    @pass_context
    def translate_plural(context: Context, singular: str, plural: str, num: int, /,
                         **variables: Any) -> str:
        if not isinstance(num, int) or isinstance(num, bool):
            raise SecurityError(f"ngettext needs a whole number, not {type(num).__name__}")
        variables.setdefault("num", num)
        return _fill(context, ngettext(str(singular), str(plural), num), variables)

    env.globals.update(gettext=translate, _=translate, ngettext=translate_plural)
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.message_callables = frozenset({translate, translate_plural})  # type: ignore[attr-defined]


def _fill(context: Context, message: str, variables: dict[str, Any]) -> str:
    _check_percent_format(message)
    longest = max((len(str(value)) for value in variables.values()), default=0)
    if len(message) + message.count("%") * longest > MAX_TEMPLATE_STRING:
        raise TemplateTooLarge(f"filling the message '{message[:60]}' would build a string "
                               f"over {MAX_TEMPLATE_STRING} characters")
    text: str = Markup(message) if context.eval_ctx.autoescape else message
    filled: str = LayoutSandbox.bounded(text % variables)  # Markup stays Markup
    return filled
