"""The tool loop against the context: automatic rounds stop, with a note in the chat, before
a request would not fit max_model_len; without /tokenize the round limit still bounds them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_app.simulator import SimulatorConfig
from tests.ui.test_mcp_window import mcp_panel  # noqa: F401 - the fixture
from tests.ui.tools_support import add_sample, chat_requests, send, turn_view, wait_idle


@pytest.fixture
def server_checks() -> bool:
    return True


@pytest.fixture
def sim_config(request) -> SimulatorConfig:
    return SimulatorConfig(tokens_per_second=None, **getattr(request, "param", {}))


def _looping(window, rounds: int, mock: bool = True) -> None:
    """get_weather answered automatically (by its mock), and the model made to call it."""
    panel = window.tools_panel
    if mock:
        add_sample(window)
        panel.editor.auto_answer.setChecked(True)
    panel.rounds.setValue(rounds)
    combo = panel.choice
    combo.setCurrentIndex(combo.findData("required"))
    combo.activated.emit(combo.currentIndex())


# The simulator's prompts for "What is the weather in Oslo?" and the sample tool grow by 68
# tokens a round (195, 263, 331): with max_tokens 100, rounds one and two fit in 400 and the
# third (331 + 100) would not.
@pytest.mark.parametrize("sim_config", [{"max_model_len": 400}], indirect=True)
def test_the_loop_stops_before_the_context_would_overflow(qtbot, window, sim):
    _looping(window, 10)
    params = window.services.params
    params.set_field("max_tokens", 100)
    send(qtbot, window, "What is the weather in Oslo?")
    chat = window.services.chat
    loop = window.tools_panel.loop
    qtbot.waitUntil(lambda: bool(loop.notes.get(chat.current.id)), timeout=15_000)
    last = wait_idle(qtbot, window, 4)
    assert [m.role for m in chat.current.messages] == ["user", "assistant", "tool", "assistant"]
    assert all(m.error is None for m in chat.current.messages if m.role == "assistant")
    view = turn_view(window, last.id)
    note = view.turn_status.text()
    assert "Stopped after 2 rounds: the context is full" in note
    assert "+ 100 for the reply" in note and "400" in note
    assert "lower max_tokens" in note and "start a branch" in note
    assert "context is full" in window.tools_panel.status.text()
    # Nothing was lost: the mock's answer waits on the card, and with room made it goes.
    assert loop.answer(last.tool_calls[0].id) is not None and view.send_results.isEnabled()
    sent = len(chat_requests(sim))
    params.set_field("max_tokens", 50)
    # A change of max_tokens is counted again before anything may be sent: Send results is
    # held meanwhile, as Send is.
    qtbot.waitUntil(view.send_results.isEnabled, timeout=10_000)
    qtbot.mouseClick(view.send_results, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(chat_requests(sim)) == sent + 1, timeout=10_000)
    assert chat_requests(sim)[-1]["max_tokens"] == 50


@pytest.mark.parametrize("sim_config", [{"tokenize_route": False}], indirect=True)
def test_without_tokenize_the_round_limit_still_bounds_the_loop(qtbot, window, sim):
    _looping(window, 2)
    send(qtbot, window, "What is the weather in Oslo?")
    chat = window.services.chat
    loop = window.tools_panel.loop
    qtbot.waitUntil(lambda: bool(loop.notes.get(chat.current.id)), timeout=15_000)
    wait_idle(qtbot, window, 6)
    assert "stopped after 2 rounds" in loop.notes[chat.current.id]
    assert any(r.path == "/tokenize" for r in sim.simulator.requests)  # asked, and got a 404
    assert all(m.error is None for m in chat.current.messages if m.role == "assistant")


# With the test MCP server's tools the prompts are 840, 915, 990 tokens: the third round
# (990 + 100) would not fit in 1,050.
@pytest.mark.parametrize("sim_config", [{"max_model_len": 1050}], indirect=True)
def test_allowed_mcp_tools_stop_before_the_context_would_overflow(
    qtbot, window, sim, mcp_panel  # noqa: F811 - the fixture
):
    server = mcp_panel.tree.topLevelItem(0)
    children = [server.child(i) for i in range(server.childCount())]
    weather = next(c for c in children if c.text(0) == "get_weather")
    combo = mcp_panel.tree.itemWidget(weather, 1)
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)  # Ask -> Allow
    _looping(window, 10, mock=False)
    window.services.params.set_field("max_tokens", 100)
    send(qtbot, window, "What is the weather in Paris?")
    chat = window.services.chat
    loop = window.tools_panel.loop
    qtbot.waitUntil(lambda: bool(loop.notes.get(chat.current.id)), timeout=30_000)
    last = wait_idle(qtbot, window, 4)
    assert [m.role for m in chat.current.messages] == ["user", "assistant", "tool", "assistant"]
    assert "Stopped after 2 rounds: the context is full" in loop.notes[chat.current.id]
    note = turn_view(window, last.id).turn_status.text()
    assert "prompt tokens + 100 for the reply" in note and "1,050" in note
    # The allowed tool ran: its result waits to be sent, nothing was lost.
    answer = loop.answer(last.tool_calls[0].id)
    assert answer is not None and '"source": "mcp"' in answer.text
