"""Token logprobs: reading them from chunks and replies, folding them, and bad input."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.api import (
    Accumulator,
    ChatRequest,
    Message,
    SyncVLLMClient,
    parse_chunk,
)
from desktop_app.api.logprobs import TokenLog, display_text, max_allowed, parse_logprobs
from desktop_app.api.replies import parse_completion
from desktop_app.simulator import RunningSimulator, running_simulator


def entry(token: str, logprob: float = -0.5, alts: int = 2) -> dict:
    top = [{"token": token, "logprob": logprob, "bytes": list(token.encode())}]
    top += [
        {"token": f"alt{i}", "logprob": logprob - 1 - i, "bytes": list(f"alt{i}".encode())}
        for i in range(alts - 1)
    ]
    return {"token": token, "logprob": logprob, "bytes": list(token.encode()), "top_logprobs": top}


def chunk(delta: dict, logprobs: object = None) -> str:
    choice = {"index": 0, "delta": delta, "logprobs": logprobs, "finish_reason": None}
    return json.dumps({"id": "c", "model": "m", "choices": [choice]}, allow_nan=True)


def fold(*payloads: str) -> Accumulator:
    acc = Accumulator()
    for payload in payloads:
        acc.add(parse_chunk(payload))
    return acc


def test_streamed_chunks_fold_into_the_answer_tokens() -> None:
    acc = fold(
        chunk({"role": "assistant", "content": ""}),
        chunk({"content": "Hello"}, {"content": [entry("Hello", -0.1)]}),
        chunk({"content": " world"}, {"content": [entry(" world", -2.0, alts=3)]}),
    )
    tokens = acc.snapshot().tokens
    assert tokens is not None and len(tokens) == 2
    assert [tokens.text(i) for i in range(2)] == ["Hello", " world"]
    assert tokens.logprob(1) == -2.0
    assert [a.token for a in tokens.alternatives(1)] == [" world", "alt0", "alt1"]
    assert tokens.raw_bytes(0) == b"Hello"
    assert tokens.to_json()[1] == entry(" world", -2.0, alts=3)


def test_no_logprobs_no_token_log() -> None:
    acc = fold(chunk({"content": "Hi"}), chunk({"content": "!"}))
    assert acc.snapshot().tokens is None
    assert "logprobs" not in acc.snapshot().to_json_dict()


def test_bad_fields_are_unknown_never_an_error() -> None:
    raw = (
        '{"content":['
        '{"token":"a","logprob":NaN,"bytes":[97],"top_logprobs":[]},'
        '{"token":"b","logprob":-Infinity,"bytes":[],"top_logprobs":null},'
        '{"token":"c"},'
        '{"logprob":"high","bytes":"xyz","top_logprobs":[7,{"token":5}]},'
        '"not an object",'
        '{"token":"d","logprob":-1,"bytes":[999,-1]}'
        "]}"
    )
    payload = (
        '{"id":"c","choices":[{"index":0,"delta":{"content":"abcd"},"logprobs":' + raw + "}]}"
    )
    tokens = fold(payload).snapshot().tokens
    assert tokens is not None and len(tokens) == 6
    assert math.isnan(tokens.logprob(0)) and tokens.logprob(1) == -math.inf
    assert tokens.raw_bytes(1) is None  # empty bytes: unknown
    assert math.isnan(tokens.logprob(2)) and tokens.alternatives(2) == ()
    assert tokens.token(3) == "" and math.isnan(tokens.logprob(3))
    assert [(a.token, math.isnan(a.logprob)) for a in tokens.alternatives(3)] == [
        ("", True),
        ("", True),
    ]
    assert tokens.token(4) == "" and tokens.logprob(5) == -1.0 and tokens.raw_bytes(5) is None
    # JSON output never holds NaN or infinities.
    dumped = json.dumps(tokens.to_json(), allow_nan=False)
    assert json.loads(dumped)[1] == {"token": "b", "logprob": None, "bytes": None,
                                     "top_logprobs": []}


@pytest.mark.parametrize("shape", [[], "x", {"content": None}, {"content": "x"}, 3])
def test_logprobs_of_the_wrong_shape_add_nothing(shape: object) -> None:
    assert parse_logprobs(shape) == ()
    tokens = fold(chunk({"content": "x"}, shape)).snapshot().tokens
    # The text stays spelled out, as one token of unknown probability.
    assert tokens is not None and [tokens.text(0)] == ["x"] and math.isnan(tokens.logprob(0))


def test_text_without_logprobs_becomes_an_unknown_token() -> None:
    acc = fold(
        chunk({"content": "Early"}),
        chunk({"content": " on"}, {"content": [entry(" on")]}),
        chunk({"content": " late"}),
    )
    tokens = acc.snapshot().tokens
    assert tokens is not None
    assert "".join(tokens.text(i) for i in range(len(tokens))) == acc.snapshot().content
    assert [math.isnan(tokens.logprob(i)) for i in range(3)] == [True, False, True]


def test_reasoning_tokens_are_not_the_answer() -> None:
    acc = fold(
        chunk({"reasoning": "Hmm"}, {"content": [entry("Hmm")]}),
        # A batched chunk: the end of the reasoning and the start of the answer.
        chunk({"reasoning": " ok", "content": "Yes"}, {"content": [entry(" ok"), entry("Yes")]}),
        chunk({"content": "!"}, {"content": [entry("!")]}),
    )
    tokens = acc.snapshot().tokens
    assert tokens is not None
    assert [tokens.text(i) for i in range(len(tokens))] == ["Yes", "!"]


def test_byte_tokens_that_are_not_utf8_alone() -> None:
    # "é" split over two byte-level tokens; vLLM names them "bytes:\\xc3" and "bytes:\\xa9".
    first = {"token": "bytes:\\xc3", "logprob": -0.2, "bytes": [0xC3], "top_logprobs": []}
    second = {"token": "bytes:\\xa9", "logprob": -0.3, "bytes": [0xA9], "top_logprobs": []}
    tokens = fold(chunk({"content": "é"}, {"content": [first, second]})).snapshot().tokens
    assert tokens is not None
    assert [tokens.text(0), tokens.text(1)] == ["\\xc3", "\\xa9"]
    assert tokens.raw_bytes(0) + tokens.raw_bytes(1) == "é".encode()
    assert display_text("x", None) == "x"


def test_the_recorded_non_streamed_reply(captures_dir: Path) -> None:
    body = json.loads((captures_dir / "chat_logprobs.body").read_text())
    completion = parse_completion(body)
    tokens = completion.tokens
    assert tokens is not None and len(tokens) == 3
    assert "".join(tokens.text(i) for i in range(3)) == completion.content == "Hello! I"
    assert tokens.alternatives(1)[1].token == "<|audio>"
    assert tokens.to_json() == body["choices"][0]["logprobs"]["content"]


def test_the_request_asks_for_logprobs_and_continuation() -> None:
    request = ChatRequest(model=None, messages=(Message.user("Hi"),), top_logprobs=5)
    body = request.to_wire()
    assert (body["logprobs"], body["top_logprobs"]) == (True, 5)
    assert "continue_final_message" not in body
    plain = ChatRequest(model=None, messages=(Message.user("Hi"),)).to_wire()
    assert "logprobs" not in plain and "top_logprobs" not in plain
    cont = ChatRequest(model=None, messages=(Message.user("Hi"),), continue_final=True)
    wire = cont.to_wire()
    assert (wire["continue_final_message"], wire["add_generation_prompt"]) == (True, False)


def test_max_allowed_reads_the_refusal(captures_dir: Path) -> None:
    body = json.loads((captures_dir / "err_logprobs_too_many.body").read_text())
    assert max_allowed(body["error"]["message"]) == 20
    assert max_allowed("something else") is None


def test_compact_log_keeps_entries_exactly() -> None:
    entries = parse_logprobs({"content": [entry(f" w{i}", -i / 10, alts=5) for i in range(50)]})
    log = TokenLog(entries)
    assert [log.entry(i) for i in range(50)] == list(entries)


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with running_simulator() as running:
        yield running


@pytest.mark.parametrize("stream", [True, False])
def test_against_the_simulator(sim: RunningSimulator, stream: bool) -> None:
    request = ChatRequest(
        model=None, messages=(Message.user("Explain how DNS works"),), top_logprobs=4,
        stream=stream, enable_thinking=True,
    )
    with SyncVLLMClient(sim.base_url) as client:
        completion = (
            client.collect(request, Accumulator()) if stream else client.complete(request)
        )
    tokens = completion.tokens
    assert tokens is not None and len(tokens) > 20
    assert "".join(tokens.text(i) for i in range(len(tokens))) == completion.content
    assert all(len(tokens.alternatives(i)) == 4 for i in range(len(tokens)))
    assert completion.reasoning  # its tokens were sent too, and left out of the answer's


def test_a_copied_message_shares_its_token_log() -> None:
    """Entries never change once appended, so copies (history saves of a 20,000-token reply
    made on the Qt thread) share the log instead of copying every string."""
    import copy

    log = TokenLog(parse_logprobs({"content": [
        {"token": "Hi", "logprob": -0.1, "bytes": [72, 105], "top_logprobs": []}]}))
    holder = {"tokens": log, "text": ["Hi"]}
    copied = copy.deepcopy(holder)
    assert copied["tokens"] is log and copy.copy(log) is log
    assert copied["text"] is not holder["text"]
