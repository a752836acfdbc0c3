"""Secrets (server URLs and API keys) in the OS keyring, or for this session only."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

log = logging.getLogger(__name__)

SERVICE = "gemma-desk"
RETRIES = 3
T = TypeVar("T")


class SecretStore:
    """Reads and writes secrets through `keyring`; never falls back to a file.

    When no keyring backend works (no D-Bus session, a locked or missing Secret Service),
    secrets are kept in memory for this session only, and `problem` says why.

    While the window runs, the keyring is used through ``aget``/``aset``/``adelete``: the
    calls (and their retries) run on one keyring thread, in the order they were made, and
    what was read or written is remembered, so the window never waits for a slow keyring.
    The plain methods are for start-up, before the window takes input, and the tools.
    """

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self._session: dict[str, str] = {}
        # What the keyring holds, as last read or written by this process (None: nothing).
        self._known: dict[str, str | None] = {}
        # One thread: keyring calls keep their order (a save, then a delete, stay so).
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="keyring")
        self.problem: str | None = None
        self._probe()

    @property
    def available(self) -> bool:
        return self.problem is None

    @property
    def backend_name(self) -> str:
        backend = keyring.get_keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def _probe(self) -> None:
        backend = keyring.get_keyring()
        if type(backend).__module__.startswith("keyring.backends.fail"):
            self.problem = (
                "No system keyring is available (for example no Secret Service, KWallet, "
                "macOS Keychain or Windows Credential Manager). API keys are kept for this "
                "session only and must be entered again next time."
            )
            return
        try:
            self._call(keyring.get_password, self.service, "__probe__")
        except KeyringError as exc:
            self.problem = (
                f"The system keyring could not be used ({exc}). API keys are kept for this "
                "session only and must be entered again next time."
            )

    @staticmethod
    def _call(fn: Callable[..., T], *args: str) -> T:
        """Calls the keyring, retrying a transient failure; raises KeyringError at the end.

        Backends raise their own errors too (the Secret Service one can answer NoSuchObject
        for an item that a search listed a moment before), so every error is mapped here.
        """
        for attempt in range(RETRIES):
            try:
                return fn(*args)
            except PasswordDeleteError:
                raise
            except Exception as exc:
                if attempt == RETRIES - 1:
                    if isinstance(exc, KeyringError):
                        raise
                    raise KeyringError(f"{type(exc).__name__}: {exc}") from exc
                # The pause is for the keyring thread; on the Qt thread (start-up) the
                # retry follows at once, so the window never sleeps.
                if threading.current_thread() is not threading.main_thread():
                    time.sleep(0.02 * (attempt + 1))
        raise AssertionError("unreachable")

    def _off_thread(self, fn: Callable[..., T], *args: str) -> asyncio.Future[T]:
        """Queues a keyring call on the keyring thread now, after the calls queued before
        it; the result is awaited by the caller."""
        # Shielded: a task cancelled while it waits (the app quitting) must not take a
        # queued keyring write back with it.
        return asyncio.shield(asyncio.wrap_future(self._io.submit(fn, *args)))

    def settled(self) -> Awaitable[None]:
        """Resolves once every keyring call queued so far has ended."""
        return self._off_thread(lambda: None)

    # ---- reading ------------------------------------------------------------------------

    def _remembered(self, account: str) -> tuple[bool, str | None]:
        if account in self._session:
            return True, self._session[account]
        if not self.available:
            return True, None
        if account in self._known:
            return True, self._known[account]
        return False, None

    def _read(self, account: str) -> str | None:
        try:
            return self._call(keyring.get_password, self.service, account)
        except KeyringError as exc:
            log.warning("keyring read failed for an entry: %s", type(exc).__name__)
            return None

    def get(self, account: str) -> str | None:
        found, value = self._remembered(account)
        if found:
            return value
        value = self._read(account)
        self._known[account] = value
        return value

    async def aget(self, account: str) -> str | None:
        """``get`` with the keyring read on the keyring thread."""
        found, value = self._remembered(account)
        if found:
            return value
        value = await self._off_thread(self._read, account)
        self._known.setdefault(account, value)  # a write made meanwhile wins
        return value

    # ---- writing ------------------------------------------------------------------------

    def _write(self, account: str, value: str) -> KeyringError | None:
        try:
            self._call(keyring.set_password, self.service, account, value)
        except KeyringError as exc:
            return exc
        return None

    def _written(self, account: str, value: str, failure: KeyringError | None) -> bool:
        if failure is None:
            self._session.pop(account, None)
            return True
        log.warning("keyring write failed: %s", type(failure).__name__)
        self.problem = (
            f"The system keyring refused to store a secret ({failure}). It is kept for "
            "this session only."
        )
        self._known.pop(account, None)
        self._session[account] = value
        return False

    def set(self, account: str, value: str) -> bool:
        """Stores a secret; returns False when it is kept for this session only."""
        if not value:
            self.delete(account)
            return True
        if not self.available:
            self._session[account] = value
            return False
        self._known[account] = value
        return self._written(account, value, self._write(account, value))

    def aset(self, account: str, value: str) -> Awaitable[bool]:
        """``set`` with the keyring write on the keyring thread. The write is queued (and
        ``get`` sees the new value) before this returns; await it for the outcome."""
        if not value:
            return _then(self.adelete(account), True)
        if not self.available:
            self._session[account] = value
            return _then(None, False)
        self._known[account] = value
        job = self._off_thread(self._write, account, value)
        return self._set_outcome(account, value, job)

    async def _set_outcome(
        self, account: str, value: str, job: Awaitable[KeyringError | None]
    ) -> bool:
        return self._written(account, value, await job)

    def _remove(self, account: str) -> None:
        try:
            self._call(keyring.delete_password, self.service, account)
        except PasswordDeleteError:
            pass
        except KeyringError as exc:
            log.warning("keyring delete failed: %s", type(exc).__name__)

    def delete(self, account: str) -> None:
        self._session.pop(account, None)
        if not self.available:
            return
        self._known[account] = None
        self._remove(account)

    def adelete(self, account: str) -> Awaitable[None]:
        """``delete`` with the keyring call on the keyring thread, queued before this
        returns."""
        self._session.pop(account, None)
        if not self.available:
            return _then(None, None)
        self._known[account] = None
        return self._off_thread(self._remove, account)


async def _then[V](first: Awaitable[object] | None, value: V) -> V:
    if first is not None:
        await first
    return value
