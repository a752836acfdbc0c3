"""The context meter: the exact prompt size of what Send would send, by the server's /tokenize."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.api import (
    ChatRequest,
    GemmaAPIError,
    NotFoundError,
    SamplingParams,
    ToolDefinition,
)
from desktop_app.core.chat.conversation import Attachment, ChatMessage, Conversation
from desktop_app.core.session.server import ServerSession
from desktop_app.core.tasks import TaskRunner

METER_TASK = "context-meter"
# Typing pauses shorter than this do not cost a /tokenize call.
DEBOUNCE_MS = 300


@dataclass(frozen=True)
class MeterReading:
    """One count: ``state`` is "counting", "ok", "unknown" (no /tokenize) or "error"."""

    state: str = "unknown"
    prompt_tokens: int | None = None
    reserved: int | None = None  # max_tokens as set (None: the server's default)
    max_model_len: int | None = None
    detail: str = ""

    @property
    def left(self) -> int | None:
        """Tokens left for the reply once the prompt is in."""
        if self.prompt_tokens is None or self.max_model_len is None:
            return None
        return self.max_model_len - self.prompt_tokens

    @property
    def prompt_overflows(self) -> bool:
        """The prompt alone leaves no room for a single reply token."""
        left = self.left
        return left is not None and left < 1

    @property
    def reply_squeezed(self) -> bool:
        """The prompt fits, but not with max_tokens as set (it will be clamped)."""
        left = self.left
        return left is not None and left >= 1 and self.reserved is not None and (
            self.reserved > left)

    def label(self) -> str:
        if self.state == "unknown":
            return "Context: unknown"
        if self.prompt_tokens is None:
            return "Context: counting…" if self.state == "counting" else "Context: —"
        text = f"{self.prompt_tokens:,}"
        if self.reserved is not None:
            text += f" + {self.reserved:,}"
        if self.max_model_len is not None:
            text += f" / {self.max_model_len:,}"
        return text + (" …" if self.state == "counting" else "")

    def warning(self, has_tools: bool) -> str:
        """What to tell before Send when the request cannot fit; "" when it can."""
        if self.prompt_overflows:
            assert self.prompt_tokens is not None and self.max_model_len is not None
            helps = ["drop the tool definitions"] if has_tools else []
            helps += ["start a branch from an earlier message", "shorten the message"]
            return (
                f"This will not fit: the prompt is {self.prompt_tokens:,} tokens and the "
                f"model's context is {self.max_model_len:,}. To make room: "
                + "; ".join(helps) + "."
            )
        if self.reply_squeezed:
            return (
                f"Only {self.left:,} tokens are left for the reply: max_tokens "
                f"({self.reserved:,}) will be lowered to {self.left:,} when you send."
            )
        return ""


def with_draft(conv: Conversation, model: str | None, text: str,
               attachments: Sequence[Attachment],
               extra_tools: Sequence[ToolDefinition] = ()) -> ChatRequest:
    """The request Send would make: the conversation and the draft as its new user turn,
    with the tools Send adds to the conversation's own (the MCP servers')."""
    request = conv.build_request(model)
    if extra_tools:
        request = replace(request, tools=(*request.tools, *extra_tools))
    if not (text.strip() or attachments):
        return request
    draft = ChatMessage(role="user", content=text, images=list(attachments)).to_api()
    return replace(request, messages=(*request.messages, draft))


def clamp_max_tokens(request: ChatRequest, prompt_tokens: int, max_model_len: int
                     ) -> ChatRequest:
    """``request`` with max_tokens lowered to what the context leaves (never below 1)."""
    sampling = request.sampling
    left = max_model_len - prompt_tokens
    if sampling.max_tokens is None or left < 1 or sampling.max_tokens <= left:
        return request
    clamped: SamplingParams = replace(sampling, max_tokens=left)
    return replace(request, sampling=clamped)


def _messages_key(request: ChatRequest) -> tuple[object, ...]:
    return tuple(repr(m.to_wire()) for m in request.messages)


class ContextMeter(QObject):
    """Counts the draft's prompt with /tokenize a moment after typing stops.

    ``draft_changed`` only restarts a timer (typing never waits for the network); a new
    count cancels the one in flight (the runner keeps one task per name), and a count that
    arrives for an older draft is dropped. A server without /tokenize makes the meter say
    "unknown" until the server changes.
    """

    changed = Signal()

    def __init__(self, session: ServerSession, runner: TaskRunner,
                 current: Callable[[], Conversation], *, enabled: bool = True,
                 extra_tools: Callable[[Conversation], Sequence[ToolDefinition]] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._extra_tools = extra_tools
        self.enabled = enabled
        self.session = session
        self.runner = runner
        self._current = current
        self.reading = MeterReading()
        self._text = ""
        self._attachments: tuple[Attachment, ...] = ()
        self._generation = 0
        self._no_route = False
        self._counted: tuple[tuple[object, ...], int, int] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._count_now)
        session.changed.connect(self._server_changed)

    def draft_changed(self, text: str, attachments: Sequence[Attachment] = ()) -> None:
        self._text = text
        self._attachments = tuple(attachments)
        self._generation += 1
        if not self.enabled or self._no_route or self.session.client is None:
            return
        if self.reading.state != "counting":
            self.reading = replace(self.reading, state="counting")
            self.changed.emit()
        self._timer.start()

    def recount(self) -> None:
        """Count again now-ish (the conversation, its settings or the server changed)."""
        self.draft_changed(self._text, self._attachments)

    def clamp(self, request: ChatRequest) -> ChatRequest:
        """``request`` with max_tokens clamped, when the last count was of exactly its
        messages (the draft just sent); any other request passes unchanged."""
        if self._counted is None:
            return request
        messages, prompt, limit = self._counted
        if _messages_key(request) != messages:
            return request
        return clamp_max_tokens(request, prompt, limit)

    def _server_changed(self) -> None:
        self._no_route = False
        self._counted = None
        self.recount()

    def _count_now(self) -> None:
        client = self.session.client
        if client is None:
            return
        conv = self._current()
        extra = self._extra_tools(conv) if self._extra_tools is not None else ()
        request = with_draft(conv, self.session.model, self._text, self._attachments, extra)
        self.runner.start(METER_TASK, self._count(request, self._generation))

    async def _count(self, request: ChatRequest, generation: int) -> None:
        client = self.session.client
        if client is None:
            return
        info = self.session.model_info()
        limit = info.max_model_len if info is not None else None
        try:
            counted = await client.count_tokens(request)
        except asyncio.CancelledError:
            raise
        except NotFoundError:
            self._no_route = True
            self._publish(MeterReading("unknown", detail="The server has no /tokenize."),
                          generation)
            return
        except GemmaAPIError as exc:
            self._publish(MeterReading("error", detail=exc.user_message), generation)
            return
        limit = counted.max_model_len or limit
        if limit is not None:
            self._counted = (_messages_key(request), counted.prompt_tokens, limit)
        self._publish(
            MeterReading("ok", counted.prompt_tokens, request.sampling.max_tokens, limit),
            generation,
        )

    def _publish(self, reading: MeterReading, generation: int) -> None:
        if generation != self._generation:
            return  # a count of an older draft
        self.reading = reading
        self.changed.emit()
