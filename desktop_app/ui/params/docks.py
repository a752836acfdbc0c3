"""Puts the generation controls into the main window: the Parameters and Inspector docks,
the per-reply Details and Inspect actions, and their menu entries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu
from shiboken6 import isValid

from desktop_app.core.params.presets import PresetError
from desktop_app.ui.chat.context import MessageActions
from desktop_app.ui.common.theme import DARK, LIGHT, Theme, is_dark_scheme
from desktop_app.ui.dialogs.reply_details import ReplyDetailsDialog
from desktop_app.ui.inspect.inspector import Inspector
from desktop_app.ui.params.panel import ParamsPanel, make_params_dock

if TYPE_CHECKING:
    from desktop_app.ui.window.context import WindowServices


def style_sheet(c: dict[str, str]) -> str:
    return f"""
    #parametersPanel, #parametersScroll {{ background: {c["window"]}; }}
    #panelHeading {{ color: {c["muted"]}; font-size: 8pt; font-weight: 700;
        letter-spacing: 1px; text-transform: uppercase; padding-top: 8px; }}
    #paramNote, #paramState, #copyNote {{ color: {c["muted"]}; font-size: 9pt; }}
    #presetNote, #detailsNote {{ color: {c["muted"]}; font-size: 9pt; }}
    #presetNote[error="true"], #detailsNote[error="true"], #extraBodyError {{
        color: {c["error_border"]}; font-size: 9pt; }}
    #extraBodyWarning {{ background: {c["warn_bg"]}; padding: 4px 6px; border-radius: 4px;
        font-size: 9pt; }}
    #param_extra_body {{ border: 1px solid {c["border"]}; border-radius: 6px;
        background: {c["base"]}; }}
    #param_extra_body[invalid="true"] {{ border: 1px solid {c["error_border"]}; }}
    QSlider#paramSlider[unset="true"]::handle:horizontal {{ background: {c["border"]}; }}
    #paramFieldNote {{ color: {c["error_border"]}; font-size: 9pt; }}
    QDoubleSpinBox[pending="true"] {{ border: 1px solid {c["error_border"]}; }}
    #stopList {{ border: none; background: transparent; }}
    #stopList::item {{ border: 1px solid {c["border"]}; border-radius: 8px;
        padding: 1px 6px; background: {c["base"]}; }}
    #stopList::item:selected {{ background: {c["selection"]}; color: {c["text"]}; }}
    #inspectorSummary {{ font-weight: 600; }}
    QLabel#detailValue[unset="true"] {{ color: {c["muted"]}; font-style: italic; }}
    """


class GenerationControls:
    """Owns the Parameters panel, the Inspector and the reply Details of one window."""

    def __init__(
        self,
        window: QMainWindow,
        view_menu: QMenu,
        services: WindowServices,
        actions: MessageActions,
    ) -> None:
        self.window = window
        self.services = services
        self.chat = services.chat
        self.params = services.params
        self.panel = ParamsPanel(self.params, self._max_model_len())
        self.dock = make_params_dock(self.panel, window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        # Wide enough for every row of the panel without scrolling sideways.
        # (after the window's first layout pass, which would otherwise undo it).
        natural = max(330, self.panel.sizeHint().width() + 24)
        QTimer.singleShot(
            0, lambda: window.resizeDocks([self.dock], [natural], Qt.Orientation.Horizontal)
        )
        toggle = self.dock.toggleViewAction()
        toggle.setText("&Parameters")
        view_menu.addAction(toggle)

        self.inspector = Inspector(services.chat, services.traces, self._api_key)
        self.inspector_dock = QDockWidget("Inspector", window)
        self.inspector_dock.setObjectName("inspector")
        self.inspector_dock.setWidget(self.inspector)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.inspector_dock)
        self.inspector_dock.hide()
        toggle = self.inspector_dock.toggleViewAction()
        toggle.setText("Request &inspector")
        toggle.setShortcut(QKeySequence("F12"))
        view_menu.addAction(toggle)

        self._apply_style()
        theme = Theme.of_app()
        if theme is not None:
            theme.changed.connect(lambda _dark: self._apply_style())
        else:
            QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _s: self._apply_style())

        self.chat.busyChanged.connect(self.panel.set_busy)
        services.session.changed.connect(self._on_session)
        actions.add(
            "details", "Details", "Reply details and settings", ("assistant",), self.show_details
        )
        actions.add(
            "inspect", "Inspect", "Inspect the request and response", ("assistant",), self.inspect
        )
        self.details: ReplyDetailsDialog | None = None

    # -- wiring helpers --------------------------------------------------------------------
    def _apply_style(self) -> None:
        if not isValid(self.dock):
            return  # the window is gone; the app-wide signal outlives it
        colors = DARK if is_dark_scheme() else LIGHT
        for widget in (self.dock, self.inspector_dock):
            widget.setStyleSheet(style_sheet(colors))

    def _api_key(self) -> str | None:
        profile = self.services.session.profile
        return (profile.api_key or None) if profile is not None else None

    def _max_model_len(self) -> int | None:
        info = self.services.session.model_info()
        return info.max_model_len if info is not None else None

    def _on_session(self) -> None:
        self.panel.set_model_context(self._max_model_len())

    # -- per-reply actions -------------------------------------------------------------------
    def inspect(self, message_id: str) -> None:
        if message_id != self.chat.streaming_message_id():
            self.inspector.follow.setChecked(False)  # the user picked this one: stay on it
        self.inspector.show_message(message_id)
        if not self.inspector_dock.isVisible():
            self.inspector_dock.show()
            # A third of the window: the conversation stays readable above it.
            height = max(240, self.window.height() // 3)
            self.window.resizeDocks([self.inspector_dock], [height], Qt.Orientation.Vertical)
        self.inspector_dock.raise_()

    def show_details(self, message_id: str) -> ReplyDetailsDialog:
        msg = self.chat.current.find(message_id)
        if self.details is not None:
            self.details.close()
            self.details.deleteLater()
        dialog = ReplyDetailsDialog(msg, message_id in self.services.traces, self.window)
        dialog.reuseRequested.connect(self.reuse)
        dialog.inspectRequested.connect(self.inspect)
        self.details = dialog
        dialog.show()
        return dialog

    def reuse(self, message_id: str) -> None:
        """Loads the settings a reply was made with into the Parameters panel."""
        msg = self.chat.current.find(message_id)
        dialog = self.details
        if msg.reply is None:
            return
        try:
            notes = self.params.apply_reply(msg.reply)
        except PresetError as exc:
            if dialog is not None:
                dialog.show_note(str(exc), error=True)
            return
        self.dock.show()
        self.dock.raise_()
        if dialog is not None:
            dialog.show_note(" ".join(["Loaded into the Parameters panel.", *notes]))

