"""Checks on a reply for a prompt set: contains, regex, valid JSON, valid against a JSON
Schema (the jsonschema library, never by hand), tool called with a name."""

from __future__ import annotations

import json
import re
from typing import Any

from jsonschema import exceptions as schema_errors
from jsonschema import validators

from desktop_app.api import Completion

KNOWN_CHECKS = ("contains", "regex", "json", "schema", "tool")


def check_problems(checks: dict[str, Any]) -> str:
    """Why these checks cannot be used ("" when they can)."""
    unknown = sorted(set(checks) - set(KNOWN_CHECKS))
    if unknown:
        return f"unknown check {', '.join(unknown)}; known: {', '.join(KNOWN_CHECKS)}"
    for name in ("contains", "regex", "tool"):
        if name in checks and not isinstance(checks[name], str):
            return f'"{name}" must be a string'
    if "regex" in checks:
        try:
            re.compile(checks["regex"])
        except re.error as exc:
            return f'"regex" is not a regular expression ({exc})'
    if "json" in checks and not isinstance(checks["json"], bool):
        return '"json" must be true or false'
    if "schema" in checks:
        schema = checks["schema"]
        if not isinstance(schema, dict):
            return '"schema" must be a JSON Schema (an object)'
        try:
            validators.validator_for(schema).check_schema(schema)
        except schema_errors.SchemaError as exc:
            return f'"schema" is not a valid JSON Schema ({exc.message})'
    return ""


def run_checks(checks: dict[str, Any], completion: Completion | None) -> dict[str, bool]:
    """Each check's pass (True) or fail (False) on the reply; a missing reply fails all."""
    content = completion.content if completion else ""
    out: dict[str, bool] = {}
    if "contains" in checks:
        out["contains"] = checks["contains"] in content
    if "regex" in checks:
        out["regex"] = re.search(checks["regex"], content) is not None
    if checks.get("json"):
        out["json"] = _parsed(content) is not _NOT_JSON
    if "schema" in checks:
        out["schema"] = _fits_schema(content, checks["schema"])
    if "tool" in checks:
        calls = completion.tool_calls if completion else ()
        out["tool"] = any(call.name == checks["tool"] for call in calls)
    return out


_NOT_JSON = object()


def _parsed(text: str) -> Any:
    """The JSON value of a reply, or ``_NOT_JSON``."""
    body = text.strip()
    if body.startswith("```"):  # a fenced block around the JSON still counts as JSON
        body = body.split("\n", 1)[-1].rsplit("```", 1)[0]
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _fits_schema(content: str, schema: Any) -> bool:
    value = _parsed(content)
    if value is _NOT_JSON:
        return False
    validator = validators.validator_for(schema)(schema)
    try:
        return bool(validator.is_valid(value))
    except (schema_errors.SchemaError, RecursionError):
        return False
