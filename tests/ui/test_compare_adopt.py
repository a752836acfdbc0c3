"""Compare from a message and "Continue with this": the chosen column's reply becomes a new
version of the reply to that message, with its settings in the panel and its provenance."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_compare_window import add_sweep, adopt, chat_requests, run_all
from test_history import close_state, reopen
from window_support import send, wait_reply_done

from desktop_app.core.chat.alternatives import versions
from desktop_app.core.compare.cells import DONE


def _click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def compare_from_message(qtbot, window, message_id: str):
    """Chooses "Compare…" in the More menu of user message ``message_id``."""
    widget = window.chat_view.widget_for(message_id)
    item = widget._menu_items["compare"]
    assert item in widget.more_button.menu().actions()
    before = getattr(window, "compare_dialog", None)
    item.trigger()
    qtbot.waitUntil(lambda: getattr(window, "compare_dialog", None) not in (None, before))
    dialog = window.compare_dialog
    qtbot.waitExposed(dialog)
    return dialog


def test_continue_with_this_adds_a_version_of_the_reply(qtbot, qloop, window, sim, secrets):
    chat = window.services.chat
    send(qtbot, window, "Tell me about rivers")
    original = wait_reply_done(qtbot, window)
    user = chat.current.messages[0]
    assert "compare" not in window.chat_view.widget_for(original.id)._menu_items
    dialog = compare_from_message(qtbot, window, user.id)
    add_sweep(qtbot, dialog, "seed=42; temperature=0.3")
    before = len(sim.simulator.requests)
    run_all(qtbot, dialog)
    assert [c.cell.state for c in dialog.run.columns] == [DONE, DONE]
    # The columns answer the message itself: the old reply is not part of the prefix.
    for body in chat_requests(sim, before):
        assert [m["role"] for m in body["messages"]] == ["user"]
        assert body["messages"][0]["content"] == "Tell me about rivers"
    chosen = dialog.run.columns[1].cell.content
    adopt(qtbot, dialog.cards[1])
    conv = chat.current
    assert [m.role for m in conv.messages] == ["user", "assistant"]
    adopted = conv.messages[1]
    assert adopted.content == chosen and adopted is not original
    assert [v.message.id for v in versions(adopted)] == [original.id, adopted.id]
    assert adopted.reply.params["seed"] == 42 and adopted.reply.params["temperature"] == 0.3
    assert adopted.reply.usage is not None and adopted.reply.time_to_first_token is not None
    assert window.services.params.value("seed") == 42
    assert "new version" in dialog.message.text()
    qtbot.waitUntil(lambda: window.chat_view.widget_for(adopted.id) is not None)
    bar = window.chat_view.widget_for(adopted.id).versions
    assert bar is not None and bar.label.text() == "2/2"
    # Another column adopted later is one more version.
    adopt(qtbot, dialog.cards[0])
    third = chat.current.messages[1]
    assert [v.message.id for v in versions(third)] == [original.id, adopted.id, third.id]
    # The original stays one click away.
    _click(qtbot, window.chat_view.widget_for(third.id).versions.previous)
    _click(qtbot, window.chat_view.widget_for(adopted.id).versions.previous)
    assert chat.current.messages[1] is original
    # And every version survives a restart with its provenance.
    again = reopen(qtbot, secrets)
    try:
        shown = again.chat.ensure_loaded(conv.id).messages[1]
        found = versions(shown)
        assert [v.message.content for v in found] == [original.content, chosen, third.content]
        assert found[1].message.reply.params["seed"] == 42
    finally:
        close_state(qtbot, qloop, again)


def test_compare_from_an_earlier_message_runs_on_its_prefix(qtbot, window, sim):
    chat = window.services.chat
    send(qtbot, window, "First question about owls")
    first_reply = wait_reply_done(qtbot, window)
    send(qtbot, window, "Second question about cats")
    wait_reply_done(qtbot, window)
    first_user = chat.current.messages[0]
    tail = [m.id for m in chat.current.messages[1:]]
    dialog = compare_from_message(qtbot, window, first_user.id)
    assert dialog.run.prompt == "First question about owls"
    before = len(sim.simulator.requests)
    run_all(qtbot, dialog)
    (body,) = chat_requests(sim, before)
    assert [m["content"] for m in body["messages"]] == ["First question about owls"]
    adopt(qtbot, dialog.cards[0])
    conv = chat.current
    assert [m.role for m in conv.messages] == ["user", "assistant"]
    adopted = conv.messages[1]
    # The whole old branch (its reply and the turn after it) is the other version.
    (old,) = [v for v in versions(adopted) if not v.shown]
    assert old.message.id == first_reply.id
    assert [m.id for m in adopted.alternatives.branches[0]] == tail


def test_compare_from_a_message_that_is_gone_is_refused_in_words(qtbot, window, sim):
    chat = window.services.chat
    send(qtbot, window, "Tell me about rivers")
    wait_reply_done(qtbot, window)
    user = chat.current.messages[0]
    dialog = compare_from_message(qtbot, window, user.id)
    run_all(qtbot, dialog)
    # The message is edited and resent meanwhile: the compared one is no longer shown.
    assert chat.edit_and_resend(user.id, "Tell me about lakes")
    wait_reply_done(qtbot, window)
    count = len(chat.current.messages)
    adopt(qtbot, dialog.cards[0])
    assert "no longer shown" in dialog.message.text()
    assert len(chat.current.messages) == count
