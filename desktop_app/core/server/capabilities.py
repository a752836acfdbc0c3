"""What the connected server can do: the probe, run on connect and cached per profile and
server version, plus what replies teach (a reasoning field means a reasoning parser)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from desktop_app.api import GemmaAPIError, ServerFacts
from desktop_app.core.session.server import ServerSession
from desktop_app.core.tasks import TaskRunner

PROBE_TASK = "server-probe"


class ServerCapabilities(QObject):
    """``facts`` is None until a probe answered; a failed probe leaves it None and says why
    in ``problem`` (never fatal: every feature then behaves as before)."""

    changed = Signal()

    def __init__(self, session: ServerSession, runner: TaskRunner, *, enabled: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = enabled
        self.session = session
        self.runner = runner
        self.facts: ServerFacts | None = None
        self.problem = ""
        self._cache: dict[tuple[str, str, str], ServerFacts] = {}
        self._key: tuple[str, str, str] | None = None
        session.changed.connect(self._session_changed)

    def _current_key(self) -> tuple[str, str, str] | None:
        profile = self.session.profile
        if profile is None or self.session.client is None or not self.session.models:
            return None  # not connected yet: the models (and version) come first
        return (profile.name, self.session.model or "", self.session.version or "")

    def _session_changed(self) -> None:
        key = self._current_key()
        if key == self._key:
            return
        self._key = key
        self.facts = self._cache.get(key) if key is not None else None
        self.problem = ""
        self.changed.emit()
        if key is not None and self.facts is None and self.enabled:
            self.runner.start(PROBE_TASK, self._probe(key))

    def probe_again(self) -> None:
        """Forget the cached facts of this server and ask again (Test connection)."""
        if self._key is not None and self.enabled:
            self._cache.pop(self._key, None)
            self.runner.start(PROBE_TASK, self._probe(self._key))

    async def _probe(self, key: tuple[str, str, str]) -> None:
        client = self.session.client
        if client is None:
            return
        try:
            facts = await client.probe(self.session.model)
        except asyncio.CancelledError:
            raise
        except GemmaAPIError as exc:
            if key == self._key:
                self.problem = f"The capability check failed: {exc.user_message}"
                self.changed.emit()
            return
        self._cache[key] = facts
        if key == self._key:
            self.facts = facts
            self.changed.emit()

    def learn_reasoning_parser(self, present: bool) -> None:
        """A thinking reply came back with (True) or without (False) a reasoning field."""
        if self.facts is None or self.facts.reasoning_parser == present:
            return
        self.facts = replace(self.facts, reasoning_parser=present)
        if self._key is not None:
            self._cache[self._key] = self.facts
        self.changed.emit()

    # -- what the widgets ask ----------------------------------------------------------

    def image_refusal(self) -> str:
        """Why images cannot be sent to this model; "" when they can (or nobody knows)."""
        if self.facts is not None and self.facts.vision is False:
            return (f"{self.session.model or 'This model'} is a text-only model: the server "
                    "refuses images.")
        return ""

    def tools_advice(self) -> str:
        if self.facts is not None and self.facts.tool_parser is False:
            return ("This server has no tool-call parser: start vLLM with "
                    "--enable-auto-tool-choice --tool-call-parser gemma4 so the model's "
                    "calls arrive as tool calls.")
        return ""

    def thinking_advice(self) -> str:
        if self.facts is not None and self.facts.reasoning_parser is False:
            return ("This server has no reasoning parser: the thinking lands in the answer. "
                    "Start vLLM with --reasoning-parser gemma4.")
        return ""

    def brief(self) -> str:
        """Two short lines for the server panel (``summary`` is the whole story)."""
        if self.facts is None:
            return self.problem or ("Checking what the server can do…"
                                    if self._key is not None else "")
        f = self.facts

        def word(value: bool | None) -> str:
            return "?" if value is None else ("yes" if value else "no")

        return (f"Tool parser {word(f.tool_parser)} · reasoning parser "
                f"{word(f.reasoning_parser)}\nImages {word(f.vision)} · audio {word(f.audio)}")

    def summary(self) -> str:
        """The server panel's lines."""
        if self.facts is None:
            return self.problem or ("Checking what the server can do…"
                                    if self._key is not None else "")
        f = self.facts

        def word(value: bool | None) -> str:
            return "unknown" if value is None else ("yes" if value else "no")

        lines = [f"vLLM {f.version}" if f.version else "Version: unknown"]
        for m in f.models:
            ctx = f"{m.max_model_len:,} tokens" if m.max_model_len else "context unknown"
            lines.append(f"{m.id}: {ctx}")
        lines.append(f"Tool parser: {word(f.tool_parser)} · Reasoning parser: "
                     f"{word(f.reasoning_parser)}")
        lines.append(f"Images: {word(f.vision)} · Audio: {word(f.audio)}"
                     + (f" · max logprobs: {f.max_logprobs}" if f.max_logprobs is not None
                        else ""))
        return "\n".join(lines)
