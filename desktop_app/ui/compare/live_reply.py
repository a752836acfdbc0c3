"""A Compare column's reply while it streams: thinking and answer appended as plain text, the
view following the end unless the reader scrolled away from it."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QWidget

from desktop_app.ui.chat.render_budget import PLAIN_LIMIT

REST_NOTE = "[Long reply: the rest is shown when it ends.]"


class LiveReply(QPlainTextEdit):
    """Eight of these stream at once: an update appends what is new (the plain text layout
    lays out only the new lines) and paints one viewport, where a markdown view would render
    and grow a whole document. The column shows its markdown when the cell ends."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)  # framed as the finished reply is
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setAccessibleName("Reply as it streams")
        self._reasoning = ""
        self._content = ""
        self._noted = False  # the note that the rest shows when the reply ends is there
        self._thought_format = QTextCharFormat()
        self._thought_format.setForeground(QColor("gray"))
        self._thought_format.setFontItalic(True)
        self._answer_format = QTextCharFormat()
        self._answer_format.setFontItalic(False)
        self._answer_format.setFontWeight(QFont.Weight.Normal)

    def shown(self) -> tuple[str, str]:
        """(thinking, answer) as shown, each cut at PLAIN_LIMIT characters."""
        return self._reasoning, self._content

    def show_reply(self, reasoning: str, content: str) -> None:
        """Shows ``reasoning`` then ``content``; appends when both extend what is shown (the
        thinking may only grow before the answer starts), else shows them anew."""
        too_long = len(reasoning) > PLAIN_LIMIT or len(content) > PLAIN_LIMIT
        reasoning, content = reasoning[:PLAIN_LIMIT], content[:PLAIN_LIMIT]
        if (reasoning, content) == (self._reasoning, self._content):
            if too_long and not self._noted:
                self._note_rest()
            return
        bar = self.verticalScrollBar()
        follow = bar.value() >= bar.maximum()
        extends = (
            reasoning.startswith(self._reasoning)
            and content.startswith(self._content)
            and (reasoning == self._reasoning or not self._content)
        )
        if extends and self._noted:
            return  # past the limit the view stays as it is: the rest shows at the end
        if not extends:
            self.reset()
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        if len(reasoning) > len(self._reasoning):
            cursor.insertText(reasoning[len(self._reasoning) :], self._thought_format)
        if len(content) > len(self._content):
            if not self._content and reasoning:
                cursor.insertText("\n\n", self._answer_format)  # the answer after the thought
            cursor.insertText(content[len(self._content) :], self._answer_format)
        cursor.endEditBlock()
        self._reasoning, self._content = reasoning, content
        if too_long:
            self._note_rest()
        if follow:
            bar.setValue(bar.maximum())

    def _note_rest(self) -> None:
        """Past PLAIN_LIMIT characters the live view stops growing, and says so."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(f"\n\n{REST_NOTE}", self._thought_format)
        self._noted = True

    def reset(self) -> None:
        self.clear()
        self._reasoning = self._content = ""
        self._noted = False
