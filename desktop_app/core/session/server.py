"""The connection to the active server: one long-lived client, its models and version."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from desktop_app.api import GemmaAPIError, ModelInfo, VLLMClient
from desktop_app.core.session.profiles import ServerProfile
from desktop_app.core.tasks import TaskRunner

log = logging.getLogger(__name__)


@dataclass
class ConnectionReport:
    """What "Test connection" found, in words a person can act on."""

    ok: bool
    message: str
    version: str | None = None
    models: list[ModelInfo] = field(default_factory=list)


def make_client(profile: ServerProfile) -> VLLMClient:
    verify: bool | str = profile.ca_bundle or True
    return VLLMClient(profile.base_url, profile.api_key or None, verify=verify)


async def probe(profile: ServerProfile) -> ConnectionReport:
    """Asks the server for its version and models with a short-lived client."""
    problem = profile.url_problem()
    if problem:
        return ConnectionReport(False, problem)
    if profile.ca_bundle:
        from pathlib import Path

        if not Path(profile.ca_bundle).is_file():
            return ConnectionReport(
                False, f"The CA bundle file {profile.ca_bundle} does not exist."
            )
    try:
        async with make_client(profile) as client:
            models = await client.list_models()
            try:
                version = await client.version()
            except GemmaAPIError:
                version = None  # a proxy in front of vLLM may hide /version
    except GemmaAPIError as exc:
        return ConnectionReport(False, exc.user_message)
    names = ", ".join(
        f"{m.id} ({m.max_model_len:,} tokens)" if m.max_model_len else m.id for m in models
    )
    head = f"Connected to vLLM {version}." if version else "Connected."
    return ConnectionReport(True, f"{head} Models: {names or 'none listed'}.", version, models)


class ServerSession(QObject):
    """Holds the client of the active profile; other objects read `client`, `model`, `version`."""

    changed = Signal()

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.profile: ServerProfile | None = None
        self.client: VLLMClient | None = None
        self.models: list[ModelInfo] = []
        self.version: str | None = None
        self.error: str | None = None
        # Seconds a streamed reply may bring no data before it ends as an error (None: off).
        self.stall_limit: float | None = None
        self._retired: list[VLLMClient] = []
        self._closing: set[asyncio.Task[None]] = set()

    def set_stall_limit(self, seconds: float | None) -> None:
        """The stall limit for the replies to come, on this client and the next ones."""
        self.stall_limit = seconds or None
        if self.client is not None:
            self.client.stall_limit = self.stall_limit

    @property
    def model(self) -> str | None:
        if self.profile and self.profile.model:
            return self.profile.model
        return self.models[0].id if self.models else None

    def model_info(self) -> ModelInfo | None:
        for m in self.models:
            if m.id == self.model:
                return m
        return None

    def use(self, profile: ServerProfile) -> None:
        """Switches to `profile`: a new client; models and version load in the background."""
        if self.client is not None:
            self._retire(self.client)
        self.profile = profile
        self.client = make_client(profile) if not profile.url_problem() else None
        if self.client is not None:
            self.client.stall_limit = self.stall_limit
        self.models, self.version = [], None
        self.error = profile.url_problem()
        self.changed.emit()
        if self.client is not None:
            self.runner.start("session-refresh", self.refresh())

    async def refresh(self) -> None:
        client = self.client
        if client is None:
            return
        report = ConnectionReport(False, "")
        try:
            models = await client.list_models()
            try:
                version = await client.version()
            except GemmaAPIError:
                version = None
            report = ConnectionReport(True, "", version, models)
        except GemmaAPIError as exc:
            report = ConnectionReport(False, exc.user_message)
        if client is not self.client:
            return  # the profile changed meanwhile
        self.models, self.version = report.models, report.version
        self.error = None if report.ok else report.message
        self.changed.emit()

    def _retire(self, client: VLLMClient) -> None:
        """Closes a client that is no longer used, in the background. The closing task is
        the session's own (not the app runner's): cancelling every task at quit must not
        stop a close halfway, which would leave its connections open (httpx marks a client
        closed before it closes its pool, so a second close does nothing)."""
        self._retired.append(client)
        task = asyncio.get_running_loop().create_task(client.aclose(), name="close-client")
        self._closing.add(task)
        task.add_done_callback(functools.partial(self._closed, client))

    def _closed(self, client: VLLMClient, task: asyncio.Task[None]) -> None:
        self._closing.discard(task)
        if client in self._retired:
            self._retired.remove(client)
        if not task.cancelled() and task.exception() is not None:
            log.warning("closing a client failed: %s", task.exception())

    async def aclose(self) -> None:
        # Closes already under way finish first; then the rest.
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        for client in [self.client, *self._retired]:
            if client is not None:
                await client.aclose()
        self.client = None
        self._retired.clear()
