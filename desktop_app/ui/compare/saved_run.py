"""A saved compare run, read-only: its columns' replies and stats prompt by prompt, exportable
like a live grid."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.compare.journal import NOT_SAVED, PROMPT_SET, SavedRun
from desktop_app.core.compare.run import CompareColumn
from desktop_app.ui.compare.column_card import STATE_WORDS, ColumnCard
from desktop_app.ui.compare.export_file import export_sheet

GRID_WIDTH = 4


class SavedRunDialog(QDialog):
    """Shows ``saved``; nothing in it runs or changes the run."""

    def __init__(self, saved: SavedRun, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.saved = saved
        kind = "Prompt set" if saved.mode == PROMPT_SET else "Grid"
        self.setWindowTitle(f"Saved compare run · {saved.when()}")
        self.resize(1100, 700)
        layout = QVBoxLayout(self)
        self.heading = QLabel(
            f"{kind} run saved {saved.when()}: {saved.saved}/{saved.total} cells saved. "
            "Read-only.",
            self,
        )
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.notes = QLabel(" ".join(saved.notes), self)
        self.notes.setWordWrap(True)
        self.notes.setVisible(bool(saved.notes))
        layout.addWidget(self.notes)
        row = QHBoxLayout()
        row.addWidget(QLabel("Prompt:", self))
        self.prompt_box = QComboBox(self)
        self.prompt_box.addItems([" ".join(i.prompt.split())[:120] for i in saved.sheet.items])
        self.prompt_box.currentIndexChanged.connect(self.show_prompt)
        row.addWidget(self.prompt_box, 1)
        self.export_button = QPushButton("Export…", self)
        self.export_button.clicked.connect(self.export)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.grid_host = QWidget(self)
        self.grid = QGridLayout(self.grid_host)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_host)
        layout.addWidget(scroll, 1)
        self.cards: list[ColumnCard] = []
        for index in range(len(saved.specs)):
            card = ColumnCard(index, self.grid_host)
            card.make_read_only()
            self.grid.addWidget(card, index // GRID_WIDTH, index % GRID_WIDTH)
            self.cards.append(card)
        self.show_prompt(0)

    def show_prompt(self, row: int) -> None:
        if not 0 <= row < len(self.saved.sheet.items):
            return
        for index, card in enumerate(self.cards):
            cell = self.saved.sheet.cells[row][index]
            card.show_column(CompareColumn(self.saved.specs[index], cell))
            if cell.state == NOT_SAVED:
                card.state.setText("not saved: the run ended before this cell did")
            else:
                card.state.setText(f"saved · {STATE_WORDS.get(cell.state, cell.state)}")

    def export(self) -> None:
        said = export_sheet(self, self.saved.sheet, "Export saved run")
        if said:
            self.message.setText(said)


def open_saved(saved: SavedRun, parent: QWidget) -> SavedRunDialog:
    dialog = SavedRunDialog(saved, parent)
    dialog.show()
    return dialog

