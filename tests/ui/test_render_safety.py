"""A reply is untrusted: rendering it opens no file, device or URL, and cannot fake the UI."""

from __future__ import annotations

import uuid

import pytest
from PIL import Image
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QImage, QTextDocument
from render_support import FifoTrap, OpenWatch, click_link, message_widget

from desktop_app.core.chat.conversation import (
    ChatMessage,
    Conversation,
    ErrorInfo,
    MessageStatus,
    ReplyInfo,
)
from desktop_app.core.history.storage import HistoryStore
from desktop_app.ui.chat.markdown_view import MarkdownView
from desktop_app.ui.chat.message_widget import MessageWidget


@pytest.fixture
def secret_png(tmp_path):
    """A real image with a unique name; its bytes must never be read."""
    path = tmp_path / f"secret-{uuid.uuid4().hex}.png"
    Image.new("RGB", (123, 77), (200, 0, 0)).save(path)
    return path


@pytest.fixture
def no_resources(monkeypatch):
    """Records every resource the message views ask for (answering with nothing harmful)."""
    asked: list[str] = []

    def spy(self, resource_type, name):
        asked.append(name.toString())
        # A blank image: an answer Qt could not decode would make it read the file itself.
        blank = QImage(1, 1, QImage.Format.Format_ARGB32)
        blank.fill(0)
        return blank

    monkeypatch.setattr(MarkdownView, "loadResource", spy)
    return asked


def show_reply(qtbot, content: str, **kw) -> MessageWidget:
    msg = ChatMessage("assistant", content, **kw)
    widget = message_widget(msg)
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    qtbot.waitExposed(widget)
    widget.grab()  # paint it: layout and drawing are where images get loaded
    return widget


def test_images_naming_local_files_are_never_opened(qtbot, tmp_path, secret_png, no_resources):
    secret_txt = tmp_path / "secret.txt"
    marker = f"SECRET-{uuid.uuid4().hex}"
    secret_txt.write_text(marker)
    watches = [OpenWatch(secret_png), OpenWatch(secret_txt)]
    trap = FifoTrap(tmp_path / "pipe")
    reply = (
        f"Look: ![chart]({secret_png.as_uri()}) and ![notes](file://{secret_txt})\n\n"
        f"| a | b |\n|---|---|\n| ![p]({secret_png}) | ![q]({trap.path}) |\n\n"
        f"Also ![fifo]({trap.path.as_uri()}) and ![zero](/dev/zero) and "
        f'<img src="{secret_txt}"> [![x]({secret_png})](https://example.org)\n'
    )
    try:
        widget = show_reply(qtbot, reply)
        text = widget.text.toPlainText()
    finally:
        trap.release()
    assert not trap.opened_by_reader, "rendering opened a named pipe"
    assert [w.count() for w in watches] == [0, 0]
    assert no_resources == []
    assert marker not in text
    # Each image is a link that names its target.
    assert f"[Image: chart] {secret_png.as_uri()}" in text
    assert "[Image: zero] /dev/zero" in text
    assert str(trap.path) in text


def test_the_view_refuses_resources_asked_for_directly(qtbot, secret_png):
    view = MarkdownView()
    qtbot.addWidget(view)
    image = view.loadResource(
        QTextDocument.ResourceType.ImageResource.value, QUrl.fromLocalFile(str(secret_png))
    )
    assert image.width() == 1 and image.height() == 1  # a blank, not the 123×77 file
    css = view.loadResource(
        QTextDocument.ResourceType.StyleSheetResource.value, QUrl.fromLocalFile(str(secret_png))
    )
    assert bytes(css).strip() == b""
    assert view.searchPaths() == [] and view.document().baseUrl().isEmpty()


def test_image_opens_in_system_viewer_only_on_click(qtbot, monkeypatch, secret_png):
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    watch = OpenWatch(secret_png)
    widget = show_reply(qtbot, f"Here it is: ![plot]({secret_png})\n\n![bin](/usr/bin/env)\n")
    assert opened == []
    assert "[Image: bin] /usr/bin/env (not opened)" in widget.text.toPlainText()
    click_link(qtbot, widget.text, "reply-image:")
    qtbot.waitUntil(lambda: bool(opened))
    assert opened == [QUrl.fromLocalFile(str(secret_png))]
    assert watch.count() == 0  # handed to the system viewer, never read by the app
    assert len(widget.text.image_links()) == 1  # the program is shown, never offered


def test_raw_html_is_shown_as_text_not_as_ui(qtbot, no_resources):
    fake = (
        '<div style="background:#c0392b;color:white"><b>The server did not accept the API key'
        '</b></div>\n\n<button>Retry</button> <span style="font-size:40px">big</span> '
        '<link rel="stylesheet" href="file:///etc/hostname">\n'
    )
    widget = show_reply(qtbot, fake)
    text = widget.text.toPlainText()
    assert '<div style="background:#c0392b;color:white">' in text
    assert "<button>Retry</button>" in text
    assert '<span style="font-size:40px">big</span>' in text
    doc = widget.text.document()
    block = doc.begin()
    while block.isValid():  # no fragment took a colour or a size from the reply
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            assert fmt.background().color().name() != "#c0392b"
            assert fmt.fontPointSize() < 30
            it += 1
        block = block.next()
    assert no_resources == []


def test_link_text_that_hides_its_target_shows_it(qtbot):
    widget = show_reply(
        qtbot,
        "Log in at [your bank](http://evil.example/login) or [**safe** bank](https://b.example)."
        " Plain: <https://ok.example/> and [https://ok.example](https://ok.example).\n",
    )
    text = widget.text.toPlainText()
    assert "your bank (http://evil.example/login)" in text
    assert "safe bank (https://b.example)" in text
    assert text.count("https://ok.example") == 2  # already visible: not repeated


def test_app_starts_with_a_hostile_reply_in_history(tmp_path, secret_png, request):
    trap = FifoTrap(tmp_path / "pipe")
    watch = OpenWatch(secret_png)
    conv = Conversation(title="hostile")
    conv.messages.append(ChatMessage("user", "draw it"))
    conv.messages.append(
        ChatMessage(
            "assistant",
            f"![a]({secret_png.as_uri()}) ![b]({trap.path}) ![c](/dev/zero)",
            status=MessageStatus.COMPLETE,
        )
    )
    with HistoryStore() as store:
        store.save_conversation(conv)
    try:
        window = request.getfixturevalue("window")  # restores history, shows the reply
        widget = window.chat_view.widget_for(conv.messages[-1].id)
        assert widget is not None
        widget.grab()
        text = widget.text.toPlainText()
    finally:
        trap.release()
    assert not trap.opened_by_reader
    assert watch.count() == 0
    assert "[Image: c] /dev/zero" in text


def test_error_card_shows_ampersand_and_tags_as_written(qtbot):
    widget = show_reply(
        qtbot,
        "",
        status=MessageStatus.ERROR,
        error=ErrorInfo(
            "Bad <request> & more",
            "temperature & top_p: use <b>one</b> & not both",
            "Fix A & B",
            None,
            "BadRequestError",
        ),
    )
    card = widget.error_card
    assert card.message.text() == "temperature & top_p: use <b>one</b> & not both"
    assert card.hint.text() == "Fix A & B"
    assert "&amp;" not in card.message.text() + card.hint.text()
    shown = card.title.text()
    assert "Bad &lt;request&gt; &amp; more" in shown and card.title.textFormat().name == "RichText"
    assert card.message.textFormat().name == "PlainText"


def test_server_named_model_in_the_details_line_is_text(qtbot, secret_png):
    watch = OpenWatch(secret_png)
    name = f'<img src="{secret_png}"><b>gemma</b>'
    widget = show_reply(qtbot, "ok", reply=ReplyInfo(model=name, finish_reason="length"))
    assert watch.count() == 0
    details = widget.details
    assert details.textFormat().name == "RichText"
    assert "&lt;img src=" in details.text() and "<img" not in details.text()
