"""The token view's workflow: asking for logprobs in a conversation, and branching from a token."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.tokens.branch import BranchRefused, branch_start

DEFAULT_ALTERNATIVES = 5
MAX_ALTERNATIVES = 20  # vLLM's default --max-logprobs


class TokenFeature(QObject):
    """Per-conversation "ask for token probabilities" and the branch action."""

    askingChanged = Signal(str, bool)  # conversation id, asking

    def __init__(self, chat: ChatController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.chat = chat

    def asking(self) -> int | None:
        """How many alternatives replies in the open conversation ask for (None: none)."""
        return self.chat.current.settings.top_logprobs

    def set_asking(self, alternatives: int | None) -> None:
        """In the open conversation, ask for logprobs with this many alternatives (clamped to
        1-20) from the next reply on; None stops asking."""
        if alternatives is not None:
            alternatives = max(1, min(MAX_ALTERNATIVES, alternatives))
        conv = self.chat.current
        if conv.settings.top_logprobs != alternatives:
            conv.settings.top_logprobs = alternatives
            self.askingChanged.emit(conv.id, alternatives is not None)

    def branch(self, message_id: str, position: int, alternative: int) -> str:
        """Start a new reply continuing the answer before ``position`` with another token;
        returns "" when it started, else why not."""
        conv = self.chat.current
        try:
            msg = conv.find(message_id)
        except KeyError:
            return "That reply is not in the open conversation."
        try:
            start = branch_start(msg, position, alternative)
        except BranchRefused as exc:
            return str(exc)
        return self.chat.continue_reply(message_id, start.prefix, start.tokens)
