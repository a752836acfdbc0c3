"""The request inspector: the exact request, the response, every SSE event with its time,
and copy as cURL, Python (httpx) or JSON. The API key is left out unless explicitly asked."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.api import WireTrace
from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.core.inspect.code_export import to_curl, to_json, to_python
from desktop_app.core.inspect.trace_model import TraceEventsModel
from desktop_app.core.inspect.traces import TraceStore
from desktop_app.core.inspect.wire_display import (
    abbreviate_text,
    event_detail,
    format_headers,
    pretty_json,
    trace_summary,
)
from desktop_app.ui.common.flow_layout import FlowLayout

LIVE_MS = 150  # how often a live trace's new events are shown
NO_TRACE = (
    "No wire record for this reply. Records are kept in memory for the replies of this "
    "session; send or regenerate to record one."
)


def _mono(widget: QWidget) -> None:
    widget.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))


def _text_view(name: str, parent: QWidget) -> QPlainTextEdit:
    view = QPlainTextEdit(parent)
    view.setObjectName(name)
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    view.setMinimumHeight(48)  # a short bottom dock still fits in a 480 px high window
    _mono(view)
    return view


class Inspector(QWidget):
    """Shows the trace of one reply; follows the newest reply unless told otherwise."""

    def __init__(
        self,
        chat: ChatController,
        traces: TraceStore,
        api_key: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorPanel")
        self.chat = chat
        self.traces = traces
        self._api_key = api_key
        self.message_id: str | None = None
        # One line of summary and controls, then the tabs with all the height left: a
        # bottom dock is short, and every line above the table is a row of events less.
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.setSpacing(4)
        top = FlowLayout()
        self.summary = QLabel(NO_TRACE, self)
        self.summary.setObjectName("inspectorSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.follow = QCheckBox("Follow the newest reply", self)
        self.follow.setObjectName("inspectorFollow")
        self.follow.setChecked(True)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("inspectorTabs")
        self.request_view = _text_view("inspectorRequest", self)
        self.request_view.setAccessibleName("Request sent")
        self.response_view = _text_view("inspectorResponse", self)
        self.response_view.setAccessibleName("Response")
        self.tabs.addTab(self._build_events(), "Events")
        self.tabs.addTab(self.request_view, "Request")
        self.tabs.addTab(self.response_view, "Response")

        self.curl_button = QPushButton("cURL", self)
        self.curl_button.setObjectName("copyCurlButton")
        self.curl_button.setToolTip("Copy the request as a cURL command")
        self.python_button = QPushButton("Python", self)
        self.python_button.setObjectName("copyPythonButton")
        self.python_button.setToolTip("Copy the request as Python code (httpx)")
        self.json_button = QPushButton("JSON", self)
        self.json_button.setObjectName("copyJsonButton")
        self.json_button.setToolTip("Copy the request body as JSON")
        self.include_key = QCheckBox("Include my API key", self)
        self.include_key.setObjectName("includeKeyCheck")
        self.include_key.setToolTip(
            "Off: the code reads the key from $HEXGRID_API_KEY. On: your key from the active "
            "server profile is written into the copied code, so keep it private."
        )
        self.copy_note = QLabel(self)
        self.copy_note.setObjectName("copyNote")
        self.copy_note.setWordWrap(True)
        copy_label = QLabel("Copy as:", self)
        # Controls wrap onto a second line on a narrow window instead of overlapping.
        for w in (
            self.follow,
            copy_label,
            self.curl_button,
            self.python_button,
            self.json_button,
            self.include_key,
        ):
            top.addWidget(w)
        lay.addWidget(self.summary)
        lay.addLayout(top)
        lay.addWidget(self.copy_note)
        lay.addWidget(self.tabs, 1)
        self.curl_button.clicked.connect(lambda: self.copy("curl"))
        self.python_button.clicked.connect(lambda: self.copy("python"))
        self.json_button.clicked.connect(lambda: self.copy("json"))

        self._timer = QTimer(self)
        self._timer.setInterval(LIVE_MS)
        self._timer.timeout.connect(self._tick)
        chat.messageAdded.connect(self._on_added)
        chat.messageRemoved.connect(self._on_removed)
        chat.replyFinished.connect(lambda _c, m: self._on_finished(m))
        chat.currentChanged.connect(self._on_conversation)
        self.show_message(None)

    def _build_events(self) -> QWidget:
        box = QWidget(self)
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        # Beside the tabs, not above the table: one row more for events.
        self.filter = QLineEdit(self.tabs)
        self.filter.setObjectName("eventFilter")
        self.filter.setAccessibleName("Filter events")
        self.filter.setPlaceholderText("Filter events…")
        self.filter.setToolTip("Shows the events whose data holds this text")
        self.filter.setClearButtonEnabled(True)
        self.tabs.setCornerWidget(self.filter, Qt.Corner.TopRightCorner)
        self.tabs.currentChanged.connect(lambda i: self.filter.setVisible(i == 0))
        self.model = TraceEventsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(TraceEventsModel.DATA_ROLE)
        self.proxy.setFilterKeyColumn(4)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        # Side by side: the table keeps the dock's whole height for rows.
        split = QSplitter(Qt.Orientation.Horizontal, box)
        self.table = QTableView(split)
        self.table.setObjectName("eventsTable")
        self.table.setAccessibleName("Server-sent events")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setMinimumHeight(48)
        self.table.setAlternatingRowColors(True)
        # Tab leaves the table (arrows move between rows): a table's default walk through
        # every cell would hold a keyboard user for 20,000 rows.
        self.table.setTabKeyNavigation(False)
        vh = self.table.verticalHeader()
        vh.hide()
        # Fixed row heights: the view never measures 20,000 rows.
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 6)
        hh = self.table.horizontalHeader()
        hh.setStretchLastSection(True)
        for col, width in enumerate((60, 90, 70, 170)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        self.detail = _text_view("eventDetail", split)
        self.detail.setAccessibleName("Selected event")
        self.detail.setPlaceholderText("Select an event to see its full data.")
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([600, 300])
        v.addWidget(split, 1)
        return box

    # -- what is shown -----------------------------------------------------------------------
    def trace(self) -> WireTrace | None:
        return self.traces.get(self.message_id) if self.message_id else None

    def show_message(self, message_id: str | None) -> None:
        """Shows the trace of this reply (None: nothing); a live one updates as it streams."""
        self.message_id = message_id
        self.copy_note.setText("")
        self.copy_note.hide()  # a line of the dock only while it says something
        self._bind()
        self._timer.start() if self._live() else self._timer.stop()

    def _live(self) -> bool:
        trace = self.trace()
        if trace is not None:
            return trace.finished_at is None
        # The trace appears once the request task runs: wait for it while the reply streams.
        return self.message_id is not None and self.message_id == self.chat.streaming_message_id()

    def _bind(self) -> None:
        trace = self.trace()
        self.model.set_trace(trace)
        self.detail.clear()
        for button in (self.curl_button, self.python_button, self.json_button):
            button.setEnabled(trace is not None and bool(trace.request_json))
        self._refresh_texts()

    def _refresh_texts(self) -> None:
        trace = self.trace()
        if trace is None:
            self.summary.setText(NO_TRACE)
            self.request_view.setPlainText("")
            self.response_view.setPlainText("")
            self.tabs.setTabText(0, "Events")
            return
        self.summary.setText(trace_summary(trace))
        request = f"{trace.method} {trace.url}\n{format_headers(trace.request_headers)}\n\n"
        self.request_view.setPlainText(request + pretty_json(trace.request_json))
        self.response_view.setPlainText(_response_text(trace))
        self.tabs.setTabText(0, f"Events ({len(trace.events):,})")

    def _tick(self) -> None:
        trace = self.trace()
        if trace is not self.model.trace:
            self._bind()
        elif trace is not None:
            bar = self.table.verticalScrollBar()
            at_end = bar.value() >= bar.maximum() - 2
            if self.model.sync() and at_end:
                self.table.scrollToBottom()
            self.summary.setText(trace_summary(trace))
            self.tabs.setTabText(0, f"Events ({len(trace.events):,})")
            if trace.finished_at is not None:
                self._refresh_texts()
        if not self._live():
            self._timer.stop()

    def _on_row(self, current, _previous) -> None:
        if not current.isValid():
            self.detail.clear()
            return
        row = self.proxy.mapToSource(current).row()
        seconds = self.trace().events[row][0] if self.trace() else 0.0  # type: ignore[union-attr]
        head = f"event {row + 1} at {seconds * 1000:,.1f} ms\n\n"
        self.detail.setPlainText(head + event_detail(self.model.raw(row)))

    # -- following the chat --------------------------------------------------------------------
    def _on_added(self, conv_id: str, message_id: str) -> None:
        if not self.follow.isChecked():
            return
        msg = self.chat.conversation(conv_id).find(message_id)
        if msg.role == "assistant" and msg.status == MessageStatus.STREAMING:
            # The controller marks the reply live right after announcing it.
            QTimer.singleShot(0, lambda: self.show_message(message_id))

    def _on_finished(self, message_id: str) -> None:
        if message_id == self.message_id:
            self._tick()
            self._refresh_texts()
        elif self.follow.isChecked():
            self.show_message(message_id)

    def _on_conversation(self, _conv_id: str) -> None:
        """Another conversation is open: show its newest recorded reply, never the request
        of the conversation left behind."""
        conv = self.chat.current
        if self.message_id is not None and any(m.id == self.message_id for m in conv.messages):
            return
        # A reply picked by hand belonged to the conversation left: follow the newest again.
        self.follow.setChecked(True)
        replies = [m.id for m in conv.messages if m.role == "assistant"]
        newest = next((mid for mid in reversed(replies) if mid in self.traces), None)
        self.show_message(newest)

    def _on_removed(self, _conv_id: str, message_id: str) -> None:
        if message_id == self.message_id:
            self.show_message(None)

    # -- copying -----------------------------------------------------------------------------
    def code(self, kind: str) -> str:
        """The current request as ``curl``, ``python`` or ``json`` text."""
        trace = self.trace()
        if trace is None:
            return ""
        key = self._api_key() if self.include_key.isChecked() else None
        if kind == "curl":
            return to_curl(trace.request_json, api_key=key)
        if kind == "python":
            return to_python(trace.request_json, api_key=key)
        return to_json(trace.request_json)

    def copy(self, kind: str) -> None:
        text = self.code(kind)
        if not text:
            return
        QGuiApplication.clipboard().setText(text)
        label = {"curl": "cURL", "python": "Python", "json": "JSON"}[kind]
        if kind == "json":
            note = "Copied the request JSON (it never holds the key)."
        elif self.include_key.isChecked() and self._api_key():
            note = f"Copied {label} WITH your API key: keep it private."
        elif self.include_key.isChecked():
            note = f"Copied {label}. This server profile has no API key to include."
        else:
            note = f"Copied {label}; it reads the key from $HEXGRID_API_KEY."
        self.copy_note.setText(note)
        self.copy_note.show()


def _response_text(trace: WireTrace) -> str:
    parts: list[str] = []
    if trace.status is not None:
        parts.append(f"HTTP {trace.status}\n{format_headers(trace.response_headers)}")
    if trace.error:
        parts.append(f"Error: {trace.error}")
    if trace.response_body:
        parts.append(_readable_body(trace.response_body))
    elif trace.events:
        parts.append(f"{len(trace.events):,} server-sent events: see the Events tab.")
    return "\n\n".join(parts) or "No response yet."


def _readable_body(body: str) -> str:
    """A JSON body (a non-streamed reply, an error) indented for reading; anything else as
    it came. Images are abbreviated either way."""
    try:
        return pretty_json(json.loads(body))
    except ValueError:
        return abbreviate_text(body)
