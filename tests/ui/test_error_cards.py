"""Every simulator fault ends in an inline error card, with partial text and the composer kept."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from window_support import send

from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.simulator import Fault


def wait_done(qtbot, window):
    chat = window.services.chat
    qtbot.waitUntil(lambda: not chat.busy and len(chat.current.messages) >= 2, timeout=20_000)
    return chat.current.messages[-1]


@pytest.mark.parametrize(
    ("fault", "kind", "partial"),
    [
        (Fault(drop_after_tokens=5), "ConnectionDropped", True),
        (
            Fault(stream_error_after_tokens=5, stream_error_message="KV cache load failed"),
            "StreamError",
            True,
        ),
        (Fault(malformed_after_tokens=5), "ProtocolError", True),
        (
            Fault(
                http_status=400,
                http_body={
                    "error": {
                        "message": "temperature must be in [0, 2]",
                        "type": "BadRequestError",
                        "param": "temperature",
                        "code": 400,
                    }
                },
            ),
            "BadRequestError",
            False,
        ),
        (Fault(http_status=503, http_body=b"upstream unavailable"), None, False),
    ],
)
def test_fault_shows_error_card(qtbot, window, sim, fault, kind, partial):
    sim.simulator.inject(fault)
    send(qtbot, window, "write 60 tokens")
    reply = wait_done(qtbot, window)
    assert reply.status == MessageStatus.ERROR
    assert reply.error is not None
    if kind:
        assert reply.error.kind == kind
    card = window.chat_view.widget_for(reply.id).error_card
    assert card.isVisible()
    assert card.title.text() and card.message.text()
    assert card.accessibleName().startswith("Error:")
    if partial:
        assert reply.content  # what arrived before the failure is kept
        assert window.chat_view.widget_for(reply.id).text.toPlainText().strip()
    else:
        # nothing arrived: the text goes back into the composer, nothing is lost
        assert window.composer.text() == "write 60 tokens"
    if fault.stream_error_message and fault.stream_error_after_tokens:
        assert "KV cache load failed" in reply.error.message
    if fault.http_status == 400:
        assert "temperature must be in [0, 2]" in reply.error.message


def test_retry_after_error_runs_again(qtbot, window, sim):
    sim.simulator.inject(Fault(drop_after_tokens=3))
    send(qtbot, window, "Hello")
    failed = wait_done(qtbot, window)
    assert failed.status == MessageStatus.ERROR
    window.chat_view.widget_for(failed.id).error_card.retry.click()
    chat = window.services.chat
    qtbot.waitUntil(lambda: chat.current.messages[-1].id != failed.id, timeout=5_000)
    reply = wait_done(qtbot, window)
    assert reply.status == MessageStatus.COMPLETE
    assert [m.role for m in chat.current.messages] == ["user", "assistant"]


def test_unreachable_server_keeps_text(qtbot, window, state):
    from desktop_app.core.session.profiles import ServerProfile

    dead = ServerProfile(name="Dead", base_url="http://127.0.0.1:9/v1")
    state.session.use(dead)
    send(qtbot, window, "Are you there?")
    reply = wait_done(qtbot, window)
    assert reply.error.kind == "ServerUnreachable"
    assert window.composer.text() == "Are you there?"
    # sending again replaces the failed turn instead of stacking it
    state.session.use(state.profiles.active())
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    reply = wait_done(qtbot, window)
    assert reply.status == MessageStatus.COMPLETE, reply.error
    assert [m.role for m in state.chat.current.messages] == ["user", "assistant"]
