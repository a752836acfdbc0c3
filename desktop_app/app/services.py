"""The composition root: every service of the app, built once with its dependencies."""

from __future__ import annotations

from collections.abc import Callable

from desktop_app.api import ToolDefinition
from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import Conversation
from desktop_app.core.chat.drafts import DraftBook
from desktop_app.core.chat.send_gate import SendGate
from desktop_app.core.compare.lab import CompareLab
from desktop_app.core.files.data_folder import read_only_notice
from desktop_app.core.files.paths import database_path, drafts_path
from desktop_app.core.history.loader import ConversationLoader
from desktop_app.core.history.service import HistoryService
from desktop_app.core.history.storage import HistoryStore, StorageError
from desktop_app.core.history.worker import HistoryWorker
from desktop_app.core.images.thumbnails import ThumbnailCache
from desktop_app.core.images.tray import AttachmentTray, images_in_next_request
from desktop_app.core.inspect.traces import TraceStore
from desktop_app.core.mcp.calls import McpCalls
from desktop_app.core.mcp.manager import McpTools
from desktop_app.core.params.generation import GenerationParams
from desktop_app.core.params.presets import PresetStore
from desktop_app.core.server.capabilities import ServerCapabilities
from desktop_app.core.server.load import BusyWatch, LoadPoller
from desktop_app.core.server.meter import ContextMeter
from desktop_app.core.server.round_fit import RoundFit
from desktop_app.core.session.profiles import ProfileStore, ServerProfile
from desktop_app.core.session.secrets import SecretStore
from desktop_app.core.session.server import ServerSession
from desktop_app.core.session.servers import Servers
from desktop_app.core.settings import Settings
from desktop_app.core.tasks import TaskRunner
from desktop_app.core.tokens.feature import TokenFeature
from desktop_app.core.tools.library import ToolLibrary
from desktop_app.core.tools.loop import ToolLoop
from desktop_app.core.tools.scenario import ScenarioRunner


class AppServices:
    """Builds every core service in dependency order and hands each its collaborators in
    its constructor; the window receives this object and passes on what each widget needs.
    Nothing here imports a widget."""

    def __init__(
        self,
        secrets: SecretStore | None = None,
        settings: Settings | None = None,
        read_only: str | None = None,
        server_checks: bool = True,
    ):
        """``read_only`` says why this session must write nothing into the data folder (it
        cannot be written, or another Gemma Desk owns it); None for a normal session.
        ``server_checks`` False leaves the server alone between requests (no /tokenize,
        probe or /metrics calls of the meter, capabilities and gauge)."""
        self.runner = TaskRunner()
        self.read_only = read_only
        # What the window shows in its notice banner: read-only sessions, damaged files.
        self.notices: list[str] = [read_only_notice(read_only)] if read_only else []
        self.secrets = secrets or SecretStore()
        self.settings = settings or Settings.load(read_only=read_only)
        if self.settings.notice:
            self.notices.append(self.settings.notice)
        self.profiles = ProfileStore(self.settings, self.secrets)
        self.session = ServerSession(self.runner)
        self.servers = Servers(self.profiles, self.session, self.settings, self.runner)
        self.presets = PresetStore(read_only=read_only)
        if self.presets.problem:
            self.notices.append(self.presets.problem)
        self.gate = SendGate()
        self.traces = TraceStore()
        # The history lives on a thread of its own: writes never hold up the window.
        self.store: HistoryWorker | None = None
        self.storage_problem: str | None = None
        try:
            self.store = HistoryWorker(lambda: HistoryStore(read_only=read_only is not None))
        except StorageError as exc:
            # Without a readable history the app still chats; the window says what is wrong.
            # (A read-only session's banner already says that nothing is saved.)
            if not (read_only and not database_path().exists()):
                self.storage_problem = (
                    f"{exc} Conversations of this session will not be saved; export them to "
                    "keep them."
                )
        self.loader = ConversationLoader(self.store) if self.store is not None else None
        # What the server says about itself: the prompt's size, its capabilities, its load.
        self.meter = ContextMeter(
            self.session,
            self.runner,
            lambda: self.chat.current,
            enabled=server_checks,
            extra_tools=self._mcp_definitions,  # counted as Send will send them
        )
        self.capabilities = ServerCapabilities(self.session, self.runner, enabled=server_checks)
        self.load = LoadPoller(self.session, self.runner, enabled=server_checks)
        self.busy_watch = BusyWatch(self.load, self.runner)
        # MCP servers: their tools go with every request (named apart from the chat's own).
        self.mcp = McpTools(self.settings, self.secrets, self.runner)
        if self.mcp.notice:
            self.notices.append(self.mcp.notice)
        # Tools kept across chats; those marked for new chats start in every new chat.
        self.tool_library = ToolLibrary(self.settings)
        if self.tool_library.notice:
            self.notices.append(self.tool_library.notice)
        self.chat = ChatController(
            self.session,
            self.runner,
            gate=self.gate,
            traces=self.traces,
            # New chats (and the empty one made at start-up) begin from the default preset.
            settings_factory=lambda: self.tool_library.seed(self.presets.default_settings()),
            loader=self.loader.load if self.loader is not None else None,
            fit_request=self.meter.clamp,
            extra_tools=self._mcp_definitions,
        )
        self.history: HistoryService | None = None
        if self.store is not None and self.loader is not None:
            self.history = HistoryService(self.chat, self.store, self.loader)
        self.params = GenerationParams(
            self.chat,
            self.presets,
            save=self.history.save_header if self.history is not None else None,
            gate=self.gate,
        )
        # The tool loop counts each automatic round first and stops before the context is full.
        self.round_fit = RoundFit(
            self.session, self.runner, self._mcp_definitions, enabled=server_checks
        )
        self.tools = ToolLoop(
            self.chat, self.gate, extra_tools=self._mcp_definitions, fit=self.round_fit.check
        )
        self.mcp_calls = McpCalls(self.tools, self.mcp, self.runner)
        self.scenarios = ScenarioRunner(self.chat, self.tools, self.mcp)
        self.tokens = TokenFeature(self.chat)
        self.compare = CompareLab(
            self.chat, self.session, self.profiles, self.params, self.presets, self.runner,
            self.settings,
        )  # fmt: skip
        self.thumbnails = ThumbnailCache(self.runner)
        self.tray = AttachmentTray(
            self.runner,
            self.settings,
            self.thumbnails,
            lambda: images_in_next_request(self.chat.current),
        )
        # Each conversation's unsent text and images (a read-only session keeps them in memory).
        self.drafts = DraftBook(None if read_only else drafts_path(), self.runner)
        if self.drafts.problem:
            self.notices.append(self.drafts.problem)

    def start(
        self, start_demo: Callable[[], ServerProfile] | None = None, force_demo: bool = False
    ) -> None:
        """Restores the history, then connects to the saved (or environment) profile; with
        none, to the demo server."""
        if self.history is not None:
            self.history.restore()
        # A new chat that was never sent is not in the history: its draft comes back in an
        # empty chat (the one start-up made, or a new one).
        known = {c.id for c in self.chat.conversations}
        if any(cid not in known for cid in self.drafts.ids()):
            target = self.chat.current
            if target.messages or self.drafts.ids().count(target.id):
                target = self.chat.new_conversation()
            self.drafts.adopt_orphans(known - {target.id}, target.id)
        self.servers.connect_first(start_demo, force_demo)

    def _mcp_definitions(self, conv: Conversation) -> list[ToolDefinition]:
        return self.mcp.definitions([t.name for t in conv.settings.tools])

    async def aclose(self) -> None:
        await self.drafts.aclose()
        self.runner.cancel_all()
        await self.mcp.aclose()  # every MCP server process ends with the app
        await self.session.aclose()
        await self.compare.journals.aclose()  # the last compare cells reach the disk
        self.params.flush()  # settings edited in the last moments reach the history too
        if self.history is not None:
            self.history.flush()
        if self.store is not None:
            # Every write queued so far (the last checkpoints, the headers above) reaches the
            # database before it closes.
            store, self.store = self.store, None
            await store.aclose()
