"""What the chat view's message widgets get from the window: actions, tool loop, previews."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.core.images.thumbnails import ThumbnailCache
    from desktop_app.core.mcp.calls import McpCalls
    from desktop_app.core.tokens.feature import TokenFeature
    from desktop_app.core.tools.loop import ToolLoop


@dataclass(frozen=True)
class MessageAction:
    """A per-message button a panel adds: its name, text, tooltip, roles and handler."""

    name: str
    text: str
    tip: str
    roles: tuple[str, ...]
    handler: Callable[[str], object]  # called with the message id; what it returns is unused


@dataclass
class MessageActions:
    """The extra per-message actions of one window, in the order they were added (the
    window adds them as it builds its panels, so the buttons never depend on import order)."""

    _actions: dict[str, MessageAction] = field(default_factory=dict)

    def add(
        self,
        name: str,
        text: str,
        tip: str,
        roles: tuple[str, ...],
        handler: Callable[[str], object],
    ) -> None:
        self._actions[name] = MessageAction(name, text, tip, roles, handler)

    def for_role(self, role: str) -> list[MessageAction]:
        return [a for a in self._actions.values() if role in a.roles]

    def run(self, name: str, message_id: str) -> bool:
        action = self._actions.get(name)
        if action is None:
            return False
        action.handler(message_id)
        return True


@dataclass(frozen=True)
class ChatContext:
    """Handed from the window to the chat view and on to each message widget."""

    actions: MessageActions
    thumbnails: ThumbnailCache
    tools: ToolLoop | None = None  # None: tool calls are shown without answer boxes
    tokens: TokenFeature | None = None  # None: replies have no Tokens toggle
    mcp_calls: McpCalls | None = None  # None: no Run / Mock / Reject for MCP tools
    # Shows another version of a message: (message id, 0-based version). None: no switch.
    switch_version: Callable[[str, int], object] | None = None
