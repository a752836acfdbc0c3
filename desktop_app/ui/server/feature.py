"""Puts the server's own word in the window: the context meter under the message box, the
load gauge in the status bar, the capability lines under the server name, and the advice on
the Image button, the Tools dock and the thinking switch."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QWidget,
)

if TYPE_CHECKING:
    from desktop_app.core.chat.controller import ChatController
    from desktop_app.core.images.tray import AttachmentTray
    from desktop_app.core.params.generation import GenerationParams
    from desktop_app.core.server.capabilities import ServerCapabilities
    from desktop_app.core.server.load import BusyWatch, LoadPoller
    from desktop_app.core.server.meter import ContextMeter
    from desktop_app.core.tools.loop import ToolLoop
    from desktop_app.ui.chat.chat_view import ChatView
    from desktop_app.ui.chat.composer import Composer

IMAGE_TIP = "Attach images (you can also drop or paste them)"


def _warning_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setProperty("warning", True)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


class MeterRow(QWidget):
    """"1,840 + 1,024 / 8,192" (prompt + reserved reply / context), and what to do when the
    request cannot fit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contextMeterRow")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        self.warning = _warning_label(self, "contextWarning")
        lay.addWidget(self.warning, 1)
        self.drop_tools = QPushButton("Drop tool definitions", self)
        self.drop_tools.setObjectName("dropToolsButton")
        self.drop_tools.hide()
        lay.addWidget(self.drop_tools)
        lay.addStretch(0)
        self.label = QLabel("Context: —", self)
        self.label.setObjectName("contextMeter")
        self.label.setAccessibleName("Context meter")
        self.label.setToolTip(
            "Prompt tokens of what Send would send (counted by the server's /tokenize) + "
            "the reply's max_tokens / the model's context length"
        )
        lay.addWidget(self.label, 0, Qt.AlignmentFlag.AlignRight)


class ServerFeature(QObject):
    """Built by the window in ``attach``; owns no service, only shows and forwards."""

    def __init__(
        self,
        window: QMainWindow,
        composer: Composer,
        chat: ChatController,
        meter: ContextMeter,
        capabilities: ServerCapabilities,
        load: LoadPoller,
        busy_watch: BusyWatch,
        params: GenerationParams,
        tools: ToolLoop,
        tray: AttachmentTray,
        server_label: QLabel,
        tools_panel: QWidget,
        thinking_box: QWidget | None,
        chat_view: ChatView | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.chat_view = chat_view
        self.composer = composer
        self.chat = chat
        self.meter = meter
        self.capabilities = capabilities
        self.load = load
        self.busy_watch = busy_watch
        self.tools = tools
        self.tray = tray
        self.thinking_box = thinking_box
        self.row = MeterRow(composer)
        composer.outer.addWidget(self.row)
        self.row.drop_tools.clicked.connect(self._drop_tools)
        # The load gauge: permanent, at the right of the status bar.
        self.gauge = QLabel(window)
        self.gauge.setObjectName("loadGauge")
        self.gauge.setAccessibleName("Server load")
        self.gauge.setToolTip("The server's load from its /metrics: KV-cache use, requests "
                              "running and waiting, generation speed (all users)")
        window.statusBar().addPermanentWidget(self.gauge)
        # The capability lines, under the server's name.
        holder = server_label.parentWidget()
        self.facts_label = QLabel(holder)
        self.facts_label.setObjectName("serverFacts")
        self.facts_label.setWordWrap(True)
        self.facts_label.setProperty("secondary", True)
        layout = holder.layout() if holder is not None else None
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(layout.indexOf(server_label) + 1, self.facts_label)
        self.tools_note = _warning_label(tools_panel, "toolsServerNote")
        tools_layout = tools_panel.layout()
        if isinstance(tools_layout, QBoxLayout):
            tools_layout.insertWidget(0, self.tools_note)
        self.thinking_note = _warning_label(window, "thinkingServerNote")
        if thinking_box is not None:
            self._place_under(thinking_box, self.thinking_note)

        composer.edit.textChanged.connect(self._draft_changed)
        tray.changed.connect(self._draft_changed)
        chat.currentChanged.connect(lambda _cid: meter.recount())
        chat.messageAdded.connect(lambda *_: meter.recount())
        chat.messageRemoved.connect(lambda *_: meter.recount())
        chat.replyFinished.connect(self._reply_finished)
        chat.messageChanged.connect(self._message_changed)
        chat.busyChanged.connect(self._busy_changed)
        params.changed.connect(meter.recount)
        params.loaded.connect(meter.recount)
        tools.changed.connect(lambda _cid: meter.recount())
        meter.changed.connect(self._show_meter)
        capabilities.changed.connect(self._show_capabilities)
        load.changed.connect(self._show_load)
        busy_watch.busy.connect(self._server_busy)
        window.installEventFilter(self)
        self._show_meter()
        self._show_capabilities()
        self._show_load()
        load.set_visible(window.isVisible() and not window.isMinimized())
        meter.recount()

    @staticmethod
    def _place_under(widget: QWidget, note: QLabel) -> None:
        """Puts ``note`` in the layout row right under the one holding ``widget``."""
        parent = widget.parentWidget()
        layout = parent.layout() if parent is not None else None
        if not isinstance(layout, QBoxLayout):
            return
        note.setParent(parent)
        for index in range(layout.count()):
            item = layout.itemAt(index)
            inner = item.layout() if item is not None else None
            if inner is not None and inner.indexOf(widget) >= 0:
                layout.insertWidget(index + 1, note)
                return

    # -- the meter ---------------------------------------------------------------------------
    def _draft_changed(self) -> None:
        self.meter.draft_changed(self.composer.text(), self.composer.attachments())

    def _show_meter(self) -> None:
        reading = self.meter.reading
        self.row.label.setText(reading.label())
        if reading.detail:
            self.row.label.setToolTip(reading.detail)
        has_tools = bool(self.chat.current.settings.tools)
        warning = reading.warning(has_tools)
        self.row.warning.setText(warning)
        self.row.warning.setVisible(bool(warning))
        self.row.drop_tools.setVisible(reading.prompt_overflows and has_tools)

    def _drop_tools(self) -> None:
        """Turns the conversation's tools off (kept on the bench, to be turned on again)."""
        conv = self.chat.current
        bench = self.tools.bench(conv)
        for entry in bench.entries:
            entry.enabled = False
        self.tools.apply_bench(conv)
        self.meter.recount()

    # -- capabilities ------------------------------------------------------------------------
    def _show_capabilities(self) -> None:
        caps = self.capabilities
        self.facts_label.setText(caps.brief())
        self.facts_label.setToolTip(caps.summary())
        self.facts_label.setVisible(bool(caps.brief()))
        refusal = caps.image_refusal()
        button = self.composer.attach_button
        button.setEnabled(not refusal)
        button.setToolTip(refusal or IMAGE_TIP)
        button.setAccessibleDescription(refusal or "Attach images")
        advice = caps.tools_advice()
        self.tools_note.setText(advice)
        self.tools_note.setVisible(bool(advice))
        self._show_thinking_note()

    def _show_thinking_note(self) -> None:
        advice = self.capabilities.thinking_advice()
        on = bool(self.chat.current.settings.enable_thinking)
        self.thinking_note.setText(advice)
        self.thinking_note.setVisible(bool(advice) and on and self.thinking_box is not None)

    # -- load --------------------------------------------------------------------------------
    def _show_load(self) -> None:
        reading = self.load.reading
        text = reading.label() if reading is not None else ""
        self.gauge.setText(text)
        self.gauge.setVisible(bool(text))

    def _busy_changed(self, busy: bool) -> None:
        message_id = self.chat.streaming_message_id()
        if busy and message_id is not None:
            self.busy_watch.reply_started(message_id)
        elif not busy:
            self.busy_watch.reply_ended()

    def _message_changed(self, _conv_id: str, message_id: str) -> None:
        if message_id != self.chat.streaming_message_id():
            return
        try:
            msg = self.chat.current.find(message_id)
        except KeyError:
            return
        if msg.content or msg.reasoning or msg.tool_calls:
            self.busy_watch.first_token()

    def _server_busy(self, message_id: str, text: str) -> None:
        # In the reply itself, where the person is looking: its details line, which the
        # first token then replaces with the reply's own details.
        reply = self.chat_view.widget_for(message_id) if self.chat_view is not None else None
        if reply is not None:
            reply.details.setText(html.escape(text))
            reply.details.setVisible(True)
        self.window.statusBar().showMessage(text, 15000)
        self.row.warning.setText(text)
        self.row.warning.setVisible(True)

    def _reply_finished(self, conv_id: str, message_id: str) -> None:
        self.meter.recount()
        self._show_meter()  # a busy note from this reply gives way to the meter's own
        try:
            msg = self.chat.conversation(conv_id).find(message_id)
        except (KeyError, ValueError):
            return
        if msg.reply is None or not msg.reply.enable_thinking:
            return
        if msg.reasoning:
            self.capabilities.learn_reasoning_parser(True)
        elif msg.content.lstrip().startswith(("thought\n", "<|channel>")):
            self.capabilities.learn_reasoning_parser(False)

    # -- visibility --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() in (
            QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.WindowStateChange
        ):
            self.load.set_visible(self.window.isVisible() and not self.window.isMinimized())
            if event.type() == QEvent.Type.WindowStateChange:
                self._show_thinking_note()
        return False
