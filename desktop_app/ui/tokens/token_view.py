"""A reply's tokens drawn as boxes coloured by probability, laid out incrementally as they
stream; hover, click and the arrow keys pick a token."""

from __future__ import annotations

from array import array

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QScrollArea, QSizePolicy, QWidget

from desktop_app.api.logprobs import TokenLog
from desktop_app.ui.common.theme import is_dark
from desktop_app.ui.tokens.colors import bin_of, colors

_PAD = 2  # inside a token box, left and right
_GAP = 1  # between boxes
_BAND = 16  # finished lines drawn once into a picture, which later paints copy
_BANDS_KEPT = 8  # pictures kept (about 2 MB each at 1440 px): a view's height and more


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
        self._bands: dict[int, QPixmap] = {}
        self._band_key: tuple[bool, int] = (False, -1)

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
        self._bands.clear()
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

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self._line_height = self.fontMetrics().height() + 4
            self._widths.clear()
            self._relayout()

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._labels:
            return
        painter = QPainter(self)
        dark = is_dark(self)
        if self._band_key != (dark, self._laid_width):
            self._bands.clear()
            self._band_key = (dark, self._laid_width)
        area = event.rect()
        lh = self._line_height
        first_line = max(0, area.top() // lh)
        last_line = min(area.bottom() // lh, len(self._line_start) - 1)
        done_lines = self._cursor[1]  # lines above the one being filled never change
        band = first_line // _BAND
        while band * _BAND <= last_line:
            top, bottom = band * _BAND, (band + 1) * _BAND - 1
            if bottom < done_lines:
                painter.drawPixmap(0, top * lh, self._band(band, dark))
            else:
                self._paint_lines(painter, max(top, first_line), min(bottom, last_line), dark, 0)
            band += 1
        for i in (self._hover, self.current):
            if 0 <= i < len(self._labels) and first_line <= self._line[i] <= last_line:
                pen = QPen(self.palette().highlight().color(), 2 if i == self.current else 1)
                painter.setPen(pen)
                painter.drawRect(self.token_rect(i).adjusted(0, 0, -1, -1))

    def _band(self, band: int, dark: bool) -> QPixmap:
        """The picture of ``_BAND`` finished lines, drawn once and kept while in use."""
        pixmap = self._bands.pop(band, None)
        if pixmap is None:
            ratio = self.devicePixelRatioF()
            lh = self._line_height
            pixmap = QPixmap(max(1, round(self._laid_width * ratio)),
                             max(1, round(_BAND * lh * ratio)))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setFont(self.font())
            top = band * _BAND
            self._paint_lines(painter, top, top + _BAND - 1, dark, top * lh)
            painter.end()
        self._bands[band] = pixmap  # most recently used last
        while len(self._bands) > _BANDS_KEPT:
            del self._bands[next(iter(self._bands))]
        return pixmap

    def _paint_lines(self, painter: QPainter, first: int, last: int, dark: bool,
                     y0: int) -> None:
        """Draws the tokens on lines ``first``..``last``, ``y0`` pixels higher."""
        starts = self._line_start
        if first >= len(starts):
            return
        begin = starts[first]
        end = starts[last + 1] if last + 1 < len(starts) else len(self._labels)
        tokens = self.tokens
        assert tokens is not None
        lh = self._line_height
        own_text = self.palette().text().color()
        unknown_pen = QPen(self.palette().mid().color(), 1, Qt.PenStyle.DashLine)
        for i in range(begin, end):
            rect = QRect(self._x[i], self._line[i] * lh - y0, self._w[i], lh - 2)
            index = bin_of(tokens.logprob(i))
            fill, text = colors(index, dark)
            if fill is not None:
                painter.fillRect(rect, fill)
            if index < 0:
                painter.setPen(unknown_pen)
                painter.drawRect(rect.adjusted(0, 0, -1, -1))
            painter.setPen(text or own_text)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._labels[i])

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

