"""The window says what was left out or could not be read, and a read-only conversation stays so."""

from __future__ import annotations

import json
import math
import sqlite3

import pytest
from gen_support import controls, last_body, sampling_sent, wait_reply_done
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_app.api import SamplingParams
from desktop_app.core.chat.conversation import ChatMessage, Conversation, GenerationSettings
from desktop_app.core.files.paths import database_path
from desktop_app.core.history.storage import HistoryStore
from desktop_app.core.history.storage.exchange import export_dict


def type_and_send(qtbot, window, text: str) -> None:
    window.composer.edit.setFocus()
    QTest.keyClicks(window.composer.edit, text)
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)


def test_an_import_with_nan_shows_what_was_left_out_and_sends(qtbot, window, sim, tmp_path):
    conv = Conversation(
        title="Imported rivers",
        settings=GenerationSettings(sampling=SamplingParams(temperature=0.5, top_p=0.9)),
        messages=[ChatMessage(role="user", content="Name a river")],
    )
    data = export_dict(conv)
    data["parameters"]["temperature"] = math.nan
    path = tmp_path / "rivers.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert window.history_panel.import_from(path)

    notice = window.conversation_notice
    assert notice.isVisible()
    assert "parameters.temperature" in notice.text() and "nan" in notice.text()
    assert controls(window).panel.fields["temperature"].value() is None
    type_and_send(qtbot, window, "And another?")
    reply = wait_reply_done(qtbot, window)
    assert reply.error is None and reply.content
    assert sampling_sent(last_body(sim)) == {"top_p": 0.9}
    qtbot.mouseClick(notice.dismiss_button, Qt.MouseButton.LeftButton)
    assert not notice.isVisible()


@pytest.fixture
def stored_history() -> dict[str, str]:
    """Written before the window opens (request it first): a conversation holding NaN
    settings, and an older one with a message row that cannot be read."""
    path = database_path()
    broken = Conversation(
        title="Field notes",
        messages=[
            ChatMessage(role="user", content="first question"),
            ChatMessage(role="assistant", content="first answer"),
            ChatMessage(role="user", content="second question"),
        ],
    )
    broken.updated_at -= 100
    nan = Conversation(title="Hot settings", messages=[ChatMessage(role="user", content="hi")])
    with HistoryStore(path) as store:
        store.save_conversation(broken)
        store.save_conversation(nan)
    db = sqlite3.connect(path)
    with db:
        settings = json.loads(
            db.execute("SELECT settings FROM conversations WHERE id = ?", (nan.id,)).fetchone()[0]
        )
        settings["sampling"]["temperature"] = math.nan
        db.execute(
            "UPDATE conversations SET settings = ? WHERE id = ?", (json.dumps(settings), nan.id)
        )
        db.execute("UPDATE messages SET data = 'x' WHERE id = ?", (broken.messages[1].id,))
    db.close()
    return {"nan": nan.id, "broken": broken.id}


def pick(qtbot, window, conv_id: str) -> None:
    lst = window.conversation_list
    for i in range(lst.count()):
        item = lst.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == conv_id:
            rect = lst.visualItemRect(item)
            qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            qtbot.waitUntil(lambda: window.chat.current.id == conv_id)
            return
    raise AssertionError(conv_id)


def test_stored_bad_values_and_unreadable_rows_open_with_a_notice(
    stored_history, qtbot, window, sim
):
    chat = window.chat
    notice = window.conversation_notice
    # The newest, with NaN settings, opened at start: reset, said so, and writable.
    assert chat.current.id == stored_history["nan"]
    assert chat.current.settings.sampling.temperature is None
    assert notice.isVisible() and "temperature" in notice.text()
    assert window.composer.send_button.isEnabled()

    pick(qtbot, window, stored_history["broken"])
    assert notice.isVisible()
    assert "1 of its 3 messages could not be read" in notice.text()
    assert "kept on disk untouched" in notice.text()
    assert [m.content for m in chat.current.messages] == ["first question", "second question"]
    # Sending is refused and nothing typed is lost.
    type_and_send(qtbot, window, "overwrite?")
    assert not window.composer.send_button.isEnabled()
    assert window.composer.text() == "overwrite?"
    assert len(chat.current.messages) == 2
    with HistoryStore() as other:
        assert other.message_count(stored_history["broken"]) == 3
        assert other.list_conversations()[-1].title == "Field notes"

    qtbot.mouseClick(notice.copy_button, Qt.MouseButton.LeftButton)
    assert chat.current.id not in stored_history.values()
    assert not notice.isVisible() and window.composer.send_button.isEnabled()
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    reply = wait_reply_done(qtbot, window)
    assert reply.content and [m.content for m in chat.current.messages[:3]] == [
        "first question",
        "second question",
        "overwrite?",
    ]
