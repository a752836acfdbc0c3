"""One MCP server's life: start (process or HTTP session), tools, calls, stderr tail, stop.

Plain asyncio with the official SDK (no Qt), so the window and `gemma-desk ask` share it. The
SDK's client context is entered and left inside one task that owns an anyio cancel scope:
stopping cancels that scope, and the SDK's shielded shutdown then closes stdin, waits, and
kills the server's whole process group, so no process outlives a stop, a crash or a quit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import AsyncExitStack
from enum import StrEnum
from typing import Any

from desktop_app.core.mcp.config import McpServerConfig

log = logging.getLogger(__name__)

START_TIMEOUT = 30.0  # seconds a server may take to start and answer the handshake
STOP_TIMEOUT = 10.0  # the SDK's own escalation (close stdin, TERM, KILL) takes up to ~6 s
TAIL_LINES = 400
TAIL_LINE_CHARS = 2000


class ServerState(StrEnum):
    STOPPED = "stopped"
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"


class McpServerError(Exception):
    """A server could not be started or stopped working; the message says what to do."""


class McpCallError(Exception):
    """A tool call that produced no result (timeout, cancelled, server gone, protocol)."""


class LogTail:
    """The last lines a server wrote to stderr (and what the app noted), bounded in lines
    and line length, so a server that floods stderr costs a fixed amount of memory."""

    def __init__(self, lines: int = TAIL_LINES) -> None:
        self._lines: deque[str] = deque(maxlen=lines)
        self._lock = threading.Lock()
        self._partial = ""
        self.total_bytes = 0
        self.dropped_lines = 0

    def feed(self, text: str) -> None:
        with self._lock:
            self.total_bytes += len(text)
            parts = (self._partial + text).split("\n")
            self._partial = parts.pop()[-TAIL_LINE_CHARS:]
            for line in parts:
                if len(self._lines) == self._lines.maxlen:
                    self.dropped_lines += 1
                self._lines.append(_clip(line))

    def note(self, text: str) -> None:
        """A line from the app itself (start, stop, exit), marked so it is not mistaken."""
        with self._lock:
            self._lines.append(f"[gemma-desk] {text}")

    def lines(self) -> list[str]:
        with self._lock:
            out = list(self._lines)
            if self._partial:
                out.append(self._partial)
            return out

    def text(self, last: int | None = None) -> str:
        lines = self.lines()
        if last is not None:
            lines = lines[-last:]
        head = f"… {self.dropped_lines} earlier lines dropped\n" if self.dropped_lines else ""
        return head + "\n".join(lines)


def _clip(line: str) -> str:
    if len(line) <= TAIL_LINE_CHARS:
        return line
    return line[:TAIL_LINE_CHARS] + f" … ({len(line) - TAIL_LINE_CHARS} more characters)"


class McpConnection:
    """A server, started on demand. ``on_change`` is called (on the loop) when the state,
    the tools or the log change; ``state``, ``error``, ``tools`` and ``log`` tell what is."""

    def __init__(
        self,
        config: McpServerConfig,
        on_change: Callable[[], None] | None = None,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.config = config
        self.on_change = on_change or (lambda: None)
        self.start_timeout = start_timeout
        self.state = ServerState.STOPPED
        self.error = ""
        self.tools: list[Any] = []  # mcp_types.Tool
        self.log = LogTail()
        self._client: Any = None
        self._task: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[None] | None = None
        self._scope: Any = None  # anyio.CancelScope of the serving task
        self._stopping = False
        self._crash = ""  # why a ready server ended on its own
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- life ---------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Starts the server unless it runs; returns when its tools are known. Raises
        McpServerError with what went wrong (and the stderr tail) when it cannot start."""
        if self.state == ServerState.READY and self.running:
            return
        if not self.running:
            problem = self.config.problem()
            if problem:
                self._set(ServerState.FAILED, problem)
                raise McpServerError(problem)
            self._loop = asyncio.get_running_loop()
            self._ready = self._loop.create_future()
            # Read here, so a failed start nobody awaits is not reported as never retrieved.
            self._ready.add_done_callback(lambda f: f.cancelled() or f.exception())
            self._stopping = False
            self._crash = ""
            self.error = ""
            self._set(ServerState.STARTING)
            self._task = self._loop.create_task(
                self._serve(self._ready), name=f"mcp-server-{self.config.name}"
            )
        assert self._ready is not None
        await asyncio.shield(self._ready)

    async def stop(self) -> None:
        """Stops the server and waits (bounded) until its process is gone."""
        task = self._task
        if task is None or task.done():
            return
        self._stopping = True
        self._cancel_scope()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT)
        except TimeoutError:
            log.error("MCP server %s did not stop within %s s", self.config.name, STOP_TIMEOUT)
            task.cancel()
        except Exception:
            pass  # the serving task reports its own failures

    async def restart(self) -> None:
        await self.stop()
        self.log.note("restarting")
        await self.start()

    def _cancel_scope(self) -> None:
        scope = self._scope
        if scope is not None:
            scope.cancel()
        elif self._task is not None:
            self._task.cancel()  # not yet inside its scope: nothing to shut down gracefully

    def _set(self, state: ServerState, error: str = "") -> None:
        self.state = state
        if error or state != ServerState.FAILED:
            self.error = error
        self.on_change()

    async def _serve(self, ready: asyncio.Future[None]) -> None:
        import anyio

        read_fd, write_fd = os.pipe()
        errfile = os.fdopen(write_fd, "w", encoding="utf-8")
        reader = threading.Thread(
            target=self._read_stderr, args=(read_fd,), name="mcp-stderr", daemon=True
        )
        reader.start()
        timer = None
        outcome = ""
        try:
            with anyio.CancelScope() as scope:
                self._scope = scope
                loop = asyncio.get_running_loop()
                timer = loop.call_later(self.start_timeout, self._start_timed_out, ready)
                async with AsyncExitStack() as stack:
                    self.log.note(f"starting {self._describe()}")
                    self._client = await self._open(stack, errfile)
                    # The child holds its own copy of stderr now: closing ours lets the reader
                    # see the end of the pipe when the server exits.
                    errfile.close()
                    self.tools = await self._list_tools()
                    timer.cancel()
                    self.log.note(f"ready: {len(self.tools)} tools")
                    self._set(ServerState.READY)
                    if not ready.done():
                        ready.set_result(None)
                    # Not anyio.sleep_forever: qasync's timers cannot take an infinite delay.
                    await asyncio.Event().wait()
            if not ready.done():
                outcome = self.error or f"Server “{self.config.name}” was stopped while starting."
            outcome = outcome or self._crash
        except Exception as exc:
            outcome = self._explain(exc)
            if not ready.done():
                outcome = outcome.replace("stopped working", "ended before it was ready")
            log.info("MCP server %s ended: %s", self.config.name, outcome)
        finally:
            if timer is not None:
                timer.cancel()
            self._scope = None
            self._client = None
            with contextlib.suppress(OSError):
                errfile.close()
        if outcome and not self._stopping:
            tail = self.log.text(last=12)
            message = outcome + (f"\n\nIts last output:\n{tail}" if tail.strip() else "")
            self._set(ServerState.FAILED, message)
            if not ready.done():
                ready.set_exception(McpServerError(message))
        else:
            self.log.note("stopped")
            self._set(ServerState.STOPPED if not outcome else ServerState.FAILED, outcome)
            if not ready.done():
                ready.set_exception(McpServerError(outcome or "The server was stopped."))
        self.tools = self.tools if self.state == ServerState.READY else []

    def _start_timed_out(self, ready: asyncio.Future[None]) -> None:
        if ready.done():
            return
        self.error = (
            f"Server “{self.config.name}” did not answer within {self.start_timeout:g} s of "
            "starting. Check its command and arguments, and its log below."
        )
        self._cancel_scope()

    async def _open(self, stack: AsyncExitStack, errfile: Any) -> Any:
        from mcp import Client

        config = self.config
        if config.transport == "http":
            import httpx2
            from mcp.client.streamable_http import streamable_http_client

            http = await stack.enter_async_context(
                httpx2.AsyncClient(
                    headers=config.headers or None, timeout=httpx2.Timeout(30.0, read=300.0)
                )
            )
            transport = streamable_http_client(config.url, http_client=http)
        else:
            from mcp.client.stdio import StdioServerParameters, stdio_client

            params = StdioServerParameters(
                command=config.command,
                args=list(config.args),
                env=dict(config.env) or None,
                cwd=config.cwd or None,
                encoding_error_handler="replace",
            )
            transport = stdio_client(params, errlog=errfile)
        return await stack.enter_async_context(Client(transport))

    async def _list_tools(self) -> list[Any]:
        tools: list[Any] = []
        cursor = None
        for _page in range(100):  # a server that pages forever must not hang the start
            result = await self._client.list_tools(cursor=cursor)
            tools.extend(result.tools)
            cursor = result.next_cursor
            if not cursor:
                break
        return tools

    def _describe(self) -> str:
        c = self.config
        if c.transport == "http":
            return "a Streamable HTTP session"  # the URL may carry a token: not logged
        return " ".join([c.command, *c.args])

    def _explain(self, exc: BaseException) -> str:
        name = self.config.name
        if isinstance(exc, FileNotFoundError | PermissionError):
            return (
                f"Server “{name}” could not be started: {exc.strerror or exc} "
                f"({self.config.command}). Check the command, or give its full path."
            )
        if isinstance(exc, OSError):
            return f"Server “{name}” could not be started: {exc}."
        if isinstance(exc, BaseExceptionGroup):
            inner = exc.exceptions[0] if exc.exceptions else exc
            return self._explain(inner)
        text = str(exc) or type(exc).__name__
        return f"Server “{name}” stopped working: {text}"

    # -- stderr -------------------------------------------------------------------------------
    def _read_stderr(self, fd: int) -> None:
        """On its own thread: a server writing stderr faster than the window draws never
        blocks on a full pipe, and the tail stays bounded."""
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                self.log.feed(chunk.decode("utf-8", errors="replace"))
                self._notify_threadsafe(self.on_change)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)
            self._notify_threadsafe(self._stderr_closed)

    def _notify_threadsafe(self, fn: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (quit)
            loop.call_soon_threadsafe(fn)

    def _stderr_closed(self) -> None:
        """The server's stderr ended: the process is gone (or closed it on purpose). A
        Streamable HTTP server has no process of ours: its pipe ends as soon as the session is
        open, which says nothing about the server (read late, it was taken for an exit)."""
        if self.config.transport == "http":
            return
        if self.state == ServerState.READY and not self._stopping and self.running:
            self._crash = (
                f"Server “{self.config.name}” exited. It starts again with its next call, or "
                "from the Tools panel; its log says why it ended."
            )
            self.log.note("the server process ended")
            self._cancel_scope()

    # -- calls --------------------------------------------------------------------------------
    async def call(self, tool: str, arguments: dict[str, Any], timeout: float) -> Any:
        """Calls a tool; returns its CallToolResult. Raises McpCallError when no result came
        (timeout, the server died, a protocol error); cancelling the awaiting task cancels
        the call."""
        await self.start()
        client = self._client
        if client is None:
            raise McpCallError(self.error or f"Server “{self.config.name}” is not running.")
        started = time.monotonic()
        try:
            async with asyncio.timeout(timeout if timeout > 0 else None):
                return await client.call_tool(tool, arguments)
        except TimeoutError:
            raise McpCallError(
                f"“{tool}” gave no result within {timeout:g} s, so the call was abandoned. "
                "Raise the per-call timeout in the Tools panel if it needs longer."
            ) from None
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            task = self._task
            if task is not None and not _answered_by_server(exc):
                # The connection broke: give the crash (stderr closing) a moment to be seen,
                # so the message says the server ended rather than "connection closed".
                await asyncio.wait({task}, timeout=1.0)
            if self.state != ServerState.READY or not self.running:
                why = self.error or "it stopped"
                raise McpCallError(
                    f"Server “{self.config.name}” ended during the call to “{tool}” "
                    f"after {time.monotonic() - started:.1f} s: {why}"
                ) from None
            text = str(exc) or type(exc).__name__
            raise McpCallError(f"The call to “{tool}” failed: {text}") from None


def _answered_by_server(exc: Exception) -> bool:
    """True for a JSON-RPC error the server sent (it is alive), False for a broken link."""
    from mcp.shared.exceptions import MCPError

    return isinstance(exc, MCPError) and "closed" not in str(exc).lower()
