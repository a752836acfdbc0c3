"""Edit & resend with the keys of the message box, the shortcuts sheet, Help > README, the
in-app colour scheme and the dismissible banner, driven with real keys and clicks."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keys_support import activate, installed_theme
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QColor, QDesktopServices, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QPlainTextEdit
from window_support import send, wait_reply_done

from desktop_app.app.services import AppServices
from desktop_app.core.files.paths import settings_path
from desktop_app.core.session.profiles import ServerProfile
from desktop_app.core.session.secrets import SecretStore
from desktop_app.core.settings import Settings
from desktop_app.ui.common.theme import DARK, LIGHT
from desktop_app.ui.window.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def theme(qapp):
    """The theme as start-up installs it, before the window (list it before `window`)."""
    theme = installed_theme(qapp)
    yield theme
    theme.remove()


# -- edit & resend ----------------------------------------------------------------------------
def _open_editor(qtbot, window, message):
    """Clicks Edit on ``message``; returns (the editor, its text box) once the box has focus."""
    widget = window.chat_view.widget_for(message.id)
    window.chat_view.ensureWidgetVisible(widget.action_buttons["edit"])
    qtbot.mouseClick(widget.action_buttons["edit"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.editor is not None)
    box = widget.editor.findChild(QPlainTextEdit, "editText")
    qtbot.waitUntil(box.hasFocus)
    return widget.editor, box


def test_edit_resends_with_ctrl_enter_and_shift_enter_adds_a_line(qtbot, window, sim):
    activate(qtbot, window)
    send(qtbot, window, "First question")
    wait_reply_done(qtbot, window)
    send(qtbot, window, "Second question")
    wait_reply_done(qtbot, window)
    chat = window.services.chat
    _editor, box = _open_editor(qtbot, window, chat.current.messages[0])
    qtbot.keyClick(box, Qt.Key.Key_Return, SHIFT)
    qtbot.keyClicks(box, "with a second line")
    assert box.toPlainText() == "First question\nwith a second line"
    qtbot.keyClick(box, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: len(chat.current.messages) == 2 and not chat.busy, timeout=10_000)
    assert chat.current.messages[0].content == "First question\nwith a second line"
    sent = sim.simulator.requests[-1].body["messages"]
    assert [m["content"] for m in sent] == ["First question\nwith a second line"]


def test_edit_resends_with_enter_like_the_message_box_and_escape_cancels(qtbot, window, sim):
    activate(qtbot, window)
    send(qtbot, window, "Tell me a joke")
    wait_reply_done(qtbot, window)
    chat = window.services.chat
    user = chat.current.messages[0]
    _editor, box = _open_editor(qtbot, window, user)
    qtbot.keyClicks(box, " please")
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    widget = window.chat_view.widget_for(user.id)
    qtbot.waitUntil(lambda: widget.editor is None)
    assert chat.current.messages[0].content == "Tell me a joke"  # nothing was sent
    assert len(chat.current.messages) == 2
    requests = len(sim.simulator.requests)
    _editor, box = _open_editor(qtbot, window, user)
    qtbot.keyClicks(box, " about cats")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(sim.simulator.requests) > requests, timeout=10_000)
    wait_reply_done(qtbot, window)
    assert chat.current.messages[0].content == "Tell me a joke about cats"


def test_edit_box_fits_its_text_and_is_scrolled_into_view(qtbot, window):
    activate(qtbot, window)
    window.resize(900, 600)
    send(qtbot, window, "Short question")
    wait_reply_done(qtbot, window)
    long_text = "\n".join(f"line {i}" for i in range(40))
    send(qtbot, window, long_text)
    wait_reply_done(qtbot, window)
    send(qtbot, window, "Last question")
    wait_reply_done(qtbot, window)
    chat = window.services.chat
    view = window.chat_view

    _short, box = _open_editor(qtbot, window, chat.current.messages[0])
    line = box.fontMetrics().lineSpacing()
    assert box.height() <= 3 * line + 20  # two lines, not an empty 80+ px box
    qtbot.keyClick(box, Qt.Key.Key_Escape)

    # The long message's Edit button at the bottom edge of the view: the box it opens is
    # capped (its text scrolls inside) and the view scrolls it fully into view.
    widget = view.widget_for(chat.current.messages[2].id)
    button = widget.action_buttons["edit"]
    top = button.mapTo(view.widget(), button.rect().topLeft()).y()
    view.verticalScrollBar().setValue(top - view.viewport().height() + button.height() + 4)
    editor, box = _open_editor(qtbot, window, chat.current.messages[2])
    assert box.height() <= 12 * line + 20
    assert box.verticalScrollBar().maximum() > 0

    def fully_visible() -> bool:
        rect = editor.rect().translated(editor.mapTo(view.viewport(), editor.rect().topLeft()))
        return view.viewport().rect().contains(rect)

    qtbot.waitUntil(fully_visible, timeout=3_000)


# -- shortcuts sheet and README -------------------------------------------------------------
def _window_shortcuts(window) -> dict[str, str]:
    """Keys -> action text, read straight from the window's actions."""
    found = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            found[key.toString(QKeySequence.SequenceFormat.NativeText)] = action.text()
    return found


def _sheet(qtbot, window):
    qtbot.waitUntil(lambda: window.help_entries.dialog is not None)
    dialog = window.help_entries.dialog
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_f1_opens_a_sheet_of_every_registered_shortcut_and_they_work(qtbot, window):
    activate(qtbot, window)
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_F1)
    dialog = _sheet(qtbot, window)
    table = dialog.table
    listed = [table.item(r, 0).text() for r in range(table.rowCount())]
    actions = _window_shortcuts(window)
    assert {"Ctrl+N", "Ctrl+R", "Ctrl+L", "F12", "F1", "Ctrl+/"} <= set(actions)
    for keys in actions:
        assert any(keys in row.split(", ") for row in listed), f"{keys} not on the sheet"
    assert "Esc" in listed  # the Stop shortcut (a QShortcut, not a menu action)
    assert any(table.item(r, 1).text() == "Stop the reply" for r in range(table.rowCount()))
    dialog.close()

    # A few of the listed keys, pressed for real.
    # (New chat reuses a blank chat: a draft makes this one not blank.)
    qtbot.keyClicks(window.composer.edit, "a draft")
    before = len(window.services.chat.conversations)
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_N, CTRL)
    assert len(window.services.chat.conversations) == before + 1
    assert window.composer.edit.toPlainText() == ""  # the new chat's own (empty) draft
    window.conversation_list.setFocus()
    qtbot.keyClick(window.conversation_list, Qt.Key.Key_L, CTRL)
    assert window.composer.edit.hasFocus()
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Slash, CTRL)
    assert _sheet(qtbot, window) is not dialog


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_help_menu_opens_the_readme(qtbot, window):
    menu = window.help_menu
    texts = [a.text() for a in menu.actions()]
    assert "&Keyboard shortcuts" in texts and "&README and documentation" in texts
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        window.help_entries.readme_action.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    [url] = catcher.urls
    path = Path(url.toLocalFile())
    assert path.name == "README.md" and path.read_text(encoding="utf-8").startswith("# Gemma Desk")


# -- colour scheme -----------------------------------------------------------------------------
def _scheme_action(window, name: str) -> QAction:
    menu = window.findChild(QMenu, "colorSchemeMenu")
    assert menu is not None and menu.menuAction() in window.view_menu.actions()
    [action] = [a for a in menu.actions() if a.objectName() == f"scheme_{name}"]
    return action


def test_dark_scheme_is_applied_at_once_and_kept_for_the_next_start(
    theme, qtbot, qloop, window, sim, secrets
):
    send(qtbot, window, "Show me a Python code example")
    reply = wait_reply_done(qtbot, window)
    view = window.chat_view.widget_for(reply.id).text
    qtbot.waitUntil(lambda: view.code_block_count() > 0 and not view.is_rendering())
    assert LIGHT["window"] != DARK["window"]
    assert "#272822" not in view.code_views()[0].styleSheet()  # the code block is light

    _scheme_action(window, "dark").trigger()
    app = QApplication.instance()
    assert app.palette().color(QPalette.ColorRole.Window) == QColor(DARK["window"])
    assert window.palette().color(QPalette.ColorRole.Base) == QColor(DARK["base"])
    # The text and the code block in dark colours.
    qtbot.waitUntil(lambda: "#272822" in view.code_views()[0].styleSheet())
    assert '"color_scheme": "dark"' in settings_path().read_text(encoding="utf-8")

    # A new start from the same settings file comes up dark.
    window.close()
    theme.set_choice("system")
    st = AppServices(secrets=SecretStore(service=secrets.service), settings=Settings.load())
    profile = ServerProfile(name="Simulator again", base_url=sim.base_url)
    st.profiles.save(profile)
    st.profiles.set_active(profile.id)
    st.start()
    try:
        again = MainWindow(st)
        qtbot.addWidget(again)
        again.show()
        assert _scheme_action(again, "dark").isChecked()
        assert app.palette().color(QPalette.ColorRole.Window) == QColor(DARK["window"])
        _scheme_action(again, "light").trigger()
        assert app.palette().color(QPalette.ColorRole.Window) == QColor(LIGHT["window"])
    finally:
        for p in st.profiles.profiles():
            st.profiles.delete(p.id)
        closing = qloop.create_task(st.aclose())
        qtbot.waitUntil(closing.done, timeout=10_000)


# -- the keyring banner --------------------------------------------------------------------------
@pytest.fixture
def no_keyring():
    from keyring.backends.fail import Keyring as FailKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def test_keyring_warning_is_one_line_with_details_and_can_be_dismissed(
    no_keyring, qtbot, qloop, sim
):
    st = AppServices(secrets=SecretStore(service="gemma-desk-test-nokeyring"), settings=Settings())
    profile = ServerProfile(name="Simulator", base_url=sim.base_url)
    st.profiles.save(profile)
    st.profiles.set_active(profile.id)
    st.start()
    try:
        window = MainWindow(st)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: bool(st.session.models), timeout=10_000)
        banner = window.banner
        assert st.secrets.problem and banner.isVisible()
        line = banner.summary.fontMetrics().lineSpacing()
        assert banner.height() <= 2 * line + 24  # one line, not 3-6
        assert "keyring" in banner.summary.full_text()
        assert not banner.label.isVisible()
        qtbot.mouseClick(banner.details_button, Qt.MouseButton.LeftButton)
        assert banner.label.isVisible() and st.secrets.problem in banner.text()
        close = banner.close_button
        assert close.accessibleName() == "Dismiss the warnings"
        qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
        assert not banner.isVisible()
        # The window checks its warnings again when the server changes: still dismissed.
        window._refresh_server()
        assert not banner.isVisible()
        banner.set_notices([st.secrets.problem, "A new warning."])
        assert banner.isVisible() and "A new warning." in banner.summary.full_text()
    finally:
        for p in st.profiles.profiles():
            st.profiles.delete(p.id)
        closing = qloop.create_task(st.aclose())
        qtbot.waitUntil(closing.done, timeout=10_000)
