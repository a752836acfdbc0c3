"""The word diff of two versions of a message: pick two, see what was removed and added."""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.chat.alternatives import Version
from desktop_app.core.chat.word_diff import WordDiff, word_diff

# Colour and a second cue (struck through, underlined) so the marks read without colour too.
REMOVED_STYLE = "background-color:#f8d0d0; color:#8a1010; text-decoration:line-through;"
ADDED_STYLE = "background-color:#cdeccd; color:#0b5a0b; text-decoration:underline;"


def version_title(v: Version) -> str:
    """"Version 2 of 3: seed 7, temperature 0.7 (shown)" from the version's provenance."""
    msg = v.message
    bits: list[str] = []
    if msg.reply is not None:
        params = msg.reply.params
        bits += [f"{k} {params[k]}" for k in ("seed", "temperature", "top_p") if k in params]
        if msg.reply.model:
            bits.append(msg.reply.model)
    text = f"Version {v.number}"
    if bits:
        text += ": " + ", ".join(bits)
    return text + (" (shown)" if v.shown else "")


def diff_html(diff: WordDiff) -> str:
    out: list[str] = []
    previous = "same"
    for piece in diff.pieces:
        text = html.escape(piece.text, quote=False).replace("\n", "<br>")
        if piece.kind == "added" and previous == "removed":
            out.append(" ")  # a replaced word and its replacement read as two words
        previous = piece.kind
        if piece.kind == "removed":
            out.append(f'<span style="{REMOVED_STYLE}">{text}</span>')
        elif piece.kind == "added":
            out.append(f'<span style="{ADDED_STYLE}">{text}</span>')
        else:
            out.append(text)
    return "".join(out)


class VersionsDiffDialog(QDialog):
    """Two pickers (from, to) and the diff of their texts, word by word."""

    def __init__(self, versions: list[Version], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("versionsDiffDialog")
        self.setWindowTitle("Compare versions")
        self.resize(720, 520)
        self.versions = versions
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.old_pick = QComboBox(self)
        self.old_pick.setObjectName("diffFrom")
        self.old_pick.setAccessibleName("Compare from version")
        self.new_pick = QComboBox(self)
        self.new_pick.setObjectName("diffTo")
        self.new_pick.setAccessibleName("Compare to version")
        for v in versions:
            self.old_pick.addItem(version_title(v))
            self.new_pick.addItem(version_title(v))
        form.addRow("From:", self.old_pick)
        form.addRow("To:", self.new_pick)
        lay.addLayout(form)
        self.summary = QLabel(self)
        self.summary.setObjectName("diffSummary")
        lay.addWidget(self.summary)
        self.view = QTextEdit(self)
        self.view.setObjectName("diffView")
        self.view.setAccessibleName("Differences")
        self.view.setReadOnly(True)
        lay.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        # From the version before the shown one (or the first) to the shown one.
        shown = next((i for i, v in enumerate(versions) if v.shown), 0)
        self.old_pick.setCurrentIndex(shown - 1 if shown > 0 else min(1, len(versions) - 1))
        self.new_pick.setCurrentIndex(shown)
        self.diff = word_diff("", "")
        self.old_pick.currentIndexChanged.connect(self.refresh)
        self.new_pick.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        old = self.versions[self.old_pick.currentIndex()].message.content
        new = self.versions[self.new_pick.currentIndex()].message.content
        self.diff = word_diff(old, new)
        removed, added = self.diff.words("removed"), self.diff.words("added")
        if old == new:
            self.summary.setText("The two versions are the same.")
        else:
            self.summary.setText(f"{removed} word(s) removed, {added} word(s) added.")
        self.view.setHtml(diff_html(self.diff))
