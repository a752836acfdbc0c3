"""The tool loop in the real window: mock auto-answer and its round limit, open calls that
block Send, closing calls, coerced string scalars and servers without a tool parser."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from desktop_app.core.tools.calls import CLOSED_RESULT
from desktop_app.simulator import SimulatorConfig
from tests.ui.tools_support import add_sample, add_tool, chat_requests, send, turn_view, wait_idle


@pytest.fixture
def sim_config(request) -> SimulatorConfig:
    return SimulatorConfig(tokens_per_second=None, **getattr(request, "param", {}))


def test_mock_auto_answer_runs_the_loop_to_a_final_answer(qtbot, window, sim):
    add_sample(window)  # ships with a mock: {"city": "{{arguments.city}}", ...}
    window.tools_panel.editor.auto_answer.setChecked(True)
    send(qtbot, window, "What is the weather in Lisbon?")
    final = wait_idle(qtbot, window, 4)
    msgs = window.services.chat.current.messages
    assert [m.role for m in msgs] == ["user", "assistant", "tool", "assistant"]
    result = json.loads(msgs[2].content)
    assert result["city"] == "Lisbon" and result["temperature"] == 21
    assert msgs[2].tool_call_id == msgs[1].tool_calls[0].id
    assert "Lisbon" in final.content and final.reply.finish_reason == "stop"
    assert len(chat_requests(sim)) == 2
    assert window.composer.send_button.isEnabled()


def test_auto_answer_stops_at_the_round_limit(qtbot, window, sim):
    panel = window.tools_panel
    add_sample(window)
    panel.editor.auto_answer.setChecked(True)
    panel.rounds.setValue(2)
    combo = panel.choice
    combo.setCurrentIndex(combo.findData("required"))  # the model must call every time
    combo.activated.emit(combo.currentIndex())
    send(qtbot, window, "What is the weather in Oslo?")
    chat = window.services.chat
    qtbot.waitUntil(lambda: bool(panel.loop.notes.get(chat.current.id)), timeout=15_000)
    last = wait_idle(qtbot, window, 6)
    roles = [m.role for m in chat.current.messages]
    assert roles == ["user", "assistant", "tool", "assistant", "tool", "assistant"]
    assert len(chat_requests(sim)) == 3
    assert all(b["tool_choice"] == "required" for b in chat_requests(sim))
    # The third round waits for the user, and says why.
    assert panel.loop.unanswered(chat.current) == last.tool_calls
    view = turn_view(window, last.id)
    assert "stopped after 2 rounds" in view.turn_status.text()
    assert "stopped after 2 rounds" in panel.status.text()
    assert not window.composer.send_button.isEnabled()
    assert view.send_results.isEnabled()  # the mock still filled the answer in
    view.send_results.click()
    qtbot.waitUntil(lambda: len(chat_requests(sim)) == 4, timeout=10_000)


def test_open_calls_block_send_until_answered_or_closed(qtbot, window, sim):
    add_sample(window)
    window.tools_panel.editor.mock.setPlainText("")
    send(qtbot, window, "What is the weather in Rome?")
    reply = wait_idle(qtbot, window, 2)
    requests_before = len(chat_requests(sim))
    assert window.composer.blocked_reason().startswith("Tool call waits for a result")
    assert window.composer.send_button.toolTip() == window.composer.blocked_reason()
    send(qtbot, window, "never mind, tell me a joke")
    assert len(window.services.chat.current.messages) == 2
    assert window.composer.text() == "never mind, tell me a joke"  # kept, not lost
    assert len(chat_requests(sim)) == requests_before

    view = turn_view(window, reply.id)
    view.send_results.click()  # disabled: nothing happens
    assert len(window.services.chat.current.messages) == 2
    view.close_all.click()
    msgs = window.services.chat.current.messages
    assert [m.role for m in msgs] == ["user", "assistant", "tool"]
    assert json.loads(msgs[2].content) == {"error": CLOSED_RESULT}
    assert len(chat_requests(sim)) == requests_before  # closing asks for nothing
    assert window.composer.send_button.isEnabled()
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    wait_idle(qtbot, window, 5)
    body = chat_requests(sim)[-1]
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "tool", "user"]
    assert body["messages"][2]["tool_call_id"] == reply.tool_calls[0].id


def test_one_call_closed_the_other_answered(qtbot, window, sim):
    add_sample(window)
    window.tools_panel.editor.mock.setPlainText("")
    send(qtbot, window, "Weather in Paris and Tokyo please")
    reply = wait_idle(qtbot, window, 2)
    view = turn_view(window, reply.id)
    view.cards[0].close_button.click()
    assert view.cards[0].status.text() == "closed"
    assert not view.cards[0].result.isEnabled()
    view.cards[1].result.setPlainText("timeout after 5 s")
    view.cards[1].is_error.setChecked(True)
    view.send_results.click()
    wait_idle(qtbot, window, 5)
    tools = chat_requests(sim)[-1]["messages"][2:]
    assert [json.loads(m["content"]) for m in tools] == [
        {"error": CLOSED_RESULT},
        {"error": "timeout after 5 s"},
    ]
    result_view = turn_view(window, window.services.chat.current.messages[3].id)
    assert "reported as an error" in result_view.result_head.text()


def test_invalid_result_json_is_shown_and_blocks_send_results(qtbot, window, sim):
    add_sample(window)
    window.tools_panel.editor.mock.setPlainText("")
    send(qtbot, window, "What is the weather in Paris?")
    reply = wait_idle(qtbot, window, 2)
    view = turn_view(window, reply.id)
    card = view.cards[0]
    card.result.setPlainText('{"temperature": 21,}')
    assert card.problem.isVisible()
    # Python 3.13 points at the comma, 3.12 at the brace after it.
    assert any(f"Line 1, column {c}" in card.problem.text() for c in (19, 20))
    assert not view.send_results.isEnabled()
    assert "not valid" in view.send_results.toolTip()
    card.result.setPlainText('{"temperature": 21}')
    assert view.send_results.isEnabled() and not card.problem.isVisible()


@pytest.mark.parametrize("sim_config", [{"string_scalars": True}], indirect=True)
def test_string_scalars_are_coerced_shown_and_sent_back(qtbot, window, sim):
    add_tool(
        window,
        {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "days": {"type": "integer"},
                    "metric": {"type": "boolean"},
                },
                "required": ["city"],
            },
        },
    )
    send(qtbot, window, "What is the weather in Paris for 3 days, metric?")
    reply = wait_idle(qtbot, window, 2)
    call = reply.tool_calls[0]
    assert json.loads(call.arguments) == {"city": "Paris", "days": 3, "metric": True}
    received = window.tools_panel.loop.coerced(call.id)[1]
    assert json.loads(received) == {"city": "Paris", "days": "3", "metric": "true"}
    card = turn_view(window, reply.id).cards[0]
    assert card.coerced.isVisible()
    assert "days, metric" in card.coerced.text()
    assert card.check.text().startswith("✓")
    assert '"days": 3, ⇄' in card.arguments.text().replace("&quot;", '"')
    card.result.setPlainText("sunny")
    turn_view(window, reply.id).send_results.click()
    wait_idle(qtbot, window, 4)
    sent = chat_requests(sim)[-1]["messages"][1]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(sent) == {"city": "Paris", "days": 3, "metric": True}


@pytest.mark.parametrize("sim_config", [{"degraded_tools": True}], indirect=True)
def test_raw_tool_call_text_is_flagged_with_the_server_flags(qtbot, window, sim):
    add_sample(window)
    send(qtbot, window, "What is the weather in Paris?")
    reply = wait_idle(qtbot, window, 2)
    assert not reply.tool_calls and "<|tool_call>call:get_weather" in reply.content
    view = turn_view(window, reply.id)
    assert view.isVisible() and view.raw_warning.isVisible()
    text = view.raw_warning.text()
    assert "get_weather" in text
    assert "--enable-auto-tool-choice --tool-call-parser gemma4" in text
    assert window.composer.send_button.isEnabled()  # nothing to answer, nothing blocked


def test_use_mock_fills_the_answer_and_a_misfit_mock_says_why(qtbot, window, sim):
    panel = window.tools_panel
    add_sample(window)  # mock on, auto-answer off: nothing is filled in by itself
    send(qtbot, window, "What is the weather in Paris and Tokyo?")
    reply = wait_idle(qtbot, window, 2)
    view = turn_view(window, reply.id)
    assert [c.result.toPlainText() for c in view.cards] == ["", ""]
    view.cards[1].mock_button.click()
    assert json.loads(view.cards[1].result.toPlainText())["city"] == "Tokyo"
    assert view.cards[1].status.text() == "ready to send"

    panel.editor.mock.setPlainText('{"town": "{{arguments.town}}"}')
    view.cards[0].mock_button.click()
    assert view.cards[0].problem.isVisible()
    assert "{{arguments.town}}" in view.cards[0].problem.text()
    assert view.cards[0].result.toPlainText() == ""
    assert not view.send_results.isEnabled()


def test_stopped_mid_call_the_incomplete_call_is_closed_and_dropped(qtbot, window, sim):
    add_tool(
        window,
        {
            "name": "search",
            "description": "Search the web",
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string"}},
                "required": ["query"],
            },
        },
    )
    sim.simulator.config.tokens_per_second = 20
    prompt = 'Search for "the long history of the printing press across seven centuries of Europe"'
    send(qtbot, window, prompt)
    chat = window.services.chat

    def partial_arguments() -> bool:
        msgs = chat.current.messages
        return (
            len(msgs) == 2
            and bool(msgs[1].tool_calls)
            and "history" in (msgs[1].tool_calls[0].arguments)
        )

    qtbot.waitUntil(partial_arguments, timeout=10_000)
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Escape)
    reply = wait_idle(qtbot, window, 2)
    assert reply.reply is not None and reply.status.value == "stopped"
    card = turn_view(window, reply.id).cards[0]
    assert "not valid JSON" in card.check.text()
    assert not window.composer.send_button.isEnabled()  # even a broken call needs closing
    sim.simulator.config.tokens_per_second = None
    card.close_button.click()
    turn_view(window, reply.id).send_results.click()
    wait_idle(qtbot, window, 3)
    body = chat_requests(sim)[-1]
    # vLLM answers 400 to arguments that are not JSON, so the broken call is not sent back.
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert reply.tool_calls == []
