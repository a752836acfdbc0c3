"""Wire encoding: SSE chunks from string templates and the non-streaming body, in vLLM's order."""

from __future__ import annotations

import json
import zlib
from functools import lru_cache
from typing import Any

from .plan import Outcome, Step

_ALTERNATIVES = (" the", ",", " and", ".", " a")


@lru_cache(maxsize=8192)
def jstr(text: str) -> str:
    """A JSON string literal as pydantic writes it (UTF-8, not ASCII-escaped)."""
    return json.dumps(text, ensure_ascii=False)


def fingerprint(version: str, model: str) -> str:
    return f"vllm-{version}-{zlib.crc32(model.encode()):08x}"


def usage_json(prompt: int, completion: int, reasoning: int) -> str:
    """Usage as streamed (`exclude_none`, so no `prompt_tokens_details`)."""
    return (f'{{"prompt_tokens":{prompt},"total_tokens":{prompt + completion},'
            f'"completion_tokens":{completion},'
            f'"completion_tokens_details":{{"reasoning_tokens":{reasoning}}}}}')


def logprob_entry(token: str) -> dict[str, Any]:
    """A deterministic stand-in for one sampled token's logprobs."""
    logprob = -((zlib.crc32(token.encode()) % 2000) / 1000.0) - 0.01
    top = [{"token": token, "logprob": logprob, "bytes": list(token.encode())}]
    return {"token": token, "logprob": logprob, "bytes": list(token.encode()), "top_logprobs": top}


def with_alternatives(entry: dict[str, Any], count: int) -> dict[str, Any]:
    top = entry["top_logprobs"][:1]
    for i, alt in enumerate(a for a in _ALTERNATIVES if a != entry["token"]):
        if len(top) >= count:
            break
        logprob = entry["logprob"] - 1.5 - i
        top.append({"token": alt, "logprob": logprob, "bytes": list(alt.encode())})
    return {**entry, "top_logprobs": top[:count]}


def delta_json(step: Step, call_ids: list[str], show_reasoning: bool) -> str | None:
    """The `delta` object of one generated token, or None when the token shows nothing."""
    kind, text, index = step
    if kind == "c":
        return f'{{"content":{jstr(text)}}}' if text else None
    if kind == "r":
        return f'{{"reasoning":{jstr(text)}}}' if show_reasoning else None
    if kind == "t":
        return (f'{{"tool_calls":[{{"id":"{call_ids[index]}","type":"function","index":{index},'
                f'"function":{{"name":{jstr(text)}}}}}]}}')
    if kind == "a":
        return f'{{"tool_calls":[{{"index":{index},"function":{{"arguments":{jstr(text)}}}}}]}}'
    return None


class ChunkEncoder:
    """Builds `data: {...}\\n\\n` events for one response."""

    def __init__(self, response_id: str, created: int, model: str, system_fingerprint: str,
                 include_usage: bool) -> None:
        self.head = (f'data: {{"id":"{response_id}","object":"chat.completion.chunk",'
                     f'"created":{created},"model":{jstr(model)},"choices":')
        self.fingerprint = system_fingerprint
        self.include_usage = include_usage

    def role(self, index: int, role: str, usage: str | None) -> str:
        extra = f',"usage":{usage}' if usage else ""
        return (f'{self.head}[{{"index":{index},"delta":{{"role":{jstr(role)},"content":""}},'
                f'"logprobs":null,"finish_reason":null}}]{extra},'
                '"prompt_token_ids":null,"prompt_text":null}\n\n')

    def delta(self, index: int, delta: str, usage: str | None = None,
              logprobs: str = "null") -> str:
        extra = f',"usage":{usage}' if usage else ""
        return (f'{self.head}[{{"index":{index},"delta":{delta},"logprobs":{logprobs},'
                f'"finish_reason":null,"token_ids":null}}]{extra}}}\n\n')

    def finish(self, index: int, delta: str, outcome: Outcome, usage: str | None = None,
               logprobs: str = "null") -> str:
        extra = f',"usage":{usage}' if usage else ""
        if not self.include_usage:
            extra += f',"system_fingerprint":"{self.fingerprint}"'
        stop = json.dumps(outcome.stop_reason, ensure_ascii=False)
        return (f'{self.head}[{{"index":{index},"delta":{delta},"logprobs":{logprobs},'
                f'"finish_reason":"{outcome.finish_reason}","stop_reason":{stop},'
                f'"token_ids":null}}]{extra}}}\n\n')

    def usage(self, usage: str) -> str:
        return f'{self.head}[],"usage":{usage},"system_fingerprint":"{self.fingerprint}"}}\n\n'


def stream_error_event(message: str, err_type: str = "InternalServerError", code: int = 500
                       ) -> str:
    """An in-band error (docs/protocol.md §2.4): `json.dumps` of the model dump, so with spaces."""
    body = {"error": {"message": message, "type": err_type, "param": None, "code": code}}
    return f"data: {json.dumps(body)}\n\n"


DONE_EVENT = "data: [DONE]\n\n"


def _message(outcome: Outcome, role: str, show_reasoning: bool, forced_tools: bool
             ) -> dict[str, Any]:
    content_parts = [t for k, t, _ in outcome.steps if k == "c"]
    reasoning_parts = [t for k, t, _ in outcome.steps if k == "r"]
    content: str | None = "".join(content_parts) + outcome.final_text
    if not content_parts and not outcome.final_text:
        content = "" if forced_tools else None
    message: dict[str, Any] = {"role": role, "content": content, "refusal": None,
                               "annotations": None, "audio": None, "function_call": None}
    calls = outcome.complete_calls()
    if calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in calls
        ]
    message["reasoning"] = "".join(reasoning_parts) if reasoning_parts and show_reasoning else None
    return message


def response_body(response_id: str, created: int, model: str, system_fingerprint: str,
                  prompt_tokens: int, outcomes: list[Outcome], role: str, show_reasoning: bool,
                  forced_tools: bool, top_logprobs: int | None) -> dict[str, Any]:
    """The non-streaming `chat.completion` object, null fields included."""
    choices = []
    for index, outcome in enumerate(outcomes):
        logprobs = None
        if top_logprobs is not None:
            logprobs = {"content": [with_alternatives(logprob_entry(t), top_logprobs)
                                    for k, t, _ in outcome.steps
                                    if t and (k == "c" or (k == "r" and show_reasoning))]}
        choices.append({
            "index": index,
            "message": _message(outcome, role, show_reasoning, forced_tools),
            "logprobs": logprobs, "finish_reason": outcome.finish_reason,
            "stop_reason": outcome.stop_reason, "token_ids": None, "routed_experts": None,
        })
    completion = sum(o.completion_tokens for o in outcomes)
    return {
        "id": response_id, "object": "chat.completion", "created": created, "model": model,
        "choices": choices, "service_tier": None, "system_fingerprint": system_fingerprint,
        "usage": {
            "prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens + completion,
            "completion_tokens": completion, "prompt_tokens_details": None,
            "completion_tokens_details": {
                "reasoning_tokens": sum(o.reasoning_tokens for o in outcomes)},
        },
        "prompt_logprobs": None, "prompt_token_ids": None, "prompt_text": None,
        "kv_transfer_params": None, "ec_transfer_params": None, "metrics": None,
    }
