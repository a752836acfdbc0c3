"""How the main window fits small screens: header buttons that overflow into a menu, docks
that shrink to a sensible minimum (scrolling inside), nothing that widens the window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QWidget,
)

# The narrowest a side dock gets: its controls scroll inside it below this. With the
# conversation list and a usable chat column this keeps the window's minimum under 640 px.
DOCK_MIN_WIDTH = 220
COLLAPSE_BELOW = 720  # window widths below this fold the conversation list away
# ...and so does any width that would leave the conversation narrower than this beside the
# list and the open side docks (800 px with the Parameters dock open: about 15 words a line).
CHAT_MIN_WIDTH = 460
SIDEBAR_WIDTH = 220  # the list's width when it comes back, at least
DOCK_MAX_NATURAL = 480  # a dock given back its width gets at most this


class HeaderTools(QToolBar):
    """The header's badge and buttons, right-aligned. What does not fit moves into the
    toolbar's "»" menu instead of being cut or widening the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("headerTools")
        self.setMovable(False)
        self.setFloatable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setStyleSheet("QToolBar#headerTools { border: none; background: transparent; }")
        self._actions: dict[QWidget, QAction] = {}

    def add(self, widget: QWidget) -> None:
        self._actions[widget] = self.addWidget(widget)

    def set_shown(self, widget: QWidget, shown: bool) -> None:
        """Shows or hides a widget of the bar (through its action, as a tool bar wants)."""
        self._actions[widget].setVisible(shown)

    def is_shown(self, widget: QWidget) -> bool:
        return self._actions[widget].isVisible()


def fit_side_dock(dock: QDockWidget, min_width: int = DOCK_MIN_WIDTH) -> None:
    """Lets `dock` shrink to `min_width`: its panel scrolls inside it when narrower than the
    panel would like (wrapped in a scroll area unless it already is one)."""
    panel = dock.widget()
    if panel is not None and not isinstance(panel, QScrollArea):
        scroll = QScrollArea(dock)
        scroll.setObjectName(f"{dock.objectName()}Scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(panel)
        dock.setWidget(scroll)
    dock.setMinimumWidth(min_width)


SIDES = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)


def side_docks(window: QMainWindow) -> list[QDockWidget]:
    return [d for d in window.findChildren(QDockWidget) if window.dockWidgetArea(d) in SIDES]


def fit_window(window: QMainWindow) -> WindowFit | None:
    """Applies the small-screen rules to the window: side docks shrink, the conversation
    list (the central splitter's first part) folds away on a narrow window and comes back
    on a wider one."""
    for dock in side_docks(window):
        fit_side_dock(dock)
    splitter = window.centralWidget()
    return WindowFit(window, splitter) if isinstance(splitter, QSplitter) else None


class WindowFit(QObject):
    """Follows the window's width. Below COLLAPSE_BELOW the conversation list folds away
    (its splitter handle brings it back); when the window grows again the list and the
    side docks get back the width they had before it shrank. The window is never resized."""

    def __init__(self, window: QMainWindow, splitter: QSplitter) -> None:
        super().__init__(window)
        self._window = window
        self._splitter = splitter
        splitter.setCollapsible(0, True)
        # The list's width as built (a window that shrank has already squeezed it by the
        # time its resize is seen, so it is taken now).
        self._side = max(splitter.sizes()[0], SIDEBAR_WIDTH)
        self._folded = False
        self._width = window.width()
        window.installEventFilter(self)
        for dock in side_docks(window):
            # A dock brought up (opened, or its tab chosen) gets the width its panel needs,
            # as far as the conversation can spare it: tabbed docks share one width, which
            # the first one shown has set.
            dock.visibilityChanged.connect(self._on_dock_shown)

    def _on_dock_shown(self, visible: bool) -> None:
        if visible:
            # After the tab group has laid itself out, or it sets its old width back.
            QTimer.singleShot(0, self, self._widen_shown)

    def _widen_shown(self) -> None:
        side = 0 if self._folded else self._side
        self._widen_docks(self._window.width() - side - CHAT_MIN_WIDTH)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Resize:
            self._follow(self._window.width())
        return False

    def _narrow(self, width: int) -> bool:
        docks = sum(d.width() for d in side_docks(self._window) if d.isVisible())
        return width < COLLAPSE_BELOW or width - docks - self._side < CHAT_MIN_WIDTH

    def _follow(self, width: int) -> None:
        growing = width > self._width
        self._width = width
        narrow = self._narrow(width)
        if narrow and not self._folded:
            self._folded = True
            self._splitter.setSizes([0, sum(self._splitter.sizes())])
        elif not narrow and (self._folded or growing):
            self._folded = False
            sizes = self._splitter.sizes()
            if sizes[0] < self._side:
                total = sum(sizes)
                self._splitter.setSizes([self._side, max(0, total - self._side)])
        if growing and not narrow:
            self._widen_docks(width)
        elif narrow and width >= COLLAPSE_BELOW:
            # The folded list made room: squeezed docks take what the conversation can spare.
            self._widen_docks(width - CHAT_MIN_WIDTH)

    def _widen_docks(self, room: int) -> None:
        """Docks squeezed by a smaller window get back their natural width, sharing `room`."""
        shown = [d for d in side_docks(self._window) if d.isVisible()]
        # Docks tabbed together share one width: the room is shared between groups.
        groups = 0
        seen: set[int] = set()
        for dock in shown:
            if id(dock) not in seen:
                groups += 1
                seen.add(id(dock))
                seen.update(id(t) for t in self._window.tabifiedDockWidgets(dock))
        share = max(DOCK_MIN_WIDTH, room // max(1, groups))
        docks, wanted = [], []
        for dock in shown:
            natural = min(dock_natural_width(dock), share)
            if dock.width() < natural:
                docks.append(dock)
                wanted.append(natural)
        if docks:
            self._window.resizeDocks(docks, wanted, Qt.Orientation.Horizontal)


def dock_natural_width(dock: QDockWidget) -> int:
    """The width at which the dock's panel needs no sideways scrolling (capped)."""
    panel: QWidget | None = dock.widget()
    if isinstance(panel, QScrollArea):
        panel = panel.widget()
    hint = panel.sizeHint().width() + 24 if panel is not None else DOCK_MIN_WIDTH
    return max(DOCK_MIN_WIDTH, min(hint, DOCK_MAX_NATURAL))
