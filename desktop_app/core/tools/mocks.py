"""Mock answers that depend on the arguments: cases matched on argument values, a default,
and an injected error or delay per case, to see how a model copes with failing tools.

The cases are kept as the JSON text the user edits (a half-typed edit is never lost)::

    [{"when": {"city": "Atlantis"}, "result": "no such city", "error": true},
     {"when": {"units": "imperial"}, "result": "{\\"temp_f\\": 70}", "delay": 2}]

A case matches when every value in ``when`` equals the argument at that (dotted) path; the
first match wins, otherwise the tool's default mock (with its own error flag and delay).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_DELAY = 600.0  # seconds: a delay is for testing patience, not for hanging a chat


@dataclass(frozen=True, slots=True)
class MockCase:
    """One answer: the result template, whether it is reported as an error, and a delay."""

    result: str
    when: tuple[tuple[str, Any], ...] = ()  # (dotted argument path, value), all must hold
    is_error: bool = False
    delay: float = 0.0

    def matches(self, arguments: Any) -> bool:
        return all(_at(arguments, path) == (True, value) for path, value in self.when)

    def label(self) -> str:
        if not self.when:
            return "the default mock"
        return "the case " + ", ".join(
            f"{path} = {json.dumps(value, ensure_ascii=False)}" for path, value in self.when
        )


def _at(value: Any, dotted: str) -> tuple[bool, Any]:
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def parse_cases(text: str) -> list[MockCase]:
    """The cases of ``text`` (empty: none); ``ValueError`` saying what is wrong and where."""
    if not text.strip():
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"The cases are not valid JSON (line {exc.lineno}: {exc.msg}).") from None
    if not isinstance(data, list):
        raise ValueError('The cases should be a JSON list of {"when": …, "result": …}.')
    cases = []
    for i, raw in enumerate(data, start=1):
        where = f"Case {i}"
        if not isinstance(raw, dict):
            raise ValueError(f"{where} is not an object.")
        unknown = set(raw) - {"when", "result", "error", "delay"}
        if unknown:
            raise ValueError(f"{where} has unknown keys: {', '.join(sorted(unknown))}.")
        when = raw.get("when", {})
        if not isinstance(when, dict) or not when:
            raise ValueError(f"{where}: “when” should name the argument values it matches.")
        result = raw.get("result", "")
        if not isinstance(result, str):
            # A JSON result may be written as JSON: it is sent as its text.
            result = json.dumps(result, ensure_ascii=False)
        error = raw.get("error", False)
        if not isinstance(error, bool):
            raise ValueError(f"{where}: “error” should be true or false.")
        delay = raw.get("delay", 0)
        if isinstance(delay, bool) or not isinstance(delay, int | float):
            raise ValueError(f"{where}: “delay” should be a number of seconds.")
        if not 0 <= delay <= MAX_DELAY:
            raise ValueError(f"{where}: “delay” should be between 0 and {MAX_DELAY:g} seconds.")
        cases.append(MockCase(result, tuple(when.items()), error, float(delay)))
    return cases


def cases_problem(text: str) -> str:
    try:
        parse_cases(text)
    except ValueError as exc:
        return str(exc)
    return ""


def choose_mock(
    default: str, cases_text: str, arguments: Any, is_error: bool = False, delay: float = 0.0
) -> tuple[MockCase | None, str]:
    """(the case that answers these arguments, or None; why the cases could not be read)."""
    try:
        cases = parse_cases(cases_text)
    except ValueError as exc:
        return None, str(exc)
    for case in cases:
        if case.matches(arguments):
            return case, ""
    if not default.strip():
        return None, ""
    return MockCase(default, (), is_error, max(0.0, min(delay, MAX_DELAY))), ""
