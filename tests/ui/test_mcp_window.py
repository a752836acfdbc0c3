"""MCP tools end to end in the real window: a real MCP server (tests/mcp_server.py) imported
from an mcpServers file, the simulator calling its tool, Run / Reject clicked on the card,
Allow running the loop by itself, and no server process left after quit."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_app.core.mcp.connection import ServerState
from desktop_app.ui.mcp.panel import McpPanel
from tests.core.test_mcp_connection import alive, server_pid
from tests.ui.tools_support import chat_requests, send, turn_view, wait_idle

SERVER = str(Path(__file__).resolve().parent.parent / "mcp_server.py")


CALLS_LOG = "tool-calls.log"


@pytest.fixture
def calls_log(tmp_path) -> Path:
    """Where the test server notes each run of the tools that note them (get_weather, slow)."""
    return tmp_path / CALLS_LOG


@pytest.fixture
def mcp_panel(qtbot, window, tmp_path) -> McpPanel:
    """The window with the test server imported and started from the Tools dock."""
    path = tmp_path / "claude_desktop_config.json"
    env = {"MCP_TEST_CALLS": str(tmp_path / CALLS_LOG)}
    local = {"command": sys.executable, "args": [SERVER], "env": env}
    config = {"mcpServers": {"local": local}}
    path.write_text(json.dumps(config), encoding="utf-8")
    window.tools_dock.show()
    panel = window.findChild(McpPanel, "mcpPanel")
    assert panel is not None
    assert "Added 1 MCP server: local" in panel.import_file(path)
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    QTest.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    mcp = window.services.mcp
    server_id = mcp.servers[0].id
    qtbot.waitUntil(
        lambda: server_id in mcp.connections
        and mcp.connections[server_id].state == ServerState.READY,
        timeout=30_000,
    )
    qtbot.waitUntil(lambda: panel.tree.topLevelItem(0).childCount() >= 5, timeout=5_000)
    return panel


def first_card(window, msg):
    view = turn_view(window, msg.id)
    assert view is not None and view.cards
    return view, view.cards[0]


def test_an_mcp_tool_is_offered_and_runs_when_run_is_clicked(
    qtbot, window, sim, mcp_panel, calls_log
):
    send(qtbot, window, "What is the weather in Paris?")
    msg = wait_idle(qtbot, window, 2)
    assert msg.tool_calls and msg.tool_calls[0].name == "get_weather"
    offered = {t["function"]["name"]: t for t in chat_requests(sim)[0]["tools"]}
    assert offered["get_weather"]["function"]["description"] == (
        "Gets the current weather for a city."
    )
    view, card = first_card(window, msg)
    actions = card.mcp
    assert actions is not None and actions.isVisible()
    assert "local" in actions.origin.text() and "Ask" in actions.origin.text()
    # Nothing ran by itself: Ask waits for a click.
    assert window.services.mcp_calls.state(msg.tool_calls[0].id) is None
    assert not view.send_results.isEnabled()
    QTest.mouseClick(actions.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.send_results.isEnabled(), timeout=20_000)
    assert "ran ✓" in actions.status.text()
    assert calls_log.read_text(encoding="utf-8").splitlines() == ["get_weather Paris"]
    QTest.mouseClick(view.send_results, Qt.MouseButton.LeftButton)
    final = wait_idle(qtbot, window, 4)
    result = window.services.chat.current.messages[2]
    assert result.role == "tool"
    assert json.loads(result.content) == {
        "city": "Paris",
        "temperature": 21,
        "unit": "celsius",
        "source": "mcp",
    }
    assert final.role == "assistant" and final.content


def test_edited_arguments_are_what_the_tool_runs_with(qtbot, window, sim, mcp_panel):
    send(qtbot, window, "What is the weather in Paris?")
    msg = wait_idle(qtbot, window, 2)
    view, card = first_card(window, msg)
    QTest.mouseClick(card.mcp.editor.json_button, Qt.MouseButton.LeftButton)
    edit = card.mcp.arguments
    edit.selectAll()
    QTest.keyClicks(edit, '{"city": "Lyon"}')
    QTest.mouseClick(card.mcp.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.send_results.isEnabled(), timeout=20_000)
    assert "edited arguments" in card.mcp.status.text()
    answer = window.services.tools.answer(msg.tool_calls[0].id)
    assert answer is not None and json.loads(answer.text)["city"] == "Lyon"


def test_a_rejected_call_is_answered_as_rejected_without_running(
    qtbot, window, sim, mcp_panel
):
    send(qtbot, window, "What is the weather in Paris?")
    msg = wait_idle(qtbot, window, 2)
    view, card = first_card(window, msg)
    QTest.mouseClick(card.mcp.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.send_results.isEnabled(), timeout=5_000)
    QTest.mouseClick(view.send_results, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window, 4)
    result = window.services.chat.current.messages[2]
    assert json.loads(result.content) == {
        "error": "The user rejected this call; the tool was not run."
    }
    sent = chat_requests(sim)[1]["messages"]
    assert any(m["role"] == "tool" and "rejected" in m["content"] for m in sent)


def test_allow_runs_the_tool_and_the_loop_by_itself_then_quit_leaves_no_process(
    qtbot, qloop, window, state, sim, mcp_panel
):
    tree = mcp_panel.tree
    server = tree.topLevelItem(0)
    children = [server.child(i) for i in range(server.childCount())]
    weather = next(c for c in children if c.text(0) == "get_weather")
    combo = tree.itemWidget(weather, 1)
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)  # Ask -> Allow
    assert combo.currentText() == "Allow"
    send(qtbot, window, "What is the weather in Paris?")
    final = wait_idle(qtbot, window, 4, timeout=30_000)
    roles = [m.role for m in window.services.chat.current.messages]
    assert roles == ["user", "assistant", "tool", "assistant"]
    assert '"source": "mcp"' in window.services.chat.current.messages[2].content
    assert final.content
    conn = next(iter(window.services.mcp.connections.values()))
    pid = server_pid(conn)
    assert alive(pid)
    closing = qloop.create_task(window.services.mcp.aclose())
    qtbot.waitUntil(closing.done, timeout=15_000)
    qtbot.waitUntil(lambda: not alive(pid), timeout=5_000)
    assert conn.state == ServerState.STOPPED


def test_a_failing_tool_gives_an_error_result_and_the_timeout_is_set(
    qtbot, window, sim, mcp_panel
):
    mcp = window.services.mcp
    spin = mcp_panel.timeout
    spin.selectAll()
    QTest.keyClicks(spin, "1")
    QTest.keyClick(spin, Qt.Key.Key_Enter)
    assert mcp.call_timeout == 1
    send(qtbot, window, "What is the weather in Paris?")
    msg = wait_idle(qtbot, window, 2)
    view, card = first_card(window, msg)
    QTest.mouseClick(card.mcp.editor.json_button, Qt.MouseButton.LeftButton)
    edit = card.mcp.arguments
    edit.selectAll()
    QTest.keyClicks(edit, '{"city": "Atlantis"}')  # the tool raises: an isError result
    QTest.mouseClick(card.mcp.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.send_results.isEnabled(), timeout=20_000)
    assert "failed" in card.mcp.status.text()
    answer = window.services.tools.answer(msg.tool_calls[0].id)
    assert answer is not None and answer.is_error
    assert card.mcp.notes.isVisible() and "error" in card.mcp.notes.text()
