"""Sampling values read from files and the database: drops those vLLM would refuse, saying which."""

from __future__ import annotations

import math
from typing import Any

from desktop_app.api import SamplingParams
from desktop_app.core.params.extra_body import SAMPLING_FIELDS


def field_problem(name: str, value: object) -> str | None:
    """Why ``value`` cannot be the sampling field ``name`` (wrong type, not finite, out of
    range, as presets are checked), or None when it can; None (not sent) is always fine."""
    if value is None:
        return None
    if name == "stop":
        if not isinstance(value, list | tuple) or not all(isinstance(s, str) for s in value):
            return f"stop must be a list of strings, got {_shown(value)}"
        if any(s == "" for s in value):
            return "stop strings must not be empty"
        return None
    # Any value may arrive from a file: validate() is what says whether it fits the field.
    candidate: dict[str, Any] = {name: value}
    problems = SamplingParams(**candidate).validate()
    return problems[0] if problems else None


def repair_sampling(raw: object, where: str) -> list[str]:
    """Removes, in place, every sampling field of the dict ``raw`` that ``field_problem``
    refuses; returns one sentence per removed field, naming it by ``where``. Anything that
    is not a dict is left alone (the strict readers report it)."""
    if not isinstance(raw, dict):
        return []
    notes = []
    for name in SAMPLING_FIELDS:
        if name not in raw:
            continue
        problem = field_problem(name, raw[name])
        if problem is not None:
            del raw[name]
            notes.append(f"{where}.{name}: {problem}")
    return notes


def repair_reply_params(reply: object, where: str) -> list[str]:
    """The same for a stored reply's provenance (``reply["params"]``, the fields as sent)."""
    if not isinstance(reply, dict):
        return []
    return repair_sampling(reply.get("params"), f"{where}.params")


def _shown(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"
