"""The note under a reply cut at finish_reason "length" names the limit that was hit."""

from __future__ import annotations

from desktop_app.api import Usage
from desktop_app.core.chat.conversation import ChatMessage, ReplyInfo
from desktop_app.ui.chat.reply_details import length_note


def _reply(content: str, reasoning: str, max_tokens: int | None, prompt: int, out: int,
           finish: str = "length") -> ChatMessage:
    params = {"max_tokens": max_tokens} if max_tokens is not None else {}
    info = ReplyInfo(params=params, finish_reason=finish,
                     usage=Usage(prompt_tokens=prompt, completion_tokens=out,
                                 total_tokens=prompt + out))
    return ChatMessage(role="assistant", content=content, reasoning=reasoning, reply=info)


def test_max_tokens_named_when_it_was_reached():
    note = length_note(_reply("Rivers are", "", 64, 30, 64))
    assert "max_tokens (64)" in note and "context" not in note


def test_context_named_when_no_max_tokens_was_set():
    note = length_note(_reply("Rivers are", "", None, 500, 12))
    assert "context ran out" in note and "512" in note
    assert "Raise max_tokens" not in note


def test_a_reply_that_only_thought_says_so():
    note = length_note(_reply("", "Let me think about rivers", 64, 30, 64))
    assert "whole budget thinking" in note and "thinking off" in note


def test_other_finishes_have_no_note():
    assert length_note(_reply("Done.", "", 64, 30, 10, finish="stop")) == ""
