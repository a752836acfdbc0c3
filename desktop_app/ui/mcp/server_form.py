"""The form to add or edit one MCP server by hand: stdio (command, args, env, working folder)
or Streamable HTTP (URL, headers). Saving goes through McpTools.add_server, the same path as
an import, so environment values, the URL and headers land in the keyring."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.mcp.config import McpServerConfig
from desktop_app.core.mcp.manager import McpTools
from desktop_app.core.mcp.server_form import ServerFields, read_fields
from desktop_app.ui.common.tab_keys import tab_moves_focus


class McpServerForm(QDialog):
    """Adds a server (``editing`` None) or edits one; ``saved`` carries what to tell."""

    saved = Signal(str)

    def __init__(self, mcp: McpTools, editing: McpServerConfig | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mcp = mcp
        self.editing = editing
        self.config: McpServerConfig | None = None  # what was saved
        self.setObjectName("mcpServerForm")
        self.setWindowTitle("Edit MCP server" if editing else "Add MCP server")
        lay = QVBoxLayout(self)
        top = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setObjectName("mcpFormName")
        self.name.setPlaceholderText("e.g. files (letters, digits, _ and -)")
        top.addRow("&Name", self.name)
        self.transport = QComboBox(self)
        self.transport.setObjectName("mcpFormTransport")
        self.transport.addItem("Local program (stdio)", "stdio")
        self.transport.addItem("Streamable HTTP", "http")
        top.addRow("&Transport", self.transport)
        lay.addLayout(top)

        self.pages = QStackedWidget(self)
        stdio = QWidget(self.pages)
        sform = QFormLayout(stdio)
        sform.setContentsMargins(0, 0, 0, 0)
        self.command = QLineEdit(stdio)
        self.command.setObjectName("mcpFormCommand")
        self.command.setPlaceholderText("npx, uvx, python3 or a program's full path")
        sform.addRow("&Command", self.command)
        self.args = QLineEdit(stdio)
        self.args.setObjectName("mcpFormArgs")
        self.args.setPlaceholderText('as in a shell: -y server "a folder with spaces"')
        sform.addRow("&Arguments", self.args)
        self.env = QPlainTextEdit(stdio)
        self.env.setObjectName("mcpFormEnv")
        self.env.setPlaceholderText("KEY=value, one a line (kept in the keyring)")
        self.env.setFixedHeight(64)
        tab_moves_focus(self.env)
        sform.addRow("&Environment", self.env)
        self.cwd = QLineEdit(stdio)
        self.cwd.setObjectName("mcpFormCwd")
        self.cwd.setPlaceholderText("optional")
        sform.addRow("&Working folder", self.cwd)
        self.pages.addWidget(stdio)
        http = QWidget(self.pages)
        hform = QFormLayout(http)
        hform.setContentsMargins(0, 0, 0, 0)
        self.url = QLineEdit(http)
        self.url.setObjectName("mcpFormUrl")
        self.url.setPlaceholderText("http://127.0.0.1:8000/mcp (kept in the keyring)")
        hform.addRow("&URL", self.url)
        self.headers = QPlainTextEdit(http)
        self.headers.setObjectName("mcpFormHeaders")
        self.headers.setPlaceholderText("Name: value, one a line (kept in the keyring)")
        self.headers.setFixedHeight(64)
        tab_moves_focus(self.headers)
        hform.addRow("&Headers", self.headers)
        self.pages.addWidget(http)
        lay.addWidget(self.pages)
        self.transport.currentIndexChanged.connect(self.pages.setCurrentIndex)

        self.error = QLabel(self)
        self.error.setObjectName("mcpFormError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d93025")
        self.error.hide()
        lay.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton("Save" if editing else "Add", self)
        self.save_button.setObjectName("mcpFormSave")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        lay.addLayout(buttons)
        if editing is not None:
            self._fill(ServerFields.of(editing))

    def _fill(self, fields: ServerFields) -> None:
        self.name.setText(fields.name)
        self.transport.setCurrentIndex(self.transport.findData(fields.transport))
        self.command.setText(fields.command)
        self.args.setText(fields.args)
        self.env.setPlainText(fields.env)
        self.cwd.setText(fields.cwd)
        self.url.setText(fields.url)
        self.headers.setPlainText(fields.headers)

    def fields(self) -> ServerFields:
        return ServerFields(
            name=self.name.text(),
            transport="http" if self.transport.currentData() == "http" else "stdio",
            command=self.command.text(),
            args=self.args.text(),
            env=self.env.toPlainText(),
            cwd=self.cwd.text(),
            url=self.url.text(),
            headers=self.headers.toPlainText(),
        )

    def save(self) -> None:
        """Adds or replaces the server, or shows why not (the form stays as typed)."""
        editing = self.editing.id if self.editing is not None else None
        config, problem = read_fields(self.fields(), self.mcp.servers, editing)
        if config is None:
            self.error.setText(problem)
            self.error.show()
            return
        self.mcp.add_server(config)
        self.config = config
        self.error.hide()
        verb = "Saved" if self.editing is not None else "Added"
        self.saved.emit(f"{verb} MCP server {config.name}. Start it to list its tools.")
        self.accept()
