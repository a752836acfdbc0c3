"""Wire records made readable: abbreviated data: URLs, event summaries, timing lines."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from desktop_app.api import WireTrace
from desktop_app.core.human import human_size

# Shorter base64 payloads are shown whole: abbreviating them would hide more than it saves.
_MIN_ABBREVIATE = 96
_KEEP = 5  # base64 characters kept, enough to recognise a PNG ("iVBOR") or a JPEG ("/9j/")

_DATA_URL = re.compile(
    r"data:([\w.+-]+/[\w.+-]+)?"  # media type
    r"((?:;[\w.+-]+=[\w.+-]+)*)"  # parameters
    r";base64,([A-Za-z0-9+/]+=*)"
)



def _decoded_size(b64: str) -> int:
    padding = len(b64) - len(b64.rstrip("="))
    return len(b64) * 3 // 4 - padding


def _abbreviate_match(match: re.Match[str]) -> str:
    payload = match.group(3)
    if len(payload) < _MIN_ABBREVIATE:
        return match.group(0)
    head = match.group(0)[: match.start(3) - match.start(0)]
    return f"{head}{payload[:_KEEP]}… ({human_size(_decoded_size(payload))})"


def abbreviate_text(text: str) -> str:
    """``text`` with every long base64 ``data:`` URL cut to its head and decoded size."""
    if "base64," not in text:
        return text
    return _DATA_URL.sub(_abbreviate_match, text)


def abbreviate_data_urls(obj: Any) -> Any:
    """A copy of a JSON value with long base64 ``data:`` URLs abbreviated, e.g.
    ``data:image/png;base64,iVBOR… (123 KB)``; everything else is unchanged."""
    if isinstance(obj, str):
        return abbreviate_text(obj)
    if isinstance(obj, Mapping):
        return {k: abbreviate_data_urls(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [abbreviate_data_urls(v) for v in obj]
    return obj


def pretty_json(obj: Any, abbreviate: bool = True) -> str:
    """Indented JSON for reading; images abbreviated unless asked otherwise."""
    value = abbreviate_data_urls(obj) if abbreviate else obj
    return json.dumps(value, indent=2, ensure_ascii=False)


def format_headers(headers: Mapping[str, str]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers.items())


def ms(seconds: float | None) -> str:
    """Seconds as a short duration: "850 ms", "2.31 s", or "—" when unknown."""
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def trace_summary(trace: WireTrace) -> str:
    """One line: method, status, latencies, event count and duration."""
    parts = [f"{trace.method or 'POST'} {trace.url}"]
    if trace.status is not None:
        parts.append(f"HTTP {trace.status}")
    elif trace.error:
        parts.append("no response")
    parts.append(f"first byte {ms(trace.first_byte_at)}")
    parts.append(f"first token {ms(trace.first_token_at)}")
    if trace.events:
        parts.append(f"{len(trace.events):,} events")
    if trace.finished_at is not None:
        parts.append(f"total {ms(trace.finished_at)}")
    else:
        parts.append("still running")
    return " · ".join(parts)


def _clip(text: str, limit: int = 120) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summarize_event(data: str) -> tuple[str, str]:
    """``(kind, text)`` for one SSE ``data`` payload, for a one-line table row.

    Kinds: ``done``, ``error``, ``invalid``, ``usage``, ``finish``, ``tool_call``,
    ``reasoning``, ``content``, ``role``, ``empty``.
    """
    stripped = data.strip()
    if stripped == "[DONE]":
        return "done", "[DONE]"
    try:
        chunk = json.loads(stripped)
    except ValueError:
        return "invalid", _clip(abbreviate_text(stripped))
    if not isinstance(chunk, dict):
        return "invalid", _clip(stripped)
    if "error" in chunk:
        err = chunk["error"]
        message = err.get("message") if isinstance(err, dict) else err
        return "error", _clip(str(message))
    pieces: list[str] = []
    kind = "empty"
    choices = chunk.get("choices") or []
    for choice in choices if isinstance(choices, list) else []:
        if not isinstance(choice, dict):
            continue
        delta = choice.get("delta") or {}
        if isinstance(delta, dict):
            reasoning = delta.get("reasoning") or delta.get("reasoning_content")
            if reasoning:
                kind = "reasoning"
                pieces.append(f"reasoning {json.dumps(reasoning, ensure_ascii=False)}")
            if delta.get("content"):
                kind = "content"
                pieces.append(json.dumps(delta["content"], ensure_ascii=False))
            for call in delta.get("tool_calls") or []:
                kind = "tool_call"
                pieces.append(_tool_piece(call))
            if kind == "empty" and delta.get("role"):
                kind = "role"
                pieces.append(f"role {delta['role']}")
        if choice.get("finish_reason"):
            kind = "finish"
            stop = choice.get("stop_reason")
            pieces.append(f"finish {choice['finish_reason']}" + (f" ({stop})" if stop else ""))
    usage = chunk.get("usage")
    if isinstance(usage, dict) and not choices:
        kind = "usage"
        pieces.append(
            f"usage {usage.get('prompt_tokens', '?')} in · "
            f"{usage.get('completion_tokens', '?')} out"
        )
    return kind, _clip(" · ".join(pieces) or "(empty delta)")


def _tool_piece(call: object) -> str:
    if not isinstance(call, dict):
        return "tool call"
    fn = call.get("function") or {}
    name = fn.get("name") if isinstance(fn, dict) else None
    args = fn.get("arguments") if isinstance(fn, dict) else None
    text = f"tool[{call.get('index', '?')}]"
    if name:
        text += f" {name}"
    if args:
        text += f" {args}"
    return text


def event_detail(data: str) -> str:
    """The full text of one event, indented when it is JSON, images abbreviated."""
    try:
        return pretty_json(json.loads(data))
    except ValueError:
        return abbreviate_text(data)
