"""The tool workbench of a conversation: tool sources, their checks, import and export.

Each tool is kept as the JSON text the user edits (so a half-typed edit is never lost), with
an enabled flag and an optional canned answer. What is sent is derived from it: the enabled
tools whose text is valid, in ``GenerationSettings.tools``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from desktop_app.api import ToolDefinition
from desktop_app.core.tools.json_spots import JsonPath, Spot, json_path_text, spot_at, spot_of_path

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

DEFAULT_AUTO_ROUNDS = 5
_NAME_IN_TEXT = re.compile(r'"name"\s*:\s*"([^"\\]{1,64})"')
SAMPLE_TOOLS = ("get_weather.json", "calculator.json", "convert_units.json")

Severity = Literal["error", "warning"]

# The function object as OpenAI documents it and vLLM reads it. "description" is required
# because vLLM 0.32's Gemma 4 chat template fails with a 400 without one.
_FUNCTION_SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["name", "description"],
    "properties": {
        "name": {"type": "string", "pattern": r"^[A-Za-z0-9_.\-]{1,64}$"},
        "description": {"type": "string", "minLength": 1},
        "parameters": {"type": "object"},
        "strict": {"type": "boolean"},
        # The app's own (never sent): the schema of the tool's result, for the result form.
        "result_schema": {"type": "object"},
    },
    "additionalProperties": False,
}
_WIRE_SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["type", "function"],
    "properties": {"type": {"const": "function"}, "function": _FUNCTION_SHAPE},
    "additionalProperties": False,
}


@lru_cache(maxsize=1)
def _meta_validator():
    """The meta-schema validator; jsonschema is imported on first use, off the start-up path."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(Draft202012Validator.META_SCHEMA)


# Keywords of JSON Schema 2020-12 (plus the common annotations); anything else in a
# parameters schema is ignored by validators and by the model, usually a typo ("requried").
_KNOWN_KEYWORDS = frozenset(
    """
    $schema $id $ref $defs $anchor $dynamicRef $dynamicAnchor $comment $vocabulary type enum
    const properties required additionalProperties patternProperties propertyNames
    minProperties maxProperties items prefixItems contains minContains maxContains minItems
    maxItems uniqueItems unevaluatedItems unevaluatedProperties minimum maximum
    exclusiveMinimum exclusiveMaximum multipleOf minLength maxLength pattern format allOf
    anyOf oneOf not if then else dependentRequired dependentSchemas title description default
    examples deprecated readOnly writeOnly contentMediaType contentEncoding contentSchema
    definitions nullable
    """.split()  # noqa: SIM905 - a word list reads better than 60 quoted strings
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding, with where it is: a JSON path and, when known, a line and column."""

    message: str
    path: JsonPath = ()
    spot: Spot | None = None
    severity: Severity = "error"

    def where(self) -> str:
        if self.spot is not None:
            return f"Line {self.spot.line}, column {self.spot.column}"
        return json_path_text(self.path) if self.path else ""

    def describe(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True, slots=True)
class ToolCheck:
    """The result of checking one tool's JSON text."""

    definition: ToolDefinition | None
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        return self.definition is not None and not self.errors


@dataclass
class ToolEntry:
    """One tool on the workbench: its JSON text, whether it is sent, and its mock answer."""

    source: str
    enabled: bool = True
    mock: str = ""  # a canned result; {{arguments.x}}, {{name}} and {{id}} are filled in
    auto_answer: bool = False
    mock_cases: str = ""  # argument-matched answers, JSON text (core/tools/mocks.py)
    mock_error: bool = False  # the default mock is reported as an error
    mock_delay: float = 0.0  # seconds before the default mock answers automatically

    # The last check and the source it was made for: a list of thousands of tools is
    # labelled and checked for Send many times, and checking one means a schema validation.
    _checked: tuple[str, ToolCheck] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def check(self) -> ToolCheck:
        cached = self._checked
        if cached is not None and cached[0] == self.source:
            return cached[1]
        result = check_tool_source(self.source)
        self._checked = (self.source, result)
        return result

    @property
    def name(self) -> str:
        definition = self.check().definition
        if definition is not None:
            return definition.name
        try:
            data = json.loads(self.source)
            function = data.get("function", data) if isinstance(data, dict) else {}
            name = function.get("name") if isinstance(function, dict) else None
        except ValueError:
            # Half-typed JSON: the name as written, so the list keeps showing it.
            found = _NAME_IN_TEXT.search(self.source)
            name = found.group(1) if found else None
        return name if isinstance(name, str) and name else "(unnamed tool)"


@dataclass
class ToolBench:
    """All tools of a conversation, enabled or not, and the auto-answer round limit."""

    entries: list[ToolEntry] = field(default_factory=list)
    max_auto_rounds: int = DEFAULT_AUTO_ROUNDS

    def enabled_definitions(self) -> list[ToolDefinition]:
        """What the request carries: the enabled tools that are valid."""
        out = []
        for entry in self.entries:
            check = entry.check()
            if entry.enabled and check.ok and check.definition is not None:
                out.append(check.definition)
        return out

    def entry_for(self, name: str) -> ToolEntry | None:
        for entry in self.entries:
            if entry.enabled and entry.name == name:
                return entry
        return None

    def blocking_problems(self) -> list[str]:
        """Why a request must not go out: an enabled tool that is invalid, or a name twice."""
        reasons: list[str] = []
        seen: set[str] = set()
        for entry in self.entries:
            if not entry.enabled:
                continue
            check = entry.check()
            if not check.ok:
                n = len(check.errors)
                reasons.append(
                    f"Tool “{entry.name}” has {n} error{'s' * (n != 1)}: fix or disable it."
                )
            elif entry.name in seen:
                reasons.append(
                    f"Two enabled tools are named “{entry.name}”. Rename or disable one."
                )
            seen.add(entry.name)
        return reasons

    def reconcile(self, tools: Sequence[ToolDefinition]) -> bool:
        """Follows ``tools`` when they were set elsewhere (an import, another panel); True if
        anything changed. Nothing is dropped: an enabled tool that is no longer in ``tools``
        is switched off, and a new entry takes the mock of an entry with the same name.
        """
        if self.enabled_definitions() == list(tools):
            return False
        fresh: list[ToolEntry] = []
        for tool in tools:
            same = next(
                (
                    e
                    for e in self.entries
                    if e.check().definition == tool and not any(e is f for f in fresh)
                ),
                None,
            )
            if same is None:
                same = ToolEntry(source=tool_source(tool))
                named = next((e for e in self.entries if e.name == tool.name), None)
                if named is not None:
                    copy_mock(named, same)
            same.enabled = True
            fresh.append(same)
        rest = [e for e in self.entries if not any(e is f for f in fresh)]
        for entry in rest:
            if entry.enabled and entry.check().ok:
                entry.enabled = False
        self.entries = fresh + rest
        return True


def copy_mock(source: ToolEntry, target: ToolEntry) -> None:
    """Gives ``target`` the mock answers of ``source`` (default, cases, error, delay, auto)."""
    target.mock, target.auto_answer = source.mock, source.auto_answer
    target.mock_cases, target.mock_error = source.mock_cases, source.mock_error
    target.mock_delay = source.mock_delay


def tool_source(tool: ToolDefinition) -> str:
    """The editable JSON text of a tool: the function object, indented (with its result
    schema, which the text keeps though the wire never carries it)."""
    function = tool.to_wire()["function"]
    if tool.result_schema is not None:
        function["result_schema"] = tool.result_schema
    return json.dumps(function, indent=2, ensure_ascii=False)


@lru_cache(maxsize=512)
def check_tool_source(text: str) -> ToolCheck:
    """Checks JSON syntax, the shape OpenAI and vLLM expect, then the parameters schema.

    Cached by text: the panel, the request and the call cards all ask about the same tools.
    """
    if not text.strip():
        return ToolCheck(None, (Problem("The tool is empty: write its JSON definition."),))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = Problem(f"Not valid JSON: {exc.msg}.", (), spot_at(text, exc.pos))
        return ToolCheck(None, (problem,))
    wire = isinstance(data, dict) and "function" in data
    shape = _WIRE_SHAPE if wire else _FUNCTION_SHAPE
    base: JsonPath = ("function",) if wire else ()
    from jsonschema import Draft202012Validator

    problems = [_shape_problem(text, e) for e in Draft202012Validator(shape).iter_errors(data)]
    function = data.get("function") if wire else data
    parameters = function.get("parameters") if isinstance(function, dict) else None
    if isinstance(parameters, dict):
        problems.extend(_schema_problems(text, parameters, (*base, "parameters")))
    result_schema = function.get("result_schema") if isinstance(function, dict) else None
    if isinstance(result_schema, dict):
        path = (*base, "result_schema")
        problems.extend(
            Problem(f"Not a valid JSON Schema: {e.message}.", (*path, *e.absolute_path),
                    spot_of_path(text, (*path, *e.absolute_path)))
            for e in _meta_validator().iter_errors(result_schema)
        )
    definition = None
    if not any(p.severity == "error" for p in problems):
        definition = ToolDefinition.from_wire(function)
    return ToolCheck(definition, tuple(_sorted(problems)))


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.severity != "error", p.spot.offset if p.spot else 0))


def _shape_problem(text: str, error: ValidationError) -> Problem:
    path = tuple(error.absolute_path)
    key = error.validator
    message = error.message
    if key == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else ""
        message = {
            "description": "Add a “description”: vLLM's Gemma 4 template answers 400 "
            "without one, and the model reads it to choose the tool.",
            "name": "Add a “name”.",
            "function": "A tool of type “function” needs a “function” object.",
            "type": "Add “type”: “function”.",
        }.get(missing, message)
    elif key == "pattern" and path[-1:] == ("name",):
        message = (
            "A tool name may use only letters, digits, “_”, “-” and “.” (at most 64): "
            "Gemma 4's tool parser does not recognise other names."
        )
    elif key == "additionalProperties":
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        instance = error.instance if isinstance(error.instance, dict) else {}
        extra = [k for k in instance if k not in known]
        if extra:
            path = (*path, extra[0])
        message = f"{error.message}. vLLM would ignore it silently; remove or rename it."
    elif key == "minLength" and path[-1:] == ("description",):
        message = "The description is empty: say what the tool does and when to use it."
    elif key == "const":
        message = "“type” must be “function”."
    return Problem(message, path, spot_of_path(text, path))


def _schema_problems(text: str, schema: object, base: JsonPath) -> list[Problem]:
    problems = []
    for error in _meta_validator().iter_errors(schema):
        path = (*base, *error.absolute_path)
        message = f"Not a valid JSON Schema: {error.message}."
        if path[-1:] == ("type",) and isinstance(error.instance, str):
            message = (
                f"“{error.instance}” is not a JSON Schema type: use string, number, integer, "
                "boolean, object, array or null."
            )
        problems.append(Problem(message, path, spot_of_path(text, path)))
    if not isinstance(schema, dict):
        return problems
    if schema.get("type") != "object":
        path = (*base, "type")
        problems.append(
            Problem(
                "The parameters should be a schema of “type”: “object”, as OpenAI requires.",
                path,
                spot_of_path(text, path),
                "warning",
            )
        )
    for path, node in _schema_nodes(schema, base):
        for key in node:
            if key not in _KNOWN_KEYWORDS:
                kpath = (*path, key)
                problems.append(
                    Problem(
                        f"“{key}” is not a JSON Schema keyword, so it has no effect.",
                        kpath,
                        spot_of_path(text, kpath),
                        "warning",
                    )
                )
        props = node.get("properties")
        required = node.get("required")
        if isinstance(props, dict) and isinstance(required, list):
            for i, name in enumerate(required):
                if isinstance(name, str) and name not in props:
                    rpath = (*path, "required", i)
                    problems.append(
                        Problem(
                            f"“{name}” is required but not among the properties.",
                            rpath,
                            spot_of_path(text, rpath),
                            "warning",
                        )
                    )
    return problems


def _schema_nodes(schema: dict[str, Any], path: JsonPath) -> Iterable[tuple[JsonPath, dict]]:
    """Every sub-schema reachable through properties, items and the combinators."""
    yield path, schema
    props = schema.get("properties")
    if isinstance(props, dict):
        for name, sub in props.items():
            if isinstance(sub, dict):
                yield from _schema_nodes(sub, (*path, "properties", name))
    items = schema.get("items")
    if isinstance(items, dict):
        yield from _schema_nodes(items, (*path, "items"))
    for key in ("anyOf", "oneOf", "allOf"):
        subs = schema.get(key)
        if isinstance(subs, list):
            for i, sub in enumerate(subs):
                if isinstance(sub, dict):
                    yield from _schema_nodes(sub, (*path, key, i))
