"""The token view's workflow: asking for logprobs in a conversation, and branching from a token."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.core.tokens.branch import BranchRefused, branch_start

DEFAULT_ALTERNATIVES = 5
MAX_ALTERNATIVES = 20  # vLLM's default --max-logprobs


class TokenFeature(QObject):
    """Per-conversation "ask for token probabilities" and the branch action."""

    askingChanged = Signal(str, bool)  # conversation id, asking

    def __init__(self, chat: ChatController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.chat = chat
        chat.replyFinished.connect(self._finished)

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

    def _finished(self, conv_id: str, message_id: str) -> None:
        """A refusal of K names the server's limit: ask for that many and run the reply again,
        saying so, instead of leaving the user with a failed reply."""
        conv = self.chat.current
        asking = conv.settings.top_logprobs
        if conv.id != conv_id or asking is None:
            return
        try:
            msg = conv.find(message_id)
        except KeyError:
            return
        if msg.status != MessageStatus.ERROR or msg.error is None:
            return
        from desktop_app.api.logprobs import max_allowed  # only for this refusal

        limit = max_allowed(msg.error.server_message or msg.error.message)
        if limit is None or limit >= asking:
            return
        if limit < 1:
            self.set_asking(None)
            self.chat.notice.emit(
                "The server sends no token probabilities (its --max-logprobs is 0): this chat "
                "stopped asking for them."
            )
            return
        self.set_asking(limit)
        self.chat.notice.emit(
            f"The server allows at most {limit} alternatives per token (its --max-logprobs): "
            f"asking for {limit} instead of {asking}, and trying the reply again."
        )
        # After the finish has run its course everywhere: retry needs the chat idle.
        QTimer.singleShot(0, lambda: self.chat.retry(message_id))

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
