"""Images in the real window against the simulator: drop, paste, pick, send, limits, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from image_support import (
    decode_part,
    drop,
    file_mime,
    make_files,
    near,
    png_bytes,
    send,
    sent_parts,
    tray_of,
    wait_ready,
    wait_reply,
)
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from desktop_app.core.attach_tray import PendingImage
from desktop_app.core.conversation import MessageStatus
from desktop_app.core.settings import Settings
from desktop_app.ui.image_viewer import ImageViewer


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return make_files(tmp_path)


# -- tests ---------------------------------------------------------------------------------------


def test_drop_rotated_photo_on_composer_arrives_upright(qtbot, window, sim, files):
    drop(window.composer.edit.viewport(), file_mime(files["rotated"]))
    wait_ready(qtbot, window, 1)
    assert window.composer.text() == ""  # the path was not pasted as text
    tile = next(iter(window.composer.strip.tiles.values()))
    assert tile.isVisible() and not tile.preview.pixmap().isNull()
    assert "phone photo.jpg" in tile.name_label.text() or "…" in tile.name_label.text()
    assert "200×400" in tile.size_label.text() and "KB" in tile.size_label.text()
    send(qtbot, window, "What is this?")
    assert not tray_of(window).items  # accepted, so the images left the composer
    reply = wait_reply(qtbot, window)
    parts = sent_parts(sim)
    assert [p["type"] for p in parts] == ["image_url", "text"]
    assert parts[1]["text"] == "What is this?"
    header, img = decode_part(parts[0])
    assert header == "data:image/jpeg;base64"
    assert img.size == (200, 400)
    assert near(img.getpixel((100, 20)), (255, 0, 0))  # the stored left side is now the top
    assert near(img.getpixel((100, 380)), (0, 0, 255))
    assert "I received 1 image: JPEG, 200×400 pixels (portrait)" in reply.content
    user = window.state.chat.current.messages[0]
    assert user.images[0].width == 200 and user.images[0].name == "phone photo.jpg"
    shown = window.chat_view.widget_for(user.id).images
    assert shown is not None and len(shown.buttons) == 1
    qtbot.waitUntil(lambda: not shown.buttons[0].icon().isNull(), timeout=5_000)


def test_transparent_png_dropped_on_chat_area_stays_png(qtbot, window, sim, files):
    viewport = window.chat_view.viewport()
    drop(viewport, file_mime(files["transparent"]))
    wait_ready(qtbot, window, 1)
    assert not window.images.drop_target.overlay.isVisible()
    send(qtbot, window, "Describe the logo")
    reply = wait_reply(qtbot, window)
    header, img = decode_part(sent_parts(sim)[0])
    assert header == "data:image/png;base64"
    assert img.mode == "RGBA" and img.getpixel((2, 2))[3] == 0
    assert "PNG, 320×240 pixels (landscape)" in reply.content


def test_paste_encoded_png_and_raw_clipboard_image(qtbot, window, sim):
    clipboard = QGuiApplication.clipboard()
    mime = QMimeData()
    mime.setData("image/png", png_bytes((150, 100)))
    clipboard.setMimeData(mime)
    window.composer.edit.setFocus()
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    wait_ready(qtbot, window, 1)
    qimage = QImage(90, 160, QImage.Format.Format_ARGB32)
    qimage.fill(Qt.GlobalColor.green)
    clipboard.setImage(qimage)
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    wait_ready(qtbot, window, 2)
    assert window.composer.text() == ""
    send(qtbot, window, "Two screenshots")
    reply = wait_reply(qtbot, window)
    parts = sent_parts(sim)
    assert [p["type"] for p in parts] == ["image_url", "image_url", "text"]
    _, second = decode_part(parts[1])
    assert second.size == (90, 160) and near(second.getpixel((45, 80)), (0, 255, 0))
    assert "I received 2 images" in reply.content
    assert "PNG, 150×100 pixels (landscape)" in reply.content
    assert "90×160 pixels (portrait)" in reply.content


def test_paste_plain_text_still_pastes_text(qtbot, window):
    QGuiApplication.clipboard().setText("just words")
    window.composer.edit.setFocus()
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.composer.text() == "just words"
    assert not tray_of(window).items


def test_file_picker_attaches_and_image_only_send(qtbot, window, sim, files):
    qtbot.mouseClick(window.composer.attach_button, Qt.MouseButton.LeftButton)
    dialog = window.composer.file_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    dialog.selectFile(str(files["plain0"]))
    dialog.accept()
    wait_ready(qtbot, window, 1)
    assert window.composer.text() == ""
    qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    reply = wait_reply(qtbot, window)
    parts = sent_parts(sim)
    assert [p["type"] for p in parts] == ["image_url"]  # no empty text part
    assert "PNG, 64×48 pixels (landscape)" in reply.content
    user = window.state.chat.current.messages[0]
    assert user.content == "" and len(user.images) == 1
    widget = window.chat_view.widget_for(user.id)
    assert widget.images.isVisible() and not widget.text.isVisible()


def test_bad_file_gets_inline_message_and_nothing_else_changes(qtbot, window, sim, files):
    window.composer.set_text("keep me")
    before = len(sim.simulator.requests)
    drop(window.composer.edit.viewport(), file_mime(files["text"]))
    notice = window.composer.notice
    qtbot.waitUntil(lambda: notice.isVisible(), timeout=10_000)
    assert "notes.txt" in notice.text() and "PNG, JPEG, WebP, GIF or BMP" in notice.text()
    assert not tray_of(window).items
    assert window.composer.text() == "keep me"
    assert len(sim.simulator.requests) == before
    assert not window.state.chat.current.messages
    qtbot.mouseClick(window.composer.notice_close, Qt.MouseButton.LeftButton)
    assert not window.composer.notice_row.isVisible()


def test_remove_button_drops_a_pending_image(qtbot, window, files):
    drop(window.composer.edit.viewport(), file_mime(files["plain0"], files["plain1"]))
    wait_ready(qtbot, window, 2)
    first_key = tray_of(window).items[0].key
    tile = window.composer.strip.tiles[first_key]
    qtbot.mouseClick(tile.remove_button, Qt.MouseButton.LeftButton)
    assert [i.name for i in tray_of(window).items] == ["plain1.png"]
    qtbot.waitUntil(lambda: first_key not in window.composer.strip.tiles, timeout=2_000)


def test_limit_setting_saved_and_enforced_counting_history(qtbot, window, sim, files):
    window.images.open_prefs()
    dialog = window.images.prefs_dialog
    assert dialog is not None and dialog.limit.value() == 4
    dialog.limit.setValue(2)
    dialog._ok()
    assert Settings.load().extra["images"]["limit"] == 2  # written to the settings file
    three = file_mime(files["plain0"], files["plain1"], files["plain2"])
    drop(window.composer.edit.viewport(), three)
    wait_ready(qtbot, window, 2)
    notice = window.composer.notice
    assert notice.isVisible() and "1 image not attached" in notice.text()
    assert "at most 2" in notice.text()
    send(qtbot, window, "two of them")
    wait_reply(qtbot, window)
    drop(window.chat_view.viewport(), file_mime(files["plain3"]))
    assert not tray_of(window).items  # the chat already carries 2 images
    assert "2 images already in this chat count too" in notice.text()


def test_server_refusal_says_what_to_change_and_gives_images_back(qtbot, window, sim, files):
    window.state.settings.extra["images"] = {"limit": 8, "max_side": 2048}
    paths = [files[f"plain{i}"] for i in range(5)]  # the simulator, like the recipe, takes 4
    drop(window.composer.edit.viewport(), file_mime(*paths))
    wait_ready(qtbot, window, 5)
    send(qtbot, window, "five images")
    reply = wait_reply(qtbot, window)
    assert reply.status == MessageStatus.ERROR
    assert reply.error.title == "Too many images for this server"
    assert "at most 4 image(s)" in reply.error.hint and "--limit-mm-per-prompt" in reply.error.hint
    card = window.chat_view.widget_for(reply.id).error_card
    assert card.isVisible() and "Images per request" in card.hint.text()
    # Nothing is lost: the text and the five images are back in the composer.
    qtbot.waitUntil(lambda: window.composer.text() == "five images", timeout=5_000)
    assert len(tray_of(window).items) == 5
    assert all(item.ready for item in tray_of(window).items)
    tray_of(window).remove(tray_of(window).items[-1].key)
    send(qtbot, window, "four images")
    reply = wait_reply(qtbot, window)
    assert reply.status == MessageStatus.COMPLETE and "I received 4 images" in reply.content
    assert [m.role for m in window.state.chat.current.messages] == ["user", "assistant"]


def test_send_waits_for_images_still_being_prepared(qtbot, window, sim):
    tray = tray_of(window)
    tray.items.append(PendingImage(key=999, name="slow.jpg"))  # as if still encoding
    tray.changed.emit()
    before = len(sim.simulator.requests)
    send(qtbot, window, "not yet")
    assert "still being prepared" in window.composer.notice.text()
    assert window.composer.text() == "not yet"
    assert len(sim.simulator.requests) == before and not window.state.chat.current.messages


def test_image_url_drop_passes_through_and_history_replays_images(qtbot, window, sim, files):
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/pics/cat.png")])
    drop(window.chat_view.viewport(), mime)
    drop(window.composer.edit.viewport(), file_mime(files["plain0"]))
    wait_ready(qtbot, window, 2)
    send(qtbot, window, "Compare")
    reply = wait_reply(qtbot, window)
    parts = sent_parts(sim)
    assert parts[0] == {"type": "image_url", "image_url": {"url": "https://example.com/pics/cat.png"}}
    assert "remote image (https://example.com/pics/cat.png), not downloaded" in reply.content
    send(qtbot, window, "And now in one word?")
    wait_reply(qtbot, window)
    first = sim.simulator.requests[-1].body["messages"][0]
    assert [p["type"] for p in first["content"]] == ["image_url", "image_url", "text"]
    window.state.chat.regenerate()
    wait_reply(qtbot, window)
    again = sim.simulator.requests[-1].body["messages"][0]
    assert again["content"][1]["image_url"]["url"] == first["content"][1]["image_url"]["url"]


def test_click_on_sent_image_opens_viewer(qtbot, window, files):
    drop(window.composer.edit.viewport(), file_mime(files["transparent"]))
    wait_ready(qtbot, window, 1)
    send(qtbot, window, "look")
    wait_reply(qtbot, window)
    user = window.state.chat.current.messages[0]
    button = window.chat_view.widget_for(user.id).images.buttons[0]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    viewer = window.findChild(ImageViewer)
    assert viewer is not None
    qtbot.waitUntil(viewer.isVisible, timeout=5_000)
    assert not viewer.image.isNull() and viewer.image.width() == 320
    assert not viewer.picture.pixmap().isNull()
    assert "logo.png" in viewer.info.text() and "320×240" in viewer.info.text()
    viewer.copy()
    assert QGuiApplication.clipboard().image().width() == 320
    viewer.reject()


def test_drag_of_plain_text_is_not_taken_as_an_image(qtbot, window):
    mime = QMimeData()
    mime.setText("hello")
    enter = QDragEnterEvent(
        QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter.ignore()
    QApplication.sendEvent(window.chat_view.viewport(), enter)
    assert not enter.isAccepted()
    assert not window.images.drop_target.overlay.isVisible()


def test_drop_on_a_message_in_the_chat_attaches(qtbot, window, files):
    send(qtbot, window, "Hello")
    reply = wait_reply(qtbot, window)
    text_view = window.chat_view.widget_for(reply.id).text.viewport()
    drop(text_view, file_mime(files["plain1"]))
    wait_ready(qtbot, window, 1)
    assert tray_of(window).items[0].name == "plain1.png"


def test_saved_conversation_images_get_previews_off_the_ui_thread(qtbot, window):
    from desktop_app.core.attachments import prepare_bytes
    from desktop_app.core.conversation import ChatMessage, Conversation
    from desktop_app.core.thumbnails import shared_thumbnails

    att = prepare_bytes(png_bytes((300, 200), "gold"), "saved.png").attachment
    assert shared_thumbnails().get(att.url) is None  # never previewed in this run
    conv = Conversation(messages=[ChatMessage(role="user", content="old", images=[att])])
    chat = window.state.chat
    chat.conversations.insert(0, conv)
    chat.select(conv.id)
    button = window.chat_view.widget_for(conv.messages[0].id).images.buttons[0]
    qtbot.waitUntil(lambda: not button.icon().isNull(), timeout=10_000)
    assert shared_thumbnails().get(att.url)
    assert button.iconSize().width() == 168 and button.iconSize().height() == 112
