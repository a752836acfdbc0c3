"""The history in the window: search, rename, delete with undo, duplicate, branch, export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
)

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.history.service import HistoryService
from desktop_app.core.history.storage import StorageError
from desktop_app.core.history.version_match import show_matching_version
from desktop_app.ui.chat.chat_view import ChatView
from desktop_app.ui.chat.context import MessageActions
from desktop_app.ui.common.box_place import insert_before
from desktop_app.ui.history.search_results import add_hit

UNDO_SECONDS = 10


class HistoryPanel:
    """Adds the history's controls to the main window: search above the conversation list,
    its context menu, the File menu's import and export, Undo in the status bar, and the
    Branch action on messages."""

    def __init__(
        self,
        window: QMainWindow,
        history: HistoryService,
        chat: ChatController,
        conversation_list: QListWidget,
        chat_view: ChatView,
        file_menu: QMenu,
        actions: MessageActions,
    ) -> None:
        self.window = window
        self.history = history
        self.chat = chat
        self.conversation_list = conversation_list
        self.chat_view = chat_view
        self.file_menu = file_menu
        side = conversation_list.parentWidget()
        self.search = QLineEdit(side)
        self.search.setObjectName("searchBox")
        self.search.setAccessibleName("Search conversations")
        self.search.setPlaceholderText("Search all conversations…")
        self.search.setClearButtonEnabled(True)
        insert_before(conversation_list, self.search)
        self.results = QListWidget(side)
        self.results.setObjectName("searchResults")
        self.results.setAccessibleName("Search results")
        self.results.setWordWrap(True)
        self.results.hide()
        insert_before(conversation_list, self.results, 1)
        self._search_timer = QTimer(side)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.results.itemActivated.connect(self._open_hit)
        self.results.itemClicked.connect(self._open_hit)

        lst = conversation_list
        lst.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        lst.customContextMenuRequested.connect(self._context_menu)
        lst.itemDoubleClicked.connect(self._rename_later)

        self.notice = QLabel(window)
        self.notice.setObjectName("historyNotice")
        self.notice.setWordWrap(True)
        self.notice.setProperty("warning", True)
        self.notice.hide()
        insert_before(chat_view, self.notice)

        self.undo_button = QPushButton("Undo", window)
        self.undo_button.setObjectName("undoDeleteButton")
        self.undo_button.hide()
        window.statusBar().addPermanentWidget(self.undo_button)
        self._undo_id: str | None = None
        self._undo_timer = QTimer(window)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.timeout.connect(self._expire_undo)
        self.undo_button.clicked.connect(self.undo)
        history.deleted.connect(self._offer_undo)
        history.failed.connect(self._show_failure)

        actions.add(
            "branch",
            "Branch",
            "Branch from here",
            ("user", "assistant"),
            lambda mid: self.history.branch(self.chat.current.id, mid),
        )
        self._add_menu_actions()

    # -- menus ---------------------------------------------------------------------------
    def _add_menu_actions(self) -> None:
        menu = self.file_menu
        first = menu.actions()[1] if len(menu.actions()) > 1 else None
        entries = [
            ("Import conversation…", "Ctrl+O", self.import_dialog),
            ("Export as Markdown…", None, lambda: self.export_dialog("md")),
            ("Export as JSON…", "Ctrl+Shift+E", lambda: self.export_dialog("json")),
            ("Find in conversations", "Ctrl+F", self.focus_search),
        ]
        for text, shortcut, slot in entries:
            action = QAction(text, self.window)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            # Qt appends when `before` is None; PySide6's stub leaves None out.
            menu.insertAction(first, action)  # type: ignore[arg-type]
        menu.insertSeparator(first)  # type: ignore[arg-type]

    def _context_menu(self, pos: QPoint) -> None:
        item = self.conversation_list.itemAt(pos)
        if item is None:
            return
        conv_id = item.data(Qt.ItemDataRole.UserRole)
        menu = QMenu(self.window)
        menu.addAction("Rename…", lambda: self.rename(conv_id))
        menu.addAction("Duplicate", lambda: self.history.duplicate(conv_id))
        menu.addAction("Export as Markdown…", lambda: self.export_dialog("md", conv_id))
        menu.addAction("Export as JSON…", lambda: self.export_dialog("json", conv_id))
        menu.addSeparator()
        menu.addAction("Delete", lambda: self.history.delete(conv_id))
        menu.popup(self.conversation_list.viewport().mapToGlobal(pos))

    # -- actions -------------------------------------------------------------------------
    def _rename_later(self, item: QListWidgetItem) -> None:
        # The dialog runs its own event loop and the rename rebuilds the list: both wait until
        # the list has finished handling the double click that asked for them.
        conv_id = item.data(Qt.ItemDataRole.UserRole)
        QTimer.singleShot(0, self.window, lambda: self.rename(conv_id))

    def rename(self, conv_id: str, title: str | None = None) -> None:
        if title is None:
            current = self.chat.conversation(conv_id).title
            title, ok = QInputDialog.getText(
                self.window, "Rename conversation", "Title:", QLineEdit.EchoMode.Normal, current
            )
            if not ok:
                return
        self.history.rename(conv_id, title)

    def _offer_undo(self, conv_id: str, title: str) -> None:
        self._undo_id = conv_id
        self.window.statusBar().showMessage(f"Deleted “{title}”.", UNDO_SECONDS * 1000)
        self.undo_button.show()
        self._undo_timer.start(UNDO_SECONDS * 1000)

    def undo(self) -> None:
        if self._undo_id is not None:
            self.history.undo_delete(self._undo_id)
            self.window.statusBar().showMessage("Restored.", 3000)
        self._expire_undo()

    def _expire_undo(self) -> None:
        self._undo_id = None
        self.undo_button.hide()

    def _show_failure(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _run_search(self) -> None:
        query = self.search.text()
        self.results.clear()
        if not query.strip():
            self.results.hide()
            self.conversation_list.show()
            return
        hits = self.history.search(query)
        # Shown first: each result is laid out for the list's real width.
        self.conversation_list.hide()
        self.results.show()
        side = self.results.parentWidget()
        if side is not None and (side_layout := side.layout()) is not None:
            side_layout.activate()
        for hit in hits:
            add_hit(self.results, hit, query)
        if not hits:
            QListWidgetItem("No matches", self.results).setFlags(Qt.ItemFlag.NoItemFlags)

    def _open_hit(self, item: QListWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        if not data:
            return
        conv_id, message_id, version_query = data
        if conv_id != self.chat.current.id:
            self.chat.select(conv_id)
        if message_id and version_query:
            message_id = show_matching_version(self.chat, message_id, version_query)
        if message_id:
            self.chat_view.scroll_to_message(message_id, highlight=True)

    def export_dialog(self, kind: str, conv_id: str | None = None) -> None:
        conv_id = conv_id or self.chat.current.id
        conv = self.chat.ensure_loaded(conv_id)
        suffix = ".md" if kind == "md" else ".json"
        default = _safe_name(conv.title) + suffix
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            "Export conversation",
            default,
            "Markdown (*.md)" if kind == "md" else "JSON (*.json)",
        )
        if path:
            self.export_to(Path(path), kind, conv_id)

    def export_to(self, path: Path, kind: str, conv_id: str) -> None:
        text = (
            self.history.export_markdown(conv_id)
            if kind == "md"
            else self.history.export_json(conv_id)
        )
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self._show_failure(
                f"Could not write {path}: {exc.strerror or exc}. Choose another "
                "folder and export again."
            )
            return
        self.window.statusBar().showMessage(f"Exported to {path}", 5000)

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Import conversation", "", "JSON (*.json);;All files (*)"
        )
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> bool:
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._show_failure(f"Could not read {path}: {exc.strerror or exc}.")
            return False
        try:
            conv = self.history.import_json(data)
        except StorageError as exc:
            self._show_failure(f"{path.name} was not imported: {exc}")
            return False
        note = " Some values were left out: see the note above the chat." if conv.notices else ""
        self.window.statusBar().showMessage(f"Imported “{conv.title}”.{note}", 8000)
        return True


def _safe_name(title: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in title).strip()
    return keep[:60] or "conversation"
