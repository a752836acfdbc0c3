"""A reply's tokens drawn as boxes coloured by probability, laid out incrementally as they
stream; hover, click and the arrow keys pick a token."""

from __future__ import annotations

from array import array

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QScrollArea, QSizePolicy, QWidget

from desktop_app.api.logprobs import TokenLog
from desktop_app.ui.common.theme import is_dark
from desktop_app.ui.tokens.colors import bin_of, colors

_PAD = 2  # inside a token box, left and right
_GAP = 1  # between boxes


def visible(text: str) -> str:
    """Whitespace made visible: · for a space, → for a tab, ↵ for a newline."""
    return text.replace(" ", "·").replace("\t", "→").replace("\r", "").replace("\n", "↵")


class TokenView(QWidget):
    """Draws only the lines in view; appending tokens lays out only the new ones."""

    hovered = Signal(int)  # token index, -1 when the pointer leaves the tokens
    currentChanged = Signal(int)  # the token picked by click or keyboard

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenView")
        self.setAccessibleName("Tokens")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        sp = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        sp.setHeightForWidth(True)
        self.setSizePolicy(sp)
        self.tokens: TokenLog | None = None
        self.current = -1
        self._hover = -1
        self._widths: dict[str, int] = {}
        self._labels: list[str] = []
        self._x = array("i")
        self._w = array("i")
        self._line = array("i")  # line of each token
        self._line_start = array("i")  # first token of each line
        self._cursor = (0, 0)  # where the next token goes: x, line
        self._laid_width = 0
        self._line_height = self.fontMetrics().height() + 4

    # -- content ----------------------------------------------------------------------------
    def set_tokens(self, tokens: TokenLog | None) -> None:
        if tokens is not self.tokens:
            self.tokens = tokens
            self._relayout()
        else:
            self.update_tokens()

    def update_tokens(self) -> None:
        """Lay out the tokens that arrived since the last call."""
        before = len(self._labels)
        self._lay_out_from(before)
        if len(self._labels) != before:
            self.updateGeometry()
            self.update()

    def count(self) -> int:
        return len(self._labels)

    def token_rect(self, i: int) -> QRect:
        lh = self._line_height
        return QRect(self._x[i], self._line[i] * lh, self._w[i], lh - 2)

    def reveal(self, i: int) -> None:
        """Scroll the page holding the view so token ``i`` is in sight."""
        if not 0 <= i < len(self._labels):
            return
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        page = parent.widget() if parent is not None else None
        if parent is None or page is None:
            return
        center = self.mapTo(page, self.token_rect(i).center())
        parent.ensureVisible(center.x(), center.y(), 40, 3 * self._line_height)

    # -- layout -----------------------------------------------------------------------------
    def _relayout(self) -> None:
        self._labels.clear()
        for column in (self._x, self._w, self._line, self._line_start):
            del column[:]
        self._cursor = (0, 0)
        self._line_start.append(0)
        self._laid_width = self.width()
        self._lay_out_from(0)
        self.updateGeometry()
        self.update()

    def _lay_out_from(self, start: int) -> None:
        tokens = self.tokens
        if tokens is None:
            return
        end = len(tokens)
        width = max(self._laid_width, 40)
        fm = self.fontMetrics()
        widths = self._widths
        x, line = self._cursor
        for i in range(start, end):
            text = tokens.text(i)
            label = visible(text) or "∅"
            w = widths.get(label)
            if w is None:
                w = widths[label] = fm.horizontalAdvance(label) + 2 * _PAD
            if x > 0 and x + w > width:
                x, line = 0, line + 1
                self._line_start.append(i)
            self._labels.append(label)
            self._x.append(x)
            self._w.append(w)
            self._line.append(line)
            x += w + _GAP
            for _ in range(text.count("\n")):
                x, line = 0, line + 1
                self._line_start.append(i + 1)
        self._cursor = (x, line)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return (self._cursor[1] + 1) * self._line_height

    def sizeHint(self) -> QSize:
        return QSize(400, self.heightForWidth(self.width()))

    def minimumSizeHint(self) -> QSize:
        return QSize(80, self.heightForWidth(self.width()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != self._laid_width:
            self._relayout()

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._labels:
            return
        painter = QPainter(self)
        dark = is_dark(self)
        area = event.rect()
        lh = self._line_height
        first_line = max(0, area.top() // lh)
        last_line = area.bottom() // lh
        starts = self._line_start
        if first_line >= len(starts):
            return
        begin = starts[first_line]
        end = starts[last_line + 1] if last_line + 1 < len(starts) else len(self._labels)
        tokens = self.tokens
        assert tokens is not None
        own_text = self.palette().text().color()
        unknown_pen = QPen(self.palette().mid().color(), 1, Qt.PenStyle.DashLine)
        for i in range(begin, end):
            rect = QRect(self._x[i], self._line[i] * lh, self._w[i], lh - 2)
            index = bin_of(tokens.logprob(i))
            fill, text = colors(index, dark)
            if fill is not None:
                painter.fillRect(rect, fill)
            if index < 0:
                painter.setPen(unknown_pen)
                painter.drawRect(rect.adjusted(0, 0, -1, -1))
            painter.setPen(text or own_text)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._labels[i])
            if i == self.current or i == self._hover:
                pen = QPen(self.palette().highlight().color(), 2 if i == self.current else 1)
                painter.setPen(pen)
                painter.drawRect(rect.adjusted(0, 0, -1, -1))

    # -- picking ----------------------------------------------------------------------------
    def index_at(self, x: int, y: int) -> int:
        line = y // self._line_height
        starts = self._line_start
        if line < 0 or line >= len(starts):
            return -1
        end = starts[line + 1] if line + 1 < len(starts) else len(self._labels)
        for i in range(starts[line], end):
            if self._line[i] == line and self._x[i] <= x < self._x[i] + self._w[i]:
                return i
        return -1

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        index = self.index_at(pos.x(), pos.y())
        if index != self._hover:
            self._set_hover(index)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: object) -> None:
        self._set_hover(-1)

    def _set_hover(self, index: int) -> None:
        old, self._hover = self._hover, index
        for i in (old, index):
            if 0 <= i < len(self._labels):
                self.update(self.token_rect(i).adjusted(-2, -2, 2, 2))
        self.hovered.emit(index)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        index = self.index_at(pos.x(), pos.y())
        if index >= 0:
            self.set_current(index)
        super().mousePressEvent(event)

    def set_current(self, index: int) -> None:
        if not self._labels:
            return
        index = max(0, min(index, len(self._labels) - 1))
        old, self.current = self.current, index
        for i in (old, index):
            if 0 <= i < len(self._labels):
                self.update(self.token_rect(i).adjusted(-2, -2, 2, 2))
        self.currentChanged.emit(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.keyCombination().key().value
        current = self.current if self.current >= 0 else -1
        moves: dict[int, int] = {
            Qt.Key.Key_Right.value: current + 1,
            Qt.Key.Key_Left.value: max(current - 1, 0),
            Qt.Key.Key_Home.value: 0,
            Qt.Key.Key_End.value: len(self._labels) - 1,
        }
        if key in moves and self._labels:
            self.set_current(moves[key])
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self.current < 0 and self._labels:
            self.set_current(0)  # keyboard focus shows a token at once

