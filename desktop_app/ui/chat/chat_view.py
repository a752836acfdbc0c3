"""The scrolling conversation: message widgets built lazily, auto-scroll only at the bottom."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.ui.chat.context import ChatContext
from desktop_app.ui.chat.message_widget import MessageWidget

PAGE = 16  # messages built when a conversation opens; older ones wait until scrolled to
EARLIER_PAGE = 4  # messages built each time the reader reaches the top


class ChatView(QScrollArea):
    """Shows the current conversation. Only the newest PAGE messages are built at first."""

    actionRequested = Signal(str, str)  # action name, message id
    copyRequested = Signal(str)
    deleteRequested = Signal(str)
    regenerateRequested = Signal(str)
    editSubmitted = Signal(str, str)
    retryRequested = Signal(str)

    def __init__(self, context: ChatContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("chatView")
        self.setAccessibleName("Conversation")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self._body = QWidget()
        self._body.setObjectName("chatBody")
        self._layout = QVBoxLayout(self._body)
        self._layout.setContentsMargins(24, 16, 24, 16)
        self._layout.setSpacing(12)
        self._more = QPushButton("Show earlier messages", self._body)
        self._more.setObjectName("showEarlierButton")
        self._more.clicked.connect(self._load_earlier)
        self._layout.addWidget(self._more, 0, Qt.AlignmentFlag.AlignHCenter)
        self._empty = QLabel(self._body)
        self._empty.setObjectName("emptyHint")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._layout.addWidget(self._empty)
        self._layout.addStretch(1)
        self.setWidget(self._body)
        self._conversation: Conversation | None = None
        self._widgets: dict[str, MessageWidget] = {}
        self._first_built = 0  # index of the oldest built message
        self._stick = True
        self._keep_from_bottom: int | None = None
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range)

    # -- whole conversation --------------------------------------------------------------
    def set_conversation(self, conv: Conversation, empty_hint: str = "") -> None:
        for w in self._widgets.values():
            w.deleteLater()
        self._widgets.clear()
        self._conversation = conv
        self._empty.setText(empty_hint)
        self._first_built = max(0, len(conv.messages) - PAGE)
        for msg in conv.messages[self._first_built :]:
            self._insert_widget(msg, self._message_slot_end())
        self._stick = True
        self._sync_chrome()

    def widget_for(self, message_id: str) -> MessageWidget | None:
        return self._widgets.get(message_id)

    def message_widgets(self) -> list[MessageWidget]:
        conv = self._conversation
        if conv is None:
            return []
        return [self._widgets[m.id] for m in conv.messages if m.id in self._widgets]

    # -- single messages -----------------------------------------------------------------
    def add_message(self, msg: ChatMessage) -> None:
        self._insert_widget(msg, self._message_slot_end())
        self._stick = True
        self._sync_chrome()

    def update_message(self, message_id: str) -> None:
        w = self._widgets.get(message_id)
        if w is not None:
            w.refresh()

    def remove_message(self, message_id: str) -> None:
        w = self._widgets.pop(message_id, None)
        if w is not None:
            self._layout.removeWidget(w)
            w.deleteLater()
        conv = self._conversation
        if conv is not None:
            self._first_built = min(self._first_built, len(conv.messages))
        self._sync_chrome()

    def _insert_widget(self, msg: ChatMessage, index: int) -> MessageWidget:
        w = MessageWidget(msg, self.context, self._body)
        w.actionRequested.connect(self.actionRequested)
        w.copyRequested.connect(self.copyRequested)
        w.deleteRequested.connect(self.deleteRequested)
        w.regenerateRequested.connect(self.regenerateRequested)
        w.editSubmitted.connect(self.editSubmitted)
        w.retryRequested.connect(self.retryRequested)
        self._layout.insertWidget(index, w)
        self._widgets[msg.id] = w
        return w

    def _message_slot_end(self) -> int:
        return self._layout.count() - 1  # before the stretch

    def _load_earlier(self) -> None:
        conv = self._conversation
        if conv is None or self._first_built == 0:
            return
        bar = self.verticalScrollBar()
        from_bottom = bar.maximum() - bar.value()
        start = max(0, self._first_built - EARLIER_PAGE)
        for offset, msg in enumerate(conv.messages[start : self._first_built]):
            self._insert_widget(msg, 2 + offset)  # after the button and the empty hint
        self._first_built = start
        self._sync_chrome()
        # Keep what the reader was looking at in place once the taller layout is applied
        # (the scroll range grows only when Qt lays the page out, see _on_range).
        self._keep_from_bottom = from_bottom

    def _sync_chrome(self) -> None:
        conv = self._conversation
        has = bool(conv and conv.messages)
        self._empty.setVisible(not has and bool(self._empty.text()))
        self._more.setVisible(self._first_built > 0)
        if conv is not None:
            last_assistant = next(
                (m.id for m in reversed(conv.messages) if m.role == "assistant"), None
            )
            for mid, w in self._widgets.items():
                w.set_last_reply(mid == last_assistant)

    # -- scrolling -----------------------------------------------------------------------
    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._stick = value >= bar.maximum() - 8
        if value == bar.minimum() and self._first_built > 0 and bar.maximum() > 0:
            self._load_earlier()

    def _on_range(self, _min: int, maximum: int) -> None:
        if self._keep_from_bottom is not None:
            self.verticalScrollBar().setValue(maximum - self._keep_from_bottom)
            self._keep_from_bottom = None
        elif self._stick:
            self.verticalScrollBar().setValue(maximum)

    def scroll_to_message(self, message_id: str) -> bool:
        """Builds older pages until the message exists, then scrolls it into view."""
        conv = self._conversation
        if conv is None:
            return False
        try:
            index = conv.index_of(message_id)
        except KeyError:
            return False
        while index < self._first_built:
            self._load_earlier()
        widget = self._widgets.get(message_id)
        if widget is None:
            return False
        self._stick = False
        self._body.adjustSize()
        self.ensureWidgetVisible(widget, 0, 40)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def at_bottom(self) -> bool:
        return self._stick
