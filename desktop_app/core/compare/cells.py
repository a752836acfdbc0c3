"""One compare cell streamed through ``VLLMClient.follow``, and many of them run at once with
a bound on how many go to each server. No Qt: the window and ``gemma-desk compare`` share it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_app.api import Accumulator, ChatRequest, Completion, GemmaAPIError, VLLMClient

DEFAULT_CONCURRENCY = 4

WAITING = "waiting"
STREAMING = "streaming"
DONE = "done"
STOPPED = "stopped"
FAILED = "error"


@dataclass
class CellResult:
    """What one cell got: the reply (whole or so far), its timings and how it ended."""

    params: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    prompt: str = ""
    state: str = WAITING
    completion: Completion | None = None
    ttft_s: float | None = None
    total_s: float | None = None
    error: str | None = None
    # The failure itself, so a caller can tell a server's refusal from a lost connection.
    exception: GemmaAPIError | None = field(default=None, repr=False)

    @property
    def content(self) -> str:
        return self.completion.content if self.completion else ""

    @property
    def reasoning(self) -> str:
        return self.completion.reasoning if self.completion else ""

    @property
    def finish_reason(self) -> str | None:
        return self.completion.finish_reason if self.completion else None

    def tokens_per_second(self) -> float | None:
        """Completion tokens over the time after the first token; None when unknown."""
        usage = self.completion.usage if self.completion else None
        if usage is None or self.total_s is None or self.ttft_s is None:
            return None
        span = self.total_s - self.ttft_s
        return usage.completion_tokens / span if span > 0 else None

    def to_json_dict(self) -> dict[str, Any]:
        done = self.completion
        usage = done.usage.to_dict() if done is not None and done.usage is not None else None
        return {
            "params": self.params,
            "seed": self.seed,
            "prompt": self.prompt,
            "content": self.content,
            "reasoning": self.reasoning,
            "tool_calls": [c.to_wire() for c in done.tool_calls] if done else [],
            "finish_reason": self.finish_reason,
            "usage": usage,
            "ttft_s": _round(self.ttft_s),
            "total_s": _round(self.total_s),
            "error": self.error,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def reasoning_tokens(completion: Completion | None) -> int | None:
    """The reasoning tokens the server counted, when its usage says (vLLM: details)."""
    usage = completion.usage if completion else None
    if usage is None:
        return None
    return usage.reasoning_tokens


async def stream_cell(
    client: VLLMClient,
    request: ChatRequest,
    cell: CellResult,
    on_read: Callable[[CellResult], None] | None = None,
) -> CellResult:
    """Streams ``request`` into ``cell``: ``completion`` is the snapshot after each read,
    the final reply at the end. A server or connection failure ends the cell with the
    server's words and keeps what had arrived; cancelling keeps it too (state stopped)."""
    started = time.perf_counter()
    cell.state = STREAMING
    cell.error = None
    cell.exception = None
    accumulator: Accumulator | None = None
    try:
        async for accumulator in client.follow(request):
            if cell.ttft_s is None and (
                accumulator.has_content or accumulator.has_reasoning or accumulator.has_tool_calls
            ):
                cell.ttft_s = time.perf_counter() - started
            cell.completion = accumulator.snapshot()
            if on_read is not None:
                on_read(cell)
        cell.completion = (accumulator or Accumulator()).result()
        cell.state = DONE
    except GemmaAPIError as exc:
        cell.completion = exc.partial or (accumulator.snapshot() if accumulator else None)
        cell.error = exc.user_message or str(exc)
        cell.exception = exc
        cell.state = FAILED
    except asyncio.CancelledError:
        if accumulator is not None:
            cell.completion = accumulator.snapshot()
        cell.state = STOPPED
        raise
    finally:
        cell.total_s = time.perf_counter() - started
    return cell


class ServerSlots:
    """At most ``limit`` cells stream from each server at once; the rest wait their turn."""

    def __init__(self, limit: int = DEFAULT_CONCURRENCY) -> None:
        if limit < 1:
            raise ValueError("concurrency must be at least 1")
        self.limit = limit
        self._slots: dict[str, asyncio.Semaphore] = {}

    def slot(self, server: str) -> asyncio.Semaphore:
        if server not in self._slots:
            self._slots[server] = asyncio.Semaphore(self.limit)
        return self._slots[server]

    async def run(self, server: str, work: Callable[[], Awaitable[Any]]) -> Any:
        async with self.slot(server):
            return await work()


async def run_cells(
    jobs: Sequence[tuple[VLLMClient, ChatRequest, CellResult]],
    concurrency: int = DEFAULT_CONCURRENCY,
    server_of: Callable[[VLLMClient], str] = lambda client: client.api_base,
) -> list[CellResult]:
    """Runs every job, at most ``concurrency`` per server at a time; a failed cell does not
    stop the others. Returns the cells in the order given."""
    slots = ServerSlots(concurrency)

    async def one(client: VLLMClient, request: ChatRequest, cell: CellResult) -> CellResult:
        return await slots.run(server_of(client), lambda: stream_cell(client, request, cell))

    return list(await asyncio.gather(*(one(*job) for job in jobs)))
