"""Scenarios under the Tools panel: save this chat's tools, mocks, policies and conversation
with its run; replay a saved one against the current server and see how the runs compare."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.tools.scenario import ScenarioRunner, read_scenario

_MARK = {"same": "=", "changed": "≠", "missing": "−", "extra": "+"}


class ScenarioBox(QWidget):
    def __init__(
        self, runner: ScenarioRunner, chat: ChatController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.chat = chat
        self.setObjectName("scenarioBox")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 8)
        lay.setSpacing(4)
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Scenario</b>", self), 1)
        self.save_button = QPushButton("Save…", self)
        self.save_button.setObjectName("scenarioSaveButton")
        self.save_button.setToolTip(
            "Save tools, mocks, policies and this chat up to its last question, with its run"
        )
        self.save_button.clicked.connect(self._save_dialog)
        row.addWidget(self.save_button)
        self.replay_button = QPushButton("Replay…", self)
        self.replay_button.setObjectName("scenarioReplayButton")
        self.replay_button.setToolTip("Run a saved scenario again against the current server")
        self.replay_button.clicked.connect(self._replay_dialog)
        row.addWidget(self.replay_button)
        lay.addLayout(row)
        self.status = QLabel(self)
        self.status.setObjectName("scenarioStatus")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.diffs = QListWidget(self)
        self.diffs.setObjectName("scenarioDiffs")
        self.diffs.setAccessibleName("Saved run against the replay")
        self.diffs.setMaximumHeight(120)
        self.diffs.hide()
        lay.addWidget(self.diffs)
        runner.updated.connect(self._on_updated)
        chat.currentChanged.connect(lambda _c: self.show_replay())

    def save_file(self, path: str | Path) -> bool:
        conv = self.chat.current
        try:
            self.status.setText(self.runner.save(path, conv, conv.title or Path(path).stem))
        except ValueError as exc:
            self.status.setText(str(exc))
            return False
        return True

    def replay_file(self, path: str | Path) -> bool:
        try:
            scenario = read_scenario(path)
        except ValueError as exc:
            self.status.setText(str(exc))
            return False
        problem = self.runner.replay(scenario)
        self.show_replay()
        if problem:
            self.status.setText(f"{self.status.text()}\n{problem}".strip())
        return True

    def _on_updated(self, conv_id: str) -> None:
        if conv_id == self.chat.current.id:
            self.show_replay()

    def show_replay(self) -> None:
        text, diffs = self.runner.status(self.chat.current)
        if not text:
            self.diffs.hide()
            return
        self.status.setText(text)
        self.diffs.clear()
        for d in diffs:
            QListWidgetItem(f"{_MARK[d.kind]} round {d.round}: {d.text}", self.diffs)
        self.diffs.setVisible(bool(diffs))

    def _save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save scenario", "scenario.json", "Tool scenario (*.json)"
        )
        if path:
            self.save_file(path)

    def _replay_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Replay scenario", "", "Tool scenario (*.json);;All files (*)"
        )
        if path:
            self.replay_file(path)
