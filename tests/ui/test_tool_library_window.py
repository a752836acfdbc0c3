"""The tool library, argument-matched mocks and scenarios in the real window, against the
simulator (which calls the tools it is offered)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox

from desktop_app.simulator import SimulatorConfig
from tests.ui.tools_support import add_sample, chat_requests, send, wait_idle

CASES = '[{"when": {"city": "Atlantis"}, "result": "no such city", "error": true}]'


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(tokens_per_second=None)


def _click(qtbot, widget) -> None:
    """A real click; on a check box, on its indicator (the label may be narrower than it)."""
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    pos = QPoint(8, widget.height() // 2) if isinstance(widget, QCheckBox) else QPoint()
    if pos.isNull():
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    else:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def _weather_with_auto_answer(qtbot, window) -> None:
    window.tools_dock.show()
    add_sample(window)
    _click(qtbot, window.tools_panel.editor.auto_answer)
    assert window.tools_panel.entries()[0].auto_answer


def test_a_case_matched_on_the_arguments_answers_as_an_error(qtbot, window, sim):
    _weather_with_auto_answer(qtbot, window)
    editor = window.tools_panel.editor
    editor.cases.setFocus()
    QTest.keyClicks(editor.cases, CASES)
    assert editor.cases_problem.text() == ""
    assert window.tools_panel.entries()[0].mock_cases == CASES
    send(qtbot, window, "What is the weather in Atlantis?")
    wait_idle(qtbot, window, 4)
    msgs = window.services.chat.current.messages
    assert json.loads(msgs[1].tool_calls[0].arguments)["city"] == "Atlantis"
    assert json.loads(msgs[2].content) == {"error": "no such city"}
    # The model was sent the error, as a tool message.
    assert chat_requests(sim)[-1]["messages"][2]["content"] == msgs[2].content
    # Any other city gets the default mock.
    send(qtbot, window, "What is the weather in Lisbon?")
    wait_idle(qtbot, window, 8)
    assert json.loads(window.services.chat.current.messages[6].content)["city"] == "Lisbon"


def test_a_half_typed_case_list_says_what_is_wrong(qtbot, window, sim):
    window.tools_dock.show()
    add_sample(window)
    editor = window.tools_panel.editor
    editor.cases.setFocus()
    QTest.keyClicks(editor.cases, '[{"when": {"city": "Oslo"}, "delay": "soon"}]')
    assert "“delay” should be a number" in editor.cases_problem.text()


def test_a_kept_tool_starts_every_new_chat_with_its_mock(qtbot, window, sim):
    window.tools_dock.show()
    add_sample(window)
    from desktop_app.ui.tools.library_box import LibraryBox

    box = window.findChild(LibraryBox, "toolLibraryBox")
    assert box is not None
    _click(qtbot, box.keep_button)
    assert box.library.names() == ["get_weather"]
    assert box.list.item(0).checkState() == Qt.CheckState.Checked  # this chat has it
    _click(qtbot, box.new_chats)
    assert box.library.get("get_weather").new_chats
    chat = window.services.chat
    first = chat.current.id
    send(qtbot, window, "hello")  # a chat with a message, so Ctrl+N makes a new one
    wait_idle(qtbot, window, 2)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: chat.current.id != first)
    assert [t.name for t in chat.current.settings.tools] == ["get_weather"]
    assert window.tools_panel.list.count() == 1
    assert chat.current.settings.tool_bench.entries[0].mock  # the mock came along
    # Taken out of this chat from the library list with the keyboard.
    box.list.setFocus()
    box.list.setCurrentRow(0)
    qtbot.keyClick(box.list, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: chat.current.settings.tools == [])
    assert window.tools_panel.list.count() == 0


def test_a_scenario_is_saved_replayed_and_compared(qtbot, window, sim, tmp_path):
    from desktop_app.ui.tools.scenario_box import ScenarioBox

    _weather_with_auto_answer(qtbot, window)
    send(qtbot, window, "What is the weather in Lisbon?")
    wait_idle(qtbot, window, 4)
    box = window.findChild(ScenarioBox, "scenarioBox")
    path = tmp_path / "lisbon.json"
    assert box.save_file(path)
    assert "Saved scenario" in box.status.text()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["run"] == [[{"name": "get_weather", "arguments": {"city": "Lisbon"}}]]
    assert [m["role"] for m in saved["messages"]] == ["user"]

    chat = window.services.chat
    original = chat.current.id
    assert box.replay_file(path)
    assert chat.current.id != original and chat.current.title.startswith("Replay")
    qtbot.waitUntil(lambda: "finished" in box.status.text(), timeout=15_000)
    assert "same tool calls as saved" in box.status.text()
    assert box.diffs.isVisible() and box.diffs.item(0).text().startswith("= round 1")
    assert [m.role for m in chat.current.messages] == ["user", "assistant", "tool", "assistant"]

    # A saved run that asked for another city: the replay shows the difference.
    saved["run"][0][0]["arguments"] = {"city": "Porto"}
    other = tmp_path / "porto.json"
    other.write_text(json.dumps(saved), encoding="utf-8")
    assert box.replay_file(other)
    qtbot.waitUntil(lambda: "finished" in box.status.text(), timeout=15_000)
    assert "differs from the saved run" in box.status.text()
    line = box.diffs.item(0).text()
    assert line.startswith("≠ round 1") and "Porto" in line and "Lisbon" in line


def test_a_file_that_is_not_a_scenario_is_refused_with_a_message(qtbot, window, sim, tmp_path):
    from desktop_app.ui.tools.scenario_box import ScenarioBox

    box = window.findChild(ScenarioBox, "scenarioBox")
    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    before = len(window.services.chat.conversations)
    assert not box.replay_file(bad)
    assert "not a tool scenario" in box.status.text()
    assert len(window.services.chat.conversations) == before
