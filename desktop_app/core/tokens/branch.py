"""Branching from a token: the answer's prefix up to a position, with another token chosen there."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.api.logprobs import TokenLog, TokenLogprob
from desktop_app.core.chat.conversation import ChatMessage


class BranchRefused(Exception):
    """Why a reply cannot be continued from a token (shown to the user as it is)."""


@dataclass(frozen=True)
class BranchStart:
    """The text the new reply starts from and its tokens so far."""

    prefix: str
    tokens: TokenLog


def branch_start(msg: ChatMessage, position: int, alternative: int) -> BranchStart:
    """The answer before ``position`` plus the ``alternative``-th token offered there."""
    tokens = msg.tokens
    if msg.tool_calls:
        raise BranchRefused(
            "This reply calls tools; a reply cannot be continued from a token once it has "
            "tool calls (the calls would be lost). Regenerate it instead."
        )
    if tokens is None or not 0 <= position < len(tokens):
        raise BranchRefused("This reply has no token probabilities at that position.")
    alternatives = tokens.alternatives(position)
    if not 0 <= alternative < len(alternatives):
        raise BranchRefused("The server sent no such alternative at that position.")
    chosen = alternatives[alternative]
    head = TokenLog(tokens.entry(k) for k in range(position))
    head.extend((TokenLogprob(chosen.token, chosen.logprob, chosen.bytes, alternatives),))
    raw = b"".join(
        r if (r := head.raw_bytes(k)) is not None else head.token(k).encode()
        for k in range(len(head))
    )
    # A byte-level token may end the prefix inside a character: it is then replaced, since
    # the request carries text.
    return BranchStart(raw.decode("utf-8", "replace"), head)
