"""The Simulator state and its Starlette app: routes, bearer auth, CORS, request recording."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import Fault, SimulatorConfig, fault_from_json
from .engine import completion_response
from .errors import ApiError, RequestValidationFailed, field_error, http_detail, unauthorized
from .faults import fault_response
from .messages import prompt_pieces, render_prompt
from .modalities import check_modalities
from .server_load import METRICS_CONTENT_TYPE, CountRunning, ServerLoad, metrics_text
from .streaming import CompletionStream, DropConnection
from .tokens import token_id, tokenize
from .validation import decode_body, parse_chat_request

CHAT_PATH = "/v1/chat/completions"
# authenticate.py guards these prefixes; OPTIONS is never guarded.
_GUARDED = ("/v1", "/v2", "/inference", "/cohere")


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as it reached the server."""

    path: str
    method: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    raw: bytes


class Simulator:
    """The simulated server's state; `app` is the ASGI application to serve."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.requests: list[ReceivedRequest] = []
        self.disconnects = 0
        self.load = ServerLoad()
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self.app = build_app(self)

    def inject(self, fault: Fault) -> None:
        """Queue a fault for the next chat completion request."""
        with self._lock:
            self._faults.append(fault)

    def next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    @property
    def pending_faults(self) -> int:
        return len(self._faults)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def reset(self) -> None:
        """Forget received requests, queued faults, the disconnect count and the load."""
        self.clear_faults()
        self.load.reset()
        self.requests.clear()
        self.disconnects = 0

    def chat_requests(self) -> list[ReceivedRequest]:
        return [r for r in self.requests if r.path == CHAT_PATH]

    def _count_disconnect(self) -> None:
        self.disconnects += 1


class _RecordRequests:
    """Reads the whole body, records the request, then replays the body to the app."""

    def __init__(self, app: ASGIApp, simulator: Simulator) -> None:
        self.app = app
        self.simulator = simulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        self.simulator.requests.append(ReceivedRequest(
            scope["path"], scope["method"], headers, parsed if isinstance(parsed, dict) else None,
            raw))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class _BearerAuth:
    """`--api-key`: a missing or wrong key gets 401 `{"error":"Unauthorized"}`."""

    def __init__(self, app: ASGIApp, api_key: str | None) -> None:
        self.app = app
        self.api_key = api_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.api_key is not None and scope["type"] == "http"
                and scope["method"] != "OPTIONS" and scope["path"].startswith(_GUARDED)):
            header = next((v.decode("latin-1") for k, v in scope["headers"]
                           if k.lower() == b"authorization"), "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or token != self.api_key:
                await unauthorized()(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _simulator(request: Request) -> Simulator:
    return request.app.state.simulator


async def chat_completions(request: Request) -> Response | CompletionStream | CountRunning:
    sim = _simulator(request)
    raw = await request.body()
    fault = sim.next_fault()
    if fault is not None and fault.http_status is not None:
        if fault.first_byte_delay:
            await asyncio.sleep(fault.first_byte_delay)
        return fault_response(fault.http_status, fault.http_body)
    try:
        req = parse_chat_request(raw, request.headers.get("content-type"), sim.config)
    except ApiError:
        if fault is not None and fault.first_byte_delay:
            await asyncio.sleep(fault.first_byte_delay)
        raise

    def generated(tokens: int) -> None:
        sim.load.count_request(req.prompt_tokens, tokens)

    response = await completion_response(req, sim.config, fault, sim._count_disconnect,
                                          generated)
    return CountRunning(response, sim.load, req.prompt_tokens + req.max_tokens)


def _model_card(config: SimulatorConfig) -> dict[str, Any]:
    now = int(time.time())
    permission = {
        "id": f"modelperm-{uuid.uuid4().hex[:16]}", "object": "model_permission",
        "created": now, "allow_create_engine": False, "allow_sampling": True,
        "allow_logprobs": True, "allow_search_indices": False, "allow_view": True,
        "allow_fine_tuning": False, "organization": "*", "group": None, "is_blocking": False,
    }
    return {"id": config.model, "object": "model", "created": now, "owned_by": "vllm",
            "root": config.model, "parent": None, "max_model_len": config.max_model_len,
            "permission": [permission]}


async def models(request: Request) -> Response:
    return JSONResponse({"object": "list", "data": [_model_card(_simulator(request).config)]})


async def health(request: Request) -> Response:
    return Response(status_code=200)


async def version(request: Request) -> Response:
    return JSONResponse({"version": _simulator(request).config.version})


async def tokenize_endpoint(request: Request) -> Response:
    config = _simulator(request).config
    if not config.tokenize_route:
        return http_detail(404)
    if config.tokenize_delay:
        await asyncio.sleep(config.tokenize_delay)
    body = decode_body(await request.body(), request.headers.get("content-type"))
    if not isinstance(body, dict):
        msg = "Input should be a valid dictionary or object to extract fields from"
        raise RequestValidationFailed([field_error("model_attributes_type", "body", msg, body)])
    model = body.get("model")
    if model is not None and model != config.model:
        raise ApiError(404, f"The model `{model}` does not exist. Valid aliases: {config.model}.",
                       "model")
    if isinstance(body.get("messages"), list):
        check_modalities(body["messages"], config)
        kwargs = body.get("chat_template_kwargs") or {}
        text, images = render_prompt(body["messages"], body.get("tools"),
                                     bool(kwargs.get("enable_thinking")),
                                     body.get("add_generation_prompt", True) is not False)
        pieces = prompt_pieces(text, images)
    elif isinstance(body.get("prompt"), str):
        pieces = tokenize(body["prompt"])
        if body.get("add_special_tokens", True):
            pieces.insert(0, "<bos>")
    else:
        raise RequestValidationFailed([field_error("missing", "body.prompt", "Field required",
                                                   body)])
    return JSONResponse({
        "count": len(pieces), "max_model_len": config.max_model_len,
        "tokens": [token_id(p) for p in pieces],
        "token_strs": pieces if body.get("return_token_strs") else None,
    })


async def metrics(request: Request) -> Response:
    sim = _simulator(request)
    if not sim.config.metrics_route:
        return http_detail(404)
    text = metrics_text(sim.load, sim.config.model, sim.config.kv_cache_tokens)
    return Response(text, media_type=None, headers={"content-type": METRICS_CONTENT_TYPE})


async def simulator_faults(request: Request) -> Response:
    """Out-of-process fault injection: POST a Fault as JSON; DELETE clears the queue."""
    sim = _simulator(request)
    if request.method == "DELETE":
        sim.clear_faults()
    else:
        try:
            sim.inject(fault_from_json(json.loads(await request.body() or b"{}")))
        except ValueError as exc:
            raise ApiError(400, str(exc)) from exc
    return JSONResponse({"queued": sim.pending_faults})


async def simulator_requests(request: Request) -> Response:
    sim = _simulator(request)
    return JSONResponse({
        "disconnects": sim.disconnects,
        "requests": [{"path": r.path, "method": r.method, "headers": r.headers, "body": r.body}
                     for r in sim.requests],
    })


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return http_detail(exc.status_code, exc.headers)


class _HideInjectedDrops(logging.Filter):
    """An injected connection drop is not a server error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DropConnection))


def _install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideInjectedDrops) for f in logger.filters):
        logger.addFilter(_HideInjectedDrops())


def build_app(simulator: Simulator) -> Starlette:
    _install_log_filter()
    routes = [
        Route("/v1/models", models, methods=["GET"]),
        Route(CHAT_PATH, chat_completions, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/version", version, methods=["GET"]),
        Route("/tokenize", tokenize_endpoint, methods=["POST"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/simulator/faults", simulator_faults, methods=["POST", "DELETE"]),
        Route("/simulator/requests", simulator_requests, methods=["GET"]),
    ]
    middleware = [
        Middleware(_RecordRequests, simulator=simulator),
        Middleware(_BearerAuth, api_key=simulator.config.api_key),
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"],
                   allow_headers=["*"]),
    ]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={ApiError: _api_error, HTTPException: _http_error})
    app.state.simulator = simulator
    return app
