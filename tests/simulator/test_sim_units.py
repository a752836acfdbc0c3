"""Pure parts of the simulator: tokenizer, argument fragments, long replies, limits, faults."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.simulator.config import Fault, fault_from_json
from desktop_app.simulator.longform import long_reply_tokens, requested_tokens
from desktop_app.simulator.plan import apply_limits, build_plan
from desktop_app.simulator.replies import Reply
from desktop_app.simulator.tokens import tokenize
from desktop_app.simulator.toolcalls import PlannedCall, argument_fragments, gemma_call_text

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=8,
)


@given(st.text())
def test_tokens_join_back_to_the_text(text):
    pieces = tokenize(text)
    assert "".join(pieces) == text
    assert all(pieces)


def test_tokens_are_word_pieces():
    assert tokenize("Hello! I am a tiny model.") == [
        "Hello", "!", " I", " am", " a", " tiny", " model", "."]
    assert tokenize("<|turn>user\nHi<turn|>") == ["<|turn>", "user", "\n", "Hi", "<turn|>"]
    assert tokenize("internationalization") == ["internat", "ionaliza", "tion"]


@given(st.dictionaries(st.text(max_size=8), json_values, min_size=1, max_size=4))
def test_argument_fragments_concatenate_to_json(arguments):
    fragments = argument_fragments(arguments)
    joined = "".join(fragments)
    assert joined == json.dumps(arguments, ensure_ascii=False)
    assert json.loads(joined) == arguments
    # The closing punctuation is withheld to the last fragment (docs/protocol.md §3.5).
    assert fragments[-1].endswith("}")
    # (Not a text check: a string value may itself end in "}".)
    with pytest.raises(ValueError):
        json.loads("".join(fragments[:-1]))


def test_gemma_raw_call():
    call = PlannedCall("f", {"a": "x", "n": 2, "ok": True, "l": [1, "y"]})
    assert gemma_call_text(call) == (
        '<|tool_call>call:f{a:<|"|>x<|"|>,n:2,ok:true,l:[1,<|"|>y<|"|>]}<tool_call|>')


@settings(max_examples=60)
@given(st.integers(min_value=1, max_value=5000), st.integers(min_value=0, max_value=99))
def test_long_reply_exact_count(count, seed):
    tokens = long_reply_tokens(count, random.Random(seed))
    assert len(tokens) == count
    assert all(isinstance(t, str) and t for t in tokens)


@pytest.mark.parametrize(("prompt", "count"), [
    ("write 20000 tokens", 20000), ("20,000 tokens please", 20000), ("give me 3k tokens", 3000),
    ("a 1 token answer", 1), ("no number here", None), ("0 tokens", None),
])
def test_requested_tokens(prompt, count):
    assert requested_tokens(prompt) == count


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["ab", "c", " d", "e!", "\n", "abc"]), min_size=1, max_size=30),
       st.lists(st.sampled_from(["a", "bc", "c d", "!\n", "zz", "e!\nab"]), min_size=1,
                max_size=3),
       st.booleans())
def test_stop_strings_cut_at_the_first_match(pieces, stop, include):
    plan = build_plan(Reply(content=pieces), string_scalars=False, named=False)
    outcome = apply_limits(plan, 1000, stop, include)
    text = "".join(t for k, t, _ in outcome.steps if k == "c") + outcome.final_text
    full = "".join(pieces)
    expected = None
    for i in range(len(pieces)):
        so_far = "".join(pieces[: i + 1])
        found = [s for s in stop if s in so_far]  # checked as each token arrives, in order
        if found:
            expected = (so_far.find(found[0]), found[0])
            break
    if expected is None:
        assert (text, outcome.finish_reason) == (full, "stop")
        assert isinstance(outcome.stop_reason, int)
        return
    pos, first = expected
    assert (outcome.finish_reason, outcome.stop_reason) == ("stop", first)
    assert text == full[: pos + (len(first) if include else 0)]


def test_max_tokens_counts_reasoning():
    plan = build_plan(Reply(reasoning="Think a bit.", content=["a", "b"]), False, False)
    outcome = apply_limits(plan, 3, [], False)
    assert (outcome.finish_reason, outcome.completion_tokens, outcome.reasoning_tokens) == (
        "length", 3, 3)


def test_fault_from_json():
    fault = fault_from_json({"stall_after_tokens": 3, "stall_seconds": 1, "http_body": "x"})
    assert fault == Fault(stall_after_tokens=3, stall_seconds=1.0, http_body=b"x")
    for bad in ({"nope": 1}, {"stall_seconds": -1}, {"http_status": 1000}, [],
                {"drop_after_tokens": "3"}):
        with pytest.raises(ValueError):
            fault_from_json(bad)
