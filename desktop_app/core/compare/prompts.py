"""A prompt set: prompts typed or read from a JSON / JSONL file, each with optional checks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.compare.checks import check_problems


class PromptSetError(ValueError):
    """The prompt file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class PromptItem:
    """One prompt and the checks its replies must pass (see ``checks``)."""

    prompt: str
    checks: dict[str, Any] = field(default_factory=dict)


def parse_prompt_item(value: Any, where: str) -> PromptItem:
    if isinstance(value, str):
        if not value.strip():
            raise PromptSetError(f"{where}: the prompt is empty")
        return PromptItem(value)
    if isinstance(value, dict):
        prompt = value.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise PromptSetError(f'{where}: needs a "prompt" (a non-empty string)')
        checks = {k: v for k, v in value.items() if k != "prompt"}
        problem = check_problems(checks)
        if problem:
            raise PromptSetError(f"{where}: {problem}")
        return PromptItem(prompt, checks)
    raise PromptSetError(f"{where}: expected a string or an object with a prompt")


def load_prompt_set(path: str | Path) -> list[PromptItem]:
    """A JSON array, or one JSON value per line (JSONL); strings or {"prompt": ..., checks}."""
    where = str(path)
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptSetError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptSetError(f"{where}: cannot read it ({exc})") from None
    stripped = text.strip()
    if not stripped:
        raise PromptSetError(f"{where}: the file is empty")
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            raise PromptSetError(f"{where}: not valid JSON ({exc})") from None
        if not data:
            raise PromptSetError(f"{where}: the list of prompts is empty")
        return [parse_prompt_item(v, f"{where}: prompt {n}") for n, v in enumerate(data, 1)]
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise PromptSetError(f"{where}: line {number}: not valid JSON ({exc})") from None
        items.append(parse_prompt_item(value, f"{where}: line {number}"))
    return items


def parse_prompt_text(text: str) -> list[PromptItem]:
    """Prompts typed one per line: a plain line is a prompt; a line starting with ``{`` or
    ``"`` is read as one JSONL line of a prompt file (a prompt with checks, or a string with
    ``\\n`` in it), by the same parser as ``--prompts``."""
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] in '{"':
            try:
                value = json.loads(stripped)
            except (ValueError, RecursionError) as exc:
                raise PromptSetError(f"line {number}: not valid JSON ({exc})") from None
        else:
            value = stripped
        items.append(parse_prompt_item(value, f"line {number}"))
    if not items:
        raise PromptSetError("Type at least one prompt (one per line), or load a prompt file.")
    return items


def prompt_set_text(items: list[PromptItem]) -> str:
    """``items`` as the lines ``parse_prompt_text`` reads back to the same items."""
    lines = []
    for item in items:
        plain = not item.checks and "\n" not in item.prompt
        if plain and item.prompt.strip() == item.prompt and item.prompt[:1] not in '{"':
            lines.append(item.prompt)
        elif not item.checks:
            lines.append(json.dumps(item.prompt, ensure_ascii=False))
        else:
            lines.append(json.dumps({"prompt": item.prompt, **item.checks}, ensure_ascii=False))
    return "\n".join(lines)


def prompt_items_json(items: list[PromptItem]) -> list[Any]:
    """``items`` as a prompt file's JSON array holds them (strings when they have no checks)."""
    return [{"prompt": i.prompt, **i.checks} if i.checks else i.prompt for i in items]
