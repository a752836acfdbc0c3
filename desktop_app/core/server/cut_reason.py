"""Why a reply stopped at finish_reason "length": max_tokens, the context, or all thinking."""

from __future__ import annotations

from desktop_app.core.chat.conversation import ChatMessage


def cut_note(msg: ChatMessage) -> str:
    """The note under a reply cut by a limit, naming which one; "" for any other reply.

    vLLM refuses a request whose prompt plus max_tokens exceeds the context (a 400 before
    anything is generated), so a reply with max_tokens set stops at max_tokens; without it,
    the server lets the reply run to the end of the context (docs/protocol.md §1.2).
    """
    info = msg.reply
    if info is None or info.finish_reason != "length":
        return ""
    usage = info.usage
    max_tokens = info.params.get("max_tokens")
    thinking_only = bool(msg.reasoning.strip()) and not msg.content.strip()
    if isinstance(max_tokens, int) and not (
        usage is not None and usage.completion_tokens < max_tokens
    ):
        what = f"The reply was cut at max_tokens ({max_tokens:,})."
        help_ = " Raise max_tokens to get longer replies."
    elif usage is not None:
        total = usage.prompt_tokens + usage.completion_tokens
        what = (
            f"The reply was cut because the context ran out: {usage.prompt_tokens:,} prompt + "
            f"{usage.completion_tokens:,} reply tokens filled the model's context "
            f"({total:,} tokens)."
        )
        help_ = " Start a branch from an earlier message, or drop tool definitions or images."
    else:
        what = "The reply was cut at a length limit (max_tokens or the model's context)."
        help_ = " Raise max_tokens, or shorten the conversation."
    if thinking_only:
        what += " It spent the whole budget thinking and wrote no answer."
        help_ = " Raise max_tokens, or turn thinking off for this question."
    return what + help_
