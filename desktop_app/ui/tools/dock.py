"""The Tools dock in the main window: placed on the right, tabbed, toggled from View."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QSplitter

from desktop_app.core.mcp.manager import McpTools
from desktop_app.core.tasks import TaskRunner
from desktop_app.core.tools.library import ToolLibrary
from desktop_app.core.tools.loop import ToolLoop
from desktop_app.core.tools.scenario import ScenarioRunner
from desktop_app.ui.tools.panel import ToolsPanel


def make_tools_dock(
    window: QMainWindow,
    view_menu: QMenu,
    loop: ToolLoop,
    runner: TaskRunner,
    mcp: McpTools | None = None,
    library: ToolLibrary | None = None,
    scenarios: ScenarioRunner | None = None,
) -> tuple[ToolsPanel, QDockWidget]:
    """The Tools dock (hidden until View > Tools) on the window's right side: the
    conversation's own tools, and under them the MCP servers' tools."""
    panel = ToolsPanel(loop, runner, window)
    dock = QDockWidget("Tools", window)
    dock.setObjectName("toolsDock")
    if mcp is None and library is None and scenarios is None:
        dock.setWidget(panel)
    else:
        split = QSplitter(Qt.Orientation.Vertical, dock)
        split.setObjectName("toolsSplit")
        split.addWidget(panel)
        if library is not None:
            from desktop_app.ui.tools.library_box import LibraryBox

            split.addWidget(LibraryBox(library, panel, split))
        if scenarios is not None:
            from desktop_app.ui.tools.scenario_box import ScenarioBox

            split.addWidget(ScenarioBox(scenarios, loop.chat, split))
        if mcp is not None:
            from desktop_app.ui.mcp.panel import McpPanel

            split.addWidget(McpPanel(mcp, parent=split))
        dock.setWidget(split)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.hide()
    action: QAction = dock.toggleViewAction()
    action.setText("&Tools")
    action.setShortcut(QKeySequence("Ctrl+Shift+T"))
    view_menu.addAction(action)
    # Shown from the menu while tabbed with another dock: bring its tab to the front.
    action.toggled.connect(lambda on: on and QTimer.singleShot(0, dock, dock.raise_))
    # Share the right side as a tab with docks installed after this one (e.g. parameters).
    QTimer.singleShot(0, dock, lambda: _tabify(window, dock))
    return panel, dock


def _tabify(window: QMainWindow, dock: QDockWidget) -> None:
    area = Qt.DockWidgetArea.RightDockWidgetArea
    others = [
        d
        for d in window.findChildren(QDockWidget)
        if d is not dock and window.dockWidgetArea(d) == area and not d.isFloating()
    ]
    if others:
        window.tabifyDockWidget(others[0], dock)
