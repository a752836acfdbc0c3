"""What a server can do and how long a prompt is: /tokenize counts and the capability probe.

Both are written without I/O: ``tokenize_body`` and ``read_token_count`` frame one call,
and ``probe_calls`` is a generator that names each call it wants and reads what came back,
so ``VLLMClient`` (asyncio) and ``SyncVLLMClient`` (blocking) run the same probe.

How each fact is inferred (None whenever the server's answer does not tell):

- ``version``: ``GET /version`` (vLLM only; other servers: None).
- ``models``: ``GET /v1/models``, each with vLLM's ``max_model_len``. The one call whose
  failure is the probe's failure (the server is unreachable, or refuses the key).
- ``vision`` / ``audio``: ``POST /tokenize`` of a one-line user message holding a 1x1 PNG,
  and one holding a 10 ms silent WAV. Tokenizing runs the chat template and the media
  processor but generates nothing: a count means the model takes that medium; vLLM's 400
  ("... is not a multimodal model", "At most 0 audio(s) ...", "... audio tower ...") means it
  does not. A server without /tokenize (404) leaves both None.
- ``tool_parser``: a chat request with one tool, ``tool_choice: "auto"`` and
  ``max_tokens = max_model_len + 1``. vLLM checks auto tool choice before it renders the
  prompt, and refuses such a max_tokens after, so it always answers 400 without generating:
  the message '"auto" tool choice requires --enable-auto-tool-choice ...' means no parser;
  the max_tokens message means the parser is on. Skipped (None) when max_model_len is not
  known, since another server might then generate that many tokens.
- ``max_logprobs``: a chat request asking ``top_logprobs`` far beyond any server's
  ``--max-logprobs`` with ``max_tokens: 1``; vLLM's 400 "... greater than max allowed: N"
  names the limit. A server that accepts it generates one token and tells nothing (None).
- ``reasoning_parser``: always None here. vLLM answers a request the same with and without
  ``--reasoning-parser`` until the model writes a thought, so only a reply tells (the app
  learns it from the first thinking reply: a ``reasoning`` field means a parser is on).
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import BadRequestError, GemmaAPIError, ProtocolError
from .replies import parse_models, parse_token_count, parse_version
from .request import ChatRequest
from .results import ModelInfo

# The chat-request fields vLLM's /tokenize takes besides messages (serve/tokenize protocol).
_TOKENIZE_FIELDS = (
    "model",
    "tools",
    "chat_template_kwargs",
    "add_generation_prompt",
    "continue_final_message",
    "mm_processor_kwargs",
)

_TINY_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
_NO_PARSER = "--enable-auto-tool-choice"
_MAX_LOGPROBS = re.compile(r"greater than max allowed:\s*(-?\d+)")
_PROBE_TOP_LOGPROBS = 100_000


@dataclass(frozen=True, slots=True)
class TokenCount:
    """``POST /tokenize``: the prompt's tokens, and the server's context length if it said."""

    prompt_tokens: int
    max_model_len: int | None


def tokenize_body(request: ChatRequest) -> dict[str, Any]:
    """The /tokenize body for exactly the prompt ``request`` would send: its messages,
    tools, thinking flag and template options (extra body included), no sampling fields."""
    wire = request.to_wire()
    body: dict[str, Any] = {"messages": wire["messages"]}
    for key in _TOKENIZE_FIELDS:
        if key in wire:
            body[key] = wire[key]
    return body


def read_token_count(payload: Mapping[str, Any]) -> TokenCount:
    limit = payload.get("max_model_len")
    usable = isinstance(limit, int) and not isinstance(limit, bool) and limit > 0
    return TokenCount(parse_token_count(payload), limit if usable else None)


@dataclass(frozen=True, slots=True)
class ServerFacts:
    """What the probe learnt; each capability is True, False or None (could not tell)."""

    version: str | None
    models: tuple[ModelInfo, ...]
    tool_parser: bool | None = None
    reasoning_parser: bool | None = None
    vision: bool | None = None
    audio: bool | None = None
    max_logprobs: int | None = None
    notes: tuple[str, ...] = field(default=())

    def max_model_len(self, model: str | None) -> int | None:
        """The context of ``model`` (or of the first model when None or not served)."""
        for info in self.models:
            if info.id == model:
                return info.max_model_len
        return self.models[0].max_model_len if self.models else None

    def to_json(self) -> dict[str, Any]:
        """The `gemma-desk probe --json` object."""
        return {
            "version": self.version,
            "models": [{"id": m.id, "max_model_len": m.max_model_len} for m in self.models],
            "tool_parser": self.tool_parser,
            "reasoning_parser": self.reasoning_parser,
            "vision": self.vision,
            "audio": self.audio,
        }


Where = Literal["root", "api"]


@dataclass(frozen=True, slots=True)
class ProbeCall:
    """One request the probe wants: ``where`` is the server root or the /v1 base."""

    method: str
    where: Where
    path: str
    body: dict[str, Any] | None = None


# What the driver sends back for a call: the JSON reply, or the error it raised.
Answer = dict[str, Any] | GemmaAPIError
Probe = Generator[ProbeCall, Answer, ServerFacts]


def _silent_wav() -> str:
    """10 ms of 16 kHz mono silence as a WAV file, base64."""
    frames = 160
    data = b"\0\0" * frames
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
    return base64.b64encode(header + b"data" + struct.pack("<I", len(data)) + data).decode()


def _media_message(part: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "text", "text": "?"}, part]}


def _refused(answer: Answer, words: tuple[str, ...]) -> bool:
    if not isinstance(answer, BadRequestError):
        return False
    text = answer.server_message.lower()
    return any(word in text for word in words)


def _accepts(answer: Answer, words: tuple[str, ...]) -> bool | None:
    if isinstance(answer, dict):
        return True
    return False if _refused(answer, words) else None


def probe_calls(model: str | None) -> Probe:
    """The probe, one call at a time (see the module docstring for what each call shows)."""
    notes: list[str] = []
    answer = yield ProbeCall("GET", "api", "/models")
    if isinstance(answer, GemmaAPIError):
        raise answer
    models = tuple(parse_models(answer))
    served = next((m for m in models if m.id == model), models[0] if models else None)
    name = served.id if served is not None else model
    context = served.max_model_len if served is not None else None

    answer = yield ProbeCall("GET", "root", "/version")
    version: str | None = None
    if isinstance(answer, dict):
        try:
            version = parse_version(answer)
        except ProtocolError:
            version = None

    target = {"model": name} if name else {}
    image = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{_TINY_PNG}"}}
    answer = yield ProbeCall(
        "POST", "root", "/tokenize", {**target, "messages": [_media_message(image)]}
    )
    vision = _accepts(answer, ("multimodal", "image"))
    if vision is None and isinstance(answer, GemmaAPIError):
        notes.append(f"image check: {answer.user_message}")
    audio: bool | None = None
    if vision is not None:  # the route exists; a text-only model takes no audio either
        sound = {"type": "input_audio", "input_audio": {"data": _silent_wav(), "format": "wav"}}
        answer = yield ProbeCall(
            "POST", "root", "/tokenize", {**target, "messages": [_media_message(sound)]}
        )
        audio = _accepts(answer, ("multimodal", "audio"))

    tool_parser: bool | None = None
    if context is not None:
        tool = {"type": "function", "function": {"name": "probe", "description": "unused"}}
        answer = yield ProbeCall(
            "POST",
            "api",
            "/chat/completions",
            {
                **target,
                "messages": [{"role": "user", "content": "?"}],
                "tools": [tool],
                "tool_choice": "auto",
                "max_tokens": context + 1,
                "stream": False,
            },
        )
        if _refused(answer, (_NO_PARSER,)):
            tool_parser = False
        elif _refused(answer, ("max_tokens", "max_model_len", "context length")):
            tool_parser = True

    max_logprobs: int | None = None
    answer = yield ProbeCall(
        "POST",
        "api",
        "/chat/completions",
        {
            **target,
            "messages": [{"role": "user", "content": "?"}],
            "logprobs": True,
            "top_logprobs": _PROBE_TOP_LOGPROBS,
            "max_tokens": 1,
            "stream": False,
        },
    )
    if isinstance(answer, BadRequestError) and (
        found := _MAX_LOGPROBS.search(answer.server_message)
    ):
        max_logprobs = int(found.group(1))

    return ServerFacts(
        version=version,
        models=models,
        tool_parser=tool_parser,
        vision=vision,
        audio=audio,
        max_logprobs=max_logprobs,
        notes=tuple(notes),
    )
