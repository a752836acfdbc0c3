"""The chat workflow: send, stream, stop, regenerate, edit and retry, with coalesced updates."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

from desktop_app.api import Accumulator, ChatRequest, GemmaAPIError, ToolDefinition
from desktop_app.core.chat import alternatives
from desktop_app.core.chat.conversation import (
    Alternatives,
    Attachment,
    ChatMessage,
    Conversation,
    GenerationSettings,
    MessageStatus,
    ReplyInfo,
    is_empty_failure,
)
from desktop_app.core.chat.conversations import ConversationList
from desktop_app.core.chat.error_cards import NotConnected, describe_error
from desktop_app.core.chat.live_reply import LiveReply, continuing
from desktop_app.core.chat.send_gate import SendGate
from desktop_app.core.inspect.traces import TraceStore
from desktop_app.core.session.server import ServerSession
from desktop_app.core.tasks import TaskRunner

if TYPE_CHECKING:
    from desktop_app.api.logprobs import TokenLog

log = logging.getLogger(__name__)

FRAME_MS = 16  # at most about one repaint per frame, whatever the token rate
REPLY_TASK = "reply"
SLICE_SECONDS = 0.004  # longest run of stream work before Qt gets the thread back


class ChatController(QObject):
    """The reply workflow: send, stream, stop, regenerate, edit, retry and tool results, on
    the conversations of its ``ConversationList`` (``chat.conversations`` and
    ``chat.current`` read through to it; its two signals are the list's own)."""

    messageAdded = Signal(str, str)  # conversation id, message id
    messageChanged = Signal(str, str)  # conversation id, message id
    messageRemoved = Signal(str, str)  # conversation id, message id
    busyChanged = Signal(bool)
    replyFinished = Signal(str, str)  # conversation id, message id (any end: done, stopped, error)
    composerRestore = Signal(str)  # a failed send gives its text back to the composer
    notice = Signal(str)  # why an action did not start (shown in the status bar)

    def __init__(
        self,
        session: ServerSession,
        runner: TaskRunner,
        *,
        gate: SendGate | None = None,
        traces: TraceStore | None = None,
        settings_factory: Callable[[], GenerationSettings] = GenerationSettings,
        loader: Callable[[str], Conversation] | None = None,
        fit_request: Callable[[ChatRequest], ChatRequest] | None = None,
        parent: QObject | None = None,
        extra_tools: Callable[[Conversation], Sequence[ToolDefinition]] | None = None,
    ):
        super().__init__(parent)
        self.session = session
        # Fits each request to the model's context (the meter clamps max_tokens).
        self.fit_request = fit_request
        self.runner = runner
        # What currently forbids a request (an invalid panel, unanswered tool calls).
        self.gate = gate if gate is not None else SendGate(self)
        self.traces = traces if traces is not None else TraceStore()
        self.list = ConversationList(self.gate, settings_factory, loader, self)
        # Tools every request carries besides the conversation's own (MCP servers').
        self.extra_tools = extra_tools
        self._live: LiveReply | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FRAME_MS)
        self._flush_timer.timeout.connect(self._flush)

    # -- conversations (the list's, read through) -------------------------------------------
    @property
    def conversationsChanged(self) -> SignalInstance:
        return self.list.conversationsChanged

    @property
    def currentChanged(self) -> SignalInstance:
        return self.list.currentChanged

    @property
    def conversations(self) -> list[Conversation]:
        return self.list.items

    @property
    def current(self) -> Conversation:
        return self.list.current

    def new_conversation(self, select: bool = True) -> Conversation:
        return self.list.new(select)

    def select(self, conversation_id: str) -> None:
        self.list.select(conversation_id)

    def add_conversation(self, conv: Conversation, *, stub: bool = False) -> None:
        self.list.add(conv, stub=stub)

    def remove_conversation(self, conversation_id: str) -> None:
        """Drops a conversation from this run's list (stopping its reply first)."""
        if self._live is not None and self._live.conversation.id == conversation_id:
            self.stop()
        self.list.remove(conversation_id)

    def ensure_loaded(self, conversation_id: str) -> Conversation:
        return self.list.ensure_loaded(conversation_id)

    def is_stub(self, conversation_id: str) -> bool:
        return self.list.is_stub(conversation_id)

    def conversation(self, conversation_id: str) -> Conversation:
        return self.list.get(conversation_id)

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        self.list.rename(conversation_id, title)

    def message_changed(self, conversation_id: str, message_id: str) -> None:
        """Tells every view that a message was changed in place (a coerced tool call)."""
        self.messageChanged.emit(conversation_id, message_id)

    def set_system_prompt(self, text: str) -> None:
        self.current.system_prompt = text
        self.current.touch()

    @property
    def busy(self) -> bool:
        return self._live is not None

    def streaming_message_id(self) -> str | None:
        return self._live.message.id if self._live else None

    # -- user actions ----------------------------------------------------------------------
    def send(
        self, text: str, attachments: Sequence[Attachment] = (), revises_failed: bool = False
    ) -> bool:
        """Appends a user message and starts the reply; False when nothing was sent.
        `revises_failed`: the message is the failed one handed back and edited, so it takes
        that turn's place (see _replace_failed_turn)."""
        if not (text.strip() or attachments) or not self._may_start():
            return False
        conv = self.current
        self._replace_failed_turn(conv, text, attachments, revises_failed)
        user = ChatMessage(role="user", content=text, images=list(attachments))
        self._append(conv, user)
        conv.auto_title()
        self.conversationsChanged.emit()
        self._start_reply(conv)
        return True

    def stop(self) -> None:
        if self._live is None:
            return
        if self.runner.running(REPLY_TASK):
            self.runner.cancel(REPLY_TASK)
        else:
            # No task is left to end the reply: clear the busy state here, so Stop always works.
            self._finish(self._live, MessageStatus.STOPPED, None, None)

    def _may_start(self, ignore: frozenset[str] | set[str] = frozenset()) -> bool:
        """False (with a notice saying why) while a reply runs or something blocks requests;
        `ignore` names gate sources that do not apply (tool results answer the open calls)."""
        if self.busy:
            return False
        reason = self.gate.reason(ignore)
        if reason:
            self.notice.emit(f"Not sent: {reason}")
            return False
        return True

    def regenerate(self, discard_tool_calls: bool = False) -> bool:
        """A new reply to the last user message, kept as an alternative of what followed it
        (which stays one switch away); tool calls
        waiting for a result block this unless `discard_tool_calls` (the user agreed)."""
        conv = self.current
        ignore = frozenset({"tool-calls"} if discard_tool_calls else ())
        if not conv.messages or not self._may_start(ignore):
            return False
        last_user = max((i for i, m in enumerate(conv.messages) if m.role == "user"), default=None)
        if last_user is None:
            return False
        self._start_reply(conv, alternatives=self._fork(conv, last_user + 1))
        return True

    def edit_and_resend(self, message_id: str, text: str) -> bool:
        """A changed copy of a user message with a new reply, kept as an alternative of the
        message and everything that followed it."""
        conv = self.current
        if not text.strip() or not self._may_start():
            return False
        index = conv.index_of(message_id)
        msg = conv.messages[index]
        if msg.role != "user":
            return False
        alts = self._fork(conv, index)
        edited = ChatMessage(role="user", content=text, images=list(msg.images))
        edited.alternatives = alts
        self._append(conv, edited)
        conv.auto_title()
        self._start_reply(conv)
        return True

    def retry(self, message_id: str) -> bool:
        """Runs a failed reply again, the failed one kept as an alternative of the new one."""
        conv = self.current
        if not self._may_start():
            return False
        index = conv.index_of(message_id)
        self._start_reply(conv, alternatives=self._fork(conv, index))
        return True

    def switch_alternative(self, message_id: str, to: int) -> bool:
        """Shows version `to` (0-based) of the place message `message_id` holds; the
        conversation then continues from it. Refused while a reply is written."""
        conv = self.current
        if conv.read_only:
            return False
        if self.busy:
            self.notice.emit("Wait for the reply to finish before switching versions.")
            return False
        try:
            index = conv.index_of(message_id)
        except KeyError:
            return False
        removed, added = alternatives.switch(conv, index, to)
        if not added:
            return False
        for msg in removed:
            self.messageRemoved.emit(conv.id, msg.id)
        conv.touch()
        for msg in added:
            self.messageAdded.emit(conv.id, msg.id)
        return True

    def delete_message(self, message_id: str) -> bool:
        conv = self.current
        if (self._live and self._live.message.id == message_id) or conv.read_only:
            return False
        index = conv.index_of(message_id)
        if conv.messages[index].alternatives is not None:
            return self._delete_version(conv, index)
        del conv.messages[index]
        conv.touch()
        self.messageRemoved.emit(conv.id, message_id)
        return True

    def _delete_version(self, conv: Conversation, index: int) -> bool:
        """Deleting a message that has other versions deletes that version and shows its
        neighbour; refused while messages follow it (they belong to this version)."""
        if index < len(conv.messages) - 1:
            self.notice.emit(
                "Not deleted: messages follow this version. Delete them first, or switch to"
                " another version."
            )
            return False
        removed, added = alternatives.drop_shown(conv, index)
        self.traces.drop(m.id for m in removed)
        for msg in removed:
            self.messageRemoved.emit(conv.id, msg.id)
        conv.touch()
        for msg in added:
            self.messageAdded.emit(conv.id, msg.id)
        return True

    def answer_tool_calls(
        self, message_id: str, results: Sequence[ChatMessage], continue_reply: bool = True
    ) -> bool:
        """Appends `tool` results to the turn of assistant `message_id`, then asks for the
        next reply unless `continue_reply` is False. The caller answers every call."""
        # The results answer the open calls, so that block does not apply; the others do when
        # a request follows.
        if self.busy or (continue_reply and not self._may_start(ignore={"tool-calls"})):
            return False
        conv = next(
            (c for c in self.conversations if any(m.id == message_id for m in c.messages)), None
        )
        if conv is None or conv.read_only or any(r.role != "tool" for r in results):
            return False
        for result in results:
            self._append(conv, result)
        if continue_reply:
            self._start_reply(conv)
        return True

    def continue_reply(self, message_id: str, prefix: str, tokens: TokenLog | None = None) -> str:
        """A new reply in place of the last reply `message_id` (kept as its alternative)
        that continues `prefix` (vLLM's continue_final_message); "" when it started, else
        why not."""
        conv = self.current
        if self.busy:
            return "A reply is still being written."
        if conv.read_only or not conv.messages or conv.messages[-1].id != message_id:
            return "Only the last reply of a conversation can be continued from a token."
        if not self._may_start():
            return "Requests are blocked: " + (self.gate.reason() or "see the status bar")
        # The reply it branches from stays as an alternative of the branch.
        alts = self._fork(conv, len(conv.messages) - 1)
        self._start_reply(conv, prefix, tokens, branched_from=message_id, alternatives=alts)
        return ""

    def append_turn(
        self, conversation_id: str, after: str | None, messages: Sequence[ChatMessage]
    ) -> str:
        """Appends finished messages (a reply made elsewhere, e.g. in Compare) when the
        conversation still ends with message `after` (None: it is empty); "" or why not."""
        conv = self.conversation(conversation_id)
        last = conv.messages[-1].id if conv.messages else None
        if self.busy or conv.read_only or last != after:
            return "The conversation has changed since then, or a reply is being written."
        for msg in messages:
            self._append(conv, msg)
        conv.auto_title()
        self.conversationsChanged.emit()
        return ""

    def adopt_reply(self, conversation_id: str, after: str, reply: ChatMessage) -> str:
        """Puts a finished reply made elsewhere (Compare) after user message `after`: as a new
        version of the reply that follows it (which stays one switch away, as Regenerate
        keeps it), or as the next message when nothing follows; "" or why not."""
        conv = self.conversation(conversation_id)
        if self.busy or conv.read_only:
            return "A reply is being written, or the conversation cannot be changed."
        index = next((i for i, m in enumerate(conv.messages) if m.id == after), None)
        if index is None or conv.messages[index].role != "user":
            return "The message it answers is no longer shown (another version or deleted)."
        reply.alternatives = self._fork(conv, index + 1)
        self._append(conv, reply)
        self.conversationsChanged.emit()
        return ""

    # -- the reply -------------------------------------------------------------------------
    def _start_reply(
        self,
        conv: Conversation,
        prefix: str | None = None,
        prefix_tokens: TokenLog | None = None,
        branched_from: str | None = None,
        alternatives: Alternatives | None = None,
    ) -> None:
        request = conv.build_request(self.session.model)
        if prefix is not None:
            request = continuing(request, prefix)
        if self.extra_tools is not None:
            extra = tuple(self.extra_tools(conv))
            if extra:
                request = dataclasses.replace(request, tools=(*request.tools, *extra))
        if self.fit_request is not None:
            request = self.fit_request(request)
        reply = ChatMessage(role="assistant", status=MessageStatus.STREAMING)
        reply.reply = ReplyInfo(
            model=self.session.model,
            server_version=self.session.version,
            params=request.sampling.to_wire(),
            enable_thinking=request.enable_thinking,
            tool_choice=request.tool_choice,
            extra_body=dict(request.extra_body),
            started_at=time.time(),
            branched_from=branched_from,
        )
        reply.alternatives = alternatives
        self._append(conv, reply)
        self._live = LiveReply(conv, reply, prefix or "", prefix_tokens)
        self.busyChanged.emit(True)
        task = self.runner.start(REPLY_TASK, self._run(self._live, request))
        task.add_done_callback(functools.partial(self._task_ended, self._live))

    def _task_ended(self, live: LiveReply, task: asyncio.Task[None]) -> None:
        """The last word on a reply: a task that ended without finishing it (cancelled before
        it ran, or failed inside its own error handling) still ends it, never leaving busy."""
        if self._live is not live:
            return
        exc = None if task.cancelled() else task.exception()
        if exc is None:
            self._finish(live, MessageStatus.STOPPED, None, None)
        else:
            self._fail(live, exc)

    async def _run(self, live: LiveReply, request: ChatRequest) -> None:
        msg = live.message
        trace = self.traces.start(msg.id)
        try:
            client = self.session.client
            if client is None:
                raise NotConnected(self.session.error or "No server is configured.")
            if request.stream:
                # The client's accumulator is the only fold of the stream: it comes once per
                # network read, and the message is copied from it at most once per frame.
                accumulator = None
                slice_end = time.perf_counter() + SLICE_SECONDS
                async for accumulator in client.follow(request, trace=trace):
                    self._take(live, accumulator)
                    if time.perf_counter() > slice_end:
                        # Reads can follow each other with no pause; hand the thread back
                        # to Qt now and then so input and repaints never wait long.
                        await asyncio.sleep(0)
                        slice_end = time.perf_counter() + SLICE_SECONDS
                completion = accumulator.result() if accumulator is not None else None
            else:
                completion = await client.complete(request, trace=trace)
                live.show(completion)
            if completion is not None:
                if msg.reply is not None:
                    # Provenance as the server reports it, set before the reply is saved.
                    msg.reply.model = completion.model or msg.reply.model
                    msg.reply.request_id = completion.id or msg.reply.request_id
                self._finish(
                    live, MessageStatus.COMPLETE, completion.finish_reason, completion.usage
                )
            else:
                self._finish(live, MessageStatus.COMPLETE, None, None)
        except asyncio.CancelledError:
            self._finish(live, MessageStatus.STOPPED, None, None)
            raise
        except Exception as exc:  # any failure ends as an error card, never a busy window
            self._fail(live, exc)

    def _fail(self, live: LiveReply, exc: BaseException) -> None:
        """Ends the reply as an error card, keeping what arrived; the typed text is offered
        back to the composer when nothing did."""
        if not isinstance(exc, GemmaAPIError):
            log.error("reply failed unexpectedly", exc_info=exc)
        msg = live.message
        partial = getattr(exc, "partial", None) if isinstance(exc, GemmaAPIError) else None
        live.flush()
        if partial is not None:
            msg.content = partial.content or msg.content
            msg.reasoning = partial.reasoning or msg.reasoning
            msg.tool_calls = list(partial.tool_calls) or msg.tool_calls
        msg.error = describe_error(exc)
        self._finish(live, MessageStatus.ERROR, None, partial.usage if partial else None)
        msgs = live.conversation.messages
        # Nothing came back for the user's message: hand its text back to the composer, so
        # nothing is lost (sending it again replaces the failed turn). After tool results the
        # last user message is an old one: put back, it would only invite sending it twice.
        answers_user = len(msgs) >= 2 and msgs[-1] is msg and msgs[-2].role == "user"
        current = live.conversation is self.current
        if not (msg.content or msg.reasoning) and answers_user and current:
            self.composerRestore.emit(msgs[-2].content)

    def _take(self, live: LiveReply, accumulator: Accumulator) -> None:
        live.note(accumulator)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _flush(self) -> None:
        live = self._live
        if live is None:
            return
        began = time.perf_counter()
        if live.flush():
            self.messageChanged.emit(live.conversation.id, live.message.id)
            # The next frame is due one frame after this one began (but leaves the stream at
            # least half a frame): while tokens pour in, the stream works only between
            # repaints, so no repaint gets more than about half a frame's worth of new text
            # and none blocks the thread for long. A frame with nothing new stops the timer;
            # the next read starts it again (_take).
            spent_ms = (time.perf_counter() - began) * 1000
            self._flush_timer.start(max(FRAME_MS // 2, round(FRAME_MS - spent_ms)))

    def _finish(self, live: LiveReply, status: MessageStatus, finish_reason, usage) -> None:
        self._flush_timer.stop()
        live.flush()
        msg = live.message
        msg.status = status
        end = time.monotonic()
        info = msg.reply
        if info is not None:
            info.finish_reason = finish_reason
            info.usage = usage
            info.duration = end - live.started
            if live.first_token is not None:
                info.time_to_first_token = live.first_token - live.started
            if live.first_reasoning is not None:
                info.thinking_seconds = (live.first_content or end) - live.first_reasoning
        live.conversation.touch()
        self._live = None
        self.messageChanged.emit(live.conversation.id, msg.id)
        self.busyChanged.emit(False)
        self.replyFinished.emit(live.conversation.id, msg.id)

    # -- helpers ---------------------------------------------------------------------------
    def _append(self, conv: Conversation, msg: ChatMessage) -> None:
        conv.messages.append(msg)
        conv.touch()
        self.messageAdded.emit(conv.id, msg.id)

    def _fork(self, conv: Conversation, index: int) -> Alternatives | None:
        """Takes messages[index:] out of view as a version of that place (their traces stay,
        for when they are shown again) and returns what the new version carries."""
        alts, removed = alternatives.fork(conv, index)
        for msg in removed:
            self.messageRemoved.emit(conv.id, msg.id)
        conv.touch()
        return alts

    def _truncate(self, conv: Conversation, index: int) -> None:
        removed = conv.messages[index:]
        del conv.messages[index:]
        self.traces.drop(m.id for m in removed)
        for msg in removed:
            self.messageRemoved.emit(conv.id, msg.id)
        conv.touch()

    def _replace_failed_turn(
        self, conv: Conversation, text: str, attachments: Sequence[Attachment], revises: bool
    ) -> None:
        """Sending the message of a turn that failed before any reply arrived again (handed
        back to the composer, perhaps edited) puts it in place of that turn; any other
        message leaves the failed turn in view. The status bar says which happened."""
        msgs = conv.messages
        if not (len(msgs) >= 2 and is_empty_failure(msgs[-1]) and msgs[-2].role == "user"):
            return
        failed = msgs[-2]
        same = failed.content == text and [a.url for a in failed.images] == [
            a.url for a in attachments
        ]
        if same or revises:
            self._truncate(conv, len(msgs) - 2)
            self.notice.emit("Sent again in place of the message that failed.")
        else:
            self.notice.emit("The message that failed stays above, not sent to the model.")
