"""The MCP servers of the app: their settings, connections, tools as offered to the model,
per-tool policies, and calls; every server is stopped on quit.

Settings hold each server's public part, the tools it listed last (so they are offered before
the server runs: it starts on its first call, or from the Tools panel) and the per-tool
policies; environment values, URLs and headers live in the keyring.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.api import ToolDefinition
from desktop_app.core.mcp.config import McpServerConfig, parse_mcp_servers
from desktop_app.core.mcp.connection import McpCallError, McpConnection, McpServerError
from desktop_app.core.mcp.naming import McpTool, name_tools, public_tool
from desktop_app.core.mcp.results import ToolOutcome, failure, outcome_of
from desktop_app.core.session.secrets import SecretStore
from desktop_app.core.settings import Settings
from desktop_app.core.tasks import TaskRunner

log = logging.getLogger(__name__)

SETTINGS_KEY = "mcp"
DEFAULT_CALL_TIMEOUT = 60


class Policy(StrEnum):
    ASK = "ask"  # the call card shows the arguments with Run / Mock / Reject
    ALLOW = "allow"  # runs at once
    MOCK = "mock"  # answered with the tool's mock text, never run
    OFF = "off"  # not offered to the model


POLICY_LABELS = {
    Policy.ASK: "Ask",
    Policy.ALLOW: "Allow",
    Policy.MOCK: "Mock",
    Policy.OFF: "Off",
}


class McpTools(QObject):
    """Owns the servers; ``changed`` says servers, states, tools or policies changed,
    ``logChanged`` (server id) that a server wrote to its log."""

    changed = Signal()
    logChanged = Signal(str)

    def __init__(
        self,
        settings: Settings,
        secrets: SecretStore,
        runner: TaskRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.secrets = secrets
        self.runner = runner
        self.servers: list[McpServerConfig] = []
        self.connections: dict[str, McpConnection] = {}
        self._listed: dict[str, list[dict[str, Any]]] = {}  # server id -> tools (public)
        self._prefs: dict[str, dict[str, str]] = {}  # "server id/tool" -> policy, mock
        self.call_timeout: float = DEFAULT_CALL_TIMEOUT
        self.notice = ""  # what went wrong reading the settings
        self._secret_jobs = 0
        # Log lines arrive in bursts (a flooding server): one repaint per frame at most.
        self._log_dirty: set[str] = set()
        self._seen: dict[str, tuple[str, str]] = {}  # server id -> state and error shown
        self._log_timer = QTimer(self)
        self._log_timer.setSingleShot(True)
        self._log_timer.setInterval(50)
        self._log_timer.timeout.connect(self._flush_logs)
        self._load()

    # -- settings -----------------------------------------------------------------------------
    def _load(self) -> None:
        raw = self.settings.extra.get(SETTINGS_KEY)
        if not isinstance(raw, dict):
            return
        for entry in raw.get("servers") or []:
            if not isinstance(entry, dict):
                continue
            server_id = str(entry.get("id") or "")
            secret = self.secrets.get(_account(server_id)) if server_id else None
            config = McpServerConfig.from_parts(entry, secret)
            self.servers.append(config)
            tools = entry.get("tools")
            if isinstance(tools, list):
                self._listed[config.id] = [t for t in tools if isinstance(t, dict)]
        prefs = raw.get("tools")
        if isinstance(prefs, dict):
            self._prefs = {
                str(k): {str(a): str(b) for a, b in v.items()}
                for k, v in prefs.items()
                if isinstance(v, dict)
            }
        timeout = raw.get("call_timeout")
        if isinstance(timeout, int | float) and 0 <= timeout <= 3600:
            self.call_timeout = timeout

    def save(self) -> None:
        """Writes the public part to the settings (the secrets went to the keyring)."""
        self.settings.extra[SETTINGS_KEY] = {
            "servers": [
                {**c.public_part(), "tools": self._listed.get(c.id, [])} for c in self.servers
            ],
            "tools": self._prefs,
            "call_timeout": self.call_timeout,
        }
        self.settings.save()

    def _store_secret(self, config: McpServerConfig) -> None:
        self._secret_job(config.id, self.secrets.aset(_account(config.id), config.secret_part()))

    def _secret_job(self, server_id: str, job: Any) -> None:
        """Awaits a keyring write or delete. Each gets a task of its own: the keyring thread
        already runs them in order, and a later one must not cancel (drop) an earlier one."""
        self._secret_jobs += 1
        self.runner.start(f"mcp-secret-{server_id}-{self._secret_jobs}", _done(job))

    # -- servers ------------------------------------------------------------------------------
    def add_server(self, config: McpServerConfig) -> str:
        """Adds a server, or replaces the one of the same id (an edit) or else of the same
        name (an import again); returns why it cannot be used, or ''."""
        problem = config.problem()
        old = next((s for s in self.servers if s.id == config.id), None) or next(
            (s for s in self.servers if s.name == config.name), None
        )
        if old is not None:
            config.id = old.id
            self.servers[self.servers.index(old)] = config
            self.runner.start(f"mcp-stop-{old.id}", self._stop(old.id))
        else:
            self.servers.append(config)
        self._store_secret(config)
        self.save()
        self.changed.emit()
        return problem

    def import_text(self, text: str) -> str:
        """Adds the servers of an `mcpServers` JSON text; returns what happened, in words.
        Raises McpConfigError (a ValueError) when the text is not such a file."""
        found, skipped = parse_mcp_servers(text)
        for config in found:
            self.add_server(config)
        names = ", ".join(c.name for c in found) or "none"
        note = f"Added {len(found)} MCP server{'s' * (len(found) != 1)}: {names}."
        if skipped:
            note += " Skipped: " + " ".join(skipped)
        return note

    def remove_server(self, server_id: str) -> None:
        self.servers = [s for s in self.servers if s.id != server_id]
        self._listed.pop(server_id, None)
        self._prefs = {k: v for k, v in self._prefs.items() if not k.startswith(server_id + "/")}
        self.runner.start(f"mcp-stop-{server_id}", self._stop(server_id, forget=True))
        self._secret_job(server_id, self.secrets.adelete(_account(server_id)))
        self.save()
        self.changed.emit()

    def server(self, server_id: str) -> McpServerConfig | None:
        return next((s for s in self.servers if s.id == server_id), None)

    def connection(self, server_id: str) -> McpConnection:
        conn = self.connections.get(server_id)
        config = self.server(server_id)
        if conn is None or (config is not None and conn.config is not config):
            if config is None:
                raise KeyError(server_id)
            conn = McpConnection(config, on_change=lambda: self._on_conn_change(server_id))
            self.connections[server_id] = conn
        return conn

    def start(self, server_id: str) -> None:
        """Starts a server in the background (the panel shows how it goes)."""
        self.runner.start(f"mcp-start-{server_id}", self._start(server_id))

    def restart(self, server_id: str) -> None:
        self.runner.start(f"mcp-start-{server_id}", self._restart(server_id))

    def stop(self, server_id: str) -> None:
        self.runner.start(f"mcp-stop-{server_id}", self._stop(server_id))

    async def _start(self, server_id: str) -> None:
        with contextlib.suppress(McpServerError):  # the state and the log say why
            await self.connection(server_id).start()

    async def _restart(self, server_id: str) -> None:
        with contextlib.suppress(McpServerError):
            await self.connection(server_id).restart()

    async def _stop(self, server_id: str, forget: bool = False) -> None:
        conn = self.connections.get(server_id)
        if conn is not None:
            await conn.stop()
            if forget:
                self.connections.pop(server_id, None)
        self.changed.emit()

    async def aclose(self) -> None:
        """Stops every server (in parallel) and waits until their processes are gone."""
        conns = list(self.connections.values())
        if conns:
            await asyncio.gather(*(c.stop() for c in conns), return_exceptions=True)

    def _on_conn_change(self, server_id: str) -> None:
        """Called for every state change and every chunk of stderr: the tree is redrawn only
        when the state or the tools changed, the log at most every 50 ms."""
        conn = self.connections.get(server_id)
        self._log_dirty.add(server_id)
        if not self._log_timer.isActive():
            self._log_timer.start()
        if conn is None:
            return
        tools_changed = False
        if conn.state == "ready":
            listed = [public_tool(t) for t in conn.tools]
            if listed != self._listed.get(server_id):
                self._listed[server_id] = listed
                self.save()
                tools_changed = True
        seen = (conn.state, conn.error)
        if tools_changed or self._seen.get(server_id) != seen:
            self._seen[server_id] = seen
            self.changed.emit()

    def _flush_logs(self) -> None:
        dirty, self._log_dirty = self._log_dirty, set()
        for server_id in dirty:
            self.logChanged.emit(server_id)

    # -- tools --------------------------------------------------------------------------------
    def tools(self, taken: Sequence[str] = ()) -> list[McpTool]:
        """Every tool of every enabled server, named for the wire: a name used by another
        server or by a hand-written tool (``taken``) gets its server's name in front."""
        listed = [
            (s.id, s.name, t) for s in self.servers if s.enabled for t in self._listed.get(s.id, [])
        ]
        return name_tools(listed, taken)

    def definitions(self, taken: Sequence[str] = ()) -> list[ToolDefinition]:
        """What a request carries from MCP: valid tools whose policy is not Off."""
        return [
            t.definition
            for t in self.tools(taken)
            if t.definition is not None and self.policy(t) != Policy.OFF
        ]

    def find(self, wire_name: str, taken: Sequence[str] = ()) -> McpTool | None:
        return next((t for t in self.tools(taken) if t.wire_name == wire_name), None)

    def policy(self, tool: McpTool) -> Policy:
        value = self._prefs.get(tool.key, {}).get("policy", Policy.ASK)
        try:
            return Policy(value)
        except ValueError:
            return Policy.ASK

    def set_policy(self, tool: McpTool, policy: Policy) -> None:
        self._prefs.setdefault(tool.key, {})["policy"] = Policy(policy).value
        self.save()
        self.changed.emit()

    def mock(self, tool: McpTool) -> str:
        return self._prefs.get(tool.key, {}).get("mock", "")

    def set_mock(self, tool: McpTool, text: str) -> None:
        self._prefs.setdefault(tool.key, {})["mock"] = text
        self.save()

    def set_call_timeout(self, seconds: float) -> None:
        self.call_timeout = seconds
        self.save()

    async def call(self, tool: McpTool, arguments: dict[str, Any]) -> ToolOutcome:
        """Runs a tool; every failure becomes an outcome with an error result, never raises
        (except CancelledError when the call is cancelled)."""
        try:
            conn = self.connection(tool.server_id)
        except KeyError:
            return failure(f"The MCP server of “{tool.wire_name}” was removed.")
        try:
            result = await conn.call(tool.name, arguments, self.call_timeout)
        except (McpCallError, McpServerError) as exc:
            return failure(str(exc))
        try:
            return outcome_of(result)
        except Exception as exc:  # a result the SDK accepted but that we cannot read
            log.exception("reading the result of %s failed", tool.wire_name)
            return failure(f"The result of “{tool.wire_name}” could not be read: {exc}")


def _account(server_id: str) -> str:
    return f"mcp-server:{server_id}"


async def _done(awaitable: Any) -> None:
    await awaitable
