"""Whatever breaks inside the reply task, the reply ends as an error card and the window is free."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from gen_support import chat_requests, wait_reply_done
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.simulator import SimulatorConfig


def type_and_send(qtbot, window, text: str) -> None:
    window.composer.edit.setFocus()
    QTest.keyClicks(window.composer.edit, text)
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)


def assert_error_card(window, reply) -> None:
    assert reply.status == MessageStatus.ERROR
    assert reply.error is not None
    card = window.chat_view.widget_for(reply.id).error_card
    assert card.isVisible()
    assert card.retry.isVisible()
    assert "Something went wrong" in card.message.text()


def test_bad_request_values_end_in_a_card_not_a_busy_window(qtbot, window, sim):
    chat = window.services.chat
    # A value that cannot be written as JSON: building the request body fails in the task.
    chat.current.settings.sampling = replace(chat.current.settings.sampling, temperature=math.nan)
    type_and_send(qtbot, window, "Is anyone there?")
    reply = wait_reply_done(qtbot, window)
    assert not chat.busy
    assert window.composer.send_button.isVisible()  # the window is not showing Stop
    assert_error_card(window, reply)
    assert "JSON" in reply.error.message
    # Nothing reached the server, nothing typed is lost: the message stays and the composer
    # has the text back.
    assert chat_requests(sim) == []
    assert chat.current.messages[-2].content == "Is anyone there?"
    assert window.composer.text() == "Is anyone there?"


# Paced, so the reply arrives over many network reads (the controller takes one per read).
@pytest.mark.parametrize("sim_config", [SimulatorConfig(tokens_per_second=400.0)])
def test_a_failing_step_mid_stream_keeps_what_arrived(qtbot, window, monkeypatch):
    chat = window.services.chat
    real_take = ChatController._take
    seen = []

    def take_then_break(self, live, accumulator):
        if len(seen) == 3:
            raise RuntimeError("display step broke")
        seen.append(accumulator)
        real_take(self, live, accumulator)

    monkeypatch.setattr(ChatController, "_take", take_then_break)
    type_and_send(qtbot, window, "write 60 tokens")
    reply = wait_reply_done(qtbot, window)
    assert not chat.busy
    assert_error_card(window, reply)
    assert "display step broke" in reply.error.message
    # What was shown is kept: a prefix of what the client had received when the step broke.
    received = seen[-1].snapshot().content
    assert reply.content and received.startswith(reply.content)
    assert window.chat_view.widget_for(reply.id).text.toPlainText().strip()
    assert chat.current.messages[-2].content == "write 60 tokens"

    # Retry (a real click) runs the reply again and it completes.
    monkeypatch.setattr(ChatController, "_take", real_take)
    card = window.chat_view.widget_for(reply.id).error_card
    qtbot.mouseClick(card.retry, Qt.MouseButton.LeftButton)
    again = wait_reply_done(qtbot, window)
    assert again.status == MessageStatus.COMPLETE
    assert again.content


def test_stop_before_the_task_ran_clears_busy(qtbot, window):
    chat = window.services.chat
    window.composer.edit.setFocus()
    QTest.keyClicks(window.composer.edit, "Hello")
    # Send and Stop before the event loop has run the reply task even once.
    with qtbot.waitSignal(chat.busyChanged, check_params_cb=lambda b: not b, timeout=10_000):
        qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
        assert chat.busy
        chat.stop()
    assert not chat.busy
    assert chat.current.messages[-1].status == MessageStatus.STOPPED
    # The window takes the next message.
    type_and_send(qtbot, window, "Hello again")
    assert wait_reply_done(qtbot, window).status == MessageStatus.COMPLETE
