"""Tool calls: which tools, arguments from schema and prompt, fragments as gemma4 streams them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .prompt_facts import PromptFacts, extract_facts
from .tokens import tokenize

_TRIGGER = re.compile(
    r"\b(weather|forecast|calculate|calculator|compute|convert|conversion|"
    r"use (?:the|a|your) tools?|call|search|look ?up|tool)\b",
    re.IGNORECASE,
)
_TWO = re.compile(r"\b(both|two|each|2)\b|\band\b|,", re.IGNORECASE)
_STOPWORDS = {"the", "a", "an", "of", "to", "in", "for", "and", "or", "is", "get", "with", "on"}


@dataclass(frozen=True)
class PlannedCall:
    name: str
    arguments: dict[str, Any]


def _name_pattern(name: str) -> re.Pattern[str]:
    spaced = re.escape(name).replace("_", "[ _]")
    return re.compile(rf"(?<![\w]){spaced}(?![\w])", re.IGNORECASE)


def wants_tools(prompt: str, tools: list[dict[str, Any]]) -> bool:
    """Auto tool choice: call when a tool is named or the prompt asks for a tool-like task."""
    if _TRIGGER.search(prompt):
        return True
    return any(_name_pattern(t["function"]["name"]).search(prompt) for t in tools)


def _best_tool(prompt: str, tools: list[dict[str, Any]]) -> dict[str, Any]:
    words = {w for w in re.findall(r"[a-z]+", prompt.lower()) if w not in _STOPWORDS}

    def score(tool: dict[str, Any]) -> int:
        fn = tool["function"]
        name_words = set(re.findall(r"[a-z]+", fn["name"].lower()))
        desc_words = set(re.findall(r"[a-z]+", str(fn.get("description") or "").lower()))
        return 3 * len(words & name_words) + len(words & (desc_words - _STOPWORDS))

    return max(tools, key=score)  # max keeps the first of equal scores


def plan_calls(
    prompt: str,
    tools: list[dict[str, Any]],
    named: str | None = None,
    parallel: bool = True,
) -> list[PlannedCall]:
    """Which calls to make (one, or two in parallel) with which arguments."""
    by_name = {t["function"]["name"]: t for t in tools}
    facts = extract_facts(prompt, exclude={n.lower() for n in by_name})
    if named is not None:
        chosen = [by_name[named]]
        slots = [0]
    else:
        mentioned = [t for t in tools if _name_pattern(t["function"]["name"]).search(prompt)]
        if len(mentioned) >= 2:
            chosen, slots = mentioned[:3], [0] * len(mentioned[:3])
        else:
            tool = mentioned[0] if mentioned else _best_tool(prompt, tools)
            two = len(facts.places) >= 2 or bool(re.search(r"\b(both|two)\b", prompt, re.I))
            chosen, slots = ([tool, tool], [0, 1]) if two and _TWO.search(prompt) else ([tool], [0])
    if not parallel:
        chosen, slots = chosen[:1], slots[:1]
    return [
        PlannedCall(t["function"]["name"], build_object(t["function"].get("parameters"), facts, s))
        for t, s in zip(chosen, slots, strict=True)
    ]


def _schema_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None:
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return _schema_type(schema[key][0])
        if "properties" in schema:
            return "object"
    return kind


def build_object(schema: object, facts: PromptFacts, slot: int) -> dict[str, Any]:
    """Required properties always; optional ones when the prompt mentions them."""
    if not isinstance(schema, dict):
        return {}
    props = schema.get("properties")
    if not isinstance(props, dict):
        return {}
    required = schema.get("required")
    lowered = facts.text.lower()
    result: dict[str, Any] = {}
    for name, sub in props.items():
        sub = sub if isinstance(sub, dict) else {}
        enum = sub.get("enum")
        if not isinstance(enum, list):
            enum = []
        mentioned = name.lower() in lowered or any(str(e).lower() in lowered for e in enum)
        if not isinstance(required, list) or name in required or mentioned:
            result[name] = build_value(name, sub, facts, slot)
    return result


def _string_value(name: str, schema: dict[str, Any], facts: PromptFacts, slot: int) -> str:
    n = name.lower()
    second = any(k in n for k in ("to", "target", "dest"))
    if any(k in n for k in ("city", "location", "place", "town", "region", "country", "where")):
        return facts.place(slot)
    if any(k in n for k in ("expression", "formula", "equation", "expr")):
        return facts.expression or "2 + 2"
    if "currency" in n or n in ("from", "to", "base", "target"):
        found = facts.currencies or ["USD", "EUR"]
        return found[min(int(second), len(found) - 1)] if len(found) > 1 else found[0]
    if "unit" in n:
        found = facts.units or ["celsius"]
        return found[min(int(second), len(found) - 1)]
    if any(k in n for k in ("url", "link", "website")):
        return facts.url or "https://example.com"
    if "email" in n:
        return "user@example.com"
    if "date" in n or schema.get("format") == "date":
        return "2026-01-15"
    if "timezone" in n or n == "tz":
        return "Europe/Paris"
    if "lang" in n:
        return "en"
    if "path" in n or "file" in n:
        return "notes.txt"
    if n in ("name", "title", "subject", "person", "user"):
        return facts.places[slot] if slot < len(facts.places) else "Example"
    return facts.query


def build_value(name: str, schema: dict[str, Any], facts: PromptFacts, slot: int) -> Any:
    """A plausible value for one property, drawn from the prompt where possible."""
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        lowered = facts.text.lower()
        mentioned = [e for e in enum if str(e).lower() in lowered]
        return mentioned[0] if mentioned else schema.get("default", enum[0])
    kind = _schema_type(schema)
    if kind in ("number", "integer"):
        value = facts.number(slot if len(facts.numbers) > slot else 0)
        if value is None:
            value = schema.get("default", schema.get("minimum", 1))
        low, high = schema.get("minimum"), schema.get("maximum")
        value = max(value, low) if isinstance(low, int | float) else value
        value = min(value, high) if isinstance(high, int | float) else value
        return int(value) if kind == "integer" or float(value).is_integer() else value
    if kind == "boolean":
        default = schema.get("default")
        return default if isinstance(default, bool) else name.lower() in facts.text.lower()
    if kind == "array":
        items = schema.get("items")
        if not isinstance(items, dict):
            items = {}
        return [build_value(name.rstrip("s"), items, facts, slot)]
    if kind == "object":
        return build_object(schema, facts, slot)
    if kind == "null":
        return None
    return _string_value(name, schema, facts, slot)


def stringify_scalars(value: Any) -> Any:
    """Numbers and booleans as strings, as the newer gemma4 engine parser returns them."""
    if isinstance(value, dict):
        return {k: stringify_scalars(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stringify_scalars(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _segments(value: Any, out: list[tuple[bool, str]]) -> None:
    """(is_value_text, text) segments whose concatenation is `json.dumps(value)`."""
    if isinstance(value, dict):
        out.append((False, "{"))
        for i, (key, item) in enumerate(value.items()):
            out.append((False, (", " if i else "") + json.dumps(key, ensure_ascii=False) + ": "))
            _segments(item, out)
        out.append((False, "}"))
    elif isinstance(value, list):
        out.append((False, "["))
        for i, item in enumerate(value):
            if i:
                out.append((False, ", "))
            _segments(item, out)
        out.append((False, "]"))
    elif isinstance(value, str):
        out.append((False, '"'))
        out.append((True, json.dumps(value, ensure_ascii=False)[1:-1]))
        out.append((False, '"'))
    else:
        out.append((True, json.dumps(value)))


def argument_fragments(arguments: dict[str, Any]) -> list[str]:
    """Argument deltas: punctuation runs, value pieces, and last the withheld closing run."""
    segments: list[tuple[bool, str]] = []
    _segments(arguments, segments)
    fragments: list[str] = []
    structural = ""
    for is_value, text in segments:
        if not is_value:
            structural += text
            continue
        if structural:
            fragments.append(structural)
            structural = ""
        fragments.extend(tokenize(text))
    if structural:
        fragments.append(structural)
    return fragments


def _gemma_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_gemma_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_gemma_value(v) for v in value) + "]"
    if isinstance(value, str):
        return f'<|"|>{value}<|"|>'
    return json.dumps(value)


def gemma_call_text(call: PlannedCall) -> str:
    """The model's raw tool-call text, as it leaks into content without a tool parser."""
    return f"<|tool_call>call:{call.name}{_gemma_value(call.arguments)}<tool_call|>"
