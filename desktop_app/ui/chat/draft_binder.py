"""The composer follows the open conversation: each one keeps its own unsent text and images."""

from __future__ import annotations

from PySide6.QtCore import QObject

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.drafts import Draft, DraftBook
from desktop_app.core.images.tray import AttachmentTray
from desktop_app.ui.chat.composer import Composer


class DraftBinder(QObject):
    """Records what is in the composer as the draft of the open conversation, and swaps it
    when another conversation opens."""

    def __init__(
        self,
        chat: ChatController,
        drafts: DraftBook,
        composer: Composer,
        tray: AttachmentTray | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.chat = chat
        self.drafts = drafts
        self.composer = composer
        self.tray = tray
        self._conv_id = chat.current.id
        self.previous_id: str | None = None
        self._swapping = False
        self._show(self._conv_id)
        composer.edit.textChanged.connect(self._record)
        if tray is not None:
            tray.changed.connect(self._record)
        chat.currentChanged.connect(self._switch)

    def _contents(self) -> Draft:
        images = self.tray.attachments() if self.tray is not None else []
        return Draft(self.composer.text(), images)

    def _record(self) -> None:
        if not self._swapping:
            self.drafts.put(self._conv_id, self._contents())

    def _switch(self, conv_id: str) -> None:
        if conv_id == self._conv_id:
            return
        left = self._conv_id
        self._record()
        self._conv_id = conv_id
        self.previous_id = left
        self._show(conv_id)

    def carry_from_previous(self) -> None:
        """Brings the draft of the conversation left last into this one (Continue in a copy:
        what was typed in the read-only one is sent from its copy)."""
        left = self.previous_id
        if left is None or not self.drafts.get(self._conv_id).is_empty():
            return
        draft = self.drafts.get(left)
        if draft.is_empty():
            return
        self.drafts.forget(left)
        self.drafts.put(self._conv_id, draft)
        self._show(self._conv_id)

    def _show(self, conv_id: str) -> None:
        draft = self.drafts.get(conv_id)
        self._swapping = True
        try:
            self.composer.set_text(draft.text)
            if self.tray is not None:
                self.tray.clear()
                if draft.images:
                    self.tray.add_attachments(draft.images)
        finally:
            self._swapping = False
