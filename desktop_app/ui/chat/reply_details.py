"""The one-line summary under a reply: model, finish reason, tokens, latency and speed."""

from __future__ import annotations

from desktop_app.core.chat.conversation import ChatMessage, MessageStatus
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


def empty_note(msg: ChatMessage) -> str:
    """Why a finished reply holds nothing, and what to try; "" when it holds something."""
    info = msg.reply
    if (
        msg.role != "assistant"
        or msg.status != MessageStatus.COMPLETE
        or msg.content.strip()
        or msg.reasoning.strip()
        or msg.tool_calls
        or info is None
        or info.finish_reason == "length"  # length_note says it
    ):
        return ""
    reason = info.finish_reason or "not given"
    head = f"The model sent back an empty reply (finish reason: {reason})."
    if info.tool_choice == "none":
        return (
            f"{head} tool_choice is “none”: the model may not call a tool, and Gemma often "
            "answers nothing when a tool was what it wanted. Set Tool choice to auto, or ask "
            "for a plain answer."
        )
    if reason == "stop":
        return (
            f"{head} It stopped at once: a stop string may match the first token, or the "
            "system prompt asks for nothing. Try Regenerate, remove the stop strings, or "
            "rephrase the message."
        )
    return f"{head} Try Regenerate, or look at the raw response in the Inspector."
