"""One Gemma Desk per data folder: the first start owns it, a later one hands over to it.

Two processes writing one history would interleave their writes (a conversation's order
scrambled). The first start takes a lock file in the data folder and listens on a local
socket named after the folder; a second start finds the lock taken, asks the running one to
raise its window and exits. When the running one does not answer (hung, stopped), the second
start runs read-only rather than writing beside it.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, QThread, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

LOCK_NAME = "gemma-desk.lock"
ACTIVATE = b"activate\n"
ACK = b"ok\n"
CONNECT_MS = 1000
ANSWER_MS = 3000


class Claim(enum.Enum):
    OWNER = "owner"  # this process owns the folder and writes to it
    HANDED_OVER = "handed-over"  # the running one raised its window; this one exits
    READ_ONLY = "read-only"  # another one owns the folder but did not answer


def server_name(folder: Path) -> str:
    """A local socket name unique to the data folder (and user), so separate folders, and
    tests with their own GEMMA_DESK_DATA_DIR, never meet."""
    key = str(folder.expanduser().resolve())
    if hasattr(os, "getuid"):
        key = f"{os.getuid()}:{key}"
    return "gemma-desk-" + hashlib.sha256(key.encode()).hexdigest()[:24]


class InstanceGuard(QObject):
    """Claims the data folder at start-up; while owned, answers later starts."""

    activated = Signal()  # a later start asked for the window

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.name = server_name(folder)
        self.reason: str | None = None  # why READ_ONLY, in words for the banner
        self._lock = QLockFile(str(folder / LOCK_NAME))
        # 0: a lock is stale only when the process that holds it is gone, never by age.
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None

    def claim(self) -> Claim:
        """Takes the folder's lock, or hands over to its holder. The owner calls ``listen``
        once its window is up (QtNetwork stays off the path to the first frame)."""
        if self._lock.tryLock(0):
            return Claim.OWNER
        held = self._lock.error() == QLockFile.LockError.LockFailedError
        if self.hand_over():
            return Claim.HANDED_OVER
        if held:
            self.reason = (
                f"another Gemma Desk is using the data folder {self.folder} and did not answer"
            )
            return Claim.READ_ONLY
        # No lock file could be made: the folder cannot be written, which the start-up
        # check reports itself; nothing here can be interleaved.
        log.info("no lock in %s: %s", self.folder, self._lock.error())
        return Claim.OWNER

    def hand_over(self) -> bool:
        """Asks the running Gemma Desk to raise its window; True when it said it did."""
        from PySide6.QtNetwork import QLocalSocket

        sock = QLocalSocket()
        # The owner starts listening just after its window shows: retry for a moment.
        deadline = time.monotonic() + CONNECT_MS / 1000
        while True:
            sock.connectToServer(self.name)
            if sock.waitForConnected(CONNECT_MS):
                break
            if time.monotonic() > deadline:
                return False
            QThread.msleep(50)
        sock.write(ACTIVATE)
        sock.flush()
        answer = b""
        while ACK not in answer and sock.waitForReadyRead(ANSWER_MS):
            answer += bytes(sock.readAll().data())
        sock.abort()
        return ACK in answer

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    def listen(self) -> None:
        """Answers later starts on this folder (owner only)."""
        from PySide6.QtNetwork import QLocalServer

        if not self._lock.isLocked() or self._server is not None:
            return
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # We hold the lock, so a socket left by a crashed owner is stale: clear it.
        QLocalServer.removeServer(self.name)
        if not server.listen(self.name):
            log.warning("cannot listen for later starts: %s", server.errorString())
            return
        server.newConnection.connect(self._on_connection)
        self._server = server

    def _on_connection(self) -> None:
        assert self._server is not None
        while (sock := self._server.nextPendingConnection()) is not None:
            sock.readyRead.connect(lambda s=sock: self._on_request(s))
            sock.disconnected.connect(sock.deleteLater)

    def _on_request(self, sock: QLocalSocket) -> None:
        if ACTIVATE.strip() not in bytes(sock.readAll().data()):
            return
        log.info("another start on this data folder: raising the window")
        self.activated.emit()
        sock.write(ACK)
        sock.flush()
        sock.disconnectFromServer()
