"""``CompareLab``: opens compare runs on the current conversation and adopts a column's reply."""

from __future__ import annotations

import copy
import time
from dataclasses import replace

from PySide6.QtCore import QObject

from desktop_app.api import Message, SamplingParams, VLLMClient
from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import (
    ChatMessage,
    Conversation,
    GenerationSettings,
    MessageStatus,
    ReplyInfo,
)
from desktop_app.core.compare.cells import DONE, STOPPED
from desktop_app.core.compare.prompt_run import PromptSetRun
from desktop_app.core.compare.prompts import PromptItem
from desktop_app.core.compare.recorder import GridRecorder, RunJournals, SetRecorder
from desktop_app.core.compare.run import CompareRun, RunOrigin
from desktop_app.core.compare.spec import ColumnSpec
from desktop_app.core.params.generation import GenerationParams
from desktop_app.core.params.presets import PresetStore
from desktop_app.core.session.profiles import ProfileStore
from desktop_app.core.session.server import ServerSession, make_client
from desktop_app.core.settings import Settings
from desktop_app.core.tasks import TaskRunner


class CompareError(Exception):
    """Why a comparison cannot start or a reply cannot be adopted (shown as it is)."""


def spec_from_settings(settings: GenerationSettings, label: str = "") -> ColumnSpec:
    return ColumnSpec(
        sampling=settings.sampling,
        enable_thinking=settings.enable_thinking,
        extra_body=copy.deepcopy(settings.extra_body),
        label=label,
    )


def _user_message_index(conv: Conversation, at: str | None) -> int:
    """Where user message ``at`` (None: the last user message) is in the shown branch."""
    users = [i for i, m in enumerate(conv.messages) if m.role == "user"]
    if at is None:
        if not users:
            raise CompareError("Type the prompt to compare in the message box first.")
        return users[-1]
    index = next((i for i in users if conv.messages[i].id == at), None)
    if index is None:
        raise CompareError("That message is no longer in the conversation.")
    return index


class CompareLab(QObject):
    """Builds ``CompareRun`` s for the current conversation (the window never makes core
    objects) and carries a chosen reply back into it."""

    def __init__(
        self,
        chat: ChatController,
        session: ServerSession,
        profiles: ProfileStore,
        params: GenerationParams,
        presets: PresetStore,
        runner: TaskRunner,
        settings: Settings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.chat = chat
        self.session = session
        self.profiles = profiles
        self.params = params
        self.presets = presets
        self.runner = runner
        # Every run is journalled as its cells end (Recent runs); a read-only session is not.
        self.journals = RunJournals(settings.read_only is None, self._addresses, self)

    def _addresses(self) -> list[str]:
        """Every server address a cell's error may name (kept out of saved runs)."""
        profiles = [*self.profiles.profiles(), self.session.profile]
        return [p.base_url for p in profiles if p is not None and p.base_url]

    # -- column sources ----------------------------------------------------------------------
    def panel_spec(self) -> ColumnSpec:
        return spec_from_settings(self.params.settings, "panel")

    def preset_names(self) -> list[str]:
        return self.presets.names()

    def preset_spec(self, name: str) -> ColumnSpec:
        preset = self.presets.get(name)
        if preset is None:
            raise CompareError(f"There is no preset named “{name}”.")
        return spec_from_settings(preset.new_settings(), name)

    def servers(self) -> list[tuple[str, str]]:
        """(profile id, name) of the other saved servers a column may use."""
        active = self.session.profile.id if self.session.profile else None
        return [(p.id, p.name) for p in self.profiles.profiles() if p.id != active]

    # -- a run -------------------------------------------------------------------------------
    def open(self, prompt: str, at: str | None = None) -> CompareRun:
        """A run over the current conversation plus ``prompt``; or, with no prompt, over the
        conversation up to and including user message ``at`` (None: the last user message),
        whose reply a column may then replace as a new version. Columns are added by the
        caller."""
        conv = self.chat.current
        prompt_is_new = bool(prompt.strip()) and at is None
        if prompt_is_new:
            request = conv.build_request(self.session.model)
            request = replace(request, messages=(*request.messages, Message.user(prompt)))
            after = conv.messages[-1].id if conv.messages else None
        else:
            index = _user_message_index(conv, at)
            prefix = copy.copy(conv)
            prefix.messages = conv.messages[: index + 1]
            request = prefix.build_request(self.session.model)
            prompt, after = conv.messages[index].content, conv.messages[index].id
        # Every column says all it sets: the panel's values are one column, not a base.
        request = replace(request, sampling=SamplingParams(), enable_thinking=None, extra_body={})
        origin = RunOrigin(conv.id, after, prompt_is_new)
        concurrency = self.settings.compare_concurrency
        run = CompareRun(self.runner, request, lambda _s: None, prompt, concurrency, origin, self)

        def client_for(server: str) -> VLLMClient | None:
            if not server:
                return self.session.client
            if server not in run.clients:
                profile = self.profiles.get(server)
                if profile is None or profile.url_problem():
                    return None
                run.clients[server] = make_client(profile)
            return run.clients[server]

        run.client_for = client_for
        GridRecorder(run, self.journals)
        return run

    def prompt_set(
        self, run: CompareRun, items: list[PromptItem], specs: list[ColumnSpec], system: str
    ) -> PromptSetRun:
        """A prompt set over ``run`` 's servers and the conversation's tools: each prompt
        asked afresh (after ``system``) under each of ``specs``."""
        set_run = PromptSetRun(
            self.runner, run.request, run.client_for, items, specs, system, run.slots.limit, run
        )
        SetRecorder(set_run, self.journals)
        return set_run

    def set_concurrency(self, run: CompareRun, limit: int) -> None:
        """The per-server bound for ``run`` 's next streams, kept in the settings for the
        next grids too."""
        run.set_concurrency(limit)
        self.settings.compare_concurrency = limit
        self.settings.save()

    def system_prompt(self) -> str:
        return self.chat.current.system_prompt

    def close(self, run: CompareRun) -> None:
        """Stops every stream of ``run`` (the server sees the disconnects), frees its clients."""
        run.stop_all()
        for client in run.clients.values():
            self.runner.start(f"compare-close-{id(client)}", client.aclose())

    # -- adopting ------------------------------------------------------------------------------
    def adopt(self, run: CompareRun, index: int) -> list[str]:
        """Appends column ``index`` 's reply (and the prompt, when it was typed for the
        comparison) to the conversation and loads its settings into the panel; returns notes.
        Raises ``CompareError`` saying why not."""
        column = run.columns[index]
        cell = column.cell
        if cell.state not in (DONE, STOPPED) or cell.completion is None:
            raise CompareError("Only a finished or stopped reply can be adopted.")
        request = run.request_for(index)
        done = cell.completion
        reply = ChatMessage(
            role="assistant",
            content=done.content,
            reasoning=done.reasoning,
            tool_calls=list(done.tool_calls),
            status=MessageStatus.STOPPED if cell.state == STOPPED else MessageStatus.COMPLETE,
        )
        reply.reply = ReplyInfo(
            model=done.model or request.model,
            server_version=self.session.version if not column.spec.server else None,
            params=request.sampling.to_wire(),
            enable_thinking=request.enable_thinking,
            tool_choice=request.tool_choice,
            extra_body=dict(request.extra_body),
            finish_reason=done.finish_reason,
            request_id=done.id or None,
            usage=done.usage,
            started_at=time.time() - (cell.total_s or 0.0),
            time_to_first_token=cell.ttft_s,
            duration=cell.total_s,
        )
        origin = run.origin
        if origin is None:
            raise CompareError("This comparison belongs to no conversation.")
        if origin.prompt_is_new:
            user = ChatMessage(role="user", content=run.prompt)
            why = self.chat.append_turn(origin.conversation_id, origin.after, [user, reply])
            if not why:
                # The prompt is in the conversation now: another column adopted later
                # becomes a new version of this reply.
                run.origin = RunOrigin(origin.conversation_id, user.id, False)
        elif origin.after is None:
            why = "The comparison has no message to answer."
        else:
            why = self.chat.adopt_reply(origin.conversation_id, origin.after, reply)
        if why:
            raise CompareError(f"Not adopted: {why}")
        if self.chat.current.id == origin.conversation_id:
            return self.params.apply_reply(reply.reply)
        return []
