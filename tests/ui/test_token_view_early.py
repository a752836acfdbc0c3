"""A reply that asks for token probabilities has its token panel and chart before its first
token (built in turns of their own, not while the first tokens are drawn); a reply that asked
but got none is shown as text again."""

from __future__ import annotations

from test_token_view import _turn_tokens_on
from window_support import send, wait_reply_done

from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.simulator.config import Fault


def test_panel_and_chart_are_there_before_the_first_token(qtbot, window, sim):
    _turn_tokens_on(qtbot, window)
    sim.simulator.inject(Fault(first_byte_delay=2))
    send(qtbot, window, "Explain how DNS works")
    chat = window.services.chat
    reply = chat.current.messages[-1]
    assert reply.role == "assistant" and reply.status == MessageStatus.STREAMING
    widget = window.chat_view.widget_for(reply.id)
    qtbot.waitUntil(lambda: widget.token_panel is not None
                    and widget.token_panel.chart is not None, timeout=1_500)
    panel = widget.token_panel
    assert reply.tokens is None and not reply.content  # nothing has arrived yet
    assert widget.tokens_button.isChecked() and panel.isVisible() and panel.chart.isVisible()
    assert "Waiting for the first tokens" in panel.info.text()
    done = wait_reply_done(qtbot, window)
    assert done.id == reply.id and done.tokens is not None
    assert panel.view.count() == len(done.tokens) > 20 and widget.text.isHidden()
    assert panel.chart.probability.count() > 0


def test_a_reply_that_asked_but_got_no_tokens_is_shown_as_text(qtbot, window, sim):
    _turn_tokens_on(qtbot, window)
    sim.simulator.inject(Fault(first_byte_delay=1, http_status=500))
    send(qtbot, window, "Hello")
    chat = window.services.chat
    reply = chat.current.messages[-1]
    widget = window.chat_view.widget_for(reply.id)
    qtbot.waitUntil(lambda: widget.token_panel is not None, timeout=1_000)
    assert widget.tokens_button.isChecked()
    qtbot.waitUntil(lambda: not chat.busy, timeout=10_000)
    assert reply.status == MessageStatus.ERROR and reply.tokens is None
    assert not widget.tokens_button.isChecked() and widget.token_panel.isHidden()
    assert widget.error_card.isVisible()
