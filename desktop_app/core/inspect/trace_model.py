"""The SSE events of one wire trace as a table model: rows appended live, text made lazily.

A reply of 20,000 tokens is 20,000 rows, so nothing is computed per row up front: a row's
summary is parsed only when a view asks for it (only visible rows are asked), and new events
are announced with one ``beginInsertRows`` per refresh, however many arrived.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop_app.api import WireTrace
from desktop_app.core.inspect.wire_display import abbreviate_text, summarize_event

COLUMNS = ("#", "Time", "+Δ", "Kind", "Data")
TOOLTIP_LIMIT = 2000
_Index = QModelIndex | QPersistentModelIndex


class TraceEventsModel(QAbstractTableModel):
    """Rows: (index, arrival time, gap since the previous event, kind, summary)."""

    FIRST_TOKEN_ROLE = Qt.ItemDataRole.UserRole + 1
    DATA_ROLE = Qt.ItemDataRole.UserRole + 2  # the raw event data

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._trace: WireTrace | None = None
        self._count = 0
        self._summaries: dict[int, tuple[str, str]] = {}
        self._first_token_row: int | None = None

    @property
    def trace(self) -> WireTrace | None:
        return self._trace

    def set_trace(self, trace: WireTrace | None) -> None:
        self.beginResetModel()
        self._trace = trace
        self._count = len(trace.events) if trace else 0
        self._summaries.clear()
        self._first_token_row = None
        self.endResetModel()

    def sync(self) -> int:
        """Announces events that arrived since the last call; returns how many."""
        trace = self._trace
        if trace is None:
            return 0
        total = len(trace.events)
        added = total - self._count
        if added > 0:
            self.beginInsertRows(QModelIndex(), self._count, total - 1)
            self._count = total
            self.endInsertRows()
        return max(added, 0)

    def first_token_row(self) -> int | None:
        """The row of the event that carried the first token (its time is first-token time)."""
        trace = self._trace
        if trace is None or trace.first_token_at is None or not self._count:
            return None
        if self._first_token_row is None:
            # The trace marks the first token right after recording that event.
            row = bisect_right(trace.events, trace.first_token_at, hi=self._count, key=_time) - 1
            self._first_token_row = max(row, 0)
        return self._first_token_row

    def raw(self, row: int) -> str:
        assert self._trace is not None
        return self._trace.events[row][1]

    def summary(self, row: int) -> tuple[str, str]:
        found = self._summaries.get(row)
        if found is None:
            found = summarize_event(self.raw(row))
            self._summaries[row] = found
        return found

    # -- QAbstractTableModel ------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._trace is None:
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole and col == 4:
            text = abbreviate_text(self.raw(row))
            return text if len(text) <= TOOLTIP_LIMIT else text[:TOOLTIP_LIMIT] + "…"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.FIRST_TOKEN_ROLE:
            return row == self.first_token_row()
        if role == self.DATA_ROLE:
            return self.raw(row)
        return None

    def _display(self, row: int, col: int) -> str:
        events = self._trace.events  # type: ignore[union-attr]
        seconds = events[row][0]
        if col == 0:
            return str(row + 1)
        if col == 1:
            return f"{seconds * 1000:,.1f} ms"
        if col == 2:
            gap = seconds - events[row - 1][0] if row else seconds
            return f"{gap * 1000:,.1f}"
        kind, text = self.summary(row)
        if col == 3:
            return f"{kind} · first token" if row == self.first_token_row() else kind
        return text


def _time(event: tuple[float, str]) -> float:
    return event[0]
