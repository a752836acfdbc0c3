"""The conversation model: messages, replies and their provenance, as plain values."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from desktop_app.api import (
    ChatRequest,
    Message,
    SamplingParams,
    ToolCall,
    ToolChoice,
    ToolDefinition,
    Usage,
)
from desktop_app.core.tools.workbench import ToolBench

if TYPE_CHECKING:
    from desktop_app.api.logprobs import TokenLog


def new_id() -> str:
    return uuid.uuid4().hex


class MessageStatus(StrEnum):
    """Where a message stands; anything but COMPLETE is shown with a marker."""

    COMPLETE = "complete"
    STREAMING = "streaming"
    STOPPED = "stopped"  # the user pressed Stop; the partial text is kept
    ERROR = "error"  # the request failed; the partial text (if any) is kept
    INTERRUPTED = "interrupted"  # the app ended while it streamed (recovered from a checkpoint)


@dataclass
class ErrorInfo:
    """A failure shown as a card: what happened, the server's own words, what to do."""

    title: str
    message: str
    hint: str = ""
    server_message: str | None = None
    kind: str = ""  # the exception class name, for tests and logs


@dataclass
class Attachment:
    """An image in a user message: a data: or http(s) URL plus what to show for it."""

    url: str
    mime: str = ""
    width: int | None = None
    height: int | None = None
    name: str = ""
    byte_size: int | None = None


RATE_MIN_TOKENS = 16
RATE_MIN_SECONDS = 0.25


@dataclass
class ReplyInfo:
    """What produced an assistant reply and how it went (provenance and timings)."""

    model: str | None = None
    server_version: str | None = None
    params: dict[str, Any] = field(default_factory=dict)  # sampling fields exactly as sent
    enable_thinking: bool | None = None
    tool_choice: Any = None
    extra_body: dict[str, Any] = field(default_factory=dict)
    finish_reason: str | None = None
    usage: Usage | None = None
    started_at: float | None = None  # wall clock
    time_to_first_token: float | None = None  # seconds
    duration: float | None = None  # seconds from request to last byte
    thinking_seconds: float | None = None
    request_id: str | None = None
    # The reply this one continues from one of its tokens (it then stands in its place).
    branched_from: str | None = None

    @property
    def tokens_per_second(self) -> float | None:
        """The generation rate, or None when it would mean nothing: tokens arrive in network
        reads of several at a time, so a rate over fewer than RATE_MIN_TOKENS tokens or
        RATE_MIN_SECONDS measures the batching, not the model (5 tokens in one read give
        thousands of tok/s)."""
        if self.usage is None or not self.duration:
            return None
        gen_time = self.duration - (self.time_to_first_token or 0.0)
        tokens = self.usage.completion_tokens
        if gen_time < RATE_MIN_SECONDS or tokens < RATE_MIN_TOKENS:
            return None
        return tokens / gen_time


@dataclass
class Alternatives:
    """The versions of one place in a conversation (replies regenerated, a message edited):
    each branch is a version of the message there and the messages that followed it. The
    shown version's branch is empty: its messages are the conversation's own. Only the shown
    message of that place carries this (core/chat/alternatives.py moves it on a switch)."""

    branches: list[list[ChatMessage]]
    shown: int


@dataclass
class ChatMessage:
    """One message of a conversation, with a stable id and its timestamps."""

    role: str  # system | user | assistant | tool
    content: str = ""
    reasoning: str = ""
    images: list[Attachment] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None
    status: MessageStatus = MessageStatus.COMPLETE
    error: ErrorInfo | None = None
    reply: ReplyInfo | None = None
    id: str = field(default_factory=new_id)
    created_at: float = field(default_factory=time.time)
    # The answer's tokens with their logprobs, when the request asked for them (not stored).
    tokens: TokenLog | None = field(default=None, compare=False, repr=False)
    # The other versions of this place, when there are any (None: this is the only one).
    alternatives: Alternatives | None = field(default=None, repr=False)

    def to_api(self) -> Message:
        if self.role == "user":
            return Message.user(self.content, [a.url for a in self.images])
        if self.role == "assistant":
            return Message.assistant(
                self.content or None,
                reasoning=self.reasoning or None,
                tool_calls=tuple(self.tool_calls),
            )
        if self.role == "tool":
            return Message.tool(self.tool_call_id or "", self.content, name=self.name)
        return Message.system(self.content)


def is_empty_failure(msg: ChatMessage) -> bool:
    """A reply that failed before any text, reasoning or call arrived."""
    return (
        msg.role == "assistant"
        and msg.status == MessageStatus.ERROR
        and not (msg.content or msg.reasoning or msg.tool_calls)
    )


@dataclass
class GenerationSettings:
    """The per-conversation knobs that shape each request."""

    sampling: SamplingParams = field(default_factory=SamplingParams)
    enable_thinking: bool | None = None
    stream: bool = True
    include_usage: bool = True
    extra_body: dict[str, Any] = field(default_factory=dict)
    tools: list[ToolDefinition] = field(default_factory=list)
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    # The tools panel's full set (disabled tools, edits, mock answers); `tools` is what is sent.
    tool_bench: ToolBench = field(default_factory=ToolBench)
    # Ask for each token's logprob and this many alternatives (None: do not ask).
    top_logprobs: int | None = None


@dataclass
class Conversation:
    """A conversation: its messages, system prompt and generation settings."""

    title: str = "New chat"
    system_prompt: str = ""
    messages: list[ChatMessage] = field(default_factory=list)
    settings: GenerationSettings = field(default_factory=GenerationSettings)
    id: str = field(default_factory=new_id)
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    title_edited: bool = False
    # What the app had to change or could not read when it loaded this conversation (shown
    # above the chat; not stored, not compared).
    notices: list[str] = field(default_factory=list, compare=False, repr=False)
    # Why the app must not write this conversation ("" = it may): stored messages it could
    # not read stay on disk untouched.
    read_only: str = field(default="", compare=False, repr=False)

    def touch(self) -> None:
        self.updated_at = time.time()

    def index_of(self, message_id: str) -> int:
        for i, msg in enumerate(self.messages):
            if msg.id == message_id:
                return i
        raise KeyError(message_id)

    def find(self, message_id: str) -> ChatMessage:
        return self.messages[self.index_of(message_id)]

    def auto_title(self) -> None:
        """Names the conversation after its first user message unless the user renamed it."""
        if self.title_edited:
            return
        for msg in self.messages:
            if msg.role == "user" and msg.content.strip():
                line = " ".join(msg.content.split())
                self.title = line[:60] + ("…" if len(line) > 60 else "")
                return
            if msg.role == "user" and msg.images:
                names = ", ".join(a.name for a in msg.images if a.name)
                self.title = f"Image: {names}"[:60] if names else "Image"
                return

    def history_for_request(self) -> list[ChatMessage]:
        """The messages a request replays: failed replies and empty placeholders are left out,
        and so is a user message whose only reply failed before anything arrived (it stays in
        view, but the model never saw it: two user turns in a row would follow). A reply
        branched from another stands in place of the one it came from."""
        out: list[ChatMessage] = []
        msgs = self.messages
        for i, msg in enumerate(msgs):
            if msg.role == "assistant" and (
                msg.status == MessageStatus.ERROR or not (msg.content or msg.tool_calls)
            ):
                continue
            if msg.role == "user" and i + 1 < len(msgs) and is_empty_failure(msgs[i + 1]):
                continue
            branched = msg.reply.branched_from if msg.reply is not None else None
            if branched is not None and out and out[-1].id == branched:
                out[-1] = msg  # a branch stands in place of the reply it came from
                continue
            out.append(msg)
        return out

    def build_request(self, model: str | None) -> ChatRequest:
        s = self.settings
        messages: list[Message] = []
        if self.system_prompt.strip():
            messages.append(Message.system(self.system_prompt))
        messages.extend(m.to_api() for m in self.history_for_request())
        return ChatRequest(
            model=model,
            messages=tuple(messages),
            sampling=s.sampling,
            tools=tuple(s.tools),
            tool_choice=s.tool_choice,
            parallel_tool_calls=s.parallel_tool_calls,
            enable_thinking=s.enable_thinking,
            stream=s.stream,
            include_usage=s.include_usage,
            extra_body=dict(s.extra_body),
            top_logprobs=s.top_logprobs,
        )
