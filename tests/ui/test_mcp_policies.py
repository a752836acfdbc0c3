"""The MCP policies in the real window, with the test server (tests/mcp_server.py): Cancel on
a running call, Mock (the mock answers, the tool never runs) and Off (the tool is not
offered). The server notes each run of get_weather and slow in a file (``calls_log``)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.test_arguments_form import click, field, retype
from tests.ui.test_mcp_window import calls_log, first_card, mcp_panel  # noqa: F401 - fixtures
from tests.ui.tools_support import chat_requests, send, wait_idle


def tool_item(panel, name: str):
    server = panel.tree.topLevelItem(0)
    return next(
        server.child(i) for i in range(server.childCount()) if server.child(i).text(0) == name
    )


def choose_policy(panel, name: str, label: str) -> None:
    """Picks the policy in the tool's combo with the keyboard (Ask, Allow, Mock, Off)."""
    combo = panel.tree.itemWidget(tool_item(panel, name), 1)
    combo.setFocus()
    while combo.currentText() != label:
        index = combo.currentIndex()
        QTest.keyClick(combo, Qt.Key.Key_Down)
        assert combo.currentIndex() != index, f"no policy {label!r}"


def logged(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_cancel_on_a_running_call_answers_cancelled_and_the_next_send_works(
    qtbot, window, sim, mcp_panel, calls_log  # noqa: F811 - the fixtures
):
    send(qtbot, window, "Call the slow tool.")
    msg = wait_idle(qtbot, window, 2)
    call = msg.tool_calls[0]
    assert call.name == "slow"
    view, card = first_card(window, msg)
    retype(field(card.mcp.editor, "seconds"), "60")
    click(card.mcp.run_button)
    calls = window.services.mcp_calls
    qtbot.waitUntil(lambda: card.mcp.cancel_button.isVisible())
    assert calls.state(call.id).kind == "running"
    # The server really is inside the call before it is cancelled.
    qtbot.waitUntil(lambda: logged(calls_log) == ["slow 60.0"], timeout=20_000)
    assert not view.send_results.isEnabled()
    click(card.mcp.cancel_button)
    qtbot.waitUntil(lambda: calls.state(call.id).kind == "cancelled", timeout=5_000)
    qtbot.waitUntil(view.send_results.isEnabled, timeout=5_000)
    assert card.mcp.status.text().startswith("cancelled")
    assert not card.mcp.cancel_button.isVisible()
    assert "Cancelled" in card.mcp.notes.text()
    answer = window.services.tools.answer(call.id)
    assert answer is not None and answer.is_error
    click(view.send_results)
    wait_idle(qtbot, window, 4)
    result = window.services.chat.current.messages[2]
    assert result.role == "tool"
    assert json.loads(result.content) == {"error": "The call was cancelled."}
    # Nothing is stuck: the next message goes out and is answered.
    send(qtbot, window, "Thanks, that is all.")
    final = wait_idle(qtbot, window, 6)
    assert final.role == "assistant" and final.content
    assert window.services.mcp_calls.state(call.id).kind == "cancelled"


def test_mock_policy_answers_with_the_mock_and_never_runs_the_tool(
    qtbot, window, sim, mcp_panel, calls_log  # noqa: F811 - the fixtures
):
    weather = tool_item(mcp_panel, "get_weather")
    mcp_panel.tree.setCurrentItem(weather)
    assert mcp_panel.mock.isVisible()
    mcp_panel.mock.setFocus()
    QTest.keyClicks(mcp_panel.mock, '{"city": "{{arguments.city}}", "sky": "mocked"}')
    choose_policy(mcp_panel, "get_weather", "Mock")
    send(qtbot, window, "What is the weather in Paris?")
    final = wait_idle(qtbot, window, 4, timeout=20_000)
    messages = window.services.chat.current.messages
    assert [m.role for m in messages] == ["user", "assistant", "tool", "assistant"]
    assert json.loads(messages[2].content) == {"city": "Paris", "sky": "mocked"}
    assert final.content
    sent = chat_requests(sim)[1]["messages"]
    assert any(m["role"] == "tool" and "mocked" in m["content"] for m in sent)
    call = messages[1].tool_calls[0]
    state = window.services.mcp_calls.state(call.id)
    assert state is not None and state.kind == "mocked" and state.by_policy
    # The server never saw the call (it notes every run of get_weather).
    assert logged(calls_log) == []


def test_off_policy_keeps_the_tool_out_of_the_request(
    qtbot, window, sim, mcp_panel, calls_log  # noqa: F811 - the fixtures
):
    choose_policy(mcp_panel, "get_weather", "Off")
    send(qtbot, window, "What is the weather in Paris?")
    wait_idle(qtbot, window, 2)
    offered = [t["function"]["name"] for t in chat_requests(sim)[0]["tools"]]
    assert "get_weather" not in offered
    assert "forecast" in offered and "echo" in offered  # the server's other tools still are
    calls = window.services.chat.current.messages[1].tool_calls
    assert all(c.name != "get_weather" for c in calls)
    assert logged(calls_log) == []
