"""The scrolling conversation: a bounded window of message widgets, auto-scroll at the bottom."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.ui.chat.context import ChatContext
from desktop_app.ui.chat.message_widget import MessageWidget
from desktop_app.ui.chat.reading_column import ReadingColumn
from desktop_app.ui.chat.search_hit import mark_search_hit

PAGE = 16  # messages _fill builds at most after an open or a jump (Home, End, search)
# Messages built before a conversation's first frame: enough to fill the window with the
# newest ones; the view then builds earlier ones a slice at a time until it holds two
# screens (see _fill), so opening costs the same for 10 messages or 10,000.
OPEN_PAGE = 6
EARLIER_PAGE = 4  # at most this many messages built each time the reader reaches an edge
# Building stops early once this much time went by (at least one message is built), so one
# step never stalls the window however heavy the messages are; the next step builds more.
BUILD_BUDGET_SECONDS = 0.008
# At most this many message widgets exist at once: the ones far from what the reader looks
# at are dropped (and built again when scrolled back to), so a conversation of any length
# costs the same to lay out, scroll and keep in memory.
MAX_BUILT = 48
BURY_PER_TURN = 4  # dropped widgets deleted per turn of the event loop
JUMP_MARGIN = 24  # px between the top edge and a message jumped to


class ChatView(QScrollArea):
    """Shows the current conversation through a window of at most MAX_BUILT message widgets,
    messages[_first_built:_end_built]. Reaching the top or bottom edge of that window builds
    the next messages and drops the farthest ones; Home and End jump to either end."""

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
        self._newer = QPushButton("Show newer messages", self._body)
        self._newer.setObjectName("showNewerButton")
        self._newer.clicked.connect(self._load_later)
        self._newer.hide()
        self._layout.addWidget(self._newer, 0, Qt.AlignmentFlag.AlignHCenter)
        self._layout.addStretch(1)
        self.setWidget(self._body)
        self.reading_column = ReadingColumn(self, self._body, self._layout)
        self._conversation: Conversation | None = None
        self._widgets: dict[str, MessageWidget] = {}
        self._first_built = 0  # index of the oldest built message
        self._end_built = 0  # index after the newest built message
        self._stick = True
        # (widget, its y minus the scroll value): kept in place while the layout settles
        # after messages were built or dropped around it, until the reader scrolls.
        self._anchor: tuple[QWidget, int] | None = None
        self._held: QWidget | None = None  # the message a jump keeps in place (search)
        self._adjusting = False
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range)
        self._fill_timer = QTimer(self)
        self._fill_timer.setSingleShot(True)
        self._fill_timer.setInterval(0)
        self._fill_timer.timeout.connect(self._fill)
        self._fill_earlier = True
        self._anchor_timer = QTimer(self)
        self._anchor_timer.setSingleShot(True)
        self._anchor_timer.setInterval(0)
        self._anchor_timer.timeout.connect(self._apply_anchor)
        self._dropped: list[QWidget] = []
        self._bury_timer = QTimer(self)
        self._bury_timer.setSingleShot(True)
        self._bury_timer.setInterval(0)
        self._bury_timer.timeout.connect(self._bury)

    # -- whole conversation --------------------------------------------------------------
    def set_conversation(self, conv: Conversation, empty_hint: str = "") -> None:
        self._conversation = conv
        self._empty.setText(empty_hint)
        n = len(conv.messages)
        self._rebuild(max(0, n - OPEN_PAGE), n, newest_first=True)
        self._stick = True
        self._start_fill(earlier=True)

    def _start_fill(self, *, earlier: bool) -> None:
        self._fill_earlier = earlier
        self._fill_timer.start()

    def _fill(self) -> None:
        """Builds messages next to the few built by a jump or an open, one slice per turn of
        the event loop, until the built ones are two screens tall or PAGE of them exist."""
        conv = self._conversation
        if conv is None or self._end_built - self._first_built >= PAGE:
            return
        if self._body.height() >= 2 * self.viewport().height():
            return
        if self._fill_earlier and self._first_built > 0:
            self._load_earlier()
        elif not self._fill_earlier and self._end_built < len(conv.messages):
            self._load_later()
        else:
            return
        self._fill_timer.start()

    def widget_for(self, message_id: str) -> MessageWidget | None:
        return self._widgets.get(message_id)

    def message_widgets(self) -> list[MessageWidget]:
        conv = self._conversation
        if conv is None:
            return []
        built = conv.messages[self._first_built : self._end_built]
        return [self._widgets[m.id] for m in built if m.id in self._widgets]

    def built_range(self) -> tuple[int, int]:
        """(first, end): the messages that have widgets are messages[first:end]."""
        return self._first_built, self._end_built

    # -- single messages -----------------------------------------------------------------
    def add_message(self, msg: ChatMessage) -> None:
        conv = self._conversation
        n = len(conv.messages) if conv is not None else 0
        if conv is not None and self._end_built < n - 1:
            # The reader was looking at older messages: a new one brings the view back to
            # the newest, as it always scrolls to the bottom.
            self._rebuild(max(0, n - OPEN_PAGE), n, newest_first=True)
            self._start_fill(earlier=True)
        else:
            self._insert_widget(msg, self._message_slot_end())
            self._end_built = n
            self._trim(from_top=True)
        self._stick = True
        self._sync_chrome()

    def update_message(self, message_id: str) -> None:
        w = self._widgets.get(message_id)
        if w is not None:
            w.refresh()

    def remove_message(self, message_id: str) -> None:
        w = self._widgets.pop(message_id, None)
        if w is not None:
            self._drop(w)
        self._resync_range()
        self._sync_chrome()

    # -- building and dropping widgets ---------------------------------------------------
    def _insert_widget(self, msg: ChatMessage, index: int) -> MessageWidget:
        w = MessageWidget(msg, self.context, self._body)
        w.actionRequested.connect(self.actionRequested)
        w.copyRequested.connect(self.copyRequested)
        w.deleteRequested.connect(self.deleteRequested)
        w.regenerateRequested.connect(self.regenerateRequested)
        w.editSubmitted.connect(self.editSubmitted)
        w.retryRequested.connect(self.retryRequested)
        self.reading_column.fit(w)
        self._layout.insertWidget(index, w)
        self._widgets[msg.id] = w
        return w

    def _drop(self, w: QWidget) -> None:
        """Takes ``w`` out of the page at once; it is deleted a few at a time (_bury), since
        deleting the 48 widgets a jump drops in one go would stall the window."""
        if w is self._held:
            self._held = None
        if self._anchor is not None and self._anchor[0] is w:
            self._anchor = None
        self._layout.removeWidget(w)
        w.hide()
        self._dropped.append(w)
        if not self._bury_timer.isActive():
            self._bury_timer.start()

    def _bury(self) -> None:
        for w in self._dropped[-BURY_PER_TURN:]:
            w.deleteLater()  # deleted on the next turn of the event loop
        del self._dropped[-BURY_PER_TURN:]
        if self._dropped:
            self._bury_timer.start()

    def _message_slot_start(self) -> int:
        return 2  # after the "Show earlier" button and the empty hint

    def _message_slot_end(self) -> int:
        return self._layout.count() - 2  # before the "Show newer" button and the stretch

    def _rebuild(self, first: int, end: int, *, newest_first: bool, keep: int = -1) -> None:
        """Drops every widget and builds messages[first:end], from the newest or the oldest
        end, stopping once BUILD_BUDGET_SECONDS went by (messages[keep] and one message at
        least are always built): an open or a jump shows its first frame after one budget
        of building, whatever the messages cost, and _fill builds the rest a turn at a time."""
        for w in self._widgets.values():
            self._drop(w)
        self._widgets.clear()
        self._anchor = None
        self._held = None
        conv = self._conversation
        if conv is not None and end > first:
            deadline = time.perf_counter() + BUILD_BUDGET_SECONDS
            if newest_first:
                index = end
                while index > first:
                    index -= 1
                    self._insert_widget(conv.messages[index], self._message_slot_start())
                    if time.perf_counter() > deadline and index <= (keep if keep >= 0 else end):
                        break
                first = index
            else:
                index = first
                while index < end:
                    self._insert_widget(conv.messages[index], self._message_slot_end())
                    index += 1
                    if time.perf_counter() > deadline and index > keep:
                        break
                end = index
        self._first_built, self._end_built = first, end
        self._sync_chrome()

    def _resync_range(self) -> None:
        """Finds the built window again after the conversation's list changed under it."""
        conv = self._conversation
        if conv is None:
            self._first_built = self._end_built = 0
            return
        built = [i for i, m in enumerate(conv.messages) if m.id in self._widgets]
        if built:
            self._first_built, self._end_built = built[0], built[-1] + 1
        else:
            n = len(conv.messages)
            self._first_built = self._end_built = min(self._first_built, n)

    def _set_anchor(self, w: QWidget | None) -> None:
        # A jump's target stays the anchor while the page fills around it.
        if self._anchor is not None and self._anchor[0] is self._held:
            return
        if w is not None:
            self._anchor = (w, w.y() - self.verticalScrollBar().value())

    def _load_earlier(self) -> None:
        conv = self._conversation
        if conv is None or self._first_built == 0:
            return
        first = conv.messages[self._first_built]
        self._set_anchor(self._widgets.get(first.id))
        deadline = time.perf_counter() + BUILD_BUDGET_SECONDS
        stop = max(0, self._first_built - EARLIER_PAGE)
        while self._first_built > stop:
            self._first_built -= 1
            self._insert_widget(conv.messages[self._first_built], self._message_slot_start())
            if time.perf_counter() > deadline:
                break
        self._trim(from_top=False)
        self._sync_chrome()
        # Not from inside the scroll bar's own valueChanged: it would set its value back.
        self._anchor_timer.start()

    def _load_later(self) -> None:
        conv = self._conversation
        if conv is None or self._end_built >= len(conv.messages):
            return
        if self._end_built > self._first_built:
            self._set_anchor(self._widgets.get(conv.messages[self._end_built - 1].id))
        deadline = time.perf_counter() + BUILD_BUDGET_SECONDS
        stop = min(len(conv.messages), self._end_built + EARLIER_PAGE)
        while self._end_built < stop:
            self._insert_widget(conv.messages[self._end_built], self._message_slot_end())
            self._end_built += 1
            if time.perf_counter() > deadline:
                break
        self._trim(from_top=True)
        self._sync_chrome()
        # Not from inside the scroll bar's own valueChanged: it would set its value back.
        self._anchor_timer.start()

    def _apply_anchor(self) -> None:
        """Lays the page out now and puts the anchor back where it was. Building and
        dropping at the two ends often leaves the height, hence the scroll range, as it was,
        so waiting for the range to change is not enough; messages whose height settles
        later move it again through _on_range."""
        if self._anchor is None or self._stick:
            return
        QCoreApplication.sendPostedEvents(self._body, QEvent.Type.LayoutRequest)
        self._layout.activate()
        if self._anchor is None:
            return
        w, offset = self._anchor
        self._adjusting = True
        try:
            self.verticalScrollBar().setValue(w.y() - offset)
        finally:
            self._adjusting = False

    def _trim(self, from_top: bool) -> None:
        """Drops widgets from one end until at most MAX_BUILT are left. A message being
        edited is never dropped (its unsent text would be lost): trimming stops there."""
        conv = self._conversation
        if conv is None:
            return
        while self._end_built - self._first_built > MAX_BUILT:
            index = self._first_built if from_top else self._end_built - 1
            w = self._widgets.get(conv.messages[index].id)
            if w is not None and w.editor is not None:
                return
            if w is not None:
                del self._widgets[conv.messages[index].id]
                self._drop(w)
            if from_top:
                self._first_built += 1
            else:
                self._end_built -= 1

    def _sync_chrome(self) -> None:
        conv = self._conversation
        has = bool(conv and conv.messages)
        self._empty.setVisible(not has and bool(self._empty.text()))
        self._more.setVisible(self._first_built > 0)
        self._newer.setVisible(conv is not None and self._end_built < len(conv.messages))
        if conv is not None:
            last_assistant = next(
                (m.id for m in reversed(conv.messages) if m.role == "assistant"), None
            )
            for mid, w in self._widgets.items():
                w.set_last_reply(mid == last_assistant)

    # -- scrolling -----------------------------------------------------------------------
    def _at_newest(self) -> bool:
        conv = self._conversation
        return conv is None or self._end_built >= len(conv.messages)

    def _on_scrolled(self, value: int) -> None:
        if not self._adjusting:
            self._anchor = None  # the reader scrolled: nothing is held in place any more
        bar = self.verticalScrollBar()
        # A held jump target near the end is clamped to the bottom: that does not make the
        # view follow the end (it would push the target up and off the top edge).
        holding = self._adjusting and self._anchor is not None
        self._stick = value >= bar.maximum() - 8 and self._at_newest() and not holding
        if self._adjusting or bar.maximum() <= 0:
            return
        if value == bar.minimum() and self._first_built > 0:
            self._load_earlier()
        elif value == bar.maximum() and not self._at_newest():
            self._load_later()

    def _on_range(self, _min: int, maximum: int) -> None:
        bar = self.verticalScrollBar()
        self._adjusting = True
        try:
            if self._stick:
                bar.setValue(maximum)
            elif self._anchor is not None:
                # The scroll area sets the range before the body's own layout has placed
                # its children (its event filter runs first): place them now, so the
                # anchor's position is the new one.
                self._layout.activate()
                w, offset = self._anchor
                bar.setValue(w.y() - offset)
        finally:
            self._adjusting = False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Home:
            self.scroll_to_start()
        elif key == Qt.Key.Key_End:
            self.scroll_to_end()
        else:
            super().keyPressEvent(event)

    def scroll_to_start(self) -> None:
        """Shows the first messages (Home)."""
        conv = self._conversation
        if conv is None:
            return
        if self._first_built > 0:
            self._rebuild(0, min(len(conv.messages), OPEN_PAGE), newest_first=False)
            self._start_fill(earlier=False)
        self._stick = False
        self._body.adjustSize()
        self.verticalScrollBar().setValue(0)

    def scroll_to_end(self) -> None:
        """Shows the newest messages and follows new ones again (End)."""
        conv = self._conversation
        if conv is None:
            return
        n = len(conv.messages)
        if self._end_built < n:
            self._rebuild(max(0, n - OPEN_PAGE), n, newest_first=True)
            self._start_fill(earlier=True)
        self._stick = True
        self._body.adjustSize()
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def scroll_to_message(self, message_id: str, highlight: bool = False) -> bool:
        """Builds the messages around ``message_id`` if needed and scrolls it near the top,
        holding it there while the messages around it are built and laid out (until the
        reader scrolls). ``highlight`` marks it (a search hit)."""
        conv = self._conversation
        if conv is None:
            return False
        try:
            index = conv.index_of(message_id)
        except KeyError:
            return False
        if not self._first_built <= index < self._end_built:
            n = len(conv.messages)
            first = max(0, min(index - 1, n - OPEN_PAGE))
            self._rebuild(first, min(n, first + OPEN_PAGE), newest_first=False, keep=index)
            self._start_fill(earlier=False)
        widget = self._widgets.get(message_id)
        if widget is None:
            return False
        self._stick = False
        if highlight:
            mark_search_hit(self._widgets.values(), widget)
        # The anchor keeps the message JUMP_MARGIN below the top edge while the page settles.
        self._anchor = (widget, JUMP_MARGIN)
        self._held = widget
        self._body.adjustSize()
        self._anchor_timer.start()
        self._apply_anchor()
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def is_settling(self) -> bool:
        """Whether messages are still being built or put back in place after an open/jump."""
        return self._fill_timer.isActive() or self._anchor_timer.isActive()

    def at_bottom(self) -> bool:
        return self._stick
