"""The images waiting to be sent: adding, encoding off the UI thread, the limit, notices.

Encoding runs as named tasks on the app's TaskRunner; each awaits a worker thread.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_app.core.chat.conversation import Attachment, Conversation, MessageStatus
from desktop_app.core.images.attachments import (
    DEFAULT_MAX_SIDE,
    MIN_MAX_SIDE,
    AttachmentError,
    Prepared,
    is_remote_url,
    prepare_bytes,
    prepare_data_url,
    prepare_file,
    prepare_pixels,
    remote_attachment,
)
from desktop_app.core.images.thumbnails import ThumbnailCache
from desktop_app.core.settings import Settings
from desktop_app.core.tasks import TaskRunner

log = logging.getLogger(__name__)

# vLLM's --limit-mm-per-prompt cannot be read from the server; the Gemma 4 recipe uses 4.
DEFAULT_IMAGE_LIMIT = 4
MAX_IMAGE_LIMIT = 64
MAX_MAX_SIDE = 8192
SETTINGS_KEY = "images"


@dataclass
class ImagePrefs:
    """How many images a request may carry, and the longest side they are scaled to."""

    limit: int = DEFAULT_IMAGE_LIMIT
    max_side: int = DEFAULT_MAX_SIDE

    @classmethod
    def from_settings(cls, settings: Settings) -> ImagePrefs:
        raw = settings.extra.get(SETTINGS_KEY)
        raw = raw if isinstance(raw, dict) else {}
        return cls(
            limit=_int_in(raw.get("limit"), 1, MAX_IMAGE_LIMIT, DEFAULT_IMAGE_LIMIT),
            max_side=_int_in(raw.get("max_side"), MIN_MAX_SIDE, MAX_MAX_SIDE, DEFAULT_MAX_SIDE),
        )

    def store(self, settings: Settings) -> None:
        settings.extra[SETTINGS_KEY] = {"limit": self.limit, "max_side": self.max_side}


def _int_in(value: object, lo: int, hi: int, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return min(hi, max(lo, value))


@dataclass(eq=False)
class PendingImage:
    """One image in the composer; `prepared` is None while it is being encoded."""

    key: int
    name: str
    prepared: Prepared | None = None
    remote: Attachment | None = None  # an http(s) URL, sent as it is

    @property
    def ready(self) -> bool:
        return self.prepared is not None or self.remote is not None

    @property
    def attachment(self) -> Attachment | None:
        return self.prepared.attachment if self.prepared is not None else self.remote


class AttachmentTray(QObject):
    """The composer's pending images. Encoding runs as named tasks on the app's runner."""

    changed = Signal()
    noticeChanged = Signal(str)  # "" when there is nothing to say

    def __init__(
        self,
        runner: TaskRunner,
        settings: Settings,
        thumbnails: ThumbnailCache,
        history_images: Callable[[], int] = lambda: 0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.settings = settings
        self.thumbnails = thumbnails
        # Images already in the conversation: vLLM counts every image of the replayed
        # history against --limit-mm-per-prompt, not only the new message's.
        self.history_images = history_images
        self.items: list[PendingImage] = []
        self._keys = itertools.count(1)
        self._notices: list[str] = []

    # -- preferences -------------------------------------------------------------------------
    @property
    def prefs(self) -> ImagePrefs:
        return ImagePrefs.from_settings(self.settings)

    def set_prefs(self, prefs: ImagePrefs) -> bool:
        """Stores the choice in the settings file; False (with a notice) if it was not saved."""
        prefs.store(self.settings)
        try:
            self.settings.save()
        except OSError as exc:
            self._say(f"The image settings apply now but could not be saved ({exc}).")
            return False
        return True

    # -- adding --------------------------------------------------------------------------------
    def add_files(self, paths: Sequence[str | Path]) -> None:
        max_side = self.prefs.max_side
        for path in self._admit(list(paths)):
            self._start(Path(path).name, functools.partial(prepare_file, path, max_side))

    def add_encoded(self, data: bytes, name: str = "Pasted image") -> None:
        max_side = self.prefs.max_side
        if self._admit([data]):
            self._start(name, lambda: prepare_bytes(data, name, max_side))

    def add_pixels(self, raw: bytes, width: int, height: int, raw_mode: str,
                   name: str = "Pasted image") -> None:
        max_side = self.prefs.max_side
        if self._admit([raw]):
            self._start(name, lambda: prepare_pixels(raw, width, height, raw_mode, name, max_side))

    def add_urls(self, urls: Sequence[str]) -> None:
        max_side = self.prefs.max_side
        for url in self._admit(list(urls)):
            if url.startswith("data:"):
                self._start(
                    "Dropped image", functools.partial(prepare_data_url, url, max_side=max_side)
                )
            elif is_remote_url(url):
                att = remote_attachment(url)
                self.items.append(PendingImage(next(self._keys), att.name, remote=att))
            else:
                self._say(f"“{url[:80]}” is not an image address (http, https or data:).")
        self.changed.emit()

    def add_attachments(self, attachments: Sequence[Attachment]) -> None:
        """Puts back images that are already encoded (a send that failed hands them back)."""
        for att in attachments:
            thumb = self.thumbnails.get(att.url)
            if att.url.startswith("data:"):
                prepared = Prepared(att, thumb or b"")
                self.items.append(PendingImage(next(self._keys), att.name, prepared=prepared))
                if thumb is None:
                    self.thumbnails.request(att.url)
            else:
                self.items.append(PendingImage(next(self._keys), att.name, remote=att))
        self.changed.emit()

    # -- removing and taking -------------------------------------------------------------------
    def remove(self, key: int) -> None:
        for item in self.items:
            if item.key == key:
                self.items.remove(item)
                self.runner.cancel(_task_name(key))
                self.changed.emit()
                return

    def clear(self) -> None:
        for item in self.items:
            self.runner.cancel(_task_name(item.key))
        self.items.clear()
        self.clear_notice()
        self.changed.emit()

    def attachments(self) -> list[Attachment]:
        return [a for item in self.items if (a := item.attachment) is not None]

    def preparing(self) -> int:
        return sum(1 for item in self.items if not item.ready)

    def room(self) -> int:
        """How many more images fit in the next request."""
        return self.prefs.limit - self.history_images() - len(self.items)

    def send_problem(self) -> str:
        """Why the pending images cannot go yet, or ""."""
        waiting = self.preparing()
        if waiting:
            return f"Wait a moment: {_count(waiting)} still being prepared."
        if self.items and self.room() < 0:
            return self._limit_text(extra=-self.room())
        return ""

    # -- notices -------------------------------------------------------------------------------
    @property
    def notice(self) -> str:
        return "\n".join(self._notices)

    def clear_notice(self) -> None:
        if self._notices:
            self._notices.clear()
            self.noticeChanged.emit("")

    def show_notice(self, text: str) -> None:
        """Replaces what the notice says (e.g. why a send cannot go yet)."""
        self._notices.clear()
        self._say(text)

    def _say(self, text: str) -> None:
        self._notices.append(text)
        self.noticeChanged.emit(self.notice)

    # -- internals -----------------------------------------------------------------------------
    def _admit(self, candidates: list) -> list:
        """The candidates that fit under the limit; a notice says what did not. Each new
        attempt starts with a clean notice."""
        self.clear_notice()
        room = max(0, self.room())
        if len(candidates) > room:
            self._say(self._limit_text(extra=len(candidates) - room))
        return candidates[:room]

    def _limit_text(self, extra: int) -> str:
        limit = self.prefs.limit
        earlier = self.history_images()
        counted = f" ({_count(earlier)} already in this chat count too)" if earlier else ""
        return (
            f"{_count(extra)} not attached: a request can carry at most {limit}{counted}. "
            "Remove some, start a new chat, or raise “Images per request” (the ▾ beside Image) "
            "if the server allows more (vLLM --limit-mm-per-prompt)."
        )

    def _start(self, name: str, job: Callable[[], Prepared]) -> None:
        item = PendingImage(next(self._keys), name)
        self.items.append(item)
        self.changed.emit()
        self.runner.start(_task_name(item.key), self._encode(item, job))

    async def _encode(self, item: PendingImage, job: Callable[[], Prepared]) -> None:
        try:
            prepared = await asyncio.to_thread(job)
        except AttachmentError as exc:
            self._drop(item, str(exc))
            return
        except Exception as exc:  # a decoder bug must still end in a message, not a hang
            log.exception("attaching %s failed", item.name)
            self._drop(item, f"“{item.name}” could not be attached ({type(exc).__name__}: {exc}).")
            return
        if item not in self.items:
            return  # removed while it was being prepared
        item.prepared = prepared
        self.thumbnails.put(prepared.attachment.url, prepared.thumbnail)
        self.changed.emit()

    def _drop(self, item: PendingImage, message: str) -> None:
        if item in self.items:
            self.items.remove(item)
            self.changed.emit()
        self._say(message)


def images_in_next_request(conv: Conversation) -> int:
    """Images the next send replays from history (a failed turn that a send replaces, i.e. a
    user message followed by an empty failed reply, is not counted: ChatController drops it)."""
    msgs = conv.messages
    skip = None
    if (
        len(msgs) >= 2
        and msgs[-1].status == MessageStatus.ERROR
        and not (msgs[-1].content or msgs[-1].reasoning)
        and msgs[-2].role == "user"
    ):
        skip = msgs[-2]
    return sum(len(m.images) for m in conv.history_for_request() if m is not skip)


def _task_name(key: int) -> str:
    return f"attach-image-{key}"


def _count(n: int) -> str:
    return f"{n} image" if n == 1 else f"{n} images"
