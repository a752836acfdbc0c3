"""The Compare window, driven with real clicks and keys against the simulator on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.core.compare.cells import DONE, FAILED, STOPPED, STREAMING, WAITING
from desktop_app.simulator import Fault
from tests.e2e.test_compare_cli import track_most_running


def _click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def open_compare(qtbot, window, prompt: str):
    qtbot.keyClicks(window.composer.edit, prompt)
    _click(qtbot, window.composer.compare_button)
    qtbot.waitUntil(lambda: getattr(window, "compare_dialog", None) is not None)
    dialog = window.compare_dialog
    qtbot.waitExposed(dialog)
    return dialog


def add_sweep(qtbot, dialog, text: str) -> None:
    dialog.sweep_edit.setFocus()
    qtbot.keyClicks(dialog.sweep_edit, text)
    _click(qtbot, dialog.sweep_button)


def run_all(qtbot, dialog, timeout: int = 20_000) -> None:
    _click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: not dialog.run.running(), timeout=timeout)


def adopt(qtbot, card) -> None:
    """Clicks Continue with this once the card shows its finished reply (cards are refreshed
    a few per event-loop turn, so the button is enabled a turn or two after the run ends)."""
    qtbot.waitUntil(card.adopt_button.isEnabled, timeout=5_000)
    _click(qtbot, card.adopt_button)


def chat_requests(sim, before: int) -> list[dict]:
    return [r.body for r in sim.simulator.requests[before:] if r.path.endswith("/completions")]


def test_sweep_of_seeds_streams_every_column_with_its_own_reply(qtbot, window, sim):
    dialog = open_compare(qtbot, window, "tell me about owls")
    assert len(dialog.cards) == 1  # the panel's settings come first
    add_sweep(qtbot, dialog, "seed=1,2,3")
    assert len(dialog.cards) == 4
    before = len(sim.simulator.requests)
    run_all(qtbot, dialog)
    cells = [c.cell for c in dialog.run.columns]
    assert [c.state for c in cells] == [DONE] * 4
    assert sorted(str(b.get("seed")) for b in chat_requests(sim, before)) == [
        "1", "2", "3", "None",
    ]  # fmt: skip
    prompts = {b["messages"][-1]["content"] for b in chat_requests(sim, before)}
    assert prompts == {"tell me about owls"}
    assert cells[1].content != cells[2].content  # other seeds, other replies
    card = dialog.cards[2]
    qtbot.waitUntil(lambda: card.reply.source_text() == cells[2].content)
    assert "TTFT" in card.stats.text() and "finish: stop" in card.stats.text()
    assert "completion" in card.stats.text()
    assert card.state.text() == "done"
    # Nothing reached the conversation: comparing is not sending.
    assert window.services.chat.current.messages == []


def test_columns_wait_for_a_free_slot_per_server(qtbot, window, sim):
    sim.simulator.config.tokens_per_second = 400
    dialog = open_compare(qtbot, window, "write 300 tokens")
    add_sweep(qtbot, dialog, "seed=1,2,3,4,5")
    dialog.concurrency.setFocus()
    dialog.concurrency.selectAll()
    qtbot.keyClicks(dialog.concurrency, "2")
    assert dialog.run.slots.limit == 2
    with track_most_running(sim.simulator) as most:
        _click(qtbot, dialog.run_button)
        qtbot.waitUntil(
            lambda: [c.cell.state for c in dialog.run.columns].count(STREAMING) == 2
        )
        assert [c.cell.state for c in dialog.run.columns].count(WAITING) == 4
        assert "waiting for a free slot" in [card.state.text() for card in dialog.cards]
        qtbot.waitUntil(lambda: not dialog.run.running(), timeout=30_000)
    assert most[0] == 2
    assert [c.cell.state for c in dialog.run.columns] == [DONE] * 6


def test_stop_one_column_and_the_server_sees_it_go(qtbot, window, sim):
    sim.simulator.config.tokens_per_second = 200
    dialog = open_compare(qtbot, window, "write 2000 tokens")
    add_sweep(qtbot, dialog, "seed=7")
    _click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: dialog.run.columns[1].cell.content != "", timeout=10_000)
    _click(qtbot, dialog.cards[1].stop_button)
    qtbot.waitUntil(lambda: dialog.run.columns[1].cell.state == STOPPED)
    qtbot.waitUntil(lambda: sim.simulator.disconnects >= 1, timeout=10_000)
    assert dialog.run.columns[1].cell.content  # what arrived stays
    assert dialog.run.columns[0].cell.state == STREAMING
    # Closing the window mid-run stops the rest.
    dialog.close()
    qtbot.waitUntil(lambda: sim.simulator.disconnects >= 2, timeout=10_000)
    assert dialog.run.columns[0].cell.state == STOPPED


def test_a_refused_column_shows_the_servers_words_and_the_others_complete(qtbot, window, sim):
    body = {"error": {"message": "seed is cursed", "type": "BadRequestError", "code": 400}}
    dialog = open_compare(qtbot, window, "Hi")
    add_sweep(qtbot, dialog, "seed=1")
    dialog.concurrency.setFocus()
    dialog.concurrency.selectAll()
    qtbot.keyClicks(dialog.concurrency, "1")
    sim.simulator.inject(Fault(http_status=400, http_body=json.dumps(body)))
    run_all(qtbot, dialog)
    states = [c.cell.state for c in dialog.run.columns]
    assert states == [FAILED, DONE]
    assert "seed is cursed" in dialog.cards[0].error.text()
    assert dialog.cards[0].error.isVisible()
    assert dialog.run.columns[1].cell.content


def test_rerun_keeps_pinned_columns(qtbot, window, sim):
    dialog = open_compare(qtbot, window, "tell me about cats")
    add_sweep(qtbot, dialog, "temperature=1.5")
    run_all(qtbot, dialog)
    _click(qtbot, dialog.cards[0].pin_button)
    assert dialog.run.columns[0].pinned
    kept = dialog.run.columns[0].cell
    before = len(sim.simulator.requests)
    run_all(qtbot, dialog)
    assert dialog.run.columns[0].cell is kept
    assert len(chat_requests(sim, before)) == 1
    _click(qtbot, dialog.cards[1].rerun_button)
    qtbot.waitUntil(lambda: len(chat_requests(sim, before)) == 2)


def test_word_diff_of_two_columns(qtbot, window, sim):
    dialog = open_compare(qtbot, window, "tell me about owls")
    add_sweep(qtbot, dialog, "seed=1,2")
    run_all(qtbot, dialog)
    dialog.left_box.setFocus()
    qtbot.keyClick(dialog.left_box, Qt.Key.Key_Down)  # column 2
    qtbot.keyClick(dialog.right_box, Qt.Key.Key_Down)  # column 3
    assert (dialog.left_box.currentIndex(), dialog.right_box.currentIndex()) == (1, 2)
    _click(qtbot, dialog.diff_button)
    assert dialog.diff_view.isVisible()
    html = dialog.diff_view.toHtml()
    assert "only in 2" in dialog.diff_view.toPlainText()
    assert "line-through" in html  # words of column 2 that column 3 lacks


def test_continue_with_this_adopts_the_reply_and_its_settings(qtbot, window, sim):
    dialog = open_compare(qtbot, window, "tell me about owls")
    add_sweep(qtbot, dialog, "seed=42; temperature=0.3")
    run_all(qtbot, dialog)
    chosen = dialog.run.columns[1].cell.content
    adopt(qtbot, dialog.cards[1])
    conv = window.services.chat.current
    assert [m.role for m in conv.messages] == ["user", "assistant"]
    assert conv.messages[0].content == "tell me about owls"
    assert conv.messages[1].content == chosen
    params = conv.messages[1].reply.params
    assert params["temperature"] == 0.3 and params["seed"] == 42
    sent = [b for b in chat_requests(sim, 0) if b.get("seed") == 42]
    assert {k: sent[-1][k] for k in params} == params  # the provenance is what was sent
    assert window.services.params.value("seed") == 42
    assert window.services.params.value("temperature") == 0.3
    assert "Parameters panel" in dialog.message.text()
    # A second column adopted becomes another version of that reply, not another turn.
    adopt(qtbot, dialog.cards[0])
    assert len(conv.messages) == 2
    assert conv.messages[1].content == dialog.run.columns[0].cell.content
    assert conv.messages[1].alternatives.branches[0][0].content == chosen


def test_compare_from_the_chat_menu_needs_a_prompt(qtbot, window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Chat")
    action = next(a for a in menu.actions() if a.text() == "&Compare…")
    action.trigger()
    assert getattr(window, "compare_dialog", None) is None
    assert "Type the prompt" in window.statusBar().currentMessage()


@pytest.mark.parametrize("text", ["temperature=5", "seed", "top_p=0"])
def test_a_bad_sweep_is_refused_in_words(qtbot, window, text):
    dialog = open_compare(qtbot, window, "Hi")
    add_sweep(qtbot, dialog, text)
    assert len(dialog.cards) == 1
    assert dialog.message.text().startswith("Sweep")
    QApplication.processEvents()
