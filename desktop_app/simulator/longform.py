"""Long markdown replies of an exact token count ("write 20000 tokens"), built in linear time."""

from __future__ import annotations

import random
import re

from .tokens import tokenize

_REQUEST = re.compile(r"\b(\d{1,3}(?:[,_]\d{3})+|\d+)\s*(k)?\s*tokens?\b", re.IGNORECASE)
MAX_REQUESTED = 10_000_000

_PARAGRAPHS = (
    "Streaming text arrives one small piece at a time, so the client has to keep its view "
    "responsive while the answer grows. Rendering only the live message and batching repaints "
    "keeps the interface smooth even for very long replies.",
    "A good benchmark measures **time to first token**, the steady token rate and the total "
    "duration. Each number tells a different story: latency, throughput and overhead.",
    "When a reply is long, the most common mistakes are quadratic string building, re-parsing "
    "the whole document on every delta, and scrolling the view when the user has moved away.",
    "Markdown mixes prose with structure. Headings, lists, tables and fenced code blocks all "
    "need to render correctly while they are still incomplete, which is a useful stress test.",
)
_BLOCKS = (
    "- First, keep the network layer simple and well tested.\n"
    "- Second, decode events incrementally with `decode()` and `flush()`.\n"
    "- Third, accumulate deltas by index and render at most once per frame.",
    "1. Open the stream.\n2. Read events until `[DONE]`.\n3. Close the response in `finally`.",
    "```python\n"
    "def tokens_per_second(count: int, seconds: float) -> float:\n"
    '    """Throughput of a finished stream."""\n'
    "    return count / seconds if seconds > 0 else 0.0\n"
    "```",
    "```python\n"
    "for index, chunk in enumerate(stream):\n"
    "    view.append(chunk)\n"
    "    if index % 64 == 0:\n"
    "        view.flush()\n"
    "```",
    "| Metric | Target | Note |\n|---|---|---|\n"
    "| First token | < 300 ms | network included |\n"
    "| Token rate | > 50 tok/s | steady state |\n"
    "| Repaints | ≤ 60 per second | coalesced |",
)
_TITLES = ("Rendering", "Measuring", "Streaming", "Structure", "Scrolling", "Caching")
_FILLER = tokenize(
    " The benchmark text keeps going with plain words so that the count comes out exact."
    " The markdown stays valid because no block is ever cut in half."
)

_PARAGRAPH_TOKENS = [tokenize(p + "\n\n") for p in _PARAGRAPHS]
_BLOCK_TOKENS = [tokenize(b + "\n\n") for b in _BLOCKS]


def requested_tokens(prompt: str) -> int | None:
    """The N of "write N tokens" / "20k tokens" in a prompt, if any."""
    match = _REQUEST.search(prompt)
    if match is None:
        return None
    count = int(match.group(1).replace(",", "").replace("_", ""))
    if match.group(2):
        count *= 1000
    return min(count, MAX_REQUESTED) if count > 0 else None


def long_reply_tokens(count: int, rng: random.Random) -> list[str]:
    """Exactly `count` content tokens of varied markdown: sections, prose, lists, code, tables."""
    out: list[str] = []
    out.extend(tokenize(f"# A reply of {count} tokens\n\n"))
    section = 0
    full = False
    while not full:
        section += 1
        title = _TITLES[(section - 1) % len(_TITLES)]
        group = [tokenize(f"## {section}. {title}\n\n"), rng.choice(_PARAGRAPH_TOKENS),
                 rng.choice(_BLOCK_TOKENS), rng.choice(_PARAGRAPH_TOKENS)]
        for block in group:
            if len(out) + len(block) > count:
                full = True
                break
            out.extend(block)
    remaining = count - len(out)
    if remaining > 0:
        # Plain words to land on the exact count without cutting a code block or table.
        tail = [_FILLER[i % len(_FILLER)] for i in range(remaining - 1)]
        if tail:
            tail[0] = tail[0].lstrip()
        out.extend(tail)
        out.append(".")
    del out[count:]
    return out
