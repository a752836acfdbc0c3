"""Sampling parameters, their valid ranges (docs/protocol.md §1.2) and their wire form."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, NamedTuple


class FieldRange(NamedTuple):
    """The valid range of one numeric sampling field."""

    min: float
    max: float
    min_inclusive: bool
    max_inclusive: bool
    type: type


_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1

# Ranges enforced by vLLM's SamplingParams / request validation (docs/protocol.md §1.2).
FIELD_RANGES: dict[str, FieldRange] = {
    "temperature": FieldRange(0.0, 2.0, True, True, float),
    "top_p": FieldRange(0.0, 1.0, False, True, float),
    # 0 and -1 both mean "disabled"; anything below -1 is rejected.
    "top_k": FieldRange(-1, math.inf, True, False, int),
    "min_p": FieldRange(0.0, 1.0, True, True, float),
    "repetition_penalty": FieldRange(0.0, math.inf, False, False, float),
    "presence_penalty": FieldRange(-2.0, 2.0, True, True, float),
    "frequency_penalty": FieldRange(-2.0, 2.0, True, True, float),
    "max_tokens": FieldRange(1, math.inf, True, False, int),
    "seed": FieldRange(_INT64_MIN, _INT64_MAX, True, True, int),
}


@dataclass(frozen=True, slots=True)
class SamplingParams:
    """Generation settings; ``None`` means "not sent", so the server default applies."""

    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    min_p: float | None = None
    repetition_penalty: float | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    stop: tuple[str, ...] | None = None

    def to_wire(self) -> dict[str, Any]:
        """Only the fields that are set."""
        wire: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            wire[f.name] = list(value) if f.name == "stop" else value
        return wire

    def validate(self) -> list[str]:
        """Human-readable problems the server would reject; empty when all is fine."""
        problems: list[str] = []
        for name, spec in FIELD_RANGES.items():
            value = getattr(self, name)
            if value is not None:
                problem = _check_number(name, value, spec)
                if problem:
                    problems.append(problem)
        if self.stop is not None:
            if isinstance(self.stop, str) or not all(isinstance(s, str) for s in self.stop):
                problems.append("stop must be a list of strings")
            elif any(s == "" for s in self.stop):
                problems.append("stop strings must not be empty")
        return problems


def _check_number(name: str, value: object, spec: FieldRange) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{name} must be a number, got {value!r}"
    if spec.type is int and not isinstance(value, int):
        return f"{name} must be a whole number, got {value!r}"
    if not math.isfinite(value):
        return f"{name} must be a finite number, got {value!r}"
    low_ok = value >= spec.min if spec.min_inclusive else value > spec.min
    high_ok = value <= spec.max if spec.max_inclusive else value < spec.max
    if low_ok and high_ok:
        return None
    return f"{name} must be {describe_range(spec)}, got {value!r}"


def describe_range(spec: FieldRange) -> str:
    """E.g. "between 0 and 2", "greater than 0 and at most 1", "at least 1"."""
    low = _fmt(spec.min)
    high = _fmt(spec.max)
    if math.isinf(spec.max):
        return f"at least {low}" if spec.min_inclusive else f"greater than {low}"
    if spec.min_inclusive and spec.max_inclusive:
        return f"between {low} and {high}"
    low_words = f"at least {low}" if spec.min_inclusive else f"greater than {low}"
    high_words = f"at most {high}" if spec.max_inclusive else f"less than {high}"
    return f"{low_words} and {high_words}"


def _fmt(number: float) -> str:
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)
