"""The Servers dialog: results that stay true, buttons that stay put, a way back to the demo,
and nothing removed or dropped without asking."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from desktop_app.app.services import AppServices
from desktop_app.core.session.profiles import ServerProfile
from desktop_app.core.settings import Settings
from desktop_app.simulator import SimulatorConfig, running_simulator


def replace_text(qtbot, edit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_dialog(qtbot, window):
    dialog = window.open_settings()
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    return dialog


def shown_box(dialog, name: str) -> QMessageBox:
    boxes = [b for b in dialog.findChildren(QMessageBox, name) if b.isVisible()]
    assert len(boxes) == 1, name
    return boxes[0]


def test_a_test_result_ends_when_the_address_changes(qtbot, window):
    dialog = open_dialog(qtbot, window)
    click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("✔"), timeout=10_000)
    qtbot.keyClicks(dialog.base_url, "x")
    assert dialog.test_result.text() == ""


def test_buttons_stay_put_while_notes_come_and_go(qtbot, window):
    dialog = open_dialog(qtbot, window)
    buttons = (dialog.test_button, dialog.save_button, dialog.use_button)

    def places() -> list[QPoint]:
        return [b.mapTo(dialog, QPoint(0, 0)) for b in buttons]

    before = places()
    replace_text(qtbot, dialog.base_url, "http://192.168.1.20:8000/v1")
    qtbot.waitUntil(dialog.warning.isVisible)
    dialog.layout().activate()
    assert places() == before
    click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: dialog.test_result.text() != "", timeout=15_000)
    dialog.layout().activate()
    assert places() == before


def test_remove_asks_first(qtbot, window):
    state = window.services
    dialog = open_dialog(qtbot, window)
    profile_id = state.profiles.profiles()[0].id
    click(qtbot, dialog.remove_button)
    box = shown_box(dialog, "removeProfileBox")
    click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
    qtbot.waitUntil(lambda: not box.isVisible())
    assert dialog.list.count() == 1
    assert state.profiles.get(profile_id) is not None
    click(qtbot, dialog.remove_button)
    box = shown_box(dialog, "removeProfileBox")
    remove = next(b for b in box.buttons() if b.text() == "Remove")
    click(qtbot, remove)
    qtbot.waitUntil(lambda: state.profiles.get(profile_id) is None, timeout=5_000)
    assert dialog.list.count() == 0


def test_closing_with_a_tested_unsaved_server_asks_to_save(qtbot, window):
    state = window.services
    with running_simulator(SimulatorConfig()) as other:
        dialog = open_dialog(qtbot, window)
        click(qtbot, dialog.add_button)
        replace_text(qtbot, dialog.name, "Lab box")
        replace_text(qtbot, dialog.base_url, other.base_url)
        click(qtbot, dialog.test_button)
        qtbot.waitUntil(lambda: dialog.test_result.text().startswith("✔"), timeout=10_000)
        close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
        click(qtbot, close)
        box = shown_box(dialog, "unsavedProfileBox")
        click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
        qtbot.waitUntil(lambda: not box.isVisible())
        assert dialog.isVisible()
        click(qtbot, close)
        box = shown_box(dialog, "unsavedProfileBox")
        click(qtbot, box.button(QMessageBox.StandardButton.Save))
        qtbot.waitUntil(lambda: not dialog.isVisible())
        qtbot.waitUntil(
            lambda: any(p.name == "Lab box" for p in state.profiles.profiles()), timeout=5_000
        )


def test_the_demo_server_can_be_chosen_again(qtbot, qloop, secrets):
    from desktop_app.app.startup import start_demo_server, stop_demo_servers
    from desktop_app.ui.window.main_window import MainWindow

    with running_simulator(SimulatorConfig()) as sim:
        state = AppServices(secrets=secrets, settings=Settings())
        profile = ServerProfile(name="Mine", base_url=sim.base_url)
        state.profiles.save(profile)
        state.profiles.set_active(profile.id)
        try:
            state.start(start_demo_server)
            win = MainWindow(state)
            qtbot.addWidget(win)
            win.show()
            qtbot.waitUntil(lambda: bool(state.session.models), timeout=10_000)
            assert not state.session.profile.is_demo
            dialog = open_dialog(qtbot, win)
            assert dialog.demo_button.isVisible()
            click(qtbot, dialog.demo_button)
            qtbot.waitUntil(lambda: state.session.profile.is_demo, timeout=10_000)
            qtbot.waitUntil(win.demo_badge.isVisible, timeout=5_000)
            dialog.close()
        finally:
            for p in state.profiles.profiles():
                state.profiles.delete(p.id)
            closing = qloop.create_task(state.aclose())
            qtbot.waitUntil(closing.done, timeout=10_000)
            stop_demo_servers()
