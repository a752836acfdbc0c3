"""The About box: name, version, license, third-party notices and the Qt/Python versions."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import QSize, Qt, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME, __version__
from desktop_app.core.resources import resource_path

DESCRIPTION = "A fast desktop client for Gemma 4 models served by vLLM."
LICENSE_NAME = "Apache License 2.0"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Documents under resources/licenses/ offered on the third-party tab, in this order.
# NATIVE_LIBRARIES.md exists only in Linux bundles (written at build time); missing ones are
# left out of the list.
THIRD_PARTY_DOCUMENTS = (
    ("Third-party software", "THIRD_PARTY_LICENSES.md"),
    ("System libraries in this bundle", "NATIVE_LIBRARIES.md"),
    ("GNU LGPL 3.0", "LGPL-3.0.txt"),
    ("GNU GPL 3.0", "GPL-3.0.txt"),
    ("GNU LGPL 2.1", "LGPL-2.1.txt"),
)


def app_icon() -> QIcon:
    """The application icon from the shipped PNG sizes (no SVG plugin needed)."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = resource_path("icons", f"gemma-desk-{size}.png")
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))
    return icon


def version_summary() -> str:
    """One line for bug reports: app, Qt, PySide6 and Python versions."""
    return (
        f"{APP_NAME} {__version__} · Qt {qVersion()} · PySide6 {PySide6.__version__} · "
        f"Python {platform.python_version()}"
    )


def read_license(name: str) -> str:
    """The text of a file in resources/licenses/, or a short note if it is not there."""
    path = resource_path("licenses", name)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return f"{name} was not found at {path}."


def _text_view(parent: QWidget, object_name: str, accessible_name: str) -> QPlainTextEdit:
    view = QPlainTextEdit(parent)
    view.setObjectName(object_name)
    view.setAccessibleName(accessible_name)
    view.setReadOnly(True)
    view.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    return view


class AboutDialog(QDialog):
    """Shows what the app is, its version and license, and the notices of what it bundles."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self.resize(860, 600)
        root = QVBoxLayout(self)
        root.addLayout(self._header())

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("aboutTabs")
        self.license_view = _text_view(self, "licenseText", f"{LICENSE_NAME} text")
        self.license_view.setPlainText(read_license("LICENSE"))
        self.tabs.addTab(self.license_view, "License")
        self.tabs.addTab(self._third_party_tab(), "Third-party software")
        root.addWidget(self.tabs, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("Copy Version Info", self)
        self.copy_button.setObjectName("copyVersionInfoButton")
        self.copy_button.setToolTip("Copy the app, Qt, PySide6 and Python versions")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_version_info)
        buttons.rejected.connect(self.reject)
        root.addWidget(buttons)

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.icon_label = QLabel(self)
        self.icon_label.setObjectName("aboutIcon")
        self.icon_label.setPixmap(app_icon().pixmap(QSize(96, 96)))
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.icon_label)

        column = QVBoxLayout()
        self.name_label = QLabel(APP_NAME, self)
        self.name_label.setObjectName("aboutName")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.name_label.setFont(font)
        self.version_label = QLabel(f"Version {__version__}", self)
        self.version_label.setObjectName("aboutVersion")
        self.description_label = QLabel(DESCRIPTION, self)
        self.description_label.setObjectName("aboutDescription")
        self.description_label.setWordWrap(True)
        self.license_label = QLabel(
            f"Licensed under the {LICENSE_NAME}. It includes third-party software under "
            "their own licenses, among them Qt and PySide6 under the GNU LGPL 3.0.",
            self,
        )
        self.license_label.setObjectName("aboutLicense")
        self.license_label.setWordWrap(True)
        self.versions_label = QLabel(
            f"Qt {qVersion()} · PySide6 {PySide6.__version__} · Python {platform.python_version()}",
            self,
        )
        self.versions_label.setObjectName("aboutVersions")
        self.versions_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (
            self.name_label,
            self.version_label,
            self.description_label,
            self.license_label,
            self.versions_label,
        ):
            column.addWidget(label)
        column.addStretch(1)
        row.addLayout(column, 1)
        return row

    def _third_party_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.document_picker = QComboBox(page)
        self.document_picker.setObjectName("thirdPartyDocument")
        self.document_picker.setAccessibleName("License document")
        for title, file_name in THIRD_PARTY_DOCUMENTS:
            if resource_path("licenses", file_name).is_file():
                self.document_picker.addItem(title, file_name)
        self.third_party_view = _text_view(page, "thirdPartyText", "Third-party licenses")
        layout.addWidget(self.document_picker)
        layout.addWidget(self.third_party_view, 1)
        self.document_picker.currentIndexChanged.connect(self._show_document)
        self._show_document()
        return page

    def _show_document(self) -> None:
        file_name = self.document_picker.currentData() or THIRD_PARTY_DOCUMENTS[0][1]
        self.third_party_view.setPlainText(read_license(file_name))

    def copy_version_info(self) -> None:
        QGuiApplication.clipboard().setText(version_summary())


def show_about(parent: QWidget | None) -> None:
    """Opens the About box for `parent`, or brings its already open one to the front."""
    dialog = parent.findChild(AboutDialog, "aboutDialog") if parent is not None else None
    # A hidden one is a closed dialog waiting for its deferred delete: make a new one.
    if dialog is None or not dialog.isVisible():
        dialog = AboutDialog(parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
