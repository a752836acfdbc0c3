"""Tool calls in the real window against the simulator: cards, answers, the loop, wire bodies."""

from __future__ import annotations

import json

import pytest

from desktop_app.core.conversation import MessageStatus
from desktop_app.simulator import SimulatorConfig
from tests.ui.tools_support import add_sample, chat_requests, send, turn_view, wait_idle


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(tokens_per_second=None)


def test_one_call_answered_by_hand_then_final_answer(qtbot, window, sim):
    add_sample(window)
    window.tools_panel.editor.mock.setPlainText("")  # no canned answer: the user types it
    window.state.chat.current.settings.enable_thinking = True
    send(qtbot, window, "What is the weather in Paris?")
    reply = wait_idle(qtbot, window, 2)
    assert reply.status == MessageStatus.COMPLETE
    assert [c.name for c in reply.tool_calls] == ["get_weather"]
    assert reply.reasoning
    call = reply.tool_calls[0]
    assert json.loads(call.arguments) == {"city": "Paris"}

    view = turn_view(window, reply.id)
    assert len(view.cards) == 1
    card = view.cards[0]
    assert "get_weather" in card.name.text()
    assert '"city": "Paris"' in card.arguments.text().replace("&quot;", '"')
    assert card.check.text().startswith("✓")
    assert card.answer_box.isVisible()
    # Nothing may be sent while the call is open.
    assert not window.composer.send_button.isEnabled()
    assert "wait" in window.composer.blocked_reason()
    assert not view.send_results.isEnabled()

    card.result.setPlainText('{"temperature": 18, "conditions": "rain"}')
    assert view.send_results.isEnabled()
    view.send_results.click()
    final = wait_idle(qtbot, window, 4)
    msgs = window.state.chat.current.messages
    assert [m.role for m in msgs] == ["user", "assistant", "tool", "assistant"]
    assert final.status == MessageStatus.COMPLETE and "temperature" in final.content
    assert window.composer.send_button.isEnabled()

    body = chat_requests(sim)[-1]
    assistant, tool = body["messages"][-2], body["messages"][-1]
    assert assistant["role"] == "assistant"
    assert assistant["reasoning"] == reply.reasoning
    assert assistant["tool_calls"] == [
        {
            "id": call.id,
            "type": "function",
            "function": {"name": "get_weather", "arguments": call.arguments},
        }
    ]
    assert tool == {
        "role": "tool",
        "content": '{"temperature": 18, "conditions": "rain"}',
        "tool_call_id": call.id,
        "name": "get_weather",
    }
    result_view = turn_view(window, msgs[2].id)
    assert "Result of" in result_view.result_head.text()
    assert '"temperature": 18' in result_view.result_body.text()
