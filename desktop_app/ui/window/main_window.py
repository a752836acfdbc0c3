"""The main window: conversation list, chat view, composer, server status and settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.chat.composer import Composer
from desktop_app.ui.chat.context import MessageActions
from desktop_app.ui.common.box_place import insert_before, replace_in_layout
from desktop_app.ui.common.elided_label import ElidedLabel
from desktop_app.ui.common.tab_keys import tab_moves_focus
from desktop_app.ui.window.help_menu import HelpEntries
from desktop_app.ui.window.layout_policy import HeaderTools, fit_window
from desktop_app.ui.window.notice_banner import NoticeBanner
from desktop_app.ui.window.scheme_menu import SchemeMenu
from desktop_app.ui.window.sidebar import Sidebar

if TYPE_CHECKING:
    from desktop_app.core.chat.controller import ChatController
    from desktop_app.ui.chat.chat_view import ChatView
    from desktop_app.ui.chat.conversation_notice import ConversationNotice
    from desktop_app.ui.dialogs.settings import SettingsDialog
    from desktop_app.ui.history.panel import HistoryPanel
    from desktop_app.ui.images.feature import ImageFeature
    from desktop_app.ui.params.docks import GenerationControls
    from desktop_app.ui.tools.panel import ToolsPanel
    from desktop_app.ui.window.context import WindowServices

EMPTY_HINT = (
    "<h2>What can I help with?</h2>"
    "<p>Ask anything. Try “explain async/await with code”, or turn on thinking.</p>"
)


class MainWindow(QMainWindow):
    """Built in two steps so the window can appear before the app's services exist: the
    constructor makes the frame, `attach` builds the panels from the services (at once
    when they are given). Panels get what they need as arguments; none reads the window's
    attributes or sets its own on it."""

    # Set by attach(): the services, and the panels built from them.
    services: WindowServices
    chat: ChatController
    chat_view: ChatView
    generation_controls: GenerationControls
    tools_panel: ToolsPanel
    tools_dock: QDockWidget
    history_panel: HistoryPanel | None  # None when the history could not be opened
    images: ImageFeature
    conversation_notice: ConversationNotice

    def __init__(self, services: WindowServices | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Gemma Desk")
        self.resize(1180, 780)
        self._settings_dialog: SettingsDialog | None = None
        # The extra per-message actions (Details, Inspect, Branch), added by the panels.
        self.message_actions = MessageActions()

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_sidebar())
        splitter.addWidget(self._build_main())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 930])
        self.setCentralWidget(splitter)
        self._build_menu()
        self.composer.setEnabled(False)
        self.settings_button.setEnabled(False)
        self.server_label.setText("<b>Starting…</b>")
        if services is not None:
            self.attach(services)

    def attach(self, services: WindowServices) -> None:
        """Connects the widgets to the app's services and builds the panels."""
        self.services = services
        self.chat = services.chat
        self._build_chat_view(services)
        self.chat.conversationsChanged.connect(self._refresh_list)
        self.chat.currentChanged.connect(self._show_current)
        self.chat.messageAdded.connect(self._on_added)
        self.chat.messageChanged.connect(self._on_changed)
        self.chat.messageRemoved.connect(self._on_removed)
        self.chat.busyChanged.connect(self.composer.set_busy)
        self.chat.notice.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.composer.bind_gate(services.gate)
        services.session.changed.connect(self._refresh_server)
        self.composer.sendRequested.connect(self._send)
        self.composer.stopRequested.connect(self.chat.stop)
        self.composer.compareRequested.connect(self.open_compare)
        self.chat_view.deleteRequested.connect(self.chat.delete_message)
        self.chat_view.regenerateRequested.connect(lambda _mid: self.regenerate())
        self.chat_view.editSubmitted.connect(self.chat.edit_and_resend)
        self.chat_view.retryRequested.connect(self.chat.retry)
        self.chat_view.copyRequested.connect(
            lambda _t: self.statusBar().showMessage("Copied", 2000)
        )

        self.chat_view.actionRequested.connect(self.message_actions.run)
        stop_key = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        stop_key.setWhatsThis("Stop the reply")
        stop_key.activated.connect(self.chat.stop)
        self._build_panels(services)
        self.scheme_menu = SchemeMenu(self.view_menu, services.settings, self)
        self.notice_banner.set_notices(services.notices)
        self.composer.setEnabled(True)
        self.settings_button.setEnabled(True)
        self._refresh_list()
        self._show_current(self.chat.current.id)
        self._refresh_server()
        self.composer.edit.setFocus()

    # -- building --------------------------------------------------------------------------
    def _build_sidebar(self) -> QWidget:
        self.sidebar = Sidebar(self)
        # The widgets people and tests reach, by their usual names.
        self.new_chat_button = self.sidebar.new_chat_button
        self.conversation_list = self.sidebar.conversation_list
        self.server_label = self.sidebar.server_label
        self.settings_button = self.sidebar.settings_button
        self.new_chat_button.clicked.connect(self._new_chat)
        self.conversation_list.itemActivated.connect(self._on_pick)
        self.conversation_list.itemClicked.connect(self._on_pick)
        self.settings_button.clicked.connect(self.open_settings)
        return self.sidebar

    def _build_main(self) -> QWidget:
        main = QWidget(self)
        main.setObjectName("mainColumn")
        lay = QVBoxLayout(main)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        header = QWidget(main)
        header.setObjectName("header")
        h = QHBoxLayout(header)
        h.setContentsMargins(16, 8, 12, 8)
        self.title_label = ElidedLabel("", header)
        self.title_label.setObjectName("conversationTitle")
        h.addWidget(self.title_label, 1)
        # Badge and buttons overflow into a menu on a narrow window (layout_policy).
        self.header_tools = HeaderTools(header)
        h.addWidget(self.header_tools)
        self.demo_badge = QLabel("DEMO SERVER", header)
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setToolTip("The built-in simulator answers; no model is running.")
        self.header_tools.add(self.demo_badge)
        self.add_server_button = QPushButton("Connect your server…", header)
        self.add_server_button.setObjectName("addServerButton")
        self.add_server_button.clicked.connect(self.open_settings)
        self.header_tools.add(self.add_server_button)
        self.system_toggle = QToolButton(header)
        self.system_toggle.setObjectName("systemPromptToggle")
        self.system_toggle.setText("System prompt")
        self.system_toggle.setCheckable(True)
        self.header_tools.add(self.system_toggle)
        lay.addWidget(header)
        self.system_prompt = QPlainTextEdit(main)
        self.system_prompt.setObjectName("systemPrompt")
        self.system_prompt.setAccessibleName("System prompt")
        self.system_prompt.setPlaceholderText("System prompt for this conversation (optional)")
        self.system_prompt.setFixedHeight(80)
        tab_moves_focus(self.system_prompt)
        self.system_prompt.hide()
        self.system_toggle.toggled.connect(self.system_prompt.setVisible)
        self.system_prompt.textChanged.connect(
            lambda: self.chat.set_system_prompt(self.system_prompt.toPlainText())
        )
        lay.addWidget(self.system_prompt)
        self.notice_banner = NoticeBanner(main)
        lay.addWidget(self.notice_banner)
        self.banner = NoticeBanner(main, "Warnings")
        lay.addWidget(self.banner)
        # The chat view (and the markdown, tool and image widgets it needs) is built in
        # attach(): until then an empty area of the same colour holds its place.
        self.chat_view: ChatView  # built by attach()
        self._chat_placeholder = QWidget(main)
        self._chat_placeholder.setObjectName("chatBody")
        lay.addWidget(self._chat_placeholder, 1)
        self.composer = Composer(main)
        lay.addWidget(self.composer)
        return main

    def _build_chat_view(self, services: WindowServices) -> None:
        from desktop_app.ui.chat.chat_view import ChatView
        from desktop_app.ui.chat.context import ChatContext
        from desktop_app.ui.tokens.preload import load_chart_when_asking

        context = ChatContext(
            self.message_actions, services.thumbnails, services.tools,
            tokens=services.tokens, mcp_calls=services.mcp_calls,
            switch_version=services.chat.switch_alternative,
        )
        self.chat_view = ChatView(context, self._chat_placeholder.parentWidget())
        load_chart_when_asking(services.tokens)
        replace_in_layout(self._chat_placeholder, self.chat_view)
        self._chat_placeholder.deleteLater()

    def _build_panels(self, services: WindowServices) -> None:
        """The docks and panels, one line each, in a fixed order (imported here, after the
        window is on screen, to keep them off the start-up path)."""
        from desktop_app.ui.chat.conversation_notice import ConversationNotice
        from desktop_app.ui.chat.versions_feature import VersionsFeature
        from desktop_app.ui.history.panel import HistoryPanel
        from desktop_app.ui.images.feature import ImageFeature
        from desktop_app.ui.params.docks import GenerationControls
        from desktop_app.ui.server.feature import ServerFeature
        from desktop_app.ui.tools.dock import make_tools_dock

        actions = self.message_actions
        self.generation_controls = GenerationControls(self, self.view_menu, services, actions)
        self.tools_panel, self.tools_dock = make_tools_dock(
            self, self.view_menu, services.tools, services.runner, services.mcp,
            services.tool_library, services.scenarios,
        )
        self.history_panel = None
        if services.history is not None:
            self.history_panel = HistoryPanel(
                self,
                services.history,
                services.chat,
                self.conversation_list,
                self.chat_view,
                self.file_menu,
                actions,
            )
        self.versions = VersionsFeature(self, services.chat, actions)
        actions.add(
            "compare", "Compare…", "Compare replies to this message under several settings…",
            ("user",), lambda message_id: self.open_compare("", at=message_id),
        )  # fmt: skip
        self.images = ImageFeature(
            self, services.tray, services.chat, self.composer, self.chat_view
        )
        self.conversation_notice = ConversationNotice(
            services.chat, services.history, self.system_prompt, self
        )
        insert_before(self.chat_view, self.conversation_notice)
        from desktop_app.ui.chat.composer_restore import ComposerRestore
        from desktop_app.ui.chat.draft_binder import DraftBinder

        self.composer_restore = ComposerRestore(
            services.chat, self.composer, services.drafts, self
        )

        self.drafts = DraftBinder(
            services.chat, services.drafts, self.composer, services.tray, self
        )
        self.conversation_notice.copy_button.clicked.connect(self.drafts.carry_from_previous)
        self.server_feature = ServerFeature(
            self, self.composer, services.chat, services.meter, services.capabilities,
            services.load, services.busy_watch, services.params, services.tools, services.tray,
            self.server_label, self.tools_panel, self.generation_controls.panel.thinking,
            chat_view=self.chat_view,
        )  # fmt: skip
        self.window_fit = fit_window(self)

    def _build_menu(self) -> None:
        bar = self.menuBar()
        file_menu = self.file_menu = bar.addMenu("&File")
        new = QAction("&New chat", self)
        new.setShortcut(QKeySequence.StandardKey.New)
        new.triggered.connect(self._new_chat)
        file_menu.addAction(new)
        settings = QAction("&Servers and settings…", self)
        settings.setShortcut(QKeySequence("Ctrl+,"))
        settings.triggered.connect(self._open_settings_if_ready)
        file_menu.addAction(settings)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.view_menu = bar.addMenu("&View")
        chat_menu = bar.addMenu("&Chat")
        stop = QAction("&Stop reply", self)
        stop.triggered.connect(self._stop_if_ready)
        chat_menu.addAction(stop)
        regen = QAction("&Regenerate last reply", self)
        regen.setShortcut(QKeySequence("Ctrl+R"))
        regen.triggered.connect(self._regenerate_if_ready)
        chat_menu.addAction(regen)
        compare = QAction("&Compare…", self)
        compare.triggered.connect(lambda: self.open_compare(self.composer.text()))
        chat_menu.addAction(compare)
        focus = QAction("&Focus message box", self)
        focus.setShortcut(QKeySequence("Ctrl+L"))
        focus.triggered.connect(lambda: self.composer.edit.setFocus())
        chat_menu.addAction(focus)
        self.help_menu = bar.addMenu("&Help")
        about = QAction("&About Gemma Desk", self)
        about.triggered.connect(self._about)
        self.help_menu.addAction(about)
        self.help_entries = HelpEntries(self, self.help_menu)

    def open_compare(self, prompt: str, at: str | None = None) -> None:
        """The Compare window for the typed prompt (or the last user message, or user
        message ``at`` and what came before it)."""
        if not self._ready():
            return
        from desktop_app.ui.compare.launch import open_compare

        opened = open_compare(self.services.compare, prompt, self, at)
        if isinstance(opened, str):
            self.statusBar().showMessage(opened, 6000)
        else:
            self.compare_dialog = opened
            opened.adopted.connect(lambda text: self.statusBar().showMessage(text, 8000))

    # -- reacting to the controller ------------------------------------------------------------
    def _refresh_list(self) -> None:
        self.sidebar.show_conversations(self.chat.conversations, self.chat.current.id)
        self.title_label.setText(self.chat.current.title)

    def _show_current(self, conv_id: str) -> None:
        conv = self.chat.current
        self.chat_view.set_conversation(conv, EMPTY_HINT)
        self.title_label.setText(conv.title)
        self.system_prompt.blockSignals(True)
        self.system_prompt.setPlainText(conv.system_prompt)
        self.system_prompt.blockSignals(False)
        if conv.system_prompt:
            self.system_toggle.setChecked(True)
        self.sidebar.mark_current(conv_id)

    def _on_added(self, conv_id: str, msg_id: str) -> None:
        if conv_id == self.chat.current.id:
            self.chat_view.add_message(self.chat.current.find(msg_id))

    def _on_changed(self, conv_id: str, msg_id: str) -> None:
        if conv_id == self.chat.current.id:
            self.chat_view.update_message(msg_id)

    def _on_removed(self, conv_id: str, msg_id: str) -> None:
        if conv_id == self.chat.current.id:
            self.chat_view.remove_message(msg_id)

    def _ready(self) -> bool:
        """Whether attach() has run (menu entries work from the first frame on)."""
        return hasattr(self, "services")

    def _stop_if_ready(self) -> None:
        if self._ready():
            self.chat.stop()

    def _regenerate_if_ready(self) -> None:
        if self._ready():
            self.regenerate()

    def _open_settings_if_ready(self) -> None:
        if self._ready():
            self.open_settings()

    def _refresh_server(self) -> None:
        session = self.services.session
        profile = session.profile
        demo = bool(profile and profile.is_demo)
        self.header_tools.set_shown(self.demo_badge, demo)
        self.header_tools.set_shown(self.add_server_button, demo or profile is None)
        self.sidebar.show_server(session)
        warnings = []
        if profile is not None and profile.transport_warning():
            warnings.append(profile.transport_warning())
        if self.services.secrets.problem:
            warnings.append(self.services.secrets.problem)
        if self.services.storage_problem:
            warnings.append(self.services.storage_problem)
        self.banner.set_notices([w for w in warnings if w])

    # -- actions ---------------------------------------------------------------------------
    def _send(self, text: str) -> None:
        revises = self.composer_restore.is_revision()
        if self.chat.send(text, self.composer.attachments(), revises_failed=revises):
            self.composer.clear()

    def regenerate(self) -> None:
        from desktop_app.ui.tools.discard_calls import regenerate_or_ask

        regenerate_or_ask(self, self.chat, self.services.gate)

    def _new_chat(self) -> None:
        if self._ready():
            from desktop_app.core.chat.drafts import blank_conversation

            # A chat with nothing in it yet is a new chat already: opened, not piled up.
            blank = blank_conversation(self.chat, self.services.drafts)
            if blank is None:
                self.chat.new_conversation()
            elif blank is not self.chat.current:
                self.chat.select(blank.id)
        self.composer.edit.setFocus()

    def _on_pick(self, item: QListWidgetItem | None) -> None:
        # A rename from a double click rebuilds the list before Qt reports the activation,
        # which then names an item that is gone (None).
        if item is None:
            return
        conv_id = item.data(Qt.ItemDataRole.UserRole)
        if conv_id != self.chat.current.id:
            self.chat.select(conv_id)

    def open_settings(self) -> SettingsDialog:
        from desktop_app.ui.dialogs.settings import SettingsDialog

        state = self.services
        servers = state.servers
        dialog = SettingsDialog(
            state.profiles.profiles(),
            state.session.profile.id if state.session.profile else None,
            state.secrets.problem,
            self,
            stall_seconds=state.settings.stall_seconds,
            demo_available=servers.can_use_demo,
        )
        dialog.demoRequested.connect(servers.use_demo)
        dialog.stallLimitChanged.connect(servers.set_stall_limit)
        dialog.testRequested.connect(lambda p: servers.test_connection(p, dialog.show_test_result))
        dialog.profileSaved.connect(lambda p: servers.save_profile(p, dialog.show_saved))
        dialog.profileDeleted.connect(servers.delete_profile)
        dialog.profileActivated.connect(servers.activate_profile)
        self._settings_dialog = dialog
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _about(self) -> None:
        from desktop_app.ui.dialogs.about import show_about

        show_about(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._ready():
            self.chat.stop()
        super().closeEvent(event)
