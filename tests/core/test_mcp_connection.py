"""MCP connections against tests/mcp_server.py (a real server process built with the SDK):
calls, timeouts, crashes, bad servers, and that no server process outlives a stop."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from desktop_app.core.mcp.config import McpServerConfig
from desktop_app.core.mcp.connection import (
    TAIL_LINES,
    McpCallError,
    McpConnection,
    McpServerError,
    ServerState,
)
from desktop_app.core.mcp.results import MAX_RESULT_CHARS, outcome_of

SERVER = str(Path(__file__).resolve().parent.parent / "mcp_server.py")


def config(mode: str = "normal", name: str = "test") -> McpServerConfig:
    return McpServerConfig(name=name, command=sys.executable, args=[SERVER, "--mode", mode])


def server_pid(conn: McpConnection) -> int:
    """The pid the test server printed first on stderr."""
    for line in conn.log.lines():
        if line.startswith("pid "):
            return int(line.split()[1])
    raise AssertionError(f"no pid in the log: {conn.log.text()}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


async def wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


@pytest.mark.asyncio
async def test_lists_tools_calls_them_and_stop_ends_the_process():
    conn = McpConnection(config())
    await conn.start()
    try:
        assert conn.state == ServerState.READY
        names = {t.name for t in conn.tools}
        assert {"add", "echo", "get_weather", "slow", "die"} <= names
        result = await conn.call("add", {"a": 2, "b": 40}, 20)
        outcome = outcome_of(result)
        assert not outcome.is_error and outcome.content() == "42"  # not {"result": 42} as well
        pid = server_pid(conn)
        assert alive(pid)
    finally:
        await conn.stop()
    assert conn.state == ServerState.STOPPED
    assert await wait_gone(pid)


@pytest.mark.asyncio
async def test_a_call_that_hangs_times_out_and_the_server_stays_usable():
    conn = McpConnection(config())
    try:
        with pytest.raises(McpCallError, match=r"no result within 0\.5 s"):
            await conn.call("slow", {"seconds": 30}, 0.5)  # start on demand, then time out
        result = await conn.call("echo", {"text": "still here"}, 20)
        assert outcome_of(result).content() == "still here"
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_a_call_can_be_cancelled():
    conn = McpConnection(config())
    await conn.start()
    try:
        task = asyncio.ensure_future(conn.call("slow", {"seconds": 30}, 60))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert outcome_of(await conn.call("echo", {"text": "ok"}, 20)).content() == "ok"
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_a_server_that_dies_mid_call_gives_an_error_and_leaves_no_process():
    conn = McpConnection(config())
    await conn.start()
    pid = server_pid(conn)
    try:
        with pytest.raises(McpCallError, match="ended during the call"):
            await conn.call("die", {}, 20)
        assert await wait_gone(pid)
        assert conn.state == ServerState.FAILED
        assert "dying now" in conn.log.text()
        # The next call starts it again.
        assert outcome_of(await conn.call("echo", {"text": "back"}, 20)).content() == "back"
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_a_server_that_exits_at_start_says_why_with_its_stderr():
    conn = McpConnection(config("exit"))
    with pytest.raises(McpServerError) as caught:
        await conn.start()
    message = str(caught.value)
    assert "ended before it was ready" in message
    assert "cannot start: missing configuration" in message
    assert conn.state == ServerState.FAILED
    assert await wait_gone(server_pid(conn))


@pytest.mark.asyncio
async def test_a_server_that_never_answers_is_given_up_and_killed():
    conn = McpConnection(config("hang"), start_timeout=2)
    with pytest.raises(McpServerError, match="did not answer within 2 s"):
        await conn.start()
    assert conn.state == ServerState.FAILED
    assert await wait_gone(server_pid(conn))


@pytest.mark.asyncio
async def test_garbage_on_stdout_does_not_break_the_session():
    conn = McpConnection(config("garbage"))
    try:
        result = await conn.call("echo", {"text": "fine"}, 20)
        assert outcome_of(result).content() == "fine"
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_a_server_flooding_stderr_keeps_a_bounded_tail():
    conn = McpConnection(config("flood"))
    try:
        result = await conn.call("echo", {"text": "fine"}, 30)
        assert outcome_of(result).content() == "fine"
        deadline = time.monotonic() + 10
        while "flood done" not in conn.log.text() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert "flood done" in conn.log.text()
        assert conn.log.total_bytes > 4_000_000
        assert len(conn.log.lines()) <= TAIL_LINES + 1
        assert conn.log.dropped_lines > 30_000
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_a_missing_command_is_a_clear_error():
    conn = McpConnection(McpServerConfig(name="nothing", command="/no/such/mcp-server"))
    with pytest.raises(McpServerError, match="could not be started: No such file"):
        await conn.start()
    assert conn.state == ServerState.FAILED


@pytest.mark.asyncio
async def test_results_errors_images_unknown_content_and_a_10_mb_result():
    conn = McpConnection(config())
    try:
        failed = outcome_of(await conn.call("fail", {"message": "disk full"}, 20))
        assert failed.is_error and failed.content().startswith('{"error":')
        image = outcome_of(await conn.call("pixel", {}, 20))
        assert not image.is_error
        assert "one pixel" in image.text and "[image image/png" in image.text
        assert any("image" in n for n in image.notes)
        sound = outcome_of(await conn.call("sound", {}, 20))
        assert "[audio audio/wav" in sound.text and sound.notes
        weather = outcome_of(await conn.call("get_weather", {"city": "Oslo"}, 20))
        assert '"city": "Oslo"' in weather.text
        big = outcome_of(await conn.call("big", {"megabytes": 10}, 60))
        assert big.is_error and "10.0 MB" in big.text
        assert len(big.content()) < MAX_RESULT_CHARS
    finally:
        await conn.stop()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.asyncio
async def test_a_streamable_http_server_and_its_url_token_stays_out_of_the_log():
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, SERVER, "--http", str(port), stderr=asyncio.subprocess.DEVNULL
    )
    conn = McpConnection(
        McpServerConfig(
            name="remote",
            transport="http",
            url=f"http://127.0.0.1:{port}/mcp",
            headers={"Authorization": "Bearer test-token"},
        )
    )
    try:
        deadline = time.monotonic() + 30
        while True:  # the server needs a moment to listen
            try:
                await conn.start()
                break
            except McpServerError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        assert "get_weather" in {t.name for t in conn.tools}
        # The end of the unused stderr pipe, noticed only now (as on a loaded machine), is
        # not the end of the server: there is no process of ours behind an HTTP session.
        conn._stderr_closed()
        assert conn.state == ServerState.READY
        result = await conn.call("echo", {"text": "over http"}, 20)
        assert outcome_of(result).content() == "over http"
        assert "test-token" not in conn.log.text()
    finally:
        await conn.stop()
        process.kill()
        await process.wait()
