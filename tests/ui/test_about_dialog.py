"""The About box: what it shows, the license texts it can display, and show_about()."""

from __future__ import annotations

import platform
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from desktop_app import __version__
from desktop_app.ui.dialogs.about import AboutDialog, read_license, show_about, version_summary

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def dialog(qtbot) -> AboutDialog:
    dlg = AboutDialog()
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def test_shows_name_version_and_description(dialog: AboutDialog) -> None:
    assert dialog.objectName() == "aboutDialog"
    assert dialog.name_label.text() == "Gemma Desk"
    assert __version__ in dialog.version_label.text()
    assert "vLLM" in dialog.description_label.text()
    assert not dialog.icon_label.pixmap().isNull()


def test_shows_the_license_names(dialog: AboutDialog) -> None:
    text = dialog.license_label.text()
    assert "Apache License 2.0" in text
    assert "LGPL" in text


def test_shows_qt_pyside_and_python_versions(dialog: AboutDialog) -> None:
    text = dialog.versions_label.text()
    assert f"Qt {qVersion()}" in text
    assert f"PySide6 {PySide6.__version__}" in text
    assert f"Python {platform.python_version()}" in text


def test_license_tab_shows_the_apache_text(dialog: AboutDialog) -> None:
    text = dialog.license_view.toPlainText()
    assert "Apache License" in text
    assert "Version 2.0, January 2004" in text
    assert dialog.license_view.isReadOnly()


def test_shipped_license_is_the_project_license() -> None:
    assert read_license("LICENSE") == (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_third_party_text_names_pyside6_and_the_lgpl(dialog: AboutDialog) -> None:
    dialog.tabs.setCurrentIndex(1)
    view = dialog.third_party_view
    assert view.isReadOnly()
    text = view.toPlainText()
    assert "PySide6" in text
    assert "LGPL" in text
    for package in ("httpx", "qasync", "keyring", "certifi", "Pillow"):
        assert package.lower() in text.lower()
    # Long enough to need scrolling: the full license texts are in it.
    assert view.verticalScrollBar().maximum() > 0


def test_document_picker_shows_the_lgpl_text(dialog: AboutDialog) -> None:
    picker = dialog.document_picker
    index = picker.findData("LGPL-3.0.txt")
    assert index >= 0
    picker.setCurrentIndex(index)
    text = dialog.third_party_view.toPlainText()
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text
    assert "Version 3, 29 June 2007" in text


def test_copy_version_info(dialog: AboutDialog) -> None:
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied == version_summary()
    assert __version__ in copied
    assert qVersion() in copied


def test_missing_license_file_is_a_note_not_an_error() -> None:
    assert "was not found" in read_license("no-such-license.txt")


def test_show_about_reuses_the_open_dialog(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    show_about(parent)
    show_about(parent)
    dialogs = parent.findChildren(AboutDialog)
    assert len(dialogs) == 1
    first = dialogs[0]
    assert first.isVisible()

    first.close()
    qtbot.waitUntil(lambda: not parent.findChildren(AboutDialog))
    show_about(parent)
    again = parent.findChild(AboutDialog, "aboutDialog")
    assert again is not None and again.isVisible()
    again.close()
