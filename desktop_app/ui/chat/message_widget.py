"""One message in the chat: text, thinking section, details line, actions and error card."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.chat.alternatives import count as version_count
from desktop_app.core.chat.conversation import ChatMessage, MessageStatus
from desktop_app.ui.chat.alternatives_bar import AlternativesBar
from desktop_app.ui.chat.context import ChatContext, MessageActions
from desktop_app.ui.chat.error_card import ErrorCard
from desktop_app.ui.chat.markdown_view import MarkdownView
from desktop_app.ui.chat.message_editor import MessageEditor
from desktop_app.ui.chat.reply_details import details_line, empty_note, length_note
from desktop_app.ui.common.box_place import holding_layout
from desktop_app.ui.images.strip import MessageImages
from desktop_app.ui.tools.turn_view import ToolTurnView

if TYPE_CHECKING:
    from desktop_app.api.logprobs import TokenLog


class ThinkingSection(QWidget):
    """A collapsible "Thinking" block that streams live and collapses when the answer starts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thinkingSection")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 4)
        lay.setSpacing(2)
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("thinkingToggle")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._on_toggled)
        self.body = MarkdownView(self, plain=True)
        self.body.setObjectName("thinkingText")
        self.body.setAccessibleName("Thinking")
        self.body.setProperty("thinking", True)
        lay.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.body)
        self._user_choice: bool | None = None
        self._setting = False
        self.set_expanded(True)

    def _on_toggled(self, on: bool) -> None:
        if not self._setting:
            self._user_choice = on
        self.body.setVisible(on)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

    def set_expanded(self, on: bool) -> None:
        self._setting = True
        self.toggle.setChecked(on)
        self._on_toggled(on)
        self._setting = False

    def update_from(self, msg: ChatMessage, answering: bool) -> None:
        self.body.set_markdown_text(msg.reasoning)
        secs = msg.reply.thinking_seconds if msg.reply else None
        if msg.status == MessageStatus.STREAMING and not answering:
            label = "Thinking…"
        elif secs is not None:
            label = f"Thought for {secs:.1f} s"
        else:
            label = "Thinking"
        self.toggle.setText(label)
        self.toggle.setAccessibleName(label)
        if self._user_choice is None:
            self.set_expanded(msg.status == MessageStatus.STREAMING and not answering)


PRIMARY_ACTIONS = {"copy", "edit", "regenerate"}



class MessageWidget(QFrame):
    """Renders one ChatMessage; `refresh` re-reads it and updates only what changed."""

    actionRequested = Signal(str, str)  # action name, message id
    copyRequested = Signal(str)
    deleteRequested = Signal(str)
    regenerateRequested = Signal(str)
    editSubmitted = Signal(str, str)
    retryRequested = Signal(str)

    def __init__(
        self, msg: ChatMessage, context: ChatContext, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.msg = msg
        self.setObjectName("userMessage" if msg.role == "user" else "assistantMessage")
        self.setProperty("role", msg.role)
        lay = self._column = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(4)

        head = QHBoxLayout()
        head.setSpacing(4)
        self._menu_items: dict[str, QAction] = {}
        self.role_label = QLabel(_role_title(msg.role), self)
        self.role_label.setObjectName("roleLabel")
        head.addWidget(self.role_label)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("statusBadge")
        head.addWidget(self.status_label)
        self.versions: AlternativesBar | None = None
        if msg.alternatives is not None and context.switch_version is not None:
            switch = context.switch_version
            self.versions = AlternativesBar(*version_count(msg), self)
            self.versions.switchRequested.connect(lambda to: switch(self.msg.id, to))
            head.addWidget(self.versions)
        head.addStretch(1)
        self.action_buttons: dict[str, QToolButton] = {}
        # The common actions are buttons; the rest live in a "More" menu so the header fits
        # a narrow column. Every action keeps a (possibly hidden) button for automation.
        more_menu = QMenu(self)
        for name, text, tip in _actions_for(msg.role, context.actions):
            btn = QToolButton(self)
            btn.setText(text)
            btn.setToolTip(tip)
            btn.setAccessibleName(tip)
            btn.setObjectName(f"{name}Button")
            btn.setAutoRaise(True)
            btn.clicked.connect(lambda _=False, n=name: self._action(n))
            self.action_buttons[name] = btn
            if name in PRIMARY_ACTIONS:
                head.addWidget(btn)
            else:
                btn.hide()
                item = more_menu.addAction(tip)
                item.triggered.connect(btn.click)
                self._menu_items[name] = item
        self.more_button = QToolButton(self)
        self.more_button.setObjectName("moreButton")
        self.more_button.setText("⋯")
        self.more_button.setToolTip("More actions")
        self.more_button.setAccessibleName("More actions")
        self.more_button.setAutoRaise(True)
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button.setMenu(more_menu)
        self.more_button.setVisible(bool(self._menu_items))
        # The token view of a reply (ui/tokens), built on first use.
        self.tokens_feature = context.tokens
        self.token_panel: QWidget | None = None
        self.tokens_button: QToolButton | None = None
        self._tokens_early = False  # the panel was opened for a reply that asked for tokens
        if msg.role == "assistant" and context.tokens is not None:
            self.tokens_button = tokens_toggle(self)
            self.tokens_button.toggled.connect(self._tokens_toggled)
            head.insertWidget(head.count() - 1, self.tokens_button)
        head.addWidget(self.more_button)
        lay.addLayout(head)

        # Built when the reply has reasoning (most replies have none): a hidden section
        # would cost a second text view per reply.
        self.thinking: ThinkingSection | None = None
        self.images = MessageImages(msg.images, context.thumbnails, self) if msg.images else None
        if self.images is not None:
            lay.addWidget(self.images)  # images first, as they are sent
        self.text = MarkdownView(self, plain=msg.role == "user")
        self.text.setObjectName("messageText")
        self.text.setAccessibleName("Your message" if msg.role == "user" else "Reply")
        self.text.copyRequested.connect(self.copyRequested)
        lay.addWidget(self.text)
        # Tool calls, or a tool result (shown as JSON in place of the text).
        self.tool_view = ToolTurnView.for_message(
            msg, self, context.tools, self.text, context.mcp_calls
        )
        if self.tool_view is not None:
            lay.addWidget(self.tool_view)

        self.editor: QWidget | None = None
        self.details = QLabel(self)
        self.details.setObjectName("replyDetails")
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.hide()
        lay.addWidget(self.details)
        self.error_card = ErrorCard(self)
        self.error_card.retryRequested.connect(lambda: self.retryRequested.emit(self.msg.id))
        self.error_card.hide()
        lay.addWidget(self.error_card)
        self.refresh()

    def refresh(self) -> None:
        msg = self.msg
        streaming = msg.status == MessageStatus.STREAMING
        if msg.reasoning and self.thinking is None and msg.role == "assistant":
            self.thinking = ThinkingSection(self)
            self._column.insertWidget(1, self.thinking)  # right under the header
        if self.thinking is not None:
            if msg.reasoning:
                self.thinking.show()
                self.thinking.update_from(msg, answering=bool(msg.content))
            else:
                self.thinking.hide()
        if self._tokens_early and msg.tokens is None and (msg.content or not streaming):
            # Opened for tokens that did not come: the text, as for any reply without them.
            self._tokens_early = False
            if self.tokens_button is not None and self.tokens_button.isChecked():
                self.tokens_button.setChecked(False)  # refreshes
                return
        tokens_on = self.token_panel is not None and not self.token_panel.isHidden()
        if self.tokens_button is not None and msg.tokens is not None and self.token_panel is None:
            # Tokens were asked for: the reply shows them (live while it streams) until the
            # toggle is turned off.
            self.tokens_button.setChecked(True)
            tokens_on = True
        elif (self.tokens_button is not None and self.token_panel is None and streaming
              and not msg.content and self.tokens_feature is not None
              and self.tokens_feature.asking() is not None and not self._tokens_early):
            # A reply whose request asks for tokens: the panel is built and shown before the
            # first token, in a turn of the event loop of its own (built as the first tokens
            # arrived, it stalled the window for tens of ms). A timer, not a posted event
            # (interval 0), so that what already waits (input, timers) goes first.
            self._tokens_early = True
            QTimer.singleShot(1, self, self._open_tokens)
        if tokens_on:
            self.token_panel.refresh(msg)  # type: ignore[union-attr]
        else:
            self.text.set_markdown_text(msg.content)
        self.text.setVisible(
            not tokens_on
            and (
                bool(msg.content)
            or (msg.role == "user" and not msg.images)
                or (streaming and not msg.reasoning)
            )
        )
        badge = {
            MessageStatus.STREAMING: "",
            MessageStatus.STOPPED: "Stopped",
            MessageStatus.ERROR: "Failed",
            MessageStatus.INTERRUPTED: "Interrupted",
        }.get(msg.status, "")
        self.status_label.setText(badge)
        self.status_label.setVisible(bool(badge))
        if msg.role == "assistant" and not streaming:
            line = details_line(msg)
            if msg.tokens is not None:
                line = " · ".join(x for x in (line, token_summary_line(msg.tokens)) if x)
            note = length_note(msg) or empty_note(msg)
            # The model name and finish reason come from the server: escaped, so a name
            # written as markup can neither style this line nor name an image to load.
            self.details.setText(
                html.escape(line, quote=False) + (f"<br><b>{html.escape(note)}</b>" if note else "")
            )
            self.details.setVisible(bool(line or note))
        for name, btn in self.action_buttons.items():
            btn.setEnabled(not streaming or name == "copy")
            if name in self._menu_items:
                self._menu_items[name].setEnabled(btn.isEnabled())
        if self.versions is not None:
            self.versions.set_busy(streaming)
        self.error_card.show_error(msg)
        if self.tool_view is not None:
            self.tool_view.refresh(msg)

    def _open_tokens(self) -> None:
        if self._tokens_early and self.token_panel is None and self.tokens_button is not None:
            self.tokens_button.setChecked(True)

    def _tokens_toggled(self, on: bool) -> None:
        """Show the reply as tokens (and ask for them from the next reply on), or as text."""
        if on and self.token_panel is None:
            from desktop_app.ui.tokens.panel import TokenPanel

            self.token_panel = TokenPanel(self.tokens_feature, self)
            column = holding_layout(self.text)
            column.insertWidget(column.indexOf(self.text) + 1, self.token_panel)
        if on and self.tokens_feature is not None and self.tokens_feature.asking() is None:
            self.token_panel.ask.setChecked(True)  # type: ignore[union-attr]
        if self.token_panel is not None:
            self.token_panel.setVisible(on)
        self.refresh()

    def set_last_reply(self, last: bool) -> None:
        btn = self.action_buttons.get("regenerate")
        if btn is not None:
            btn.setVisible(last)

    def _action(self, name: str) -> None:
        if name == "copy":
            QGuiApplication.clipboard().setText(self.msg.content)
            self.copyRequested.emit(self.msg.content)
        elif name == "delete":
            self.deleteRequested.emit(self.msg.id)
        elif name == "regenerate":
            self.regenerateRequested.emit(self.msg.id)
        elif name == "edit":
            self.start_edit()
        else:
            self.actionRequested.emit(name, self.msg.id)

    # -- inline editing of a user message -----------------------------------------------
    def start_edit(self) -> None:
        if self.editor is not None:
            return
        editor = MessageEditor(self.msg.content, self)
        editor.cancelled.connect(self.end_edit)
        editor.submitted.connect(self._submit_edit)
        column = holding_layout(self.text)
        column.insertWidget(column.indexOf(self.text) + 1, editor)
        self.text.hide()
        self.editor = editor
        editor.begin()

    def _submit_edit(self, text: str) -> None:
        if not text.strip():
            return
        self.end_edit()
        self.editSubmitted.emit(self.msg.id, text)

    def end_edit(self) -> None:
        if self.editor is not None:
            self.editor.deleteLater()
            self.editor = None
            self.text.show()


def tokens_toggle(parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setObjectName("tokensButton")
    button.setText("Tokens")
    button.setCheckable(True)
    button.setAutoRaise(True)
    button.setToolTip("Show the reply as tokens coloured by probability")
    button.setAccessibleName("Show tokens")
    return button


def token_summary_line(tokens: TokenLog) -> str:
    from desktop_app.core.tokens.stats import summarize

    return summarize(tokens).line()


def _role_title(role: str) -> str:
    return {"user": "You", "assistant": "Gemma", "tool": "Tool result", "system": "System"}.get(
        role, role
    )


def _actions_for(role: str, actions: MessageActions) -> list[tuple[str, str, str]]:
    """The built-in actions of a role with the window's extra ones (a click on an extra one
    emits actionRequested(name, message id); the window runs its handler)."""
    common = [("copy", "Copy", "Copy message"), ("delete", "Delete", "Delete message")]
    extra = [(a.name, a.text, a.tip) for a in actions.for_role(role)]
    if role == "user":
        return [("edit", "Edit", "Edit and resend"), *extra, *common]
    if role == "assistant":
        return [("regenerate", "Regenerate", "Regenerate reply"), *extra, *common]
    return [*extra, *common]
