"""Importing a big tools file: read and checked off the UI thread, with progress shown."""

from __future__ import annotations

import json
import threading

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

import desktop_app.core.tools.workbench as tools_module
import desktop_app.ui.tools.panel as tools_panel_module
from tests.ui.tools_support import import_tools_file


def big_tools_file(path, n: int) -> None:
    props = {
        f"field_{k}": {"type": "string", "description": f"Field {k} of the record " * 4}
        for k in range(12)
    }
    tools = [
        {
            "type": "function",
            "function": {
                "name": f"tool_{i}",
                "description": f"Tool number {i}: looks a record up and answers with it.",
                "parameters": {"type": "object", "properties": props, "required": ["field_0"]},
            },
        }
        for i in range(n)
    ]
    path.write_text(json.dumps(tools, indent=2))


def test_big_import_runs_off_the_ui_thread_while_the_panel_stays_usable(
    qtbot, window, tmp_path, monkeypatch
):
    panel = window.tools_panel
    action = next(a for a in window.view_menu.actions() if a.text() == "&Tools")
    action.trigger()  # the Tools dock, shown as a user opens it
    qtbot.waitUntil(panel.isVisible)
    path = tmp_path / "many.json"
    big_tools_file(path, 1_500)
    main = threading.main_thread()
    checked_on: set[str] = set()
    real_check = tools_module.check_tool_source

    def spy_check(text):
        checked_on.add("main" if threading.current_thread() is main else "worker")
        return real_check(text)

    monkeypatch.setattr(tools_module, "check_tool_source", spy_check)
    gate = threading.Event()
    real_load = tools_panel_module.load_tools_file

    def gated_load(p):
        gate.wait(10)  # held until the test has used the panel meanwhile
        return real_load(p)

    monkeypatch.setattr(tools_panel_module, "load_tools_file", gated_load)
    panel.import_file(path)
    assert panel.importing()
    assert panel.progress.isVisible() and "Importing many.json" in panel.status.text()
    assert not panel.import_button.isEnabled()  # one import at a time
    # The panel answers real clicks while the file is read.
    before = panel.parallel.isChecked()
    QTest.mouseClick(panel.parallel, Qt.MouseButton.LeftButton)
    assert panel.parallel.isChecked() is not before
    assert window.services.chat.current.settings.parallel_tool_calls is (not before)
    with qtbot.waitSignal(panel.importFinished, timeout=60_000) as done:
        gate.set()
    assert done.args == [True]
    assert panel.list.count() == 1_500
    assert "Imported 1500 tools from many.json" in panel.status.text()
    assert not panel.progress.isVisible() and panel.import_button.isEnabled()
    assert checked_on == {"worker"}, "tools were checked on the UI thread"


def test_a_failed_import_says_why_and_ends_the_progress(qtbot, window, tmp_path):
    panel = window.tools_panel
    bad = tmp_path / "broken.json"
    bad.write_text('[{"type": "function", "function": {"name": "f"}},' + " " * 100_000)
    assert not import_tools_file(qtbot, window, bad)
    assert "Could not import broken.json" in panel.status.text()
    assert panel.progress.isHidden() and panel.import_button.isEnabled()
    assert panel.list.count() == 0
