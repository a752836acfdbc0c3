"""The Tools dock in the real window: live checks that block Send, the enabled flag, tool
choice, import and export, and per-conversation tool sets."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from desktop_app.core.resources import resource_path
from tests.ui.tools_support import add_sample, chat_requests, import_tools_file, send, wait_idle


def test_dock_is_toggled_from_the_view_menu(qtbot, window):
    dock = window.findChild(QDockWidget, "toolsDock")
    assert dock is not None and not dock.isVisible()
    action = next(a for a in window.view_menu.actions() if a.text() == "&Tools")
    action.trigger()
    qtbot.waitUntil(dock.isVisible)
    assert window.tools_panel.isVisible()
    action.trigger()
    assert not dock.isVisible()


def test_invalid_tool_json_blocks_send_with_the_spot(qtbot, window, sim):
    panel = window.tools_panel
    add_sample(window)
    editor = panel.editor
    good = editor.source.toPlainText()
    editor.source.setPlainText(good.replace('"description"', '"description" "oops"', 1))
    problems = [editor.problems.item(i).text() for i in range(editor.problems.count())]
    assert (
        len(problems) == 1 and "Line 3, column" in problems[0] and "Not valid JSON" in problems[0]
    )
    assert editor.source.extraSelections()  # marked in the text too
    assert "error" in panel.list.item(0).text()
    reason = window.composer.blocked_reason()
    assert "“get_weather” has 1 error" in reason
    assert not window.composer.send_button.isEnabled()
    send(qtbot, window, "What is the weather in Paris?")
    assert not window.services.chat.current.messages  # nothing went out
    assert window.composer.text() == "What is the weather in Paris?"

    # Clicking the problem puts the cursor at the spot.
    editor.problems.itemClicked.emit(editor.problems.item(0))
    cursor = editor.source.textCursor()
    assert cursor.blockNumber() + 1 == 3

    # A disabled tool does not block, and is not sent.
    panel.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert window.composer.send_button.isEnabled()
    assert window.services.chat.current.settings.tools == []

    panel.list.item(0).setCheckState(Qt.CheckState.Checked)
    assert not window.composer.send_button.isEnabled()
    editor.source.setPlainText(good)
    assert window.composer.send_button.isEnabled()
    assert editor.problems.count() == 0 and editor.verdict.text().startswith("✓")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    wait_idle(qtbot, window, 2)
    tools = chat_requests(sim)[-1]["tools"]
    assert [t["function"]["name"] for t in tools] == ["get_weather"]


def test_tool_without_description_is_refused_before_the_server_400s(qtbot, window, sim):
    panel = window.tools_panel
    panel.add_blank()
    source = json.loads(panel.editor.source.toPlainText())
    del source["description"]
    panel.editor.source.setPlainText(json.dumps(source, indent=2))
    first = panel.editor.problems.item(0).text()
    assert "description" in first and "400" in first
    assert not window.composer.send_button.isEnabled()


def test_schema_mistakes_are_errors_or_warnings_in_place(qtbot, window):
    panel = window.tools_panel
    panel.add_blank()
    text = (
        panel.editor.source.toPlainText()
        .replace('"string"', '"strng"')
        .replace('"required"', '"requried"')
    )
    panel.editor.source.setPlainText(text)
    items = [panel.editor.problems.item(i).text() for i in range(panel.editor.problems.count())]
    assert any("✗" in t and "“strng” is not a JSON Schema type" in t for t in items)
    assert any("⚠" in t and "“requried” is not a JSON Schema keyword" in t for t in items)
    assert "Tool “my_tool” has 1 error" in window.composer.blocked_reason()


def test_export_then_import_in_a_new_chat_round_trips(qtbot, window, sim, tmp_path):
    panel = window.tools_panel
    add_sample(window)
    add_sample(window, "convert_units.json")
    panel.add_blank()
    panel.editor.source.setPlainText("{ not yet")  # invalid: kept here, not exported
    panel.list.item(2).setCheckState(Qt.CheckState.Unchecked)
    out = tmp_path / "tools.json"
    assert panel.export_file(out)
    exported = json.loads(out.read_text())
    files = [
        json.loads(resource_path("tools", n).read_text())
        for n in ("get_weather.json", "convert_units.json")
    ]
    assert exported == files  # the mocks go along (x-gemma-desk-mock)
    # ...but never to the server.
    shipped = [{k: v for k, v in f.items() if not k.startswith("x-gemma-desk")} for f in files]
    assert "Exported 2 tool(s)" in panel.status.text() and "Skipped" in panel.status.text()

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert panel.list.count() == 0 and "No tools yet" in panel.status.text()
    assert import_tools_file(qtbot, window, out)
    assert panel.list.count() == 2 and "Imported 2 tools" in panel.status.text()
    send(qtbot, window, "Convert 5 km to miles")
    wait_idle(qtbot, window, 2)
    assert chat_requests(sim)[-1]["tools"] == shipped

    assert import_tools_file(qtbot, window, out)  # the same names again: added, but switched off
    assert panel.list.count() == 4
    assert [panel.entries()[i].enabled for i in range(4)] == [True, True, False, False]
    assert "the copy is added switched off" in panel.status.text()
    assert "Two enabled tools" not in window.composer.blocked_reason()


def test_import_of_a_bad_file_says_why(qtbot, window, tmp_path):
    panel = window.tools_panel
    bad = tmp_path / "bad.json"
    bad.write_text('[{"type": "function", "function": {"name": "f"}},')
    assert not import_tools_file(qtbot, window, bad)
    assert "Could not import bad.json" in panel.status.text()
    assert "line 1" in panel.status.text()
    assert not import_tools_file(qtbot, window, tmp_path / "missing.json")
    assert "missing.json" in panel.status.text()
    assert panel.list.count() == 0


def test_tool_choice_none_and_tools_follow_their_conversation(qtbot, window, sim):
    panel = window.tools_panel
    add_sample(window)
    combo = panel.choice
    assert combo.currentData() == "auto"
    assert [combo.itemData(i) for i in range(combo.count())] == [
        "auto",
        "none",
        "required",
        "named:get_weather",
    ]
    combo.setCurrentIndex(combo.findData("none"))
    combo.activated.emit(combo.currentIndex())
    send(qtbot, window, "What is the weather in Paris?")
    reply = wait_idle(qtbot, window, 2)
    assert chat_requests(sim)[-1]["tool_choice"] == "none" and not reply.tool_calls
    first = window.services.chat.current.id

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert panel.list.count() == 0 and combo.currentData() == "auto"
    window.services.chat.select(first)
    assert panel.list.count() == 1 and combo.currentData() == "none"


def test_remove_and_blank_names(qtbot, window):
    panel = window.tools_panel
    panel.add_blank()
    panel.add_blank()
    assert [e.name for e in panel.entries()] == ["my_tool", "my_tool_2"]
    panel.list.setCurrentRow(0)
    panel.remove_button.click()
    assert [e.name for e in panel.entries()] == ["my_tool_2"]
    assert [t.name for t in window.services.chat.current.settings.tools] == ["my_tool_2"]


def test_tools_set_elsewhere_show_up_in_the_panel(qtbot, window, sim):
    from desktop_app.api import ToolDefinition

    panel = window.tools_panel
    add_sample(window)
    settings = window.services.chat.current.settings
    settings.tools = [ToolDefinition("lookup", "Look a word up", {"type": "object"})]
    send(qtbot, window, "Hello")
    wait_idle(qtbot, window, 2)
    assert [t["function"]["name"] for t in chat_requests(sim)[-1]["tools"]] == ["lookup"]
    assert [(e.name, e.enabled) for e in panel.entries()] == [
        ("lookup", True),
        ("get_weather", False),  # not lost, switched off
    ]
    assert panel.list.count() == 2 and panel.list.item(0).text().startswith("lookup")
