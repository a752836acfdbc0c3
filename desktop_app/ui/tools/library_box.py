"""The tool library under the Tools panel: keep the selected tool, choose which library tools
this chat has (checked) and which start in every new chat."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.tools.library import ToolLibrary
from desktop_app.ui.tools.panel import ToolsPanel


class LibraryBox(QWidget):
    def __init__(self, library: ToolLibrary, panel: ToolsPanel, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.panel = panel
        self.setObjectName("toolLibraryBox")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.setSpacing(4)
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>Library</b> (checked: in this chat)", self), 1)
        self.keep_button = QPushButton("Keep selected tool", self)
        self.keep_button.setObjectName("libraryKeepButton")
        self.keep_button.setToolTip("Store the selected tool, with its mocks, for other chats")
        self.keep_button.clicked.connect(self.keep_selected)
        head.addWidget(self.keep_button)
        self.remove_button = QPushButton("Forget", self)
        self.remove_button.setObjectName("libraryRemoveButton")
        self.remove_button.setToolTip("Remove the highlighted tool from the library")
        self.remove_button.clicked.connect(self._forget)
        head.addWidget(self.remove_button)
        lay.addLayout(head)
        self.list = QListWidget(self)
        self.list.setObjectName("libraryList")
        self.list.setAccessibleName("Library tools: checked ones are in this chat")
        self.list.setMaximumHeight(120)
        self.list.itemChanged.connect(self._on_item)
        self.list.currentRowChanged.connect(lambda _r: self._sync_new_chats())
        lay.addWidget(self.list)
        self.new_chats = QCheckBox("Start every new chat with this tool", self)
        self.new_chats.setObjectName("libraryNewChats")
        self.new_chats.toggled.connect(self._on_new_chats)
        lay.addWidget(self.new_chats)
        self.status = QLabel(self)
        self.status.setObjectName("libraryStatus")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        library.changed.connect(self.refresh)
        panel.chat.currentChanged.connect(lambda _c: self.refresh())
        panel.loop.changed.connect(lambda _c: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        row = self.list.currentRow()
        conv = self.panel.conv
        self.list.blockSignals(True)
        self.list.clear()
        for tool in self.library.tools:
            item = QListWidgetItem(tool.name + ("  · new chats" if tool.new_chats else ""))
            item.setData(Qt.ItemDataRole.UserRole, tool.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = self.library.has(conv, tool.name)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if self.library.tools:
            self.list.setCurrentRow(min(max(row, 0), len(self.library.tools) - 1))
        else:
            self.status.setText("Empty: select a tool above and press Keep selected tool.")
        self._sync_new_chats()

    def _name(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _sync_new_chats(self) -> None:
        tool = self.library.get(self._name() or "")
        self.new_chats.blockSignals(True)
        self.new_chats.setChecked(bool(tool and tool.new_chats))
        self.new_chats.blockSignals(False)
        self.new_chats.setEnabled(tool is not None)
        self.remove_button.setEnabled(tool is not None)

    def keep_selected(self) -> None:
        entry = self.panel._current()
        if entry is None:
            self.status.setText("Select a tool in the list above first.")
            return
        try:
            self.status.setText(self.library.keep(entry))
        except ValueError as exc:
            self.status.setText(str(exc))

    def _forget(self) -> None:
        name = self._name()
        if name:
            self.library.remove(name)
            self.status.setText(f"“{name}” is no longer in the library (chats keep their copy).")

    def _on_item(self, item: QListWidgetItem) -> None:
        name = item.data(Qt.ItemDataRole.UserRole)
        on = item.checkState() == Qt.CheckState.Checked
        conv = self.panel.conv
        self.library.put(conv, name, on)
        self.panel.loop.apply_bench(conv)
        self.panel.show_conversation()
        self.status.setText(f"“{name}” {'added to' if on else 'taken out of'} this chat.")

    def _on_new_chats(self, on: bool) -> None:
        name = self._name()
        if name:
            self.library.set_new_chats(name, on)
