"""Helpers for the rendering tests: proof that no file is opened, and clicks on a link."""

from __future__ import annotations

import ctypes
import os
import struct
import threading
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

_IN_ACCESS = 0x001
_IN_OPEN = 0x020
_IN_NONBLOCK = 0o4000


class OpenWatch:
    """Counts every open or read of one file by any code in this process (Linux inotify).

    Qt reads files in C++, out of reach of Python spies: the kernel sees every open.
    """

    def __init__(self, path: Path) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(_IN_NONBLOCK)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        if libc.inotify_add_watch(self.fd, os.fsencode(path), _IN_OPEN | _IN_ACCESS) < 0:
            raise OSError(ctypes.get_errno(), f"cannot watch {path}")
        self.events = 0

    def count(self) -> int:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return self.events
            pos = 0
            while pos < len(data):
                _wd, _mask, _cookie, size = struct.unpack_from("iIII", data, pos)
                self.events += 1
                pos += 16 + size

    def close(self) -> None:
        os.close(self.fd)


class FifoTrap:
    """A named pipe that hangs whoever opens it for reading, unless this trap lets go.

    A thread waits to open the write end; if the app opens the pipe, both opens complete,
    the trap records it and closes, and the app reads end-of-file instead of hanging the
    test forever (again for every later open). `release` ends the thread when nobody opened it.
    """

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path = path
        self.opened_by_reader = False
        self._releasing = False
        self._thread = threading.Thread(target=self._wait, name="fifo-trap", daemon=True)
        self._thread.start()

    def _wait(self) -> None:
        while not self._releasing:  # Qt may open a file more than once
            fd = os.open(self.path, os.O_WRONLY)  # blocks until a reader opens the pipe
            if not self._releasing:
                self.opened_by_reader = True
            os.close(fd)

    def release(self) -> None:
        self._releasing = True
        fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        self._thread.join(5)
        os.close(fd)


def anchor_point(view, href_prefix: str) -> tuple[QPoint, str]:
    """The viewport point in the middle of the first link whose target starts with
    `href_prefix`, and that target."""
    doc = view.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            fmt = frag.charFormat()
            if fmt.isAnchor() and fmt.anchorHref().startswith(href_prefix):
                cursor = QTextCursor(doc)
                cursor.setPosition(frag.position() + frag.length() // 2)
                return view.cursorRect(cursor).center(), fmt.anchorHref()
            it += 1
        block = block.next()
    raise AssertionError(f"no link to {href_prefix}… in {view.toPlainText()!r}")


def click_link(qtbot, view, href_prefix: str) -> str:
    point, href = anchor_point(view, href_prefix)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0), point)
    return href


def message_widget(msg):
    """One message widget on its own, with the context a window would hand it."""
    from desktop_app.core.images.thumbnails import ThumbnailCache
    from desktop_app.core.tasks import TaskRunner
    from desktop_app.ui.chat.context import ChatContext, MessageActions
    from desktop_app.ui.chat.message_widget import MessageWidget

    return MessageWidget(msg, ChatContext(MessageActions(), ThumbnailCache(TaskRunner())))
