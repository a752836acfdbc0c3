"""A tiny loopback HTTP server for the API tests: replays recorded bytes, injects faults.

It is a raw ASGI app served by uvicorn in a background thread on a free 127.0.0.1 port.
Each route answers with a ``Reply``: a status, headers, body pieces written one by one,
and an ending: ``complete``, ``drop`` (the connection is closed mid-body) or ``stall``
(nothing more is sent until the client goes away). Every request is recorded, with an
event set when the server sees that client disconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import uvicorn

Ending = Literal["complete", "drop", "stall"]
_SKIPPED_HEADERS = {"content-length", "transfer-encoding", "date", "server", "connection"}


@dataclass
class Reply:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)
    end: Ending = "complete"

    @classmethod
    def json(cls, payload: Any, status: int = 200) -> Reply:
        return cls(
            status=status,
            headers=[("content-type", "application/json")],
            chunks=[json.dumps(payload).encode()],
        )

    @classmethod
    def sse(cls, *data: str, end: Ending = "complete", done: bool = True) -> Reply:
        """An event stream of ``data:`` events, one write per event."""
        chunks = [f"data: {d}\n\n".encode() for d in data]
        if done:
            chunks.append(b"data: [DONE]\n\n")
        return cls(
            headers=[("content-type", "text/event-stream; charset=utf-8")],
            chunks=chunks,
            end=end,
        )


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    client_port: int
    disconnected: threading.Event = field(default_factory=threading.Event)

    def json(self) -> Any:
        return json.loads(self.body)


def load_capture(captures_dir: Path, name: str) -> Reply:
    """A recorded vLLM reply, written back one SSE event (or one body) per write."""
    lines = (captures_dir / f"{name}.headers").read_text().splitlines()
    status = int(lines[0].split()[1])
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if ":" in line:
            key, _, value = line.partition(":")
            if key.strip().lower() not in _SKIPPED_HEADERS:
                headers.append((key.strip().lower(), value.strip()))
    body = (captures_dir / f"{name}.body").read_bytes()
    if any(v.startswith("text/event-stream") for k, v in headers if k == "content-type"):
        chunks = [piece + b"\n\n" for piece in body.split(b"\n\n") if piece]
    else:
        chunks = [body] if body else []
    return Reply(status=status, headers=headers, chunks=chunks)


def stream_capture_names(captures_dir: Path) -> list[str]:
    """Every capture whose headers say text/event-stream."""
    return sorted(
        p.stem
        for p in captures_dir.glob("*.headers")
        if "content-type: text/event-stream" in p.read_text().lower()
    )


class FixtureServer:
    """Start with ``start()``; set replies with ``route()``; read ``requests``."""

    def __init__(self, ssl_certfile: str | None = None, ssl_keyfile: str | None = None) -> None:
        self.routes: dict[tuple[str, str], Reply] = {}
        self.requests: list[Recorded] = []
        self._request_seen = threading.Condition()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        scheme = "https" if ssl_certfile else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self._app,
            interface="asgi3",
            lifespan="off",
            log_level="critical",
            access_log=False,
            timeout_graceful_shutdown=1,
            ssl_certfile=ssl_certfile,
            ssl_keyfile=ssl_keyfile,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="api-fixture-server", daemon=True)

    def _run(self) -> None:
        self._server.run(sockets=[self._sock])

    def start(self) -> FixtureServer:
        # Listening before uvicorn starts: early connections wait in the backlog.
        self._sock.listen(64)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def reset(self) -> None:
        self.routes.clear()
        self.requests.clear()

    def route(self, path: str, reply: Reply, method: str = "POST") -> None:
        self.routes[(method, path)] = reply

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        with self._request_seen:
            return self._request_seen.wait_for(lambda: len(self.requests) >= count, timeout)

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        record = Recorded(
            method=scope["method"],
            path=scope["path"],
            headers={k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},
            body=bytes(body),
            client_port=scope["client"][1],
        )
        with self._request_seen:
            self.requests.append(record)
            self._request_seen.notify_all()
        reply = self.routes.get((scope["method"], scope["path"]))
        if reply is None:
            # What vLLM's FastAPI app says for an unknown route.
            reply = Reply.json({"detail": "Not Found"}, status=404)
        await send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [(k.encode(), v.encode()) for k, v in reply.headers],
            }
        )
        for chunk in reply.chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if reply.end == "complete":
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        elif reply.end == "stall":
            # Send nothing more; note when the client goes away.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(30):
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    record.disconnected.set()
        # "drop": return with the body unfinished; uvicorn then closes the connection.
