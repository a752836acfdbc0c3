"""The Compare window's prompt set, driven with real clicks and keys against the simulator:
prompts x columns with checks, the results table, a saved case run again, the exports."""

from __future__ import annotations

import csv
import io
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from test_compare_window import add_sweep, open_compare

from desktop_app.core.compare.case_file import case_path

JSON_MODE = 'response_format={"type":"json_object"}'
PROMPTS = [
    "tell me about owls",
    json.dumps({"prompt": "an owl as JSON", "schema": {"type": "object", "minProperties": 1}}),
    json.dumps({"prompt": "Hi", "contains": "zebra"}),
]


def _click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _type_lines(qtbot, edit, lines: list[str]) -> None:
    edit.setFocus()
    for i, line in enumerate(lines):
        if i:
            qtbot.keyClick(edit, Qt.Key.Key_Return)
        qtbot.keyClicks(edit, line)


def _run_set(qtbot, panel) -> None:
    _click(qtbot, panel.run_button)
    qtbot.waitUntil(
        lambda: panel.set_run is not None and not panel.set_run.running(), timeout=20_000
    )
    qtbot.waitUntil(lambda: panel.status.text().startswith("Done"))


def _open_set(qtbot, window):
    dialog = open_compare(qtbot, window, "warm up")
    add_sweep(qtbot, dialog, JSON_MODE)
    panel = dialog.prompt_set
    dialog.tabs.setCurrentWidget(panel)
    return dialog, panel


def test_prompt_set_results_table_with_checks(qtbot, window, sim, monkeypatch, tmp_path):
    dialog, panel = _open_set(qtbot, window)
    assert len(dialog.run.columns) == 2  # the panel's settings and JSON mode
    _type_lines(qtbot, panel.prompts, PROMPTS)
    before = len(sim.simulator.requests)
    _run_set(qtbot, panel)
    bodies = [r.body for r in sim.simulator.requests[before:] if r.path.endswith("/completions")]
    assert len(bodies) == 6
    assert sorted(b["messages"][-1]["content"] for b in bodies) == sorted(
        ["tell me about owls", "an owl as JSON", "Hi"] * 2
    )
    # Prose has no checks: done; the schema needs JSON mode; nothing says zebra.
    assert [panel.cell_text(0, c) for c in (0, 1)] == ["done", "done"]
    assert [panel.cell_text(1, c) for c in (0, 1)] == ["FAIL schema", "pass"]
    assert [panel.cell_text(2, c) for c in (0, 1)] == ["FAIL contains", "FAIL contains"]
    summary = panel.cell_text(3, 1)
    assert summary.startswith("2/3 pass") and "TTFT" in summary
    assert "1: 1/3 pass" in panel.status.text()
    # A click on a cell shows its reply.
    rect = panel.table.visualRect(panel.table.model().index(1, 1))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert json.loads(panel.reply.toPlainText())

    # Export the results as CSV and the grid as Markdown, through the file dialog.
    target = tmp_path / "results"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV (*.csv)")
    )
    _click(qtbot, panel.export_button)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "results.csv").read_text("utf-8"))))
    assert [r["passed"] for r in rows] == ["", "", "FAIL", "pass", "FAIL", "FAIL"]
    assert "Exported 6 cells" in dialog.message.text()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "g.md"), "")
    )
    _click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: not dialog.run.running(), timeout=20_000)
    _click(qtbot, dialog.export_button)
    grid = (tmp_path / "g.md").read_text("utf-8")
    assert "| warm up | done | done |" in grid
    assert dialog.run.columns[0].cell.content in grid


def test_a_saved_case_opens_and_runs_again_in_one_click(qtbot, window, sim):
    dialog, panel = _open_set(qtbot, window)
    _type_lines(qtbot, panel.prompts, PROMPTS[1:])
    panel.case_box.setFocus()
    qtbot.keyClicks(panel.case_box, "json check")
    _click(qtbot, panel.save_case_button)
    assert "Saved the case “json check”" in dialog.message.text()
    saved = case_path("json check").read_text("utf-8")
    assert sim.base_url not in saved and "127.0.0.1" not in saved
    dialog.close()

    # A new window: the case is listed, opens with its prompts and columns, and runs.
    dialog = open_compare(qtbot, window, "something else")
    panel = dialog.prompt_set
    assert panel.case_box.findText("json check") >= 0
    panel.case_box.setFocus()
    qtbot.keyClicks(panel.case_box, "json check")
    _click(qtbot, panel.open_case_button)
    assert len(dialog.run.columns) == 2 and len(dialog.cards) == 2
    assert dialog.run.columns[1].spec.extra_body == {"response_format": {"type": "json_object"}}
    assert "an owl as JSON" in panel.prompts.toPlainText()
    _run_set(qtbot, panel)
    assert [panel.cell_text(0, c) for c in (0, 1)] == ["FAIL schema", "pass"]
    first = panel.set_run
    _run_set(qtbot, panel)  # again, in one click
    assert panel.set_run is not first
    assert panel.cell_text(0, 1) == "pass"


def test_prompts_load_from_a_file_and_bad_ones_are_refused(
    qtbot, window, sim, monkeypatch, tmp_path
):
    dialog, panel = _open_set(qtbot, window)
    path = tmp_path / "set.json"
    path.write_text(json.dumps(["one", {"prompt": "two", "regex": "^## "}]), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    _click(qtbot, panel.load_button)
    assert panel.prompts.toPlainText().splitlines() == ["one", '{"prompt": "two", "regex": "^## "}']
    assert "Loaded 2 prompts" in dialog.message.text()
    path.write_text('[{"prompt": 5}]', encoding="utf-8")
    _click(qtbot, panel.load_button)
    assert "prompt 1" in dialog.message.text()
    panel.prompts.setFocus()
    qtbot.keyClick(panel.prompts, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(panel.prompts, Qt.Key.Key_Return)
    qtbot.keyClicks(panel.prompts, '{"prompt": "x", "tool": 3}')
    before = len(sim.simulator.requests)
    _click(qtbot, panel.run_button)
    assert 'line 3: "tool" must be a string' in dialog.message.text()
    assert panel.set_run is None and len(sim.simulator.requests) == before
