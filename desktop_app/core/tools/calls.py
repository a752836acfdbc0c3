"""Tool calls as they come back: argument checks and coercion, results, mocks, raw-text calls."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from desktop_app.api import ToolDefinition
from desktop_app.core.tools.json_spots import JsonPath, json_path_text, spot_at
from desktop_app.core.tools.workbench import Problem

SERVER_FLAGS = "--enable-auto-tool-choice --tool-call-parser gemma4"
CLOSED_RESULT = "The user closed this call without running the tool."


@dataclass(frozen=True, slots=True)
class ArgumentCheck:
    """A finished call's arguments against its tool's schema.

    ``text`` is what is shown and sent back: the coerced JSON when values were coerced,
    otherwise the arguments exactly as received.
    """

    text: str
    value: Any = None
    parsed: bool = False
    coerced: tuple[str, ...] = ()  # JSON paths of strings turned into numbers or booleans
    problems: tuple[Problem, ...] = ()
    known_tool: bool = True


def check_arguments(tool: ToolDefinition | None, arguments: str) -> ArgumentCheck:
    """Parses the arguments, coerces string scalars where the schema says so, validates."""
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except json.JSONDecodeError as exc:
        spot = spot_at(arguments, exc.pos)
        msg = f"The arguments are not valid JSON (column {spot.column}: {exc.msg})."
        problem = Problem(msg, (), spot)
        return ArgumentCheck(arguments, problems=(problem,), known_tool=tool is not None)
    if tool is None:
        return ArgumentCheck(arguments, value, True, known_tool=False)
    schema = tool.parameters or {}
    coerced_paths: list[JsonPath] = []
    value = coerce(value, schema, (), coerced_paths)
    problems = []
    from jsonschema import Draft202012Validator  # imported on first use: keeps start-up fast
    from jsonschema.exceptions import SchemaError

    try:
        for error in Draft202012Validator(schema).iter_errors(value):
            path = tuple(error.absolute_path)
            problems.append(Problem(error.message, path))
    except SchemaError as exc:  # the tool was edited into an invalid schema meanwhile
        problems.append(Problem(f"The tool's schema is invalid: {exc.message}"))
    if not isinstance(value, dict):
        problems.append(Problem("The arguments should be a JSON object."))
    text = json.dumps(value, ensure_ascii=False) if coerced_paths else arguments
    return ArgumentCheck(
        text,
        value,
        True,
        tuple(json_path_text(p) for p in coerced_paths),
        tuple(sorted(problems, key=lambda p: [str(x) for x in p.path])),
    )


_INT = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    kinds = [kind] if isinstance(kind, str) else list(kind) if isinstance(kind, list) else []
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            if isinstance(sub, dict):
                kinds.extend(_types(sub))
    return kinds


def _scalar_from_string(text: str, kinds: list[str]) -> tuple[bool, Any]:
    """Gemma 4's engine parser keeps bare values as strings (vLLM #47906): undo it."""
    raw = text.strip()
    for kind in kinds:
        if kind == "integer" and _INT.fullmatch(raw):
            return True, int(raw)
        if kind == "number" and _FLOAT.fullmatch(raw):
            number = float(raw)
            return True, int(number) if number.is_integer() and _INT.fullmatch(raw) else number
        if kind == "boolean" and raw in ("true", "false"):
            return True, raw == "true"
        if kind == "null" and raw == "null":
            return True, None
    return False, text


def coerce(value: Any, schema: object, path: JsonPath, coerced: list[JsonPath]) -> Any:
    """``value`` with strings turned into the number, boolean or null the schema asks for.

    A string is left alone where the schema also allows a string.
    """
    if not isinstance(schema, dict):
        return value
    if isinstance(value, str):
        kinds = _types(schema)
        if kinds and "string" not in kinds:
            ok, new = _scalar_from_string(value, kinds)
            if ok:
                coerced.append(path)
                return new
        return value
    if isinstance(value, dict):
        props = schema.get("properties")
        if not isinstance(props, dict):
            props = {}
        extra = schema.get("additionalProperties")
        return {k: coerce(v, props.get(k, extra), (*path, k), coerced) for k, v in value.items()}
    if isinstance(value, list):
        items = schema.get("items")
        return [coerce(v, items, (*path, i), coerced) for i, v in enumerate(value)]
    return value


# ---- while streaming ----------------------------------------------------------------------


def pretty_arguments(text: str) -> str:
    """Arguments indented for reading, also while they stream in as incomplete JSON."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return _indent_partial(text)


def pretty_json(text: str) -> str:
    """JSON indented; any other text as it is."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def _indent_partial(text: str) -> str:
    out: list[str] = []
    depth = 0
    in_string = escaped = False
    i = 0
    while i < len(text):
        ch = text[i]
        i += 1
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch in " \t\r\n":
            continue
        if ch == '"':
            in_string = True
            out.append(ch)
        elif ch in "{[":
            rest = text[i:].lstrip()
            if rest[:1] in ("}", "]"):  # an empty container stays on one line
                out.append(ch + rest[0])
                i = len(text) - len(rest) + 1
                continue
            depth += 1
            out.append(ch + "\n" + "  " * depth)
        elif ch in "}]":
            depth = max(0, depth - 1)
            out.append("\n" + "  " * depth + ch)
        elif ch == ",":
            out.append(",\n" + "  " * depth)
        elif ch == ":":
            out.append(": ")
        else:
            out.append(ch)
    return "".join(out)


# ---- results ------------------------------------------------------------------------------


def check_result(text: str) -> Problem | None:
    """None when the result can be sent; JSON is checked when the text looks like JSON."""
    stripped = text.strip()
    if not stripped:
        return Problem("Write a result, or close the call.")
    if stripped[0] in "{[":
        try:
            json.loads(stripped)
        except json.JSONDecodeError as exc:
            spot = spot_at(stripped, exc.pos)
            return Problem(f"This looks like JSON but is not valid: {exc.msg}.", (), spot)
    return None


def result_schema_problems(schema: dict[str, Any], text: str) -> list[str]:
    """What keeps a result from matching its tool's result schema ([] when it does, or when
    nothing is written yet); checked by jsonschema like the arguments."""
    stripped = text.strip()
    if not stripped:
        return []
    try:
        value = json.loads(stripped)
    except json.JSONDecodeError as exc:
        return [f"The result should be JSON that matches the tool's result schema ({exc.msg})."]
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    out = []
    try:
        for error in Draft202012Validator(schema).iter_errors(value):
            where = ".".join(str(p) for p in error.absolute_path)
            out.append(f"{where}: {error.message}" if where else error.message)
    except SchemaError as exc:
        out.append(f"The tool's result schema is invalid: {exc.message}")
    return out


def error_result(text: str) -> str:
    """The content of a tool message that reports a failure: ``{"error": ...}``."""
    stripped = text.strip()
    try:
        detail: Any = json.loads(stripped) if stripped[:1] in "{[" else stripped
    except ValueError:
        detail = stripped
    return json.dumps({"error": detail or "The tool failed."}, ensure_ascii=False)


def is_error_result(content: str) -> bool:
    try:
        data = json.loads(content)
    except ValueError:
        return False
    return isinstance(data, dict) and set(data) == {"error"}


# ---- mock answers -------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w\-]*(?:\.[\w\-]+)*)\s*\}\}")


def render_mock(template: str, name: str, call_id: str, arguments: Any) -> tuple[str, str]:
    """(result, error): ``template`` with ``{{arguments.x}}``, ``{{name}}`` and ``{{id}}``
    filled in. Inside a JSON string a value is escaped; elsewhere it is written as JSON, so
    ``{"n": {{arguments.n}}}`` keeps a number a number. A plain-text template gets text."""
    context = {"arguments": arguments, "name": name, "id": call_id}
    json_mode = template.strip()[:1] in ("{", "[")
    out: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        found, value = _lookup(context, match.group(1))
        if not found:
            return "", f"The mock uses {{{{{match.group(1)}}}}}, which this call does not have."
        out.append(template[last : match.start()])
        if not json_mode and isinstance(value, str):
            out.append(value)
        elif _inside_string(template, match.start()):
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            out.append(json.dumps(text, ensure_ascii=False)[1:-1])
        else:
            out.append(json.dumps(value, ensure_ascii=False))
        last = match.end()
    out.append(template[last:])
    result = "".join(out)
    problem = check_result(result)
    if problem is not None:
        return result, f"The mock answer is not usable: {problem.describe()}"
    return result, ""


def _lookup(context: dict[str, Any], dotted: str) -> tuple[bool, Any]:
    value: Any = context
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def _inside_string(text: str, end: int) -> bool:
    inside = escaped = False
    for ch in text[:end]:
        if escaped:
            escaped = False
        elif ch == "\\" and inside:
            escaped = True
        elif ch == '"':
            inside = not inside
    return inside


# ---- servers without a tool parser --------------------------------------------------------

_RAW_CALL = re.compile(r"<\|tool_call>\s*(?:call)?:?([\w\-.]*)|(?:^|\s)call:([\w\-.]+)\{")


def raw_tool_calls(content: str, known: set[str] | None = None) -> list[str]:
    """Names of tool calls that arrived as text in the content (no tool parser on the server).

    ``<|tool_call>`` always counts; a bare ``call:name{`` only for a tool that was offered,
    so prose about such syntax is not mistaken for a call.
    """
    names = []
    for match in _RAW_CALL.finditer(content):
        marked, bare = match.group(1), match.group(2)
        if match.group(0).lstrip().startswith("<|tool_call>"):
            names.append(marked or "?")
        elif bare and (known is None or bare in known):
            names.append(bare)
    return names
