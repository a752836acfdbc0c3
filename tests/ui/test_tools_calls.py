"""Tool calls in the real window against the simulator: cards, answers, the loop, wire bodies."""

from __future__ import annotations

import json

import pytest

from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.simulator import SimulatorConfig
from tests.ui.tools_support import add_sample, add_tool, chat_requests, send, turn_view, wait_idle


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(tokens_per_second=None)


def test_one_call_answered_by_hand_then_final_answer(qtbot, window, sim):
    add_sample(window)
    window.tools_panel.editor.mock.setPlainText("")  # no canned answer: the user types it
    window.services.chat.current.settings.enable_thinking = True
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
    msgs = window.services.chat.current.messages
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


def test_two_parallel_calls_each_get_their_answer(qtbot, window, sim):
    add_sample(window)
    window.tools_panel.editor.mock.setPlainText("")
    send(qtbot, window, "What's the weather in Paris and Tokyo?")
    reply = wait_idle(qtbot, window, 2)
    calls = reply.tool_calls
    assert [json.loads(c.arguments)["city"] for c in calls] == ["Paris", "Tokyo"]
    assert calls[0].id != calls[1].id
    view = turn_view(window, reply.id)
    assert [c.status.text() for c in view.cards] == ["waiting for a result"] * 2
    view.cards[1].result.setPlainText("Tokyo: 25 °C, clear")
    assert not view.send_results.isEnabled()  # Paris is still unanswered
    assert "1 of 2" in view.turn_status.text()
    view.cards[0].result.setPlainText('{"temperature": 12}')
    assert view.cards[0].status.text() == "ready to send"
    view.send_results.click()
    wait_idle(qtbot, window, 5)
    msgs = window.services.chat.current.messages
    assert [m.role for m in msgs] == ["user", "assistant", "tool", "tool", "assistant"]
    body = chat_requests(sim)[-1]
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "tool", "tool"]
    assert [c["id"] for c in body["messages"][1]["tool_calls"]] == [calls[0].id, calls[1].id]
    assert [(m["tool_call_id"], m["content"]) for m in body["messages"][2:]] == [
        (calls[0].id, '{"temperature": 12}'),
        (calls[1].id, "Tokyo: 25 °C, clear"),
    ]
    assert "Tokyo: 25 °C, clear" in msgs[-1].content


def test_parallel_off_is_sent_and_keeps_one_call(qtbot, window, sim):
    add_sample(window)
    window.tools_panel.parallel.setChecked(False)
    send(qtbot, window, "What's the weather in Paris and Tokyo?")
    reply = wait_idle(qtbot, window, 2)
    assert chat_requests(sim)[-1]["parallel_tool_calls"] is False
    assert len(reply.tool_calls) == 1
    assert len(turn_view(window, reply.id).cards) == 1


def test_arguments_stream_into_the_card(qtbot, window, sim):
    sim.simulator.config.tokens_per_second = 30
    add_sample(window)
    send(qtbot, window, "What is the weather in Paris?")
    chat = window.services.chat

    def streaming_card() -> bool:
        msgs = chat.current.messages
        if len(msgs) < 2 or msgs[1].status != MessageStatus.STREAMING or not msgs[1].tool_calls:
            return False
        view = turn_view(window, msgs[1].id)
        return bool(view.cards) and "city" in view.cards[0].arguments.text()

    qtbot.waitUntil(streaming_card, timeout=10_000)
    card = turn_view(window, chat.current.messages[1].id).cards[0]
    assert card.status.text() == "streaming…"
    assert not card.answer_box.isVisible() and not card.check.isVisible()
    reply = wait_idle(qtbot, window, 2)
    assert card.check.isVisible() and card.check.text().startswith("✓")
    assert json.loads(reply.tool_calls[0].arguments) == {"city": "Paris"}


def test_schema_violations_are_flagged_on_the_card(qtbot, window, sim):
    add_tool(
        window,
        {
            "name": "get_weather",
            "description": "Weather for a city code",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string", "maxLength": 3}},
                "required": ["city"],
            },
        },
    )
    send(qtbot, window, "What is the weather in Paris?")
    reply = wait_idle(qtbot, window, 2)
    card = turn_view(window, reply.id).cards[0]
    assert card.check.property("ok") == "false"
    assert "1 mismatch" in card.check.text()
    assert "$.city" in card.check.text() and "too long" in card.check.text()
    assert "⚠" in card.arguments.text()  # the offending line is marked
    # Flagged, not blocked: the user may still answer and continue.
    card.result.setPlainText("unknown city code")
    turn_view(window, reply.id).send_results.click()
    assert wait_idle(qtbot, window, 4).role == "assistant"


def test_non_streaming_reply_with_calls_gets_cards(qtbot, window, sim):
    add_sample(window)
    window.services.chat.current.settings.stream = False
    send(qtbot, window, "What is the weather in Tokyo?")
    reply = wait_idle(qtbot, window, 2)
    assert chat_requests(sim)[-1]["stream"] is False
    card = turn_view(window, reply.id).cards[0]
    assert card.check.text().startswith("✓") and card.answer_box.isVisible()
    assert "Tokyo" in card.arguments.text()


def test_named_tool_choice_is_sent_and_its_call_answered(qtbot, window, sim):
    add_sample(window)
    add_sample(window, "calculator.json")
    combo = window.tools_panel.choice
    combo.setCurrentIndex(combo.findData("named:calculator"))
    combo.activated.emit(combo.currentIndex())
    send(qtbot, window, "What is 6 * 7?")
    reply = wait_idle(qtbot, window, 2)
    assert chat_requests(sim)[-1]["tool_choice"] == {
        "type": "function",
        "function": {"name": "calculator"},
    }
    assert reply.reply.finish_reason == "stop"  # named choice: vLLM says stop, not tool_calls
    assert [c.name for c in reply.tool_calls] == ["calculator"]
    assert window.tools_panel.loop.unanswered(window.services.chat.current)
    assert not window.composer.send_button.isEnabled()
