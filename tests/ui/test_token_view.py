"""The token view in the real window against the simulator: toggle, live tokens, hover and
keyboard focus, summary, export, branching from a token and its refusal."""

from __future__ import annotations

import json
import math
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from window_support import send, wait_reply_done

from desktop_app.api import ToolCall
from desktop_app.api.logprobs import TokenLog, parse_logprobs
from desktop_app.core.chat.conversation import ChatMessage, MessageStatus
from desktop_app.ui.tokens.colors import bin_of
from desktop_app.ui.tokens.panel import TokenPanel


def _turn_tokens_on(qtbot, window) -> None:
    """Click the Tokens toggle of a first reply: the chat then asks for logprobs."""
    send(qtbot, window, "Hello")
    reply = wait_reply_done(qtbot, window)
    widget = window.chat_view.widget_for(reply.id)
    assert reply.tokens is None
    qtbot.mouseClick(widget.tokens_button, Qt.MouseButton.LeftButton)
    assert widget.tokens_button.isChecked() and widget.token_panel is not None
    assert "no token probabilities" in widget.token_panel.info.text()
    assert widget.token_panel.ask.isChecked()


def test_toggle_asks_and_the_next_reply_streams_as_tokens(qtbot, window, sim):
    _turn_tokens_on(qtbot, window)
    send(qtbot, window, "Explain how DNS works")
    reply = wait_reply_done(qtbot, window)
    body = sim.simulator.requests[-1].body
    assert (body["logprobs"], body["top_logprobs"]) == (True, 5)
    widget = window.chat_view.widget_for(reply.id)
    panel = widget.token_panel
    assert widget.tokens_button.isChecked() and panel is not None and not panel.isHidden()
    assert widget.text.isHidden()
    assert reply.tokens is not None and panel.view.count() == len(reply.tokens) > 20
    spelled = "".join(reply.tokens.text(i) for i in range(len(reply.tokens)))
    assert spelled == reply.content
    assert "perplexity" in widget.details.text() and "tokens under 50%" in widget.details.text()

    # Hover a token: its probability and alternatives are shown.
    view = panel.view
    rect = view.token_rect(3)
    # The move goes to the token view itself: where the page scrolled to decides which
    # widget a synthesized cursor position lands on, and it differs from run to run.
    window.chat_view.ensureWidgetVisible(view, 0, 0)
    pos = QPointF(rect.center())
    move = QMouseEvent(
        QEvent.Type.MouseMove, pos, view.mapToGlobal(pos), Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(view, move)
    qtbot.waitUntil(lambda: "Token 4" in panel.info.text(), timeout=3_000)
    assert "Alternatives:" in panel.info.text() and "%" in panel.info.text()

    # Keyboard: focus the tokens, move with the arrow keys.
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: view.current == 0, timeout=3_000)
    QTest.keyClick(view, Qt.Key.Key_Right)
    QTest.keyClick(view, Qt.Key.Key_Right)
    assert view.current == 2 and "Token 3" in panel.info.text()
    assert panel.branch_buttons  # the alternatives, each one a branch

    # Toggle off: the text is back.
    qtbot.mouseClick(widget.tokens_button, Qt.MouseButton.LeftButton)
    assert panel.isHidden() and not widget.text.isHidden()
    assert widget.text.toPlainText().strip()


def test_whitespace_is_visible_and_clicks_pick(qtbot, window, sim):
    _turn_tokens_on(qtbot, window)
    send(qtbot, window, "Explain how DNS works")
    reply = wait_reply_done(qtbot, window)
    view = window.chat_view.widget_for(reply.id).token_panel.view
    labels = view._labels
    assert any("·" in label for label in labels) and any("↵" in label for label in labels)
    assert not any(" " in label or "\n" in label for label in labels)
    rect = view.token_rect(5)
    QTest.mouseClick(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rect.center())
    assert view.current == 5


def test_branch_from_a_token_continues_with_the_alternative(qtbot, window, sim):
    _turn_tokens_on(qtbot, window)
    send(qtbot, window, "Why is the sky blue?")
    first = wait_reply_done(qtbot, window)
    panel = window.chat_view.widget_for(first.id).token_panel
    view = panel.view
    view.set_current(4)
    button = panel.branch_buttons[0]
    chat = window.services.chat
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chat.current.messages[-1].id != first.id, timeout=5_000)
    branch = wait_reply_done(qtbot, window)
    alt = first.tokens.alternatives(4)[1]
    prefix = "".join(first.tokens.text(i) for i in range(4)) + alt.token
    body = sim.simulator.requests[-1].body
    assert body["continue_final_message"] is True and body["add_generation_prompt"] is False
    assert body["messages"][-1] == {"role": "assistant", "content": prefix}
    assert branch.content.startswith(prefix) and len(branch.content) > len(prefix)
    assert branch.reply.branched_from == first.id
    assert branch.tokens is not None and branch.tokens.token(4) == alt.token
    spelled = "".join(branch.tokens.text(i) for i in range(len(branch.tokens)))
    assert spelled == branch.content
    # The next request replays the branch in place of the reply it came from.
    send(qtbot, window, "Thanks")
    wait_reply_done(qtbot, window)
    sent = sim.simulator.requests[-1].body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user", "assistant", "user"]
    assert sent[3]["content"] == branch.content


def test_branch_is_refused_for_a_reply_with_tool_calls(qtbot, window):
    chat = window.services.chat
    entries = parse_logprobs({"content": [
        {"token": "Hi", "logprob": -0.1, "bytes": [72, 105],
         "top_logprobs": [{"token": "Hi", "logprob": -0.1, "bytes": [72, 105]},
                          {"token": "Yo", "logprob": -2.0, "bytes": [89, 111]}]}]})
    msg = ChatMessage(role="assistant", content="Hi", status=MessageStatus.COMPLETE,
                      tool_calls=[ToolCall("c1", "get_weather", "{}")])
    msg.tokens = TokenLog(entries)
    chat.current.messages.append(msg)
    panel = TokenPanel(window.services.tokens)
    qtbot.addWidget(panel)
    panel.refresh(msg)
    reason = panel.branch(0, 1)
    assert "tool calls" in reason and panel.note.text() == reason
    assert not chat.busy


def test_export_csv_and_json(qtbot, window, tmp_path: Path):
    _turn_tokens_on(qtbot, window)
    send(qtbot, window, "Hello again")
    reply = wait_reply_done(qtbot, window)
    panel = window.chat_view.widget_for(reply.id).token_panel
    assert "Saved" in panel.export_to(tmp_path / "t.json")
    data = json.loads((tmp_path / "t.json").read_text())
    assert [d["token"] for d in data] == [reply.tokens.token(i) for i in range(len(reply.tokens))]
    assert "Saved" in panel.export_to(tmp_path / "t.csv")
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert lines[0].startswith("position,token,bytes,logprob") and len(lines) == len(data) + 1
    assert "Could not save" in panel.export_to(tmp_path / "missing" / "t.csv")


def test_bad_logprobs_are_shown_as_unknown(qtbot, window):
    raw = {"content": [
        {"token": "a", "logprob": math.nan, "bytes": [97]},
        {"token": "b", "logprob": -math.inf, "bytes": []},
        {"token": "c"},
        {"token": "d", "logprob": -0.01, "bytes": [100], "top_logprobs": "x"},
    ]}
    msg = ChatMessage(role="assistant", content="abcd", status=MessageStatus.COMPLETE)
    msg.tokens = TokenLog(parse_logprobs(raw))
    panel = TokenPanel(None)
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh(msg)
    view = panel.view
    assert view.count() == 4
    assert [bin_of(msg.tokens.logprob(i)) for i in range(4)] == [-1, -1, -1, 0]
    view.set_current(1)
    assert "probability unknown" in panel.info.text()
    view.set_current(3)
    assert "No alternatives were sent" in panel.info.text()
    panel.grab()  # paints every kind without raising


def test_refused_count_is_lowered_to_the_servers_limit_and_said(qtbot, window, sim):
    sim.simulator.config.max_logprobs = 3
    _turn_tokens_on(qtbot, window)
    panel = window.chat_view.widget_for(window.services.chat.current.messages[-1].id).token_panel
    panel.alternatives.setFocus()
    QTest.keyClick(panel.alternatives.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(panel.alternatives.lineEdit(), "alternatives: 8")
    QTest.keyClick(panel.alternatives.lineEdit(), Qt.Key.Key_Return)
    assert window.services.tokens.asking() == 8
    send(qtbot, window, "Hello")
    chat = window.services.chat
    qtbot.waitUntil(lambda: not chat.busy and chat.current.messages[-1].status
                    == MessageStatus.COMPLETE and chat.current.messages[-1].tokens is not None,
                    timeout=10_000)
    sent = [r.body.get("top_logprobs") for r in sim.simulator.requests[-2:]]
    assert sent == [8, 3]
    assert window.services.tokens.asking() == 3 and panel.alternatives.value() == 3
    assert "at most 3" in window.statusBar().currentMessage()
    assert "--max-logprobs" in window.statusBar().currentMessage()
    reply = chat.current.messages[-1]
    assert len(reply.tokens.alternatives(0)) == 3
    assert [m.role for m in chat.current.messages] == ["user", "assistant", "user", "assistant"]


def test_a_server_without_logprobs_stops_the_asking_and_names_the_setting(qtbot, window, sim):
    sim.simulator.config.max_logprobs = 0
    window.services.tokens.set_asking(2)
    send(qtbot, window, "Hello")
    reply = wait_reply_done(qtbot, window)
    assert reply.status == MessageStatus.ERROR
    widget = window.chat_view.widget_for(reply.id)
    words = widget.error_card.message.text() + widget.error_card.hint.text()
    assert "--max-logprobs" in words
    assert window.services.tokens.asking() is None
    assert "stopped asking" in window.statusBar().currentMessage()


def test_finished_lines_are_drawn_once_and_outlines_follow_the_pick(qtbot, window, sim):
    """Finished lines are painted from pictures made once: a grab shows each token's colour
    there and on the line still filling, and the picked token's outline moves with the pick."""
    from desktop_app.ui.common.theme import is_dark
    from desktop_app.ui.tokens.colors import colors

    _turn_tokens_on(qtbot, window)
    send(qtbot, window, "write 900 tokens")
    reply = wait_reply_done(qtbot, window)
    view = window.chat_view.widget_for(reply.id).token_panel.view
    tokens = reply.tokens
    assert view._cursor[1] > 20  # more lines than one picture holds

    def fill_at(i: int):
        image = view.grab().toImage()
        rect = view.token_rect(i)
        return image.pixelColor(rect.left() + 1, rect.center().y())

    last_line_token = view.count() - 1
    # The view's new height reaches the layout on a later turn of the event loop.
    qtbot.waitUntil(lambda: view.height() > view.token_rect(last_line_token).bottom(),
                    timeout=3_000)
    for i in (0, 40, 400, last_line_token):
        fill, _ink = colors(bin_of(tokens.logprob(i)), is_dark(view))
        if fill is not None:
            assert fill_at(i).name() == fill.name(), i
    assert view._bands  # the finished lines were drawn into pictures

    highlight = view.palette().highlight().color().name()
    view.set_current(40)
    rect = view.token_rect(40)
    image = view.grab().toImage()
    assert image.pixelColor(rect.left(), rect.center().y()).name() == highlight
    view.set_current(41)
    image = view.grab().toImage()
    assert image.pixelColor(rect.left(), rect.center().y()).name() != highlight
