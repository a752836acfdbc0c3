"""A reply's provenance in words: what produced it and how it went, as label/value rows."""

from __future__ import annotations

import json
import time
from typing import Any

from desktop_app.api import NamedToolChoice
from desktop_app.core.chat.conversation import ReplyInfo
from desktop_app.core.inspect.wire_display import abbreviate_data_urls, ms
from desktop_app.core.params.extra_body import SAMPLING_FIELDS

NOT_SENT = "not sent (server default)"


def _value_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(json.dumps(v, ensure_ascii=False) for v in value)
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, int) else str(value)


def thinking_text(value: bool | None) -> str:
    if value is None:
        return NOT_SENT
    return "on" if value else "off"


def tool_choice_text(choice: Any) -> str:
    if choice is None:
        return NOT_SENT
    if isinstance(choice, NamedToolChoice):
        return f"call {choice.name}"
    return _value_text(choice)


def origin_rows(info: ReplyInfo) -> list[tuple[str, str]]:
    """Who answered and how the reply went."""
    rows = [
        ("Model", info.model or "unknown"),
        ("Server", f"vLLM {info.server_version}" if info.server_version else "version unknown"),
    ]
    if info.started_at is not None:
        rows.append(("Sent", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.started_at))))
    if info.request_id:
        rows.append(("Request id", info.request_id))
    rows.append(("Finish reason", info.finish_reason or "none (stopped or failed)"))
    if info.usage is not None:
        u = info.usage
        tokens = f"{u.prompt_tokens:,} prompt · {u.completion_tokens:,} completion"
        if u.reasoning_tokens:
            tokens += f" ({u.reasoning_tokens:,} thinking)"
        rows.append(("Tokens", tokens))
    rows.append(("First token", ms(info.time_to_first_token)))
    if info.thinking_seconds is not None:
        rows.append(("Thinking", ms(info.thinking_seconds)))
    rows.append(("Duration", ms(info.duration)))
    if info.tokens_per_second is not None:
        rows.append(("Speed", f"{info.tokens_per_second:,.1f} tokens/s"))
    return rows


def settings_rows(info: ReplyInfo) -> list[tuple[str, str]]:
    """Every sampling field (sent value or "not sent"), thinking and tool choice."""
    rows = [
        (name, _value_text(info.params[name]) if name in info.params else NOT_SENT)
        for name in SAMPLING_FIELDS
    ]
    rows.extend(
        (name, _value_text(value))
        for name, value in info.params.items()
        if name not in SAMPLING_FIELDS
    )
    rows.append(("enable_thinking", thinking_text(info.enable_thinking)))
    rows.append(("tool_choice", tool_choice_text(info.tool_choice)))
    return rows


def extra_body_text(info: ReplyInfo) -> str:
    if not info.extra_body:
        return ""
    return json.dumps(abbreviate_data_urls(info.extra_body), indent=2, ensure_ascii=False)
