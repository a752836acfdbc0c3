"""The real window against the simulator: a reply ends at [DONE] even if the socket stays
open, a silent server (or one sending only keep-alives) ends as a "went silent" error card
after the stall limit set in Servers & settings, and a whole chat.completion answering a
streamed request is shown as the reply."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.simulator import Fault


def type_and_send(qtbot, window, text: str) -> None:
    QTest.keyClicks(window.composer.edit, text)
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)


def wait_done(qtbot, window, count: int = 2):
    chat = window.services.chat
    qtbot.waitUntil(lambda: not chat.busy and len(chat.current.messages) >= count, timeout=20_000)
    return chat.current.messages[-1]


def test_reply_finishes_at_done_while_the_server_keeps_the_socket_open(qtbot, window, sim):
    sim.simulator.inject(Fault(hold_open_after_done=120))
    type_and_send(qtbot, window, "write 20 tokens")
    reply = wait_done(qtbot, window)
    assert reply.status == MessageStatus.COMPLETE
    assert reply.content
    assert window.chat_view.widget_for(reply.id).error_card.isHidden()


def _set_stall_limit_in_settings(qtbot, window, seconds: str) -> None:
    dialog = window.open_settings()
    spin = dialog.stall_limit
    assert spin.isVisible()
    spin.setFocus()
    QTest.keyClick(spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(spin, seconds)
    QTest.keyClick(spin, Qt.Key.Key_Tab)
    dialog.close()


def test_stall_limit_ends_a_silent_reply_with_a_retry_card(qtbot, window, sim):
    _set_stall_limit_in_settings(qtbot, window, "1")
    assert window.services.settings.stall_seconds == 1
    # Only SSE comments for a long time after a few tokens: no data, so a stall.
    sim.simulator.inject(Fault(stall_after_tokens=5, stall_seconds=120, keepalive_interval=0.05))
    type_and_send(qtbot, window, "write 60 tokens")
    reply = wait_done(qtbot, window)
    assert reply.status == MessageStatus.ERROR
    assert reply.error is not None and reply.error.kind == "ReplyStalled"
    assert "went silent for 1 s" in reply.error.message
    assert reply.content  # the partial text is kept
    card = window.chat_view.widget_for(reply.id).error_card
    assert card.isVisible() and "silent" in card.title.text()
    assert card.retry.isVisible()
    qtbot.mouseClick(card.retry, Qt.MouseButton.LeftButton)
    again = wait_done(qtbot, window)
    assert again.status == MessageStatus.COMPLETE


def test_stall_limit_ends_a_reply_that_goes_fully_silent(qtbot, window, sim):
    _set_stall_limit_in_settings(qtbot, window, "1")
    sim.simulator.inject(Fault(stall_after_tokens=3, stall_seconds=120))
    type_and_send(qtbot, window, "write 60 tokens")
    reply = wait_done(qtbot, window)
    assert reply.error is not None and reply.error.kind == "ReplyStalled"


def test_a_whole_completion_answering_a_stream_is_the_reply(qtbot, window, sim):
    body = {
        "id": "chatcmpl-gw",
        "object": "chat.completion",
        "model": "gemma",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "From a gateway."},
                "finish_reason": "stop",
            }
        ],
    }
    sim.simulator.inject(Fault(http_status=200, http_body=body))
    type_and_send(qtbot, window, "hello")
    reply = wait_done(qtbot, window)
    assert reply.status == MessageStatus.COMPLETE
    assert reply.content == "From a gateway."
    qtbot.waitUntil(
        lambda: "From a gateway." in window.chat_view.widget_for(reply.id).text.toPlainText()
    )
