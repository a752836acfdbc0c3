"""Scripted chat: markdown, thinking, images, limits, seeds, usage, long replies, pacing."""

from __future__ import annotations

import time

import httpx
from sim_support import chunks, content_of, data_url, image_message, kind, stream, user

from desktop_app.simulator import SimulatorConfig, running_simulator


def ask(client: httpx.Client, text: str, **extra) -> dict:
    response = client.post("/chat/completions", json={"messages": user(text), **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_greeting_is_short(client):
    body = ask(client, "Hello!")
    assert len(body["choices"][0]["message"]["content"]) < 80
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["choices"][0]["stop_reason"] == 106


def test_markdown_features(client):
    explain = ask(client, "Explain how DNS works")["choices"][0]["message"]["content"]
    assert explain.startswith("## DNS\n\n")
    assert "**" in explain and "\n- " in explain and "`None`" in explain
    code = ask(client, "Write a python function for fibonacci")["choices"][0]["message"]
    assert "```python\ndef fibonacci" in code["content"]
    assert code["content"].count("```") == 2
    table = ask(client, "Compare Python vs Rust in a table")["choices"][0]["message"]["content"]
    assert "| Aspect | Python | Rust |\n|---|---|---|" in table
    steps = ask(client, "Give me tips for sleeping better")["choices"][0]["message"]["content"]
    assert "\n1. " in steps and "\n4. " in steps
    demo = ask(client, "Show me a markdown demo")["choices"][0]["message"]["content"]
    assert "```" in demo and "|---|" in demo and "> **Tip:**" in demo


def test_one_content_delta_per_token(client):
    events = stream(client, {"messages": user("Explain how DNS works"), "seed": 1,
                             "stream_options": {"include_usage": True}})
    content = [c for c in events if kind(c) == "content"]
    assert events[-1]["usage"]["completion_tokens"] == len(content)
    text = ask(client, "Explain how DNS works", seed=1)["choices"][0]["message"]["content"]
    assert content_of(events) == text


def test_thinking_comes_before_content(client):
    events = stream(client, {"messages": user("Explain recursion"),
                             "chat_template_kwargs": {"enable_thinking": True},
                             "stream_options": {"include_usage": True}})
    kinds = [kind(c) for c in events]
    first_content = kinds.index("content")
    assert "reasoning" in kinds[:first_content]
    assert "reasoning" not in kinds[first_content:]
    reasoning = content_of(events, "reasoning")
    assert "recursion" in reasoning and reasoning.count(".") >= 2
    usage = events[-1]["usage"]
    assert 0 < usage["completion_tokens_details"]["reasoning_tokens"] < usage["completion_tokens"]
    body = ask(client, "Explain recursion", reasoning_effort="high")
    assert body["choices"][0]["message"]["reasoning"]
    assert ask(client, "Explain recursion")["choices"][0]["message"]["reasoning"] is None
    hidden = ask(client, "Explain recursion", include_reasoning=False,
                 chat_template_kwargs={"enable_thinking": True})
    assert hidden["choices"][0]["message"]["reasoning"] is None
    assert hidden["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0


def test_images_are_described(client):
    urls = [data_url("PNG", (640, 480)), data_url("JPEG", (120, 300)),
            data_url("WEBP", (64, 64)), "https://example.com/cat.png"]
    response = client.post("/chat/completions",
                           json={"messages": image_message("What are these?", urls)})
    text = response.json()["choices"][0]["message"]["content"]
    assert text.startswith("I received 4 images:\n\n1. PNG, 640×480 pixels")
    assert "2. JPEG, 120×300 pixels" in text and "3. WebP, 64×64 pixels" in text
    assert "4. remote image (https://example.com/cat.png)" in text
    assert response.json()["usage"]["prompt_tokens"] > 4 * 280
    one = client.post("/chat/completions", json={
        "messages": image_message("Describe", [data_url("GIF", (10, 20))])}).json()
    assert one["choices"][0]["message"]["content"].startswith(
        "I received 1 image: GIF, 10×20 pixels")


def test_image_errors(client):
    def error(urls: list[str]) -> dict:
        response = client.post("/chat/completions", json={"messages": image_message("x", urls)})
        assert response.status_code == 400
        return response.json()["error"]

    too_many = error([data_url("PNG", (2, 2))] * 5)
    assert too_many["message"] == ("At most 4 image(s) may be provided in one prompt. Set "
                                   "`--limit-mm-per-prompt` to increase this limit.")
    assert error(["data:image/png,notbase64"])["message"] == (
        "Only base64 data URLs are supported for now.")
    assert "Invalid base64" in error(["data:image/png;base64,@@@"])["message"]
    assert "Failed to decode the image" in error(["data:image/png;base64,aGVsbG8="])["message"]
    assert error(["file:///etc/passwd"])["type"] == "BadRequestError"


def test_image_limit_is_configurable():
    with running_simulator(SimulatorConfig(image_limit=1)) as sim:
        messages = image_message("x", [data_url("PNG", (2, 2))] * 2)
        response = httpx.post(f"{sim.base_url}/chat/completions", json={"messages": messages})
        assert response.json()["error"]["message"].startswith("At most 1 image(s)")


def test_max_tokens_gives_length(client):
    body = ask(client, "Explain how DNS works", max_tokens=7)
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["choices"][0]["stop_reason"] is None
    assert body["usage"]["completion_tokens"] == 7
    events = stream(client, {"messages": user("Explain DNS"), "max_completion_tokens": 4,
                             "chat_template_kwargs": {"enable_thinking": True}})
    assert kind(events[-1]) == "finish:reasoning"
    assert events[-1]["choices"][0]["finish_reason"] == "length"
    cut = ask(client, "Explain DNS", max_tokens=4, chat_template_kwargs={"enable_thinking": True})
    assert cut["choices"][0]["message"]["content"] is None
    assert cut["usage"]["completion_tokens_details"]["reasoning_tokens"] == 4


def test_stop_strings(client):
    full = ask(client, "Explain how DNS works", seed=5)["choices"][0]["message"]["content"]
    body = ask(client, "Explain how DNS works", seed=5, stop=["**", "zzz"])
    choice = body["choices"][0]
    assert (choice["finish_reason"], choice["stop_reason"]) == ("stop", "**")
    assert choice["message"]["content"] == full[: full.index("**")]
    events = stream(client, {"messages": user("Explain how DNS works"), "seed": 5, "stop": "**"})
    assert content_of(events) == choice["message"]["content"]
    assert events[-1]["choices"][0]["stop_reason"] == "**"
    kept = ask(client, "Explain how DNS works", seed=5, stop=["**"],
               include_stop_str_in_output=True)["choices"][0]["message"]["content"]
    assert kept.endswith("**")


def test_seed_and_temperature_zero_repeat(client):
    prompt = "Explain how caching works"
    texts = {ask(client, prompt, seed=42)["choices"][0]["message"]["content"] for _ in range(3)}
    assert len(texts) == 1
    greedy = {ask(client, prompt, temperature=0)["choices"][0]["message"]["content"]
              for _ in range(3)}
    assert len(greedy) == 1
    seeds = {ask(client, prompt, seed=s)["choices"][0]["message"]["content"] for s in range(8)}
    assert len(seeds) > 1


def test_usage_options(client):
    plain = stream(client, {"messages": user("Hi")})
    assert all("usage" not in c for c in plain)
    assert "system_fingerprint" in plain[-1]
    live = stream(client, {"messages": user("Hi"), "stream_options": {
        "include_usage": True, "continuous_usage_stats": True}})
    completions = [c["usage"]["completion_tokens"] for c in live[:-1]]
    assert completions[0] == 0 and completions == sorted(completions)
    assert live[-1]["choices"] == []
    assert live[-1]["usage"]["completion_tokens"] == completions[-1]


def test_long_reply_has_exact_token_count(client):
    events = stream(client, {"messages": user("Please write 1500 tokens about streaming"),
                             "stream_options": {"include_usage": True}})
    content = [c for c in events if kind(c) == "content"]
    assert len(content) == 1500
    text = content_of(events)
    assert text.startswith("# A reply of 1500 tokens") and "```python" in text
    assert events[-1]["usage"]["completion_tokens"] == 1500
    assert ask(client, "write 2k tokens")["usage"]["completion_tokens"] == 2000


def test_twenty_thousand_tokens_stream_fast(client):
    started = time.perf_counter()
    response = client.post("/chat/completions", json={
        "messages": user("write 20000 tokens"), "stream": True})
    elapsed = time.perf_counter() - started
    events = chunks(response.text)
    assert sum(1 for c in events if kind(c) == "content") == 20000
    assert elapsed < 3.0, f"20k tokens took {elapsed:.2f}s"


def test_n_choices(client):
    body = ask(client, "Explain DNS", n=2, max_tokens=5)
    assert [c["index"] for c in body["choices"]] == [0, 1]
    assert body["usage"]["completion_tokens"] == 10
    events = stream(client, {"messages": user("Hi"), "n": 2, "max_tokens": 3})
    assert {c["choices"][0]["index"] for c in events} == {0, 1}


def test_logprobs(client):
    body = ask(client, "Hi", logprobs=True, top_logprobs=2, max_tokens=3)
    entries = body["choices"][0]["logprobs"]["content"]
    assert len(entries) == 3
    assert all(len(e["top_logprobs"]) == 2 and e["logprob"] < 0 for e in entries)


def test_json_response_format(client):
    schema = {"type": "object", "properties": {"city": {"type": "string"},
                                               "days": {"type": "integer"}},
              "required": ["city", "days"]}
    body = ask(client, "Plan 3 days in Lisbon", response_format={
        "type": "json_schema", "json_schema": {"name": "plan", "schema": schema}})
    import json

    assert json.loads(body["choices"][0]["message"]["content"]) == {"city": "Lisbon", "days": 3}


def test_tokens_per_second_paces_the_stream():
    with running_simulator(SimulatorConfig(tokens_per_second=200)) as sim:
        started = time.perf_counter()
        body = {"messages": user("write 40 tokens"), "stream": True}
        with httpx.stream("POST", f"{sim.base_url}/chat/completions", json=body) as response:
            first_at = None
            for line in response.iter_lines():
                if '"content":"' in line and first_at is None and '"role"' not in line:
                    first_at = time.perf_counter() - started
        total = time.perf_counter() - started
    assert first_at is not None and first_at < 0.15
    assert 0.18 < total < 1.5


def test_streamed_logprobs_ride_on_each_token_chunk(client):
    body = {"messages": user("Hi"), "stream": True, "logprobs": True, "top_logprobs": 3,
            "max_tokens": 6}
    events = stream(client, body)
    tokens = [e for e in events if e["choices"] and e["choices"][0]["logprobs"] is not None]
    text = "".join(c["delta"].get("content") or "" for e in events for c in e["choices"])
    assert len(tokens) == 6
    entries = [t for e in tokens for t in e["choices"][0]["logprobs"]["content"]]
    assert "".join(e["token"] for e in entries) == text
    for entry in entries:
        assert set(entry) == {"token", "logprob", "bytes", "top_logprobs"}
        assert bytes(entry["bytes"]).decode() == entry["token"]
        assert len(entry["top_logprobs"]) == 3
        assert entry["top_logprobs"][0]["token"] == entry["token"]


def test_reasoning_tokens_carry_logprobs_only_when_reasoning_is_shown(client):
    base = {"messages": user("Why is the sky blue?"), "stream": True, "logprobs": True,
            "top_logprobs": 1, "max_tokens": 12,
            "chat_template_kwargs": {"enable_thinking": True}}
    shown = stream(client, base)
    with_reasoning = [e["choices"][0] for e in shown
                      if e["choices"] and e["choices"][0]["delta"].get("reasoning")]
    assert with_reasoning and all(c["logprobs"] is not None for c in with_reasoning)
    hidden = stream(client, {**base, "include_reasoning": False})
    assert all(e["choices"][0]["logprobs"] is None for e in hidden if e["choices"])


def test_too_many_logprobs_is_refused_with_the_server_limit():
    with running_simulator(SimulatorConfig(max_logprobs=4)) as sim:
        body = {"messages": user("Hi"), "logprobs": True, "top_logprobs": 5}
        response = httpx.post(f"{sim.base_url}/chat/completions", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "Requested sample logprobs of 5, which is greater than max allowed: 4 "
                   "(parameter=logprobs, value=5)",
        "type": "BadRequestError", "param": "logprobs", "code": 400}


def test_continue_final_message_continues_the_prefix(client):
    first = ask(client, "Why is the sky blue?", seed=3)
    answer = first["choices"][0]["message"]["content"]
    prefix = answer[: answer.index(" ", 10)] + " really"
    messages = [*user("Why is the sky blue?"), {"role": "assistant", "content": prefix}]
    body = {"messages": messages, "seed": 3, "continue_final_message": True,
            "add_generation_prompt": False}
    reply = client.post("/chat/completions", json=body).json()
    rest = reply["choices"][0]["message"]["content"]
    assert reply["choices"][0]["message"]["role"] == "assistant"
    assert not rest.startswith(prefix) and rest  # only what follows the prefix
    assert rest.startswith(" ") and (prefix + rest).split()[:3] == answer.split()[:3]
