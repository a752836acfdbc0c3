"""How the main window fits small screens: header buttons that overflow into a menu, docks
that shrink to a sensible minimum (scrolling inside), nothing that widens the window."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QToolBar,
    QWidget,
)

# The narrowest a side dock gets: its controls scroll inside it below this. With the
# conversation list and a usable chat column this keeps the window's minimum under 640 px.
DOCK_MIN_WIDTH = 220
SMALLEST_WINDOW = QSize(640, 480)


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


def fit_window(window: QMainWindow) -> None:
    """Applies the small-screen rules to every dock on the window's sides."""
    sides = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
    for dock in window.findChildren(QDockWidget):
        if window.dockWidgetArea(dock) in sides:
            fit_side_dock(dock)
