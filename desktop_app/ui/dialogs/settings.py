"""Server profiles: name, address, model, API key and CA bundle, with "Test connection"."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.session.profiles import ServerProfile
from desktop_app.core.session.server import ConnectionReport


class SettingsDialog(QDialog):
    """Edits a list of profiles. The owner saves them and runs the connection test."""

    testRequested = Signal(object)  # ServerProfile
    profileSaved = Signal(object)  # ServerProfile
    profileDeleted = Signal(str)
    profileActivated = Signal(str)
    stallLimitChanged = Signal(int)  # seconds, 0 = off (an app-wide setting)
    demoRequested = Signal()

    def __init__(
        self,
        profiles: list[ServerProfile],
        active_id: str | None,
        keyring_problem: str | None,
        parent: QWidget | None = None,
        stall_seconds: int | None = None,
        demo_available: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Servers")
        self.resize(760, 460)
        self._profiles = {p.id: p for p in profiles}
        root = QHBoxLayout(self)
        left = QVBoxLayout()
        self.list = QListWidget(self)
        self.list.setObjectName("profileList")
        self.list.setAccessibleName("Server profiles")
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add", self)
        self.add_button.setObjectName("addProfileButton")
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName("removeProfileButton")
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)
        root.addLayout(left, 1)

        right = QVBoxLayout()
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setObjectName("profileName")
        self.base_url = QLineEdit(self)
        self.base_url.setObjectName("profileBaseUrl")
        self.base_url.setPlaceholderText("https://my-server:8000/v1")
        self.model = QComboBox(self)
        self.model.setObjectName("profileModel")
        self.model.setEditable(True)
        if (model_edit := self.model.lineEdit()) is not None:  # made by setEditable(True)
            model_edit.setPlaceholderText("Leave empty to use the server's model")
        self.api_key = QLineEdit(self)
        self.api_key.setObjectName("profileApiKey")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("Stored in the system keyring")
        self.ca_bundle = QLineEdit(self)
        self.ca_bundle.setObjectName("profileCaBundle")
        self.ca_bundle.setPlaceholderText("Optional: a PEM file of trusted CAs")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(browse)
        for label, widget in (
            ("Name", self.name),
            ("Base URL", self.base_url),
            ("Model", self.model),
            ("API key", self.api_key),
        ):
            widget.setAccessibleName(label)
            form.addRow(label, widget)
        form.addRow("CA bundle", ca_row)
        right.addLayout(form)
        test_row = QHBoxLayout()
        self.demo_button = QPushButton("Use demo server", self)
        self.demo_button.setObjectName("useDemoButton")
        self.demo_button.setToolTip("Chat with the built-in simulator again (no model runs)")
        self.demo_button.setVisible(demo_available)
        left.addWidget(self.demo_button)
        self.test_button = QPushButton("Test connection", self)
        self.test_button.setObjectName("testConnectionButton")
        self.save_button = QPushButton("Save", self)
        self.save_button.setObjectName("saveProfileButton")
        self.use_button = QPushButton("Use this server", self)
        self.use_button.setObjectName("useProfileButton")
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        test_row.addWidget(self.save_button)
        test_row.addWidget(self.use_button)
        # Right under the form: notes that come and go below never move these buttons.
        right.addLayout(test_row)
        self.warning = QLabel(self)
        self.warning.setObjectName("transportWarning")
        self.warning.setWordWrap(True)
        self.warning.setProperty("warning", True)
        right.addWidget(self.warning)
        self.keyring_note = QLabel(keyring_problem or "", self)
        self.keyring_note.setObjectName("keyringWarning")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setProperty("warning", True)
        self.keyring_note.setVisible(bool(keyring_problem))
        right.addWidget(self.keyring_note)
        self.test_result = QLabel(self)
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.test_result)
        right.addStretch(1)
        # App-wide, not per server: how long a reply may bring no data before it ends.
        self.stall_limit = QSpinBox(self)
        self.stall_limit.setObjectName("stallLimit")
        self.stall_limit.setRange(0, 3600)
        self.stall_limit.setSuffix(" s")
        self.stall_limit.setSpecialValueText("Off")
        self.stall_limit.setAccessibleName("Reply stall limit")
        self.stall_limit.setToolTip(
            "End a reply as an error when the server sends no data (keep-alives do not "
            "count) for this many seconds; what arrived is kept. 0 turns it off."
        )
        self.stall_limit.setVisible(stall_seconds is not None)
        if stall_seconds is not None:
            self.stall_limit.setValue(stall_seconds)
            stall_form = QFormLayout()
            stall_form.addRow("Reply stall limit", self.stall_limit)
            right.addLayout(stall_form)
        self.stall_limit.valueChanged.connect(self.stallLimitChanged)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        right.addWidget(close)
        root.addLayout(right, 2)

        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.test_button.clicked.connect(lambda: self.testRequested.emit(self.current_form()))
        self.save_button.clicked.connect(self._save)
        self.use_button.clicked.connect(self._use)
        self.base_url.textChanged.connect(self._update_warning)
        self.demo_button.clicked.connect(self._use_demo)
        # A result speaks of the address, key and CA it was tested with: an edit ends it.
        for edit in (self.base_url, self.api_key, self.ca_bundle):
            edit.textEdited.connect(self._forget_test)
        self._saved_ids = {p.id for p in profiles}
        self._tested: set[str] = set()
        self.closing_box: QMessageBox | None = None
        self.remove_box: QMessageBox | None = None
        self.list.currentItemChanged.connect(self._on_select)
        for p in profiles:
            self._add_item(p)
        if not profiles:
            self._add()
        else:
            self._select(active_id or profiles[0].id)

    # -- list --------------------------------------------------------------------------
    def _add_item(self, p: ServerProfile) -> QListWidgetItem:
        item = QListWidgetItem(p.name, self.list)
        item.setData(Qt.ItemDataRole.UserRole, p.id)
        return item

    def _select(self, profile_id: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == profile_id:
                self.list.setCurrentRow(i)
                return

    def _current_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _on_select(self, current: QListWidgetItem | None, _prev: object = None) -> None:
        if current is None:
            return
        p = self._profiles[current.data(Qt.ItemDataRole.UserRole)]
        self.name.setText(p.name)
        self.base_url.setText(p.base_url)
        self.model.setEditText(p.model)
        self.api_key.setText(p.api_key)
        self.ca_bundle.setText(p.ca_bundle)
        self.test_result.clear()
        self._update_warning()

    def _add(self) -> None:
        p = ServerProfile(name="New server", base_url="http://127.0.0.1:8000/v1")
        self._profiles[p.id] = p
        self._add_item(p)
        self._select(p.id)
        self.name.setFocus()
        self.name.selectAll()

    def _remove(self) -> QMessageBox | None:
        """Asks first; the profile and its keyring entries go only on Remove."""
        pid = self._current_id()
        if pid is None:
            return None
        name = self._profiles[pid].name if pid in self._profiles else "this server"
        box = QMessageBox(self)
        box.setObjectName("removeProfileBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Remove server")
        box.setText(f"Remove “{name}”?")
        box.setInformativeText("Its address and API key are deleted from the system keyring.")
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def done() -> None:
            if box.clickedButton() is remove:
                self._remove_now(pid)
            box.deleteLater()

        box.finished.connect(done)
        self.remove_box = box
        box.open()
        return box

    def _remove_now(self, pid: str) -> None:
        self._profiles.pop(pid, None)
        self._saved_ids.discard(pid)
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == pid:
                self.list.takeItem(i)
                break
        self.profileDeleted.emit(pid)

    def _use_demo(self) -> None:
        self.demoRequested.emit()
        self.test_result.setText("Using the demo server (the built-in simulator).")

    def _forget_test(self) -> None:
        self.test_result.clear()
        pid = self._current_id()
        if pid is not None:
            self._tested.discard(pid)

    # -- form --------------------------------------------------------------------------
    def current_form(self) -> ServerProfile:
        pid = self._current_id()
        base = self._profiles.get(pid) if pid else None
        p = ServerProfile(
            name=self.name.text().strip() or "Server",
            base_url=self.base_url.text().strip(),
            model=self.model.currentText().strip(),
            api_key=self.api_key.text(),
            ca_bundle=self.ca_bundle.text().strip(),
        )
        if base is not None:
            p.id = base.id
        return p

    def _update_warning(self) -> None:
        p = self.current_form()
        text = p.url_problem() or p.transport_warning() or ""
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "CA bundle", "", "PEM files (*.pem *.crt);;All files (*)"
        )
        if path:
            self.ca_bundle.setText(path)

    def _save(self) -> ServerProfile | None:
        p = self.current_form()
        problem = p.url_problem()
        if problem:
            self.test_result.setText(problem)
            return None
        self._profiles[p.id] = p
        self._saved_ids.add(p.id)
        item = self.list.currentItem()
        if item is not None:
            item.setText(p.name)
        self.profileSaved.emit(p)
        return p

    # -- closing -----------------------------------------------------------------------
    def unsaved(self) -> bool:
        """Whether closing now would lose something: edits to the shown profile, or a new
        profile that was tested but never saved."""
        pid = self._current_id()
        if pid is None:
            return False
        stored = self._profiles.get(pid)
        form = self.current_form()
        fields = ("name", "base_url", "model", "api_key", "ca_bundle")
        edited = stored is None or any(
            getattr(form, f) != getattr(stored, f).strip() if f != "api_key"
            else form.api_key != stored.api_key
            for f in fields
        )
        return edited or (pid not in self._saved_ids and pid in self._tested)

    def reject(self) -> None:
        """Close and Escape: asks Save / Discard / Cancel when something is unsaved."""
        if not self.unsaved():
            super().reject()
            return
        box = QMessageBox(self)
        box.setObjectName("unsavedProfileBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsaved server")
        box.setText(f"Save the changes to “{self.current_form().name}” before closing?")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)

        def done(_code: int) -> None:
            choice = box.standardButton(box.clickedButton())
            box.deleteLater()
            if choice == QMessageBox.StandardButton.Save:
                if self._save() is not None:
                    super(SettingsDialog, self).reject()
            elif choice == QMessageBox.StandardButton.Discard:
                super(SettingsDialog, self).reject()

        box.finished.connect(done)
        self.closing_box = box
        box.open()

    def _use(self) -> None:
        p = self._save()
        if p is not None:
            self.profileActivated.emit(p.id)

    def show_saved(self, durable: bool) -> None:
        self.test_result.setText(
            "Saved. The address and API key are in the system keyring."
            if durable
            else "Saved for this session only: the system keyring is not available, so the "
            "address and key will be asked for again next time."
        )

    def show_test_result(self, report: ConnectionReport) -> None:
        self.test_result.setText(("✔ " if report.ok else "✘ ") + report.message)
        pid = self._current_id()
        if pid is not None:
            self._tested.add(pid)
        if report.ok:
            current = self.model.currentText()
            self.model.clear()
            for m in report.models:
                label = f"{m.id}" + (f"  ({m.max_model_len:,} tokens)" if m.max_model_len else "")
                self.model.addItem(label, m.id)
            self.model.setEditText(current or (report.models[0].id if report.models else ""))
        self.model.currentIndexChanged.connect(self._model_picked)

    def _model_picked(self, index: int) -> None:
        mid = self.model.itemData(index)
        if mid:
            self.model.setEditText(mid)
