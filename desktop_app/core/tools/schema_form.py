"""A form for a tool's JSON Schema: one field per property of an object schema, and the text
of a field to and from its JSON value. Checking the whole value against the schema is
jsonschema's job (``check_arguments``); this only reads what each field holds."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

FieldKind = Literal["string", "number", "integer", "boolean", "enum", "json"]

_INT = re.compile(r"[-+]?\d+")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SIMPLE = ("string", "number", "integer", "boolean")


@dataclass(frozen=True)
class FieldSpec:
    """One property as a form field; ``json`` is the fallback for anything else (objects,
    arrays, unions): its text is the property's JSON."""

    name: str
    kind: FieldKind
    required: bool = False
    description: str = ""
    has_default: bool = False
    default: Any = None
    choices: tuple[Any, ...] = ()

    def label(self) -> str:
        return self.name + (" *" if self.required else "")

    def default_text(self) -> str:
        """The default as the field would show it ('' when there is none)."""
        if not self.has_default:
            return ""
        if self.kind == "string" and isinstance(self.default, str):
            return self.default
        return json.dumps(self.default, ensure_ascii=False)


def form_fields(schema: object) -> list[FieldSpec] | None:
    """The fields of an object schema with ``properties``; None when the schema is not one
    (the arguments are then edited as JSON only)."""
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type", "object")
    props = schema.get("properties", {})
    if kind != "object" or not isinstance(props, dict):
        return None
    required = schema.get("required")
    needed = {r for r in required if isinstance(r, str)} if isinstance(required, list) else set()
    return [_spec(str(name), prop, name in needed) for name, prop in props.items()]


def _spec(name: str, prop: object, required: bool) -> FieldSpec:
    if not isinstance(prop, dict):
        return FieldSpec(name, "json", required)
    description = prop.get("description")
    common: dict[str, Any] = {
        "required": required,
        "description": description if isinstance(description, str) else "",
        "has_default": "default" in prop,
        "default": prop.get("default"),
    }
    choices = prop.get("enum")
    if isinstance(choices, list) and choices:
        return FieldSpec(name, "enum", choices=tuple(choices), **common)
    kind = prop.get("type")
    if isinstance(kind, list):  # ["string", "null"]: the field is for the one real type
        real = [k for k in kind if k != "null"]
        kind = real[0] if len(real) == 1 else None
    if kind in _SIMPLE:
        return FieldSpec(name, kind, **common)
    return FieldSpec(name, "json", **common)


def field_text(spec: FieldSpec, value: Any) -> str | None:
    """What the field shows for ``value``; None when the field cannot hold it as it is (a
    number where the schema says string): the arguments are then edited as JSON."""
    if spec.kind == "string":
        return value if isinstance(value, str) else None
    if spec.kind == "integer":
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else None
    if spec.kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return json.dumps(value) if ok else None
    if spec.kind == "boolean":
        return json.dumps(value) if isinstance(value, bool) else None
    if spec.kind == "enum":
        return json.dumps(value) if value in spec.choices else None
    return json.dumps(value, ensure_ascii=False)


def field_value(spec: FieldSpec, text: str) -> tuple[bool, Any, str]:
    """(given, value, problem) for a text field: an empty field leaves the property out."""
    if spec.kind == "string":
        return (text != "", text, "")
    raw = text.strip()
    if not raw:
        return (False, None, "")
    if spec.kind == "integer":
        if not _INT.fullmatch(raw):
            return (False, None, f"{spec.name}: “{raw}” is not a whole number.")
        return (True, int(raw), "")
    if spec.kind == "number":
        if not _NUMBER.fullmatch(raw):
            return (False, None, f"{spec.name}: “{raw}” is not a number.")
        number = float(raw)
        return (True, int(raw) if _INT.fullmatch(raw) else number, "")
    try:
        return (True, json.loads(raw), "")
    except ValueError as exc:
        return (False, None, f"{spec.name}: not valid JSON ({exc.args[0].split(':')[0]}).")
