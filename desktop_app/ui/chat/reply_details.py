"""The one-line summary under a reply: model, finish reason, tokens, latency and speed."""

from __future__ import annotations

from desktop_app.core.chat.conversation import ChatMessage
from desktop_app.core.server.cut_reason import cut_note


def details_line(msg: ChatMessage) -> str:
    info = msg.reply
    if info is None:
        return ""
    parts: list[str] = []
    if info.model:
        parts.append(info.model)
    if info.finish_reason:
        parts.append(f"finish: {info.finish_reason}")
    if info.usage is not None:
        u = info.usage
        tok = f"{u.prompt_tokens:,} in · {u.completion_tokens:,} out"
        if u.reasoning_tokens:
            tok += f" ({u.reasoning_tokens:,} thinking)"
        parts.append(tok)
    if info.time_to_first_token is not None:
        parts.append(f"first token {info.time_to_first_token:.2f} s")
    tps = info.tokens_per_second
    if tps is not None:
        parts.append(f"{tps:,.1f} tok/s")
    return " · ".join(parts)


def length_note(msg: ChatMessage) -> str:
    """Which limit cut the reply (max_tokens, the context, or a budget spent thinking)."""
    return cut_note(msg)
