"""Failed turns, Retry, tool calls and Regenerate: nothing typed is dropped or offered twice."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.simulator import Fault, SimulatorConfig
from tests.ui.tools_support import add_sample, chat_requests, send, turn_view, wait_idle

UNAVAILABLE = Fault(http_status=503, http_body=b"upstream unavailable")


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(tokens_per_second=None)


def test_a_different_message_after_a_failed_turn_keeps_that_turn_in_view(qtbot, window, sim):
    sim.simulator.inject(UNAVAILABLE)
    send(qtbot, window, "first question")
    failed = wait_idle(qtbot, window, 2)
    assert failed.status == MessageStatus.ERROR
    send(qtbot, window, "something else")
    wait_idle(qtbot, window, 4)
    msgs = window.services.chat.current.messages
    assert [m.content for m in msgs[:2]] == ["first question", ""]
    assert msgs[1].status == MessageStatus.ERROR
    assert window.chat_view.widget_for(msgs[0].id) is not None
    # The unanswered message is not replayed: no two user turns in a row reach the server.
    sent = chat_requests(sim)[-1]["messages"]
    assert [(m["role"], m["content"]) for m in sent] == [("user", "something else")]
    assert "failed stays above" in window.statusBar().currentMessage()


def test_a_successful_retry_takes_the_handed_back_text_out_of_the_composer(qtbot, window, sim):
    sim.simulator.inject(UNAVAILABLE)
    send(qtbot, window, "hello there")
    failed = wait_idle(qtbot, window, 2)
    assert window.composer.text() == "hello there"  # handed back while it failed
    card = window.chat_view.widget_for(failed.id).error_card
    qtbot.mouseClick(card.retry, Qt.MouseButton.LeftButton)
    chat = window.services.chat
    qtbot.waitUntil(lambda: chat.current.messages[-1].id != failed.id, timeout=5_000)
    reply = wait_idle(qtbot, window, 2)
    assert reply.status == MessageStatus.COMPLETE
    assert window.composer.text() == ""


def test_a_failed_request_after_tool_results_puts_no_old_message_back(qtbot, window, sim):
    add_sample(window)
    window.tools_panel.editor.mock.setPlainText("")
    send(qtbot, window, "What is the weather in Rome?")
    reply = wait_idle(qtbot, window, 2)
    view = turn_view(window, reply.id)
    qtbot.keyClicks(view.cards[0].result, '{"temp": 21}')
    sim.simulator.inject(UNAVAILABLE)
    qtbot.mouseClick(view.send_results, Qt.MouseButton.LeftButton)
    failed = wait_idle(qtbot, window, 4)
    assert failed.status == MessageStatus.ERROR
    assert window.composer.text() == ""


def test_the_waiting_calls_hint_follows_the_answers(qtbot, window, sim):
    add_sample(window)
    window.tools_panel.editor.mock.setPlainText("")
    send(qtbot, window, "Weather in Paris and Tokyo please")
    reply = wait_idle(qtbot, window, 2)
    assert len(reply.tool_calls) == 2
    composer = window.composer
    assert composer.blocked_reason().startswith("2 tool calls wait")
    view = turn_view(window, reply.id)
    qtbot.keyClicks(view.cards[0].result, '"sunny"')
    assert composer.blocked_reason().startswith("Tool call waits")
    qtbot.keyClicks(view.cards[1].result, '"rain"')
    assert "ready but not sent" in composer.blocked_reason()
    assert composer.blocked_note.text().endswith("press Send results.")


def open_discard_box(qtbot, window, reply_id: str) -> QMessageBox:
    button = window.chat_view.widget_for(reply_id).action_buttons["regenerate"]
    assert button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    shown = [b for b in window.findChildren(QMessageBox, "discardToolCallsBox") if b.isVisible()]
    assert len(shown) == 1
    return shown[0]


def test_regenerate_while_calls_wait_asks_before_discarding_them(qtbot, window, sim):
    add_sample(window)
    window.tools_panel.editor.mock.setPlainText("")
    send(qtbot, window, "What is the weather in Rome?")
    reply = wait_idle(qtbot, window, 2)
    requests = len(chat_requests(sim))
    box = open_discard_box(qtbot, window, reply.id)
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.isVisible())
    chat = window.services.chat
    assert chat.current.messages[-1] is reply  # cancelled: nothing changed
    assert len(chat_requests(sim)) == requests
    box = open_discard_box(qtbot, window, reply.id)
    discard = box.findChild(QPushButton, "discardAndRegenerate")
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chat.current.messages[-1] is not reply, timeout=5_000)
    again = wait_idle(qtbot, window, 2)
    assert again.status == MessageStatus.COMPLETE
    assert len(chat_requests(sim)) == requests + 1
