"""Secrets (server URLs and API keys) in the OS keyring, or for this session only."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
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
    """

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self._session: dict[str, str] = {}
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
                time.sleep(0.02 * (attempt + 1))
        raise AssertionError("unreachable")

    def get(self, account: str) -> str | None:
        if account in self._session:
            return self._session[account]
        if not self.available:
            return None
        try:
            return self._call(keyring.get_password, self.service, account)
        except KeyringError as exc:
            log.warning("keyring read failed for an entry: %s", type(exc).__name__)
            return None

    def set(self, account: str, value: str) -> bool:
        """Stores a secret; returns False when it is kept for this session only."""
        if not value:
            self.delete(account)
            return True
        if self.available:
            try:
                self._call(keyring.set_password, self.service, account, value)
                self._session.pop(account, None)
                return True
            except KeyringError as exc:
                log.warning("keyring write failed: %s", type(exc).__name__)
                self.problem = (
                    f"The system keyring refused to store a secret ({exc}). It is kept for "
                    "this session only."
                )
        self._session[account] = value
        return False

    def delete(self, account: str) -> None:
        self._session.pop(account, None)
        if not self.available:
            return
        try:
            self._call(keyring.delete_password, self.service, account)
        except PasswordDeleteError:
            pass
        except KeyringError as exc:
            log.warning("keyring delete failed: %s", type(exc).__name__)
