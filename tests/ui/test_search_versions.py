"""A word that is only in another version of a message is found by the sidebar search, the
result says so, and opening it shows the conversation with that version."""

from __future__ import annotations

from keys_support import activate, tab_to
from PySide6.QtCore import Qt
from test_long_history import open_from_history, shown
from test_search_jump import click_hit

from desktop_app.core.chat.conversation import Alternatives, ChatMessage, Conversation


def lakes() -> tuple[Conversation, ChatMessage, ChatMessage]:
    """A question and a reply regenerated once: "platypus" only in the old, hidden version."""
    question = ChatMessage(role="user", content="Tell me about lakes")
    old = ChatMessage(role="assistant", content="Lakes shelter the **platypus**.")
    new = ChatMessage(role="assistant", content="Axolotls live in lakes.")
    new.alternatives = Alternatives(branches=[[old], []], shown=1)
    return Conversation(title="Lakes", messages=[question, new]), old, new


def search_for(qtbot, panel, text: str) -> None:
    panel.search.setFocus()
    if panel.search.text():  # cleared first, so that the results waited for are new ones
        qtbot.keyClick(panel.search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(panel.search, Qt.Key.Key_Backspace)
        qtbot.waitUntil(lambda: not panel.results.isVisible(), timeout=5_000)
    qtbot.keyClicks(panel.search, text)
    qtbot.waitUntil(
        lambda: (
            panel.results.isVisible()
            and panel.results.count() > 0
            and panel.results.item(0).data(Qt.ItemDataRole.UserRole) is not None
        ),
        timeout=5_000,
    )


def stored_hits(window, text: str) -> list[tuple[str | None, bool]]:
    """What the history finds once every queued write is done."""
    hits = window.services.store.call(lambda s: s.search(text))
    return [(h.message_id, h.other_version) for h in hits]


def test_a_hit_in_another_version_opened_with_the_keyboard_shows_that_version(qtbot, window):
    conv, old, new = lakes()
    open_from_history(qtbot, window, conv)
    chat, view, panel = window.services.chat, window.chat_view, window.history_panel
    window._new_chat()
    activate(qtbot, window)
    search_for(qtbot, panel, "platypus")
    assert panel.results.count() == 1
    item = panel.results.item(0)
    snippet = panel.results.itemWidget(item)
    assert snippet.plain_text().startswith("In another version: ")
    assert "<b>platypus</b>" in snippet.snippet_html()
    # Tab from the search field to its results, Down picks the hit, Return opens it.
    tab_to(qtbot, panel.results)
    qtbot.keyClick(panel.results, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: panel.results.currentItem() is item, timeout=5_000)
    qtbot.keyClick(panel.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: chat.current.id == conv.id, timeout=5_000)
    qtbot.waitUntil(lambda: chat.current.messages[1].id == old.id, timeout=5_000)
    qtbot.waitUntil(lambda: shown(view, old.id), timeout=5_000)
    widget = view.widget_for(old.id)
    assert "platypus" in widget.text.source_text()
    assert widget.versions is not None and widget.versions.label.text() == "1/2"
    assert widget.property("searchHit") is True
    assert view.widget_for(new.id) is None
    # Opened again from the same (now older) result: the version stays, the message shown.
    tab_to(qtbot, panel.results)
    qtbot.keyClick(panel.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.widget_for(old.id).hasFocus(), timeout=5_000)
    assert chat.current.messages[1].id == old.id
    # The switch was saved: the words moved, each still found once, the index says where.
    assert stored_hits(window, "platypus") == [(old.id, False)]
    assert stored_hits(window, "axolotls") == [(old.id, True)]


def test_switching_versions_in_the_window_keeps_search_right(qtbot, window):
    conv, old, new = lakes()
    open_from_history(qtbot, window, conv)
    chat, view, panel = window.services.chat, window.chat_view, window.history_panel
    qtbot.waitUntil(lambda: view.widget_for(new.id) is not None, timeout=5_000)
    bar = view.widget_for(new.id).versions
    qtbot.mouseClick(bar.previous, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chat.current.messages[1].id == old.id, timeout=5_000)
    assert stored_hits(window, "platypus") == [(old.id, False)]
    assert stored_hits(window, "axolotls") == [(old.id, True)]
    # The result for the word now hidden is marked, and opening it (a click) switches back.
    search_for(qtbot, panel, "axolotls")
    assert (
        panel.results.itemWidget(panel.results.item(0))
        .plain_text()
        .startswith("In another version: ")
    )
    click_hit(qtbot, panel, old.id)
    qtbot.waitUntil(lambda: chat.current.messages[1].id == new.id, timeout=5_000)
    qtbot.waitUntil(lambda: shown(view, new.id), timeout=5_000)
    assert view.widget_for(new.id).versions.label.text() == "2/2"
    assert stored_hits(window, "axolotls") == [(new.id, False)]
    assert stored_hits(window, "platypus") == [(new.id, True)]
    # A hit in the shown version is not marked.
    search_for(qtbot, panel, "lakes")
    texts = [
        panel.results.itemWidget(panel.results.item(i)).plain_text()
        for i in range(panel.results.count())
        if panel.results.itemWidget(panel.results.item(i)) is not None
        and panel.results.item(i).data(Qt.ItemDataRole.UserRole)[1] is not None
    ]
    assert texts and not any(t.startswith("In another version") for t in texts)


def test_deleting_the_conversation_drops_its_hits(qtbot, window):
    conv, _old, _new = lakes()
    open_from_history(qtbot, window, conv)
    assert stored_hits(window, "platypus") != []
    window.services.history.delete(conv.id)
    assert stored_hits(window, "platypus") == []
    panel = window.history_panel
    panel.search.setFocus()
    qtbot.keyClicks(panel.search, "platypus")
    qtbot.waitUntil(
        lambda: panel.results.count() == 1 and panel.results.item(0).text() == "No matches",
        timeout=5_000,
    )
