"""The history's own thread: it owns the SQLite connection and runs every job in the order given."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from desktop_app.core.chat.conversation import Conversation
from desktop_app.core.history.storage import (
    ConversationSummary,
    HistoryStore,
    ReadOnlyError,
    SearchHit,
    StorageError,
)
from desktop_app.core.history.turn_gate import TurnGate

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[HistoryStore], object]

# How often an idle worker looks whether the main thread has ended (an exit that skipped
# close()): it then finishes what is queued and closes the database by itself.
IDLE_CHECK_SECONDS = 0.5


class _Stop:
    """The last item of the queue: close the store and end the thread."""

    def __init__(self) -> None:
        self.done: Future[None] = Future()


class HistoryWorker(QObject):
    """Runs HistoryStore calls on one thread of its own, strictly in the order they were given.

    Writes are queued with ``submit`` and return at once; a write that fails is reported by
    ``failed`` (delivered on the Qt thread). Reads the window needs at once use ``call``,
    which waits for every write queued before it, so a read always sees the writes before it.
    ``close``/``aclose`` run every queued job before the database closes.
    """

    failed = Signal(str)  # the StorageError's text, for the user

    def __init__(self, open_store: Callable[[], HistoryStore], parent: QObject | None = None):
        """Opens the store on the worker thread; raises its StorageError if it cannot."""
        super().__init__(parent)
        self._jobs: queue.SimpleQueue[tuple[Job, Future[object] | None] | _Stop] = (
            queue.SimpleQueue()
        )
        self._closing = False
        self._gates: list[TurnGate] = []  # writes held until the window's turn has ended
        self._store: HistoryStore | None = None
        opened: Future[HistoryStore] = Future()
        # Not a daemon: if the process ends without close(), the thread still finishes the
        # queue (see IDLE_CHECK_SECONDS) instead of being cut off mid-write.
        self._thread = threading.Thread(
            target=self._run, args=(open_store, opened), name="history-writer"
        )
        self._thread.start()
        try:
            store = opened.result()
        except BaseException:
            self._thread.join()
            raise
        self.read_only = store.read_only
        self.path: Path = store.path

    # ---- the thread -----------------------------------------------------------------------

    def _run(self, open_store: Callable[[], HistoryStore], opened: Future[HistoryStore]) -> None:
        try:
            self._store = open_store()
        except BaseException as exc:
            opened.set_exception(exc)
            return
        opened.set_result(self._store)
        store = self._store
        while True:
            try:
                item = self._jobs.get(timeout=IDLE_CHECK_SECONDS)
            except queue.Empty:
                if not threading.main_thread().is_alive():
                    break
                continue
            if isinstance(item, _Stop):
                store.close()
                item.done.set_result(None)
                return
            job, result = item
            try:
                value = job(store)
            except BaseException as exc:
                if result is not None:
                    result.set_exception(exc)
                else:
                    self._report(exc)
            else:
                if result is not None:
                    result.set_result(value)
        store.close()

    def _report(self, exc: BaseException) -> None:
        if isinstance(exc, ReadOnlyError):
            return  # the window's banner already says this session saves nothing
        if isinstance(exc, StorageError):
            log.error("history write failed: %s", exc)
            self.failed.emit(str(exc))
            return
        # A bug must not end the thread (every later write would be lost) nor go unseen.
        log.error("history write failed", exc_info=exc)
        self.failed.emit(f"Could not write to the history database {self.path}: {exc}.")

    # ---- the Qt thread's side --------------------------------------------------------------

    def submit(self, job: Job) -> None:
        """Queues a write; it runs after every job queued before it. A failure goes to
        ``failed``. ``job`` gets the store and must only use values it owns (snapshots)."""
        if self._closing:
            self.failed.emit("The history store is closed.")
            return
        self._jobs.put((job, None))

    def submit_after_turn(self, job: Job) -> None:
        """``submit``, but ``job`` starts only once the Qt thread has ended this turn of its
        event loop and drawn what changed (see TurnGate): for a write whose encoding holds
        the interpreter long enough to stall the window. Jobs after it wait for it."""
        self._gates = [gate for gate in self._gates if not gate.is_open()]
        gate = TurnGate()
        self._gates.append(gate)
        self.submit(gate.hold(job))

    def _open_gates(self) -> None:
        """The Qt thread is about to wait for the queue: held writes run at once."""
        for gate in self._gates:
            gate.open()
        self._gates.clear()

    def call(self, job: Callable[[HistoryStore], T]) -> T:
        """Runs ``job`` after everything queued and waits for its result (or its exception)."""
        if self._closing:
            raise StorageError("The history store is closed.")
        if threading.current_thread() is self._thread:
            raise RuntimeError("HistoryWorker.call from its own thread would wait forever")
        self._open_gates()
        result: Future[object] = Future()
        self._jobs.put((job, result))
        return result.result()  # type: ignore[return-value]

    def wait(self) -> None:
        """Waits until every job queued so far has run."""
        self.call(lambda _store: None)

    def _stop(self) -> Future[None] | None:
        if self._closing:
            return None
        self._closing = True
        self._open_gates()
        stop = _Stop()
        self._jobs.put(stop)
        return stop.done

    def close(self) -> None:
        """Runs every queued job, closes the database and ends the thread."""
        done = self._stop()
        if done is not None:
            done.result()
        self._thread.join()

    async def aclose(self) -> None:
        """``close`` without holding up the event loop while the queue drains."""
        done = self._stop()
        if done is not None:
            await asyncio.wrap_future(done)
        self._thread.join()

    def __enter__(self) -> HistoryWorker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- reads the window needs at once (after every queued write) ----------------------

    def has_conversation(self, conversation_id: str) -> bool:
        return self.call(lambda s: s.has_conversation(conversation_id))

    def load_conversation(self, conversation_id: str) -> Conversation:
        return self.call(lambda s: s.load_conversation(conversation_id))

    def list_conversations(self, *, deleted: bool = False) -> list[ConversationSummary]:
        return self.call(lambda s: s.list_conversations(deleted=deleted))

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        return self.call(lambda s: s.search(query, limit))
