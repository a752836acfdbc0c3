"""The services the window is built from, as the window sees them (the app's composition
root provides them; the ui never imports it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from desktop_app.core.chat.controller import ChatController
    from desktop_app.core.chat.drafts import DraftBook
    from desktop_app.core.chat.send_gate import SendGate
    from desktop_app.core.compare.lab import CompareLab
    from desktop_app.core.history.service import HistoryService
    from desktop_app.core.images.thumbnails import ThumbnailCache
    from desktop_app.core.images.tray import AttachmentTray
    from desktop_app.core.inspect.traces import TraceStore
    from desktop_app.core.mcp.calls import McpCalls
    from desktop_app.core.mcp.manager import McpTools
    from desktop_app.core.params.generation import GenerationParams
    from desktop_app.core.server.capabilities import ServerCapabilities
    from desktop_app.core.server.load import BusyWatch, LoadPoller
    from desktop_app.core.server.meter import ContextMeter
    from desktop_app.core.session.profiles import ProfileStore
    from desktop_app.core.session.secrets import SecretStore
    from desktop_app.core.session.server import ServerSession
    from desktop_app.core.session.servers import Servers
    from desktop_app.core.settings import Settings
    from desktop_app.core.tasks import TaskRunner
    from desktop_app.core.tokens.feature import TokenFeature
    from desktop_app.core.tools.library import ToolLibrary
    from desktop_app.core.tools.loop import ToolLoop
    from desktop_app.core.tools.scenario import ScenarioRunner


class WindowServices(Protocol):
    """Everything the main window and its panels use; each panel gets only its part."""

    runner: TaskRunner
    chat: ChatController
    gate: SendGate
    traces: TraceStore
    session: ServerSession
    servers: Servers
    profiles: ProfileStore
    secrets: SecretStore
    settings: Settings
    params: GenerationParams
    tools: ToolLoop
    tool_library: ToolLibrary
    scenarios: ScenarioRunner
    tokens: TokenFeature
    compare: CompareLab
    mcp: McpTools
    mcp_calls: McpCalls
    tray: AttachmentTray
    drafts: DraftBook
    thumbnails: ThumbnailCache
    meter: ContextMeter
    capabilities: ServerCapabilities
    load: LoadPoller
    busy_watch: BusyWatch
    history: HistoryService | None  # None when the history could not be opened
    storage_problem: str | None  # why the history could not be opened
    notices: list[str]  # what the banner says at start (read-only session, damaged files)
