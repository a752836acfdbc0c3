"""The MCP part of the Tools dock: servers with their state and tools (grouped by server),
each tool's policy and mock, start / stop / restart, the server's log, imports of the
`mcpServers` JSON, and the per-call timeout."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.mcp.config import McpConfigError
from desktop_app.core.mcp.manager import POLICY_LABELS, McpTool, McpTools, Policy
from desktop_app.ui.mcp.server_form import McpServerForm

_STATE = {
    "stopped": "○ stopped",
    "starting": "◌ starting…",
    "ready": "● running",
    "failed": "✗ failed",
}


class McpPanel(QWidget):
    """Lists ``McpTools``' servers and tools; every change goes through McpTools."""

    importFinished = Signal(str)  # what the import said

    def __init__(self, tools: McpTools, parent: QWidget | None = None):
        super().__init__(parent)
        self.mcp = tools
        self.setObjectName("mcpPanel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 8)
        lay.setSpacing(6)
        head = QHBoxLayout()
        title = QLabel("<b>MCP servers</b>", self)
        head.addWidget(title, 1)
        self.add_button = QPushButton("Add…", self)
        self.add_button.setObjectName("mcpAddButton")
        self.add_button.setToolTip("Add an MCP server by hand: a local program or a URL")
        self.add_button.clicked.connect(lambda: self.open_form(None))
        head.addWidget(self.add_button)
        self.import_button = QPushButton("Import mcpServers…", self)
        self.import_button.setObjectName("mcpImportButton")
        self.import_button.setToolTip(
            "Add the servers of a Claude Desktop style JSON file ({\"mcpServers\": {…}})"
        )
        self.import_button.clicked.connect(self._import_dialog)
        head.addWidget(self.import_button)
        lay.addLayout(head)
        split = QSplitter(Qt.Orientation.Vertical, self)
        self.tree = QTreeWidget(split)
        self.tree.setObjectName("mcpTree")
        self.tree.setAccessibleName("MCP servers and their tools")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Server / tool", "State / policy"])
        self.tree.currentItemChanged.connect(lambda *_: self._on_select())
        bottom = QWidget(split)
        blay = QVBoxLayout(bottom)
        blay.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start", bottom)
        self.start_button.setObjectName("mcpStartButton")
        self.stop_button = QPushButton("Stop", bottom)
        self.stop_button.setObjectName("mcpStopButton")
        self.restart_button = QPushButton("Restart", bottom)
        self.restart_button.setObjectName("mcpRestartButton")
        self.edit_button = QPushButton("Edit…", bottom)
        self.edit_button.setObjectName("mcpEditButton")
        self.edit_button.clicked.connect(lambda: self._server_action(self.open_form))
        self.remove_button = QPushButton("Remove", bottom)
        self.remove_button.setObjectName("mcpRemoveButton")
        self.form: McpServerForm | None = None  # the add / edit form while it is open
        for b in (self.start_button, self.stop_button, self.restart_button, self.edit_button,
                  self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        blay.addLayout(buttons)
        self.start_button.clicked.connect(lambda: self._server_action(self.mcp.start))
        self.stop_button.clicked.connect(lambda: self._server_action(self.mcp.stop))
        self.restart_button.clicked.connect(lambda: self._server_action(self.mcp.restart))
        self.remove_button.clicked.connect(lambda: self._server_action(self.mcp.remove_server))
        self.detail = QLabel(bottom)
        self.detail.setObjectName("mcpDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        blay.addWidget(self.detail)
        self.mock = QPlainTextEdit(bottom)
        self.mock.setObjectName("mcpMockEdit")
        self.mock.setAccessibleName("Mock answer of the MCP tool")
        self.mock.setPlaceholderText("Mock answer for this tool ({{arguments.x}} is filled in)")
        self.mock.setFixedHeight(60)
        self.mock.textChanged.connect(self._on_mock)
        blay.addWidget(self.mock)
        self.log = QPlainTextEdit(bottom)
        self.log.setObjectName("mcpLog")
        self.log.setAccessibleName("Server log (stderr)")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(1000)
        blay.addWidget(self.log, 1)
        timeout_row = QHBoxLayout()
        timeout_row.addWidget(QLabel("Each call may take at most", bottom))
        self.timeout = QSpinBox(bottom)
        self.timeout.setObjectName("mcpTimeoutSpin")
        self.timeout.setAccessibleName("Per-call timeout")
        self.timeout.setRange(1, 3600)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(int(self.mcp.call_timeout))
        self.timeout.valueChanged.connect(self.mcp.set_call_timeout)
        timeout_row.addWidget(self.timeout)
        timeout_row.addStretch(1)
        blay.addLayout(timeout_row)
        split.setSizes([160, 200])
        lay.addWidget(split, 1)
        self.status = QLabel(self)
        self.status.setObjectName("mcpStatus")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self._tools: dict[int, McpTool] = {}
        self.mcp.changed.connect(self.refresh)
        self.mcp.logChanged.connect(self._on_log)
        self.refresh()

    # -- the tree -------------------------------------------------------------------------------
    def refresh(self) -> None:
        selected = self._selected_key()
        self.tree.blockSignals(True)
        self.tree.clear()
        self._tools.clear()
        by_server: dict[str, list[McpTool]] = {}
        for tool in self.mcp.tools():
            by_server.setdefault(tool.server_id, []).append(tool)
        current = None
        for server in self.mcp.servers:
            conn = self.mcp.connections.get(server.id)
            state = _STATE.get(conn.state if conn else "stopped", "")
            item = QTreeWidgetItem(self.tree, [server.name, state])
            item.setData(0, Qt.ItemDataRole.UserRole, ("server", server.id))
            problem = server.problem()
            if problem:
                item.setText(1, "✗ " + problem)
            if selected == ("server", server.id):
                current = item
            for tool in by_server.get(server.id, []):
                label = tool.wire_name if tool.wire_name == tool.name else (
                    f"{tool.name} → sent as {tool.wire_name}"
                )
                child = QTreeWidgetItem(item, [label, ""])
                child.setData(0, Qt.ItemDataRole.UserRole, ("tool", tool.key))
                if tool.problem:
                    child.setToolTip(0, tool.problem)
                    child.setText(0, f"{label}  ✗")
                self._tools[id(child)] = tool
                self.tree.setItemWidget(child, 1, self._policy_combo(tool))
                if selected == ("tool", tool.key):
                    current = child
            item.setExpanded(True)
        self.tree.blockSignals(False)
        if current is not None:
            self.tree.setCurrentItem(current)
        self._on_select()
        if not self.mcp.servers:
            self.status.setText(
                "No MCP servers yet: add one, or import a Claude Desktop style mcpServers "
                "JSON file."
            )

    def _policy_combo(self, tool: McpTool) -> QComboBox:
        combo = QComboBox(self.tree)
        combo.setObjectName("mcpPolicyCombo")
        combo.setAccessibleName(f"Policy of {tool.wire_name}")
        for policy, label in POLICY_LABELS.items():
            combo.addItem(label, policy.value)
        combo.setCurrentIndex(combo.findData(self.mcp.policy(tool).value))
        combo.setToolTip(
            "Ask: you Run, Mock or Reject each call · Allow: runs at once · "
            "Mock: answered with the mock · Off: not offered to the model"
        )
        combo.activated.connect(
            lambda i, t=tool, c=combo: self.mcp.set_policy(t, Policy(c.itemData(i)))
        )
        return combo

    def _selected_key(self) -> tuple[str, str] | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def selected_server(self) -> str | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        parent = item.parent()
        data = (parent or item).data(0, Qt.ItemDataRole.UserRole)
        return data[1] if data else None

    def selected_tool(self) -> McpTool | None:
        item = self.tree.currentItem()
        return self._tools.get(id(item)) if item is not None else None

    def _on_select(self) -> None:
        server_id = self.selected_server()
        tool = self.selected_tool()
        for b in (self.start_button, self.stop_button, self.restart_button, self.edit_button,
                  self.remove_button):
            b.setEnabled(server_id is not None)
        self.mock.setVisible(tool is not None)
        if tool is not None:
            self.mock.blockSignals(True)
            if self.mock.toPlainText() != self.mcp.mock(tool):
                self.mock.setPlainText(self.mcp.mock(tool))
            self.mock.blockSignals(False)
        self._show_detail(server_id, tool)
        self._on_log(server_id or "")

    def _show_detail(self, server_id: str | None, tool: McpTool | None) -> None:
        if server_id is None:
            self.detail.setText("")
            return
        conn = self.mcp.connections.get(server_id)
        if tool is not None:
            text = tool.problem or (tool.definition.description if tool.definition else "")
        else:
            text = conn.error if conn is not None else ""
            if conn is None or conn.state == "stopped":
                text = text or "Starts on its first call, or with Start."
        self.detail.setText(text)

    def _on_log(self, server_id: str) -> None:
        if server_id != self.selected_server():
            return
        conn = self.mcp.connections.get(server_id)
        text = conn.log.text() if conn is not None else ""
        if self.log.toPlainText() != text:
            self.log.setPlainText(text)
            bar = self.log.verticalScrollBar()
            bar.setValue(bar.maximum())
        if conn is not None:
            self._show_detail(server_id, self.selected_tool())
            item = self._server_item(server_id)
            if item is not None:
                item.setText(1, _STATE.get(conn.state, ""))

    def _server_item(self, server_id: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            data = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
            if data and data[1] == server_id:
                return item
        return None

    # -- actions ------------------------------------------------------------------------------
    def _server_action(self, action) -> None:
        server_id = self.selected_server()
        if server_id is not None:
            action(server_id)

    def open_form(self, server_id: str | None) -> McpServerForm:
        """Opens the form to add a server (None) or edit one; it stays open until saved."""
        if self.form is not None:
            self.form.close()
        editing = self.mcp.server(server_id) if server_id is not None else None
        form = McpServerForm(self.mcp, editing, self)
        form.saved.connect(self.status.setText)
        form.finished.connect(lambda _r, f=form: self._form_closed(f))
        self.form = form
        form.open()
        return form

    def _form_closed(self, form: McpServerForm) -> None:
        if self.form is form:
            self.form = None
        if form.config is not None:
            # The server just saved is selected: Start, Edit and its log are one click away.
            item = self._server_item(form.config.id)
            if item is not None:
                self.tree.setCurrentItem(item)
        form.deleteLater()

    def _on_mock(self) -> None:
        tool = self.selected_tool()
        if tool is not None:
            self.mcp.set_mock(tool, self.mock.toPlainText())

    def import_file(self, path: str | Path) -> str:
        """Adds the servers of an mcpServers JSON file; returns (and shows) what happened."""
        try:
            text = Path(path).read_text(encoding="utf-8")
            note = self.mcp.import_text(text)
        except (OSError, UnicodeDecodeError) as exc:
            note = f"Could not read {Path(path).name}: {exc}."
        except McpConfigError as exc:
            note = str(exc)
        self.status.setText(note)
        self.importFinished.emit(note)
        return note

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import MCP servers", "", "MCP configuration (*.json);;All files (*)"
        )
        if path:
            self.import_file(path)
