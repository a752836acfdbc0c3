"""Text handed back to the composer after a failed send: sent again (perhaps edited) it takes
the failed turn's place, and it leaves the composer once a Retry of that message succeeded."""

from __future__ import annotations

from PySide6.QtCore import QObject

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.core.chat.drafts import DraftBook
from desktop_app.ui.chat.composer import Composer


class ComposerRestore(QObject):
    def __init__(
        self,
        chat: ChatController,
        composer: Composer,
        drafts: DraftBook | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.chat = chat
        self.composer = composer
        self.drafts = drafts
        self._restored: dict[str, str] = {}  # conversation id -> text handed back
        chat.composerRestore.connect(self._restore)
        chat.replyFinished.connect(self._finished)
        composer.edit.textChanged.connect(self._edited)
        if composer.tray is not None:
            composer.tray.changed.connect(self._edited)

    def is_revision(self) -> bool:
        """Whether the message about to be sent is the handed-back one, perhaps edited: the
        composer was not emptied (text and images) since it was handed back."""
        return self.chat.current.id in self._restored

    def _edited(self) -> None:
        # Emptied: what is typed next is a new message, not the failed one revised.
        if not self.composer.text().strip() and not (
            self.composer.tray is not None and self.composer.tray.items
        ):
            self._restored.pop(self.chat.current.id, None)

    def _restore(self, text: str) -> None:
        if not self.composer.text().strip():
            self.composer.set_text(text)
            self._restored[self.chat.current.id] = text

    def _finished(self, conv_id: str, msg_id: str) -> None:
        text = self._restored.get(conv_id)
        if text is None:
            return
        try:
            conv = self.chat.conversation(conv_id)
            index = conv.index_of(msg_id)
        except KeyError:
            return
        reply = conv.messages[index]
        if reply.status == MessageStatus.ERROR:
            return  # failed again: the text stays where it is
        del self._restored[conv_id]
        asked = conv.messages[index - 1] if index > 0 else None
        if asked is None or asked.role != "user" or asked.content != text:
            return
        # The message was answered (a Retry): the copy handed back has done its job.
        if conv_id == self.chat.current.id:
            if self.composer.text() == text:
                self.composer.clear()
        elif self.drafts is not None and self.drafts.get(conv_id).text == text:
            self.drafts.forget(conv_id)
