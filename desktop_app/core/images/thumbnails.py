"""Small previews of attached images, cached by URL and made off the UI thread on demand."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from PySide6.QtCore import QObject, Signal

from desktop_app.core.images.attachments import AttachmentError, thumbnail_for_url
from desktop_app.core.tasks import TaskRunner

log = logging.getLogger(__name__)

CACHE_ENTRIES = 400  # previews are ~10-30 KB each


def thumb_key(url: str) -> str:
    """A short stand-in for a (possibly megabytes long) data: URL in signals and task names.

    str caches its hash, so this costs one pass over the URL per string object.
    """
    return f"{len(url)}-{hash(url) & 0xFFFFFFFFFFFF:x}"


class ThumbnailCache(QObject):
    """Preview bytes by URL. `request` decodes a missing one on a worker thread, then emits
    `ready(key)`; an image that cannot be decoded is cached as b"" (shown as broken)."""

    ready = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        # Background decoding runs as tasks owned by the app's runner.
        self._runner = runner

    def get(self, url: str) -> bytes | None:
        key = thumb_key(url)
        data = self._cache.get(key)
        if data is not None:
            self._cache.move_to_end(key)
        return data

    def put(self, url: str, data: bytes) -> None:
        key = thumb_key(url)
        self._cache[key] = data
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)
        self.ready.emit(key)

    def request(self, url: str) -> str:
        """Starts making the preview unless it exists or is under way; returns its key."""
        key = thumb_key(url)
        if key in self._cache or not url.startswith("data:"):
            return key
        runner = self._runner
        name = f"thumbnail-{key}"
        if not runner.running(name):
            job = self._make(url)
            try:
                runner.start(name, job)
            except RuntimeError:  # no event loop (a widget built outside the app)
                job.close()
                log.debug("no loop to make a thumbnail on")
        return key

    async def _make(self, url: str) -> None:
        try:
            data = await asyncio.to_thread(thumbnail_for_url, url)
        except AttachmentError as exc:
            log.warning("image preview failed: %s", exc)
            data = b""
        self.put(url, data or b"")

