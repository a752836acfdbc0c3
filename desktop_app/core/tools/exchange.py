"""Tools in and out of the app: the OpenAI ``tools`` file, and the dict kept in the history."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from desktop_app.core.tools.json_spots import spot_at
from desktop_app.core.tools.workbench import DEFAULT_AUTO_ROUNDS, ToolBench, ToolEntry

# The shipped samples carry a canned answer next to the OpenAI tool object; other readers
# of the file ignore the extra key.
MOCK_KEY = "x-gemma-desk-mock"
# The rest of a mock (argument-matched cases, an injected error or delay), in one object.
MOCK_MORE_KEY = "x-gemma-desk-mock-more"
# The schema of the tool's result: beside the function, so a reader that sends the function
# as it is never puts it on the wire.
RESULT_SCHEMA_KEY = "x-gemma-desk-result-schema"

# ---- import and export --------------------------------------------------------------------


def export_tools(entries: Iterable[ToolEntry]) -> str:
    """The OpenAI ``tools`` array of the given entries that are valid, as JSON text; each
    tool's mock answers ride along under keys that other readers ignore."""
    wire = []
    for entry in entries:
        definition = entry.check().definition
        if definition is not None:
            item = definition.to_wire()
            if definition.result_schema is not None:
                item[RESULT_SCHEMA_KEY] = definition.result_schema
            if entry.mock:
                item[MOCK_KEY] = entry.mock
            more = _mock_more(entry)
            if more:
                item[MOCK_MORE_KEY] = more
            wire.append(item)
    return json.dumps(wire, indent=2, ensure_ascii=False) + "\n"


def import_tools(text: str) -> list[ToolEntry]:
    """Entries from an OpenAI ``tools`` array, one tool object, or ``{"tools": [...]}``.

    Each tool is kept as written, even if it has problems (the editor shows them), but a
    file that is not JSON or holds no tool objects raises ``ValueError`` saying why.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        spot = spot_at(text, exc.pos)
        raise ValueError(
            f"The file is not valid JSON (line {spot.line}, column {spot.column}: {exc.msg})."
        ) from None
    if isinstance(data, dict) and isinstance(data.get("tools"), list):
        data = data["tools"]
    items = data if isinstance(data, list) else [data]
    entries = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"Item {i + 1} of the file is not a tool object.")
        function = item.get("function", item)
        if not isinstance(function, dict) or "name" not in function:
            raise ValueError(f"Item {i + 1} of the file is not a tool: it has no “name”.")
        mock = item.get(MOCK_KEY) if function is not item else None
        result_schema = item.get(RESULT_SCHEMA_KEY) if function is not item else None
        if result_schema is not None and "result_schema" not in function:
            function = {**function, "result_schema": result_schema}
        entry = ToolEntry(
            source=json.dumps(function, indent=2, ensure_ascii=False),
            mock=mock if isinstance(mock, str) else "",
        )
        more = item.get(MOCK_MORE_KEY) if function is not item else None
        if isinstance(more, dict):
            _set_mock_more(entry, more)
        entries.append(entry)
    if not entries:
        raise ValueError("The file holds no tools (an empty list).")
    return entries


def read_tools_file(path: str | Path) -> tuple[list[ToolEntry], str]:
    """(entries, what to tell the user); ``ValueError`` with a readable reason on failure."""
    name = Path(path).name
    try:
        entries = import_tools(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"Could not import {name}: {exc.strerror or exc}.") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"Could not import {name}: {exc}") from None
    n = len(entries)
    return entries, f"Imported {n} tool{'s' * (n != 1)} from {name}."


def load_tools_file(path: str | Path) -> tuple[list[ToolEntry], str]:
    """`read_tools_file` plus every entry checked once: the slow part of an import (JSON
    parsing and schema validation), for a worker thread; the checks are kept on the entries."""
    entries, note = read_tools_file(path)
    for entry in entries:
        entry.check()
    return entries, note


def write_tools_file(path: str | Path, entries: Iterable[ToolEntry]) -> str:
    """Writes the valid entries as an OpenAI ``tools`` array; says what was left out."""
    entries = list(entries)
    valid = [e for e in entries if e.check().ok]
    skipped = [e.name for e in entries if not e.check().ok]
    try:
        Path(path).write_text(export_tools(valid), encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"Could not write {Path(path).name}: {exc.strerror or exc}.") from None
    note = f" Skipped (has errors): {', '.join(skipped)}." if skipped else ""
    return f"Exported {len(valid)} tool(s) to {Path(path).name}.{note}"


def _mock_more(entry: ToolEntry) -> dict[str, Any]:
    more: dict[str, Any] = {}
    if entry.mock_cases.strip():
        more["cases"] = entry.mock_cases
    if entry.mock_error:
        more["error"] = True
    if entry.mock_delay:
        more["delay"] = entry.mock_delay
    if entry.auto_answer:
        more["auto_answer"] = True
    return more


def _set_mock_more(entry: ToolEntry, more: dict[str, Any]) -> None:
    """Takes what is well-typed and leaves the rest at its default (a hand-edited file)."""
    cases, error, delay = more.get("cases"), more.get("error"), more.get("delay")
    if isinstance(cases, str):
        entry.mock_cases = cases
    elif isinstance(cases, list):
        entry.mock_cases = json.dumps(cases, indent=2, ensure_ascii=False)
    entry.mock_error = error is True
    if isinstance(delay, int | float) and not isinstance(delay, bool) and 0 <= delay <= 600:
        entry.mock_delay = float(delay)
    entry.auto_answer = more.get("auto_answer") is True


# ---- the dict form kept in the history ----------------------------------------------------


def bench_to_dict(bench: ToolBench) -> dict[str, Any]:
    return {
        "entries": [entry_to_dict(e) for e in bench.entries],
        "max_auto_rounds": bench.max_auto_rounds,
    }


def bench_from_dict(data: object, path: str = "tool_bench") -> ToolBench:
    """Lenient about what is missing, strict about wrong types (``ValueError`` naming them)."""
    if data is None:
        return ToolBench()
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object")
    raw_entries = data.get("entries", [])
    if not isinstance(raw_entries, list):
        raise ValueError(f"{path}.entries: expected a list")
    entries = [entry_from_dict(raw, f"{path}.entries[{i}]") for i, raw in enumerate(raw_entries)]
    rounds = data.get("max_auto_rounds", DEFAULT_AUTO_ROUNDS)
    if not isinstance(rounds, int) or isinstance(rounds, bool) or rounds < 0:
        raise ValueError(f"{path}.max_auto_rounds: expected a whole number ≥ 0")
    return ToolBench(entries=entries, max_auto_rounds=rounds)


def entry_to_dict(e: ToolEntry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source": e.source,
        "enabled": e.enabled,
        "mock": e.mock,
        "auto_answer": e.auto_answer,
    }
    # Only when set: histories written before these existed stay byte-for-byte the same.
    if e.mock_cases:
        out["mock_cases"] = e.mock_cases
    if e.mock_error:
        out["mock_error"] = True
    if e.mock_delay:
        out["mock_delay"] = e.mock_delay
    return out


def entry_from_dict(raw: object, where: str) -> ToolEntry:
    if not isinstance(raw, dict) or not isinstance(raw.get("source", ""), str):
        raise ValueError(f"{where}: expected an object with a text “source”")
    for key in ("enabled", "auto_answer", "mock_error"):
        if not isinstance(raw.get(key, False), bool):
            raise ValueError(f"{where}.{key}: expected true or false")
    for key in ("mock", "mock_cases"):
        if not isinstance(raw.get(key, ""), str):
            raise ValueError(f"{where}.{key}: expected text")
    delay = raw.get("mock_delay", 0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        raise ValueError(f"{where}.mock_delay: expected a number of seconds ≥ 0")
    return ToolEntry(
        source=raw.get("source", ""),
        enabled=raw.get("enabled", True),
        mock=raw.get("mock", ""),
        auto_answer=raw.get("auto_answer", False),
        mock_cases=raw.get("mock_cases", ""),
        mock_error=raw.get("mock_error", False),
        mock_delay=float(delay),
    )
