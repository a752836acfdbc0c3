"""Unsent drafts, one per conversation (text and images), kept in a drafts file across restarts."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import Attachment, Conversation
from desktop_app.core.files.atomic_write import write_atomically
from desktop_app.core.files.damaged_files import set_aside
from desktop_app.core.history.serialize import attachment_from_dict
from desktop_app.core.tasks import TaskRunner

log = logging.getLogger(__name__)

SAVE_DELAY_MS = 400  # typing rewrites the file at most about twice a second
SAVE_TASK = "save-drafts"
FORMAT = 1


@dataclass
class Draft:
    text: str = ""
    images: list[Attachment] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.text.strip() or self.images)


class DraftBook(QObject):
    """The drafts of every conversation by id. Only what the person typed or attached goes
    here (never a key or a server address); the file is rewritten atomically, off the Qt
    thread, shortly after each change, and once more when the app closes."""

    failed = Signal(str)

    def __init__(
        self,
        path: Path | None,
        runner: TaskRunner | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``path`` None keeps drafts for this run only (a read-only session)."""
        super().__init__(parent)
        self.path = path
        self.runner = runner
        self.problem = ""
        self._drafts: dict[str, Draft] = {}
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self._save_soon)
        if path is not None:
            self._read(path)

    # -- the drafts ---------------------------------------------------------------------------
    def get(self, conversation_id: str) -> Draft:
        draft = self._drafts.get(conversation_id)
        return Draft(draft.text, list(draft.images)) if draft else Draft()

    def put(self, conversation_id: str, draft: Draft) -> None:
        old = self._drafts.get(conversation_id)
        if draft.is_empty():
            if old is None:
                return
            del self._drafts[conversation_id]
        else:
            if old is not None and old == draft:
                return
            self._drafts[conversation_id] = Draft(draft.text, list(draft.images))
        self._changed()

    def forget(self, conversation_id: str) -> None:
        if self._drafts.pop(conversation_id, None) is not None:
            self._changed()

    def ids(self) -> list[str]:
        return list(self._drafts)

    def adopt_orphans(self, known: set[str], into: str) -> bool:
        """Gives the drafts of conversations that are not listed (a new chat that was never
        sent, so never saved) to conversation ``into``; True when there were any."""
        orphans = [cid for cid in self._drafts if cid not in known]
        if not orphans:
            return False
        merged = Draft()
        texts = []
        for cid in orphans:
            draft = self._drafts.pop(cid)
            if draft.text.strip():
                texts.append(draft.text)
            merged.images.extend(draft.images)
        merged.text = "\n\n".join(texts)
        self._drafts[into] = merged
        self._changed()
        return True

    # -- the file ------------------------------------------------------------------------------
    def _read(self, path: Path) -> None:
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:
            self.problem = f"The unsent drafts could not be read ({exc})."
            return
        try:
            data = json.loads(raw)
            items = data["drafts"]
            if not isinstance(items, dict):
                raise ValueError("drafts is not an object")
            for cid, item in items.items():
                images = [
                    attachment_from_dict(a, f"drafts.{cid}.images") for a in item.get("images", [])
                ]
                draft = Draft(str(item.get("text", "")), images)
                if not draft.is_empty():
                    self._drafts[str(cid)] = draft
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.error("drafts file %s is damaged: %s", path, exc)
            self._drafts.clear()
            kept, where = set_aside(path, copy=False)
            self.problem = (
                f"The unsent drafts file was damaged; it was set aside as {where}."
                if kept
                else f"The unsent drafts file is damaged ({exc})."
            )

    def _snapshot(self) -> str:
        data = {
            "format": FORMAT,
            "drafts": {
                cid: {"text": d.text, "images": [asdict(a) for a in d.images]}
                for cid, d in self._drafts.items()
            },
        }
        return json.dumps(data, ensure_ascii=False)

    def _changed(self) -> None:
        if self.path is None:
            return
        self._dirty = True
        self._timer.start()

    def _save_soon(self) -> None:
        """Writes on a worker thread (images make the file large); one write at a time."""
        if self.runner is None or self.path is None:
            self.flush()
            return
        if self._task is not None and not self._task.done():
            self._timer.start()
            return
        self._dirty = False
        text, path = self._snapshot(), self.path
        self._task = self.runner.start(SAVE_TASK, self._write_off_thread(path, text))

    async def _write_off_thread(self, path: Path, text: str) -> None:
        try:
            await asyncio.to_thread(write_atomically, path, text)
        except OSError as exc:
            self._report(exc)

    @property
    def saved(self) -> bool:
        """Whether the file holds every change (no write is waiting or under way)."""
        idle = self._task is None or self._task.done()
        return self.path is None or (not self._dirty and idle)

    async def aclose(self) -> None:
        """Lets a write under way end (a later one must not be overtaken by it), then
        writes what changed since."""
        task = self._task
        if task is not None and not task.done():
            await asyncio.wait([task])
        self.flush()

    def flush(self) -> None:
        """Writes now if anything changed since the last write (at exit)."""
        self._timer.stop()
        if self.path is None or not self._dirty:
            return
        self._dirty = False
        try:
            write_atomically(self.path, self._snapshot())
        except OSError as exc:
            self._report(exc)

    def _report(self, exc: OSError) -> None:
        log.error("drafts not saved: %s", exc)
        self._dirty = True
        self.failed.emit(
            f"Unsent drafts could not be saved ({exc}); they stay in the message box until "
            "you close the app."
        )


def blank_conversation(chat: ChatController, drafts: DraftBook) -> Conversation | None:
    """A listed conversation a new chat would add nothing to: no message, no system prompt,
    no draft, and the settings a new chat starts with. "New chat" opens it instead of
    adding another, so empty entries never pile up (and none is ever saved)."""
    fresh = chat.list.settings_factory()
    for conv in [chat.current, *chat.conversations]:
        if (
            not chat.is_stub(conv.id)
            and not conv.messages
            and not conv.system_prompt.strip()
            and drafts.get(conv.id).is_empty()
            and conv.settings == fresh
        ):
            return conv
    return None
