"""The preset picker on top of the Parameters panel, with save, rename, delete, default,
import and export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.params.generation import GenerationParams
from desktop_app.core.params.presets import PresetError

CUSTOM = "Custom (not saved)"
FILE_FILTER = "Gemma Desk presets (*.json);;All files (*)"


class PresetsBar(QWidget):
    """Picking a preset applies it to the current conversation at once."""

    def __init__(self, params: GenerationParams, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.params = params
        self.store = params.presets
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        row = QHBoxLayout()
        row.setSpacing(4)
        self.combo = QComboBox(self)
        self.combo.setObjectName("presetCombo")
        self.combo.setAccessibleName("Preset")
        self.combo.setToolTip("Apply a preset to this conversation (★ = used for new chats)")
        row.addWidget(self.combo, 1)
        self.menu_button = QToolButton(self)
        self.menu_button.setObjectName("presetMenuButton")
        self.menu_button.setText("⋯")
        self.menu_button.setAccessibleName("Preset actions")
        self.menu_button.setToolTip("Save, rename, delete, import or export presets")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.menu_button)
        self.menu_button.setMenu(self.menu)
        row.addWidget(self.menu_button)
        lay.addLayout(row)
        self.note = QLabel(self)
        self.note.setObjectName("presetNote")
        self.note.setWordWrap(True)
        self.note.hide()
        lay.addWidget(self.note)

        self.save_action = self._action("Save as new preset…", lambda: self.save_as())
        self.update_action = self._action("Update preset", lambda: self.update_current())
        self.rename_action = self._action("Rename…", lambda: self.rename())
        self.delete_action = self._action("Delete", lambda: self.delete())
        self.default_action = self._action("Use for new chats", lambda: self.set_default())
        self.menu.addSeparator()
        self._action("Import…", lambda: self.import_from())
        self._action("Export my presets…", lambda: self.export_to())

        self._picked_user: str | None = None
        self._applied: str | None = None  # the preset the note says was applied
        self.combo.activated.connect(self._on_pick)
        self.store.changed.connect(self.refresh)
        params.loaded.connect(self._forget_applied)
        params.loaded.connect(self.refresh)
        params.changed.connect(self.refresh)
        self.refresh()
        if self.store.problem:
            self.show_note(self.store.problem, error=True)

    def _action(self, text: str, slot) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        self.menu.addAction(action)
        return action

    # -- showing -----------------------------------------------------------------------------
    def selected(self) -> str | None:
        """The preset the settings match, None when they are custom."""
        return self.combo.currentData()

    def refresh(self) -> None:
        current = self.params.matching_preset()
        self.combo.blockSignals(True)
        self.combo.clear()
        if current is None:
            self.combo.addItem(CUSTOM, None)
        for preset in self.store.presets():
            label = preset.name
            if preset.name == self.store.default_name:
                label += "  ★"
            self.combo.addItem(label, preset.name)
        self.combo.setCurrentIndex(max(0, self.combo.findData(current)) if current else 0)
        self.combo.blockSignals(False)
        chosen = self.store.get(current) if current else None
        user = chosen is not None and not chosen.builtin
        if chosen is not None:
            self._picked_user = chosen.name if user else None
        picked = self.store.get(self._picked_user) if self._picked_user else None
        # Settings edited after picking a user preset: offer to update that preset.
        can_update = current is None and picked is not None and not picked.builtin
        self.update_action.setEnabled(can_update)
        self.update_action.setText(
            f"Update “{picked.name}” with these settings"
            if can_update and picked
            else "Update preset"
        )
        self.rename_action.setEnabled(user)
        self.delete_action.setEnabled(user)
        self.default_action.setEnabled(chosen is not None and current != self.store.default_name)
        self._show_applied()

    def _forget_applied(self) -> None:
        # Another conversation opened: the note spoke of the one before.
        if self._applied is not None:
            self._applied = None
            self.show_note("")

    def _show_applied(self) -> None:
        """Keeps the note about an applied preset true while the settings are edited."""
        preset = self.store.get(self._applied) if self._applied else None
        if preset is None:
            return
        changed = preset.differences(self.params.settings)
        if not changed:
            self.show_note(f"Applied “{preset.name}”.")
            return
        n = len(changed)
        fields = ", ".join(changed[:3]) + ("…" if n > 3 else "")
        self.show_note(
            f"Applied “{preset.name}”, then changed {n} field{'s' if n > 1 else ''} ({fields})."
        )

    def show_note(self, text: str, error: bool = False) -> None:
        self.note.setText(text)
        self.note.setProperty("error", error)
        self.note.style().unpolish(self.note)
        self.note.style().polish(self.note)
        self.note.setVisible(bool(text))

    # -- actions -----------------------------------------------------------------------------
    def _on_pick(self, index: int) -> None:
        name = self.combo.itemData(index)
        if name is None:
            return
        if self._run(lambda: self.params.apply_preset(name), f"Applied “{name}”."):
            self._applied = name

    def save_as(self, name: str | None = None) -> bool:
        if name is None:
            name, ok = QInputDialog.getText(self, "Save preset", "Name of the new preset:")
            if not ok:
                return False
        return self._run(lambda: self.params.save_preset(name), f"Saved “{name.strip()}”.")

    def update_current(self) -> bool:
        name = self._picked_user
        if not name:
            return False
        return self._run(
            lambda: self.params.save_preset(name, overwrite=True), f"Updated “{name}”."
        )

    def rename(self, new: str | None = None) -> bool:
        old = self.selected()
        if old is None:
            return False
        if new is None:
            new, ok = QInputDialog.getText(self, "Rename preset", "New name:", text=old)
            if not ok:
                return False
        return self._run(lambda: self.store.rename(old, new), f"Renamed to “{new.strip()}”.")

    def delete(self, confirm: bool = True) -> bool:
        name = self.selected()
        if name is None:
            return False
        if confirm:
            answer = QMessageBox.question(
                self,
                "Delete preset",
                f"Delete the preset “{name}”? Conversations keep their settings.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        return self._run(lambda: self.store.delete(name), f"Deleted “{name}”.")

    def set_default(self) -> bool:
        name = self.selected()
        if name is None:
            return False
        return self._run(lambda: self.store.set_default(name), f"New chats start with “{name}”.")

    def import_from(self, path: Path | None = None) -> bool:
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self, "Import presets", "", FILE_FILTER)
            if not chosen:
                return False
            path = Path(chosen)
        names: list[str] = []

        def run() -> None:
            names.extend(p.name for p in self.store.import_file(path))

        if not self._run(run, ""):
            return False
        self.show_note(f"Imported {len(names)} preset(s): {', '.join(names) or 'none'}.")
        return True

    def export_to(self, path: Path | None = None) -> bool:
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export presets", "gemma-desk-presets.json", FILE_FILTER
            )
            if not chosen:
                return False
            path = Path(chosen)
        target = path
        return self._run(lambda: self.store.export_file(target), f"Exported to {target.name}.")

    def _run(self, action, done: str) -> bool:
        self._applied = None  # any other action's note replaces the "Applied" one
        try:
            action()
        except PresetError as exc:
            self.show_note(str(exc), error=True)
            return False
        if self.store.problem:
            self.show_note(self.store.problem, error=True)
        else:
            self.show_note(done)
        return True
