"""The Tools panel: the conversation's tools, tool choice, import/export and Send blocking."""

from __future__ import annotations

import asyncio
import functools
import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.api import NamedToolChoice
from desktop_app.core.chat.conversation import Conversation
from desktop_app.core.resources import resource_path
from desktop_app.core.tasks import TaskRunner
from desktop_app.core.tools.exchange import import_tools, load_tools_file, write_tools_file
from desktop_app.core.tools.loop import ToolLoop
from desktop_app.core.tools.workbench import SAMPLE_TOOLS, ToolEntry
from desktop_app.ui.common.theme import plus_icon
from desktop_app.ui.tools.editor import ToolEditor

BLANK_TOOL = """{
  "name": "%s",
  "description": "What the tool does, and when the model should call it.",
  "parameters": {
    "type": "object",
    "properties": {
      "query": {"type": "string", "description": "What to look for"}
    },
    "required": ["query"]
  }
}"""
log = logging.getLogger(__name__)

CHOICES = (
    ("auto", "Auto: the model decides"),
    ("none", "None: never call a tool"),
    ("required", "Required: must call a tool"),
)


class ToolsPanel(QWidget):
    """Edits ``conversation.settings.tool_bench`` of the current conversation."""

    importFinished = Signal(bool)  # an import started by import_file ended; True if it added

    def __init__(self, loop: ToolLoop, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loop = loop
        self.chat = loop.chat
        self._tasks = runner  # the app's task runner: imports are read off the UI thread
        self.setObjectName("toolsPanel")
        self.setMinimumWidth(340)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(6)
        choice_row = QHBoxLayout()
        choice_row.addWidget(QLabel("Tool choice", self))
        self.choice = QComboBox(self)
        self.choice.setObjectName("toolChoiceCombo")
        self.choice.setAccessibleName("Tool choice")
        self.choice.activated.connect(self._on_choice)
        choice_row.addWidget(self.choice, 1)
        lay.addLayout(choice_row)
        self.parallel = QCheckBox("Parallel calls (several calls in one reply)", self)
        self.parallel.setObjectName("parallelToolCalls")
        self.parallel.toggled.connect(self._on_parallel)
        lay.addWidget(self.parallel)
        rounds_row = QHBoxLayout()
        rounds_row.addWidget(QLabel("Auto-answer at most", self))
        self.rounds = QSpinBox(self)
        self.rounds.setObjectName("autoRoundsSpin")
        self.rounds.setAccessibleName("Auto-answer round limit")
        self.rounds.setRange(0, 50)
        self.rounds.setSuffix(" rounds")
        self.rounds.valueChanged.connect(self._on_rounds)
        rounds_row.addWidget(self.rounds)
        rounds_row.addWidget(QLabel("per message", self), 1)
        lay.addLayout(rounds_row)

        buttons = QHBoxLayout()
        self.add_button = QToolButton(self)
        self.add_button.setObjectName("toolAddButton")
        self.add_button.setText("Add")
        self.add_button.setIcon(plus_icon())
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.add_button)
        menu.addAction("Blank tool", self.add_blank)
        menu.addSeparator()
        for name in SAMPLE_TOOLS:
            menu.addAction(f"Sample: {Path(name).stem}", functools.partial(self.add_sample, name))
        self.add_button.setMenu(menu)
        buttons.addWidget(self.add_button)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName("toolRemoveButton")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        for text, name, slot in (
            ("Import…", "toolImportButton", self._import_dialog),
            ("Export…", "toolExportButton", self._export_dialog),
        ):
            btn = QPushButton(text, self)
            btn.setObjectName(name)
            btn.clicked.connect(slot)
            buttons.addWidget(btn)
            if name == "toolImportButton":
                self.import_button = btn
        lay.addLayout(buttons)

        split = QSplitter(Qt.Orientation.Vertical, self)
        self.list = QListWidget(split)
        self.list.setObjectName("toolList")
        self.list.setAccessibleName("Tools")
        self.list.currentRowChanged.connect(self._on_select)
        self.list.itemChanged.connect(self._on_item_changed)
        self.editor = ToolEditor(split)
        self.editor.sourceEdited.connect(self._on_source)
        self.editor.mockEdited.connect(self._on_mock)
        self.editor.autoAnswerToggled.connect(self._on_auto)
        self.editor.mockMoreEdited.connect(self._on_mock_more)
        split.setSizes([120, 420])
        lay.addWidget(split, 1)
        self.status = QLabel(self)
        self.status.setObjectName("toolsStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.status)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("toolImportProgress")
        self.progress.setRange(0, 0)  # busy: reading and checking has no useful percentage
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        lay.addWidget(self.progress)
        self._message = ""
        self._importing = ""  # the file being imported, while it is
        self.chat.currentChanged.connect(lambda _c: self.show_conversation())
        self.loop.changed.connect(self._on_loop_changed)
        self.chat.busyChanged.connect(lambda _busy: self._sync())
        self.show_conversation()

    # -- the conversation ------------------------------------------------------------------
    @property
    def conv(self) -> Conversation:
        return self.chat.current

    def entries(self) -> list[ToolEntry]:
        return self.conv.settings.tool_bench.entries

    def show_conversation(self) -> None:
        bench = self.loop.bench(self.conv)
        self._message = ""
        self._fill_list(select=0 if bench.entries else -1)
        s = self.conv.settings
        self.parallel.blockSignals(True)
        self.parallel.setChecked(s.parallel_tool_calls is not False)
        self.parallel.blockSignals(False)
        self.rounds.blockSignals(True)
        self.rounds.setValue(bench.max_auto_rounds)
        self.rounds.blockSignals(False)
        self._sync()

    def _fill_list(self, select: int) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for entry in self.entries():
            item = QListWidgetItem(self.list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if entry.enabled else Qt.CheckState.Unchecked)
            self._label(item, entry)
        self.list.blockSignals(False)
        self.list.setCurrentRow(select)
        self._on_select(self.list.currentRow())

    def _label(self, item: QListWidgetItem, entry: ToolEntry) -> None:
        check = entry.check()
        text = entry.name
        if not check.ok:
            text += f"  ✗ {len(check.errors)} error{'s' * (len(check.errors) != 1)}"
        elif check.problems:
            text += f"  ⚠ {len(check.problems)} warning{'s' * (len(check.problems) != 1)}"
        if not entry.enabled:
            text += "  (off)"
        if entry.auto_answer and entry.mock.strip():
            text += "  · auto"
        item.setText(text)
        item.setToolTip("Checked tools are sent with each request")

    def _current(self) -> ToolEntry | None:
        row = self.list.currentRow()
        entries = self.entries()
        return entries[row] if 0 <= row < len(entries) else None

    # -- edits -----------------------------------------------------------------------------
    def _changed(self, relabel: bool = True) -> None:
        self.loop.apply_bench(self.conv)  # emits changed -> _sync
        if relabel:
            for row, entry in enumerate(self.entries()):
                item = self.list.item(row)
                if item is not None:
                    self.list.blockSignals(True)
                    self._label(item, entry)
                    self.list.blockSignals(False)

    def _on_select(self, row: int) -> None:
        entry = self._current()
        self.editor.load(entry)
        self.remove_button.setEnabled(entry is not None)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        entries = self.entries()
        row = self.list.row(item)
        if 0 <= row < len(entries):
            entries[row].enabled = item.checkState() == Qt.CheckState.Checked
            self._changed()

    def _on_source(self, text: str) -> None:
        entry = self._current()
        if entry is None:
            return
        entry.source = text
        self.editor.show_check(entry.check())
        self._changed()

    def _on_mock(self, text: str) -> None:
        entry = self._current()
        if entry is not None:
            entry.mock = text
            self._changed()

    def _on_auto(self, on: bool) -> None:
        entry = self._current()
        if entry is not None:
            entry.auto_answer = on
            self._changed()

    def _on_mock_more(self) -> None:
        entry = self._current()
        if entry is not None:
            entry.mock_cases = self.editor.cases.toPlainText()
            entry.mock_error = self.editor.mock_error.isChecked()
            entry.mock_delay = self.editor.mock_delay.value()
            self._changed()

    def _on_choice(self, index: int) -> None:
        value = self.choice.itemData(index)
        s = self.conv.settings
        s.tool_choice = NamedToolChoice(value[6:]) if value.startswith("named:") else value
        self._sync()

    def _on_parallel(self, on: bool) -> None:
        self.conv.settings.parallel_tool_calls = on
        self._sync()

    def _on_rounds(self, value: int) -> None:
        self.conv.settings.tool_bench.max_auto_rounds = value
        self._sync()

    def add_entries(self, new: list[ToolEntry], note: str = "") -> None:
        taken = {e.name for e in self.entries() if e.enabled}
        clashes = []
        for entry in new:
            if entry.name in taken:
                entry.enabled = False  # a second tool of the same name would block Send
                clashes.append(entry.name)
            taken.add(entry.name)
        self.entries().extend(new)
        self._changed(relabel=False)
        self._fill_list(select=len(self.entries()) - 1)
        if clashes:
            note += f" Already had {', '.join(clashes)}: the copy is added switched off."
        self._message = note.strip()
        self._sync()

    def add_blank(self) -> None:
        names = {e.name for e in self.entries()}
        name, n = "my_tool", 1
        while name in names:
            n += 1
            name = f"my_tool_{n}"
        self.add_entries([ToolEntry(source=BLANK_TOOL % name)])

    def add_sample(self, file_name: str) -> None:
        text = resource_path("tools", file_name).read_text(encoding="utf-8")
        self.add_entries(import_tools(text))

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        entries = self.entries()
        if 0 <= row < len(entries):
            del entries[row]
            self._changed(relabel=False)
            self._fill_list(select=min(row, len(entries) - 1))

    # -- files -----------------------------------------------------------------------------
    def import_file(self, path: str | Path) -> None:
        """Starts importing `path`: read, parsed and checked on a worker thread while the
        panel shows progress and stays usable; `importFinished` tells how it ended."""
        self._importing = Path(path).name
        self._message = f"Importing {self._importing}…"
        self.import_button.setEnabled(False)
        self.progress.show()
        self._sync()
        self._tasks.start("import-tools", self._import(Path(path)))

    def importing(self) -> bool:
        return bool(self._importing)

    async def _import(self, path: Path) -> None:
        ok = False
        try:
            entries, note = await asyncio.to_thread(load_tools_file, path)
        except ValueError as exc:
            self._message = str(exc)
        except Exception as exc:  # a bug in reading must still end in a message, not a hang
            log.exception("importing %s failed", path.name)
            self._message = f"Could not import {path.name} ({type(exc).__name__}: {exc})."
        else:
            ok = True
        finally:
            self._importing = ""
            self.import_button.setEnabled(True)
            self.progress.hide()
        if ok:
            self.add_entries(entries, note)
        else:
            self._sync()
        self.importFinished.emit(ok)

    def export_file(self, path: str | Path) -> bool:
        try:
            self._message = write_tools_file(path, self.entries())
        except ValueError as exc:
            self._message = str(exc)
        self._sync()
        return self._message.startswith("Exported")

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import tools", "", "OpenAI tools JSON (*.json);;All files (*)"
        )
        if path:
            self.import_file(path)

    def _export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export tools", "tools.json", "JSON (*.json)")
        if path:
            self.export_file(path)

    # -- what the rest of the window sees --------------------------------------------------
    def _on_loop_changed(self, conv_id: str) -> None:
        if conv_id == self.conv.id:
            self._sync()

    def _sync(self) -> None:
        conv = self.conv
        bench = conv.settings.tool_bench
        if bench.reconcile(conv.settings.tools):  # tools set elsewhere since the last look
            self._fill_list(select=0 if bench.entries else -1)
        self._fill_choices()
        problems = bench.blocking_problems()
        pending = self.loop.block_reason(conv)
        lines = [*problems]
        if pending:
            lines.append(pending)
        note = self.loop.notes.get(conv.id)
        if note:
            lines.append(note)
        if self._message:
            lines.append(self._message)
        if not bench.entries:
            lines.append("No tools yet: add a sample or a blank tool, or import a tools file.")
        self.status.setText("\n".join(lines))

    def _fill_choices(self) -> None:
        s = self.conv.settings
        current = s.tool_choice
        want = f"named:{current.name}" if isinstance(current, NamedToolChoice) else current
        self.choice.blockSignals(True)
        self.choice.clear()
        for value, text in CHOICES:
            self.choice.addItem(text, value)
        for tool in s.tools:
            self.choice.addItem(f"Only {tool.name}", f"named:{tool.name}")
        index = self.choice.findData(want or "auto")
        self.choice.setCurrentIndex(max(index, 0))
        self.choice.blockSignals(False)
