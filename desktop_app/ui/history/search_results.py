"""One search result as people read it: the conversation's title, then plain text with the
matched words in bold."""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop_app.core.history.snippet import plain_segments, plain_text
from desktop_app.core.history.storage import SearchHit


class HitView(QWidget):
    def __init__(self, hit: SearchHit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchHit")
        self._segments = plain_segments(hit.snippet)
        # Said first: opening the hit switches the message to that version.
        self._where = "In another version: " if hit.other_version else ""
        lay = self.lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(1)
        # A title made from the first message carries its markdown marks too.
        self.title = QLabel(plain_text(hit.title) or "Untitled", self)
        self.title.setWordWrap(True)
        self.title.setObjectName("searchHitTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setStyleSheet("font-weight: 600;")
        lay.addWidget(self.title)
        self.snippet = QLabel(self)
        self.snippet.setObjectName("searchHitSnippet")
        # Rich text built here from escaped pieces: nothing of the stored text is markup.
        self.snippet.setTextFormat(Qt.TextFormat.RichText)
        self.snippet.setWordWrap(True)
        self.snippet.setText(self.snippet_html())
        self.snippet.setVisible(hit.message_id is not None)
        lay.addWidget(self.snippet)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def plain_text(self) -> str:
        return self._where + "".join(text for text, _ in self._segments)

    def snippet_html(self) -> str:
        where = f"<i>{html.escape(self._where)}</i>" if self._where else ""
        return where + "".join(
            f"<b>{html.escape(text)}</b>" if match else html.escape(text)
            for text, match in self._segments
        )


def add_hit(results: QListWidget, hit: SearchHit, query: str = "") -> QListWidgetItem:
    """Adds `hit` to the list as an item with a HitView, sized for the list's width. The
    item keeps (conversation id, message id, `query` when the hit is in another version)."""
    item = QListWidgetItem(results)
    view = HitView(hit)
    text = f"{hit.title}\n{view.plain_text()}" if hit.message_id else hit.title
    # Screen readers and tooltips get the same plain text.
    item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
    item.setToolTip(text)
    version_query = query if hit.other_version else None
    item.setData(Qt.ItemDataRole.UserRole, (hit.conversation_id, hit.message_id, version_query))
    width = max(120, results.viewport().width() - 2 * results.spacing() - 4)
    item.setSizeHint(QSize(width, view.lay.totalHeightForWidth(width)))
    results.setItemWidget(item, view)
    return item
