"""One fold of the stream: the window shows the api accumulator's reply, read once per frame.

The reply task follows the client's accumulator (``VLLMClient.follow``) and copies its
snapshot into the message when a frame is due; nothing in core folds the deltas again.
A spy records every accumulator the client hands over, and every state of the message the
window is told about, so both can be compared.
"""

from __future__ import annotations

import json
from itertools import pairwise

import pytest

from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.simulator import SimulatorConfig
from tests.ui.tools_support import add_sample, send, wait_idle


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(tokens_per_second=None)


class FollowSpy:
    """Wraps the session client's real ``follow``: records each accumulator it yields."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, client) -> None:
        self.yielded: list = []
        self.snapshots: list[tuple[str, str, int]] = []  # (content, reasoning, chunks)
        real = client.follow

        def follow(request, trace=None):
            async def gen():
                async for accumulator in real(request, trace=trace):
                    self.yielded.append(accumulator)
                    snap = accumulator.snapshot()
                    self.snapshots.append((snap.content, snap.reasoning, accumulator.chunks))
                    yield accumulator

            return gen()

        monkeypatch.setattr(client, "follow", follow)


def watch_changes(window) -> list[tuple[str, str, tuple]]:
    """Every state of the streaming message that the window is told about."""
    chat = window.services.chat
    seen: list[tuple[str, str, tuple]] = []

    def changed(_conv: str, mid: str) -> None:
        msg = chat.current.find(mid)
        if msg.role == "assistant":
            seen.append((msg.content, msg.reasoning, tuple(msg.tool_calls)))

    chat.messageChanged.connect(changed)
    return seen


def test_the_shown_reply_is_the_accumulators_result(qtbot, window, state, monkeypatch):
    spy = FollowSpy(monkeypatch, state.session.client)
    seen = watch_changes(window)
    state.chat.current.settings.enable_thinking = True
    send(qtbot, window, "write 3000 tokens")
    reply = wait_idle(qtbot, window, 2)

    assert reply.status == MessageStatus.COMPLETE
    assert spy.yielded, "the reply task did not read the client's accumulator"
    accumulator = spy.yielded[-1]
    assert all(a is accumulator for a in spy.yielded)  # one accumulator, one fold
    result = accumulator.result()
    assert len(result.content) > 1000
    assert (reply.content, reply.reasoning) == (result.content, result.reasoning)
    assert reply.tool_calls == list(result.tool_calls)
    assert reply.reply.usage == result.usage and reply.reply.finish_reason == "stop"
    # The window shows exactly that text.
    view = window.chat_view.widget_for(reply.id).text
    assert view.source_text() == result.content

    # Each state the window was shown is a prefix of the result, never a re-fold that
    # could drift from it, and it only grows.
    assert seen and seen[-1][:2] == (result.content, result.reasoning)
    for (content, reasoning, _), (later, later_reasoning, _) in pairwise(seen):
        assert result.content.startswith(content) and result.reasoning.startswith(reasoning)
        assert later.startswith(content) and later_reasoning.startswith(reasoning)
    # Copied when a frame is due, from what the reads brought: never more updates than the
    # client had reads (+ the final one), however many chunks each read held.
    assert len(seen) <= len(spy.yielded) + 1


def test_mid_stream_states_are_what_the_accumulator_held(qtbot, window, state, sim, monkeypatch):
    sim.simulator.config.tokens_per_second = 300  # a reply that takes a second: many frames
    spy = FollowSpy(monkeypatch, state.session.client)
    seen = watch_changes(window)
    send(qtbot, window, "write 300 tokens")
    reply = wait_idle(qtbot, window, 2)

    assert reply.status == MessageStatus.COMPLETE
    held = {content for content, _reasoning, _chunks in spy.snapshots}
    # Every state shown while streaming was the accumulator's snapshot after some read.
    streamed = [content for content, _r, _t in seen[:-1]]
    assert len(streamed) > 1 and all(content in held for content in streamed)
    assert seen[-1][0] == spy.yielded[-1].result().content == reply.content


def test_a_tool_call_replys_calls_come_from_the_accumulator(qtbot, window, state, monkeypatch):
    spy = FollowSpy(monkeypatch, state.session.client)
    seen = watch_changes(window)
    add_sample(window)
    window.tools_panel.editor.mock.setPlainText("")  # answered by hand: the loop waits
    send(qtbot, window, "What is the weather in Paris?")
    reply = wait_idle(qtbot, window, 2)

    assert spy.yielded
    result = spy.yielded[-1].result()
    assert result.finish_reason == "tool_calls" and result.tool_calls
    assert reply.tool_calls == list(result.tool_calls)
    assert [c.name for c in reply.tool_calls] == ["get_weather"]
    assert json.loads(reply.tool_calls[0].arguments) == {"city": "Paris"}
    # While streaming, the calls shown were the accumulator's calls as far as they had come.
    calls_shown = [calls for _c, _r, calls in seen if calls]
    assert calls_shown
    for calls in calls_shown:
        assert [c.id for c in calls] == [c.id for c in result.tool_calls][: len(calls)]
        for shown, final in zip(calls, result.tool_calls, strict=False):
            assert final.arguments.startswith(shown.arguments)
