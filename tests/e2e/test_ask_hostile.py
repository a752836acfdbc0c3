"""`gemma-desk ask` as a subprocess against hostile servers on 127.0.0.1: it ends at [DONE],
keeps to --timeout for the whole call, refuses oversized replies, shows a whole completion,
reports redirects, hides a password of the base URL and rejects a deeply nested tools file."""

from __future__ import annotations

import json
from pathlib import Path

from hostile_server import (
    HostileServer,
    chunk,
    done_then_hold,
    drip,
    gzip_reply,
    gzip_zeros,
    send_all,
)
from test_ask import ask

PASSWORD = "pw-in-the-url-42"


def test_ask_ends_at_done_while_the_socket_stays_open() -> None:
    with HostileServer(done_then_hold(chunk("Hello"), chunk(" world", "stop"))) as server:
        result = ask("hi", base_url=server.url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello world\n"


def test_ask_timeout_bounds_a_reply_of_endless_keep_alives() -> None:
    with HostileServer(drip(b": keep-alive\n\n", interval=0.05)) as server:
        result = ask("hi", "--timeout", "1", base_url=server.url)
    assert result.returncode == 4, result.stderr
    assert "1 s allowed for the whole call" in result.stderr


def test_ask_timeout_bounds_a_dripping_reply_and_keeps_what_came() -> None:
    events = f"data: {chunk('x')}\n\n".encode()
    with HostileServer(drip(events, interval=0.002)) as server:
        result = ask("hi", "--timeout", "1", base_url=server.url)
    assert result.returncode == 4, result.stderr
    assert "x" in result.stdout


def test_ask_refuses_a_gzip_line_without_end() -> None:
    with HostileServer(send_all(gzip_reply(gzip_zeros(64 << 20)))) as server:
        result = ask("hi", base_url=server.url)
    assert result.returncode == 3, result.stderr
    assert "too large" in result.stderr and "Traceback" not in result.stderr


def test_ask_shows_a_whole_completion_answering_a_stream() -> None:
    body = json.dumps(
        {
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"content": "Whole."}, "finish_reason": "stop"}],
        }
    ).encode()
    head = (
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    with HostileServer(send_all(head.encode() + body)) as server:
        result = ask("hi", base_url=server.url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Whole.\n"


def test_ask_reports_a_redirect_and_does_not_follow_it() -> None:
    target = "http://127.0.0.1:9/v1/chat/completions"
    reply = f"HTTP/1.1 302 Found\r\nlocation: {target}\r\ncontent-length: 0\r\n\r\n".encode()
    with HostileServer(send_all(reply)) as server:
        result = ask("hi", base_url=server.url)
        assert len(server.requests) == 1
    assert result.returncode == 3, result.stderr
    assert "redirected" in result.stderr and target in result.stderr


def test_ask_never_prints_the_password_of_the_base_url() -> None:
    reply = (
        b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"
        b"content-length: 2\r\n\r\n{}"
    )
    with HostileServer(send_all(reply)) as server:
        url = server.url.replace("http://", f"http://admin:{PASSWORD}@")
        result = ask("hi", base_url=url)
    assert result.returncode == 3, result.stderr
    assert "***@127.0.0.1" in result.stderr
    assert PASSWORD not in result.stderr + result.stdout


def test_ask_rejects_a_deeply_nested_tools_file(tmp_path: Path) -> None:
    tools = tmp_path / "deep.json"
    tools.write_text("[" * 100_000 + "]" * 100_000)
    result = ask("hi", "--tools", str(tools), base_url="http://127.0.0.1:9")
    assert result.returncode == 2, result.stderr
    assert "nested more than" in result.stderr and "Traceback" not in result.stderr
