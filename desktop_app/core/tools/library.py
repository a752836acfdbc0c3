"""The tool library: tool definitions with their mocks, kept across chats in the settings
file, from which a conversation takes the tools it wants; some go into every new chat."""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop_app.core.chat.conversation import Conversation, GenerationSettings
from desktop_app.core.settings import Settings
from desktop_app.core.tools.exchange import entry_from_dict, entry_to_dict
from desktop_app.core.tools.workbench import ToolEntry

log = logging.getLogger(__name__)

SETTINGS_KEY = "tool_library"


@dataclass
class LibraryTool:
    entry: ToolEntry
    new_chats: bool = False  # put into every new chat

    @property
    def name(self) -> str:
        return self.entry.name


def _copy(entry: ToolEntry) -> ToolEntry:
    fresh = entry_from_dict(entry_to_dict(entry), "tool")
    fresh.enabled = True
    return fresh


class ToolLibrary(QObject):
    """``changed`` says tools were added, removed or marked for new chats."""

    changed = Signal()

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.tools: list[LibraryTool] = []
        self.notice = ""
        raw = settings.extra.get(SETTINGS_KEY)
        items = raw.get("tools") if isinstance(raw, dict) else None
        for i, item in enumerate(items if isinstance(items, list) else []):
            try:
                entry = entry_from_dict(item, f"tool_library.tools[{i}]")
            except ValueError as exc:
                # One damaged entry must not take the others with it; the banner says so.
                self.notice = f"A tool of the library could not be read and was left out ({exc})."
                log.warning("%s", self.notice)
                continue
            self.tools.append(LibraryTool(entry, bool(item.get("new_chats") is True)))

    def _save(self) -> None:
        self.settings.extra[SETTINGS_KEY] = {
            "tools": [{**entry_to_dict(t.entry), "new_chats": t.new_chats} for t in self.tools]
        }
        self.settings.save()
        self.changed.emit()

    def get(self, name: str) -> LibraryTool | None:
        return next((t for t in self.tools if t.name == name), None)

    def names(self) -> list[str]:
        return [t.name for t in self.tools]

    def keep(self, entry: ToolEntry) -> str:
        """Stores a copy of ``entry`` (replacing one of the same name); says what happened.
        ``ValueError`` when the tool has errors: the library holds tools that can be sent."""
        if not entry.check().ok:
            raise ValueError(f"“{entry.name}” has errors: fix them before keeping it.")
        old = self.get(entry.name)
        if old is not None:
            old.entry = _copy(entry)
            note = f"Updated “{entry.name}” in the library."
        else:
            self.tools.append(LibraryTool(_copy(entry)))
            note = f"Kept “{entry.name}” in the library."
        self._save()
        return note

    def remove(self, name: str) -> None:
        self.tools = [t for t in self.tools if t.name != name]
        self._save()

    def set_new_chats(self, name: str, on: bool) -> None:
        tool = self.get(name)
        if tool is not None and tool.new_chats != on:
            tool.new_chats = on
            self._save()

    # -- conversations ---------------------------------------------------------------------------
    @staticmethod
    def has(conv: Conversation, name: str) -> bool:
        return any(e.name == name for e in conv.settings.tool_bench.entries)

    def put(self, conv: Conversation, name: str, on: bool) -> None:
        """Adds the library tool ``name`` to the conversation, or takes it out. The caller
        applies the bench (ToolLoop.apply_bench), so the request follows."""
        bench = conv.settings.tool_bench
        if not on:
            bench.entries = [e for e in bench.entries if e.name != name]
            return
        tool = self.get(name)
        if tool is not None and not self.has(conv, name):
            bench.entries.append(_copy(tool.entry))

    def seed(self, settings: GenerationSettings) -> GenerationSettings:
        """A new chat's settings with the library tools marked for new chats."""
        chosen = [t for t in self.tools if t.new_chats]
        if chosen:
            settings.tool_bench = copy.deepcopy(settings.tool_bench)
            have = {e.name for e in settings.tool_bench.entries}
            for tool in chosen:
                if tool.name not in have:
                    settings.tool_bench.entries.append(_copy(tool.entry))
            settings.tools = settings.tool_bench.enabled_definitions()
        return settings
