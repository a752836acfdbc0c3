"""Compare runs are saved as their cells end: a grid run survives closing the window, opens
read-only from Recent runs, and its file holds neither the API key nor the server's address."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from desktop_app.core.compare.cells import DONE, FAILED
from desktop_app.core.compare.journal import read_journal, runs_dir
from desktop_app.core.session.profiles import ServerProfile
from desktop_app.simulator import SimulatorConfig
from tests.ui.test_compare_window import _click, add_sweep, open_compare, run_all

KEY = "sk-compare-journal-5b21c9e0"


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(tokens_per_second=None, api_key=KEY)


@pytest.fixture
def profile_key() -> str:
    """The window's profile carries the key this module's simulator requires (kept in the
    keyring, never in a file)."""
    return KEY


def _runs() -> list[Path]:
    return sorted(runs_dir().glob("run-*.jsonl"))


def _click_item(qtbot, view, row: int) -> None:
    item = view.item(row)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualItemRect(item).center()
    )


def _recent(qtbot, dialog):
    _click(qtbot, dialog.recent_button)
    qtbot.waitUntil(lambda: dialog.recent is not None and dialog.recent.loaded)
    recent = dialog.recent
    qtbot.waitExposed(recent)
    return recent


def test_a_grid_run_opens_again_from_recent_runs_after_the_window_closed(
    qtbot, window, sim, tmp_path, monkeypatch
):
    dialog = open_compare(qtbot, window, "tell me about owls")
    add_sweep(qtbot, dialog, "seed=7")
    assert len(dialog.cards) == 2
    run_all(qtbot, dialog)
    cells = [c.cell for c in dialog.run.columns]
    assert [c.state for c in cells] == [DONE, DONE]
    replies = [c.content for c in cells]
    assert all(replies) and replies[0] != replies[1]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # closes the Compare window
    qtbot.waitUntil(lambda: not dialog.isVisible())

    window.composer.edit.setFocus()
    if not window.composer.edit.toPlainText():
        qtbot.keyClicks(window.composer.edit, "another prompt")
    _click(qtbot, window.composer.compare_button)
    qtbot.waitUntil(lambda: window.compare_dialog is not dialog)
    again = window.compare_dialog
    qtbot.waitExposed(again)
    assert "50" in again.recent_button.toolTip()

    recent = _recent(qtbot, again)
    assert recent.list.count() == 1
    label = recent.list.item(0).text()
    assert "tell me about owls" in label and "2 columns" in label and "2/2 cells" in label
    _click_item(qtbot, recent.list, 0)
    _click(qtbot, recent.open_button)
    qtbot.waitUntil(lambda: recent.opened is not None)
    saved = recent.opened
    qtbot.waitExposed(saved)
    assert [card.reply.source_text() for card in saved.cards] == replies
    assert all(card.state.text() == "saved · done" for card in saved.cards)
    assert all("TTFT" in card.stats.text() for card in saved.cards)
    assert all(not card.adopt_button.isVisible() for card in saved.cards)
    assert "Read-only" in saved.heading.text()

    # Exportable like a live grid.
    target = tmp_path / "saved.md"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    _click(qtbot, saved.export_button)
    assert "Exported 2 cells" in saved.message.text()
    assert replies[1] in target.read_text(encoding="utf-8")

    # The file holds the replies, and neither the key nor the server's address.
    [path] = _runs()
    text = path.read_text(encoding="utf-8")
    assert json.dumps(replies[0], ensure_ascii=False)[1:-1] in text
    host_port = sim.base_url.split("//", 1)[1].split("/", 1)[0]
    for secret in (KEY, sim.base_url, host_port):
        assert secret not in text
    assert read_journal(path).saved == 2

    # Deletable.
    _click_item(qtbot, recent.list, 0)
    _click(qtbot, recent.delete_button)
    qtbot.waitUntil(lambda: recent.loaded and recent.list.count() == 0)
    assert _runs() == []
    assert "Deleted" in recent.message.text()


def test_a_stopped_column_and_a_rerun_are_saved_as_they_end(qtbot, window, sim):
    sim.simulator.config.tokens_per_second = 200
    dialog = open_compare(qtbot, window, "write 300 tokens")
    add_sweep(qtbot, dialog, "seed=3")
    _click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: dialog.run.columns[0].cell.content != "")
    _click(qtbot, dialog.cards[0].stop_button)
    qtbot.waitUntil(lambda: not dialog.run.running(), timeout=20_000)
    stopped = dialog.run.columns[0].cell.content
    qtbot.waitUntil(lambda: len(_runs()) == 1 and read_journal(_runs()[0]).saved == 2)
    saved = read_journal(_runs()[0])
    assert saved.sheet.cells[0][0].state == "stopped"
    assert saved.sheet.cells[0][0].content == stopped
    sim.simulator.config.tokens_per_second = None
    _click(qtbot, dialog.cards[0].rerun_button)  # one column again: the same run's file
    qtbot.waitUntil(lambda: not dialog.run.running(), timeout=20_000)
    rerun = dialog.run.columns[0].cell.content
    qtbot.waitUntil(lambda: read_journal(_runs()[0]).sheet.cells[0][0].state == DONE)
    assert len(_runs()) == 1
    assert read_journal(_runs()[0]).sheet.cells[0][0].content == rerun


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_column_on_a_server_that_is_down_is_saved_without_its_address(
    qtbot, window, sim
):
    down = f"http://127.0.0.1:{_closed_port()}/v1"
    other = ServerProfile(name="Down box", base_url=down, api_key="sk-other-4f0c2d")
    window.services.profiles.save(other)
    dialog = open_compare(qtbot, window, "hello there")
    dialog.server_box.setFocus()
    qtbot.keyClick(dialog.server_box, Qt.Key.Key_Down)
    assert dialog.server_box.currentData() == other.id
    add_sweep(qtbot, dialog, "seed=9")
    run_all(qtbot, dialog)
    failed = dialog.run.columns[1].cell
    assert failed.state == FAILED and "127.0.0.1" in (failed.error or "")
    qtbot.waitUntil(lambda: len(_runs()) == 1 and read_journal(_runs()[0]).saved == 2)
    text = _runs()[0].read_text(encoding="utf-8")
    saved = read_journal(_runs()[0]).sheet.cells[0][1]
    assert saved.state == FAILED and "the server" in (saved.error or "")
    assert f'"server_profile":"{other.id}"' in text
    for secret in (down, down.split("//")[1].split("/")[0], "sk-other-4f0c2d", KEY):
        assert secret not in text


def test_a_prompt_set_run_is_saved_with_its_checks_and_opens_prompt_by_prompt(
    qtbot, window, sim
):
    dialog = open_compare(qtbot, window, "warm up")
    add_sweep(qtbot, dialog, "seed=4")
    panel = dialog.prompt_set
    dialog.tabs.setCurrentWidget(panel)
    panel.prompts.setFocus()
    qtbot.keyClicks(panel.prompts, "tell me about owls")
    qtbot.keyClick(panel.prompts, Qt.Key.Key_Return)
    qtbot.keyClicks(panel.prompts, json.dumps({"prompt": "Hi", "contains": "zebra"}))
    _click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: panel.status.text().startswith("Done"), timeout=20_000)
    recent = _recent(qtbot, dialog)
    assert "(+1 prompts)" in recent.list.item(0).text()
    assert "4/4 cells" in recent.list.item(0).text()
    _click_item(qtbot, recent.list, 0)
    _click(qtbot, recent.open_button)
    qtbot.waitUntil(lambda: recent.opened is not None)
    saved = recent.opened
    sheet = panel.set_run.sheet
    assert [c.reply.source_text() for c in saved.cards] == [c.content for c in sheet.cells[0]]
    saved.prompt_box.setFocus()
    qtbot.keyClick(saved.prompt_box, Qt.Key.Key_Down)
    assert [c.reply.source_text() for c in saved.cards] == [c.content for c in sheet.cells[1]]
    assert saved.saved.sheet.verdict(1, 0).passed is False  # the check was saved too
