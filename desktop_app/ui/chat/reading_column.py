"""The chat's reading column: as wide as the view on a small window (text wraps, never cut),
centred and at most about 90 characters wide on a large one."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QBoxLayout, QScrollArea, QSizePolicy, QWidget

READING_CHARS = 90  # a comfortable line length for prose
WIDE_MARGIN = 24  # pixels each side of the column when there is room
NARROW_MARGIN = 8  # ... and on a narrow window
NARROW_BELOW = 480  # viewport widths below this get the narrow margins
MESSAGE_CHROME = 36  # a message's own padding and border around its text


class ReadingColumn(QObject):
    """Keeps the scroll area's body exactly as wide as its viewport (so nothing in it is
    wider than what is shown) and sets the body layout's side margins after the width."""

    def __init__(self, area: QScrollArea, body: QWidget, layout: QBoxLayout) -> None:
        super().__init__(area)
        self._area = area
        self._body = body
        self._layout = layout
        # Ignored: the body's children never make it wider than the viewport; they wrap.
        policy = body.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        body.setSizePolicy(policy)
        area.viewport().installEventFilter(self)

    def fit(self, message: QWidget) -> None:
        """A message takes the column's width even below its own minimum (its lines wrap,
        its header squeezes): measured at its minimum instead, its height would be that of
        a wider message and its last lines would be covered."""
        policy = message.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        message.setSizePolicy(policy)

    def column_width(self) -> int:
        """The widest a message gets, in pixels, for the body's font."""
        return READING_CHARS * self._body.fontMetrics().averageCharWidth() + MESSAGE_CHROME

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.apply()
        return False

    def apply(self) -> None:
        width = self._area.viewport().width()
        # The scroll area measures the body's height for the body's preferred width, bounded
        # by its maximum: bounded by the viewport, the height is the one of the lines as they
        # wrap on screen (else the last lines of a narrow message are covered).
        if self._body.maximumWidth() != width:
            self._body.setMaximumWidth(width)
        margin = NARROW_MARGIN if width < NARROW_BELOW else WIDE_MARGIN
        side = max(margin, (width - self.column_width()) // 2)
        m = self._layout.contentsMargins()
        if m.left() != side or m.right() != side:
            self._layout.setContentsMargins(side, m.top(), side, m.bottom())
