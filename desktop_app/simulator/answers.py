"""Scripted markdown answers: greetings, explanations, lists, tables, code blocks."""

from __future__ import annotations

import random
import re

_GREETING = re.compile(
    r"^\W*(hi|hello|hey|howdy|yo|hiya|greetings|good (morning|afternoon|evening)|"
    r"thanks|thank you)\b",
    re.IGNORECASE,
)
_CODE = re.compile(
    r"\b(code|function|script|program|implement|snippet|class|regex|algorithm)\b", re.IGNORECASE
)
_LANGUAGE = re.compile(r"\b(python|javascript|typescript|js|rust|bash|shell|sql)\b", re.I)
_TABLE = re.compile(r"\b(table|compare|comparison|versus|vs|pros and cons|differences?)\b", re.I)
_LIST = re.compile(r"\b(list|steps|tips|ideas|ways|how to|how do i|checklist)\b", re.I)
_DEMO = re.compile(r"\b(markdown|formatting|demo|showcase)\b", re.I)
_LEADING = re.compile(
    r"^((hi|hello|hey)\W* |please |can you |could you |would you |tell me |explain |describe |"
    r"write |give me |"
    r"show me |what (is|are) |how (does|do|to) |how |why (is|are|does|do) |a |an |the |me |"
    r"about |compare |list )+",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"\s+(in|as|with) (a |an )?(table|list|markdown|example)\b.*$|\s+please$",
                       re.IGNORECASE)


_SMALL_TALK = re.compile(r"how are you|how's it going|what's up|good (morning|afternoon|evening)",
                         re.IGNORECASE)


def category(prompt: str) -> str:
    """greeting | demo | code | table | list | explain."""
    checks = (("demo", _DEMO), ("code", _CODE), ("table", _TABLE), ("code", _LANGUAGE),
              ("list", _LIST))
    for name, pattern in checks:
        if pattern.search(prompt):
            return name
    words = len(prompt.split())
    if _GREETING.search(prompt) and (words <= 3 or (_SMALL_TALK.search(prompt) and words <= 8)):
        return "greeting"
    return "explain"


def topic_of(prompt: str) -> str:
    """A short topic phrase for headings, e.g. "How does DNS work?" -> "DNS work"."""
    first_line = prompt.strip().splitlines()[0] if prompt.strip() else ""
    text = _TRAILING.sub("", _LEADING.sub("", first_line.strip()).rstrip(" ?.!"))
    words = re.findall(r"[\w'+#.-]+", text)[:8]
    if len(words) > 1 and words[-1].lower() in ("works", "work"):
        words.pop()
    topic = " ".join(words).strip(".") or "your question"
    return topic


def _title(topic: str) -> str:
    return topic[:1].upper() + topic[1:]


def greeting(rng: random.Random) -> str:
    return rng.choice([
        "Hello! How can I help you today?",
        "Hi there! What would you like to talk about?",
        "Hello! I'm ready when you are. What can I do for you?",
    ])


def _intro(topic: str, rng: random.Random) -> str:
    return rng.choice([
        f"Here is a short overview of **{topic}**.",
        f"Good question. Let me walk through **{topic}** step by step.",
        f"Sure! Below is a concise explanation of **{topic}**.",
    ])


def _points(topic: str, rng: random.Random, numbered: bool) -> str:
    detail = "**Check the details**: look at edge cases such as empty input or `None` values."
    points = [
        f"**Start with the basics**: define what {topic} means in your context.",
        "**Break it down**: split the problem into small, testable parts.",
        "**Measure**: compare results before and after each change.",
        "**Keep it simple**: prefer the clearest solution that works.",
        "**Document it**: a short note helps the next reader.",
    ]
    chosen = [*rng.sample(points, 3), detail]  # always some inline code
    rng.shuffle(chosen)
    marker = (lambda i: f"{i}.") if numbered else (lambda i: "-")
    return "\n".join(f"{marker(i)} {p}" for i, p in enumerate(chosen, 1))


def _table(topic: str, prompt: str, rng: random.Random) -> str:
    pair = re.search(r"([\w+#.-]+)\s+(?:vs\.?|versus|and|or)\s+([\w+#.-]+)", prompt, re.I)
    left, right = (pair.group(1), pair.group(2)) if pair else ("Option A", "Option B")
    grades = ["Excellent", "Good", "Fair", "Very good", "Limited", "Strong"]
    rows = ["Performance", "Ease of use", "Ecosystem", "Learning curve"]
    lines = [f"| Aspect | {left} | {right} |", "|---|---|---|"]
    lines += [f"| {r} | {rng.choice(grades)} | {rng.choice(grades)} |" for r in rows]
    return "\n".join(lines)


_SNIPPETS = {
    "python": (
        "def summarize(values: list[float]) -> dict[str, float]:\n"
        '    """Return the count, mean and maximum of the values."""\n'
        "    if not values:\n"
        '        return {"count": 0, "mean": 0.0, "max": 0.0}\n'
        "    total = sum(values)\n"
        '    return {"count": len(values), "mean": total / len(values), "max": max(values)}\n'
        "\n\n"
        'if __name__ == "__main__":\n'
        "    print(summarize([3.0, 1.5, 4.5]))"
    ),
    "fibonacci": (
        "def fibonacci(n: int) -> list[int]:\n"
        '    """Return the first n Fibonacci numbers."""\n'
        "    numbers = [0, 1]\n"
        "    while len(numbers) < n:\n"
        "        numbers.append(numbers[-1] + numbers[-2])\n"
        "    return numbers[:n]\n"
        "\n\n"
        "print(fibonacci(10))"
    ),
    "javascript": (
        "function summarize(values) {\n"
        "  if (values.length === 0) return { count: 0, mean: 0 };\n"
        "  const total = values.reduce((a, b) => a + b, 0);\n"
        "  return { count: values.length, mean: total / values.length };\n"
        "}\n\n"
        "console.log(summarize([3, 1.5, 4.5]));"
    ),
    "bash": (
        "#!/usr/bin/env bash\n"
        "set -euo pipefail\n\n"
        'for file in "$@"; do\n'
        '  echo "$file: $(wc -l < "$file") lines"\n'
        "done"
    ),
    "sql": (
        "SELECT customer_id, COUNT(*) AS orders, SUM(total) AS revenue\n"
        "FROM orders\n"
        "WHERE created_at >= DATE '2026-01-01'\n"
        "GROUP BY customer_id\n"
        "ORDER BY revenue DESC\n"
        "LIMIT 10;"
    ),
    "rust": (
        "fn mean(values: &[f64]) -> Option<f64> {\n"
        "    if values.is_empty() {\n"
        "        return None;\n"
        "    }\n"
        "    Some(values.iter().sum::<f64>() / values.len() as f64)\n"
        "}\n\n"
        "fn main() {\n"
        '    println!("{:?}", mean(&[3.0, 1.5, 4.5]));\n'
        "}"
    ),
}
_LANGUAGES = (("javascript", r"javascript|\bjs\b|typescript|node"), ("bash", r"bash|shell"),
              ("sql", r"\bsql\b|query"), ("rust", r"\brust\b"), ("fibonacci", r"fibonacci"))


def code_block(prompt: str) -> tuple[str, str]:
    """(fence language, code) for a prompt that asks for code; Python unless another is named."""
    for key, pattern in _LANGUAGES:
        if re.search(pattern, prompt, re.IGNORECASE):
            return ("python" if key == "fibonacci" else key), _SNIPPETS[key]
    return "python", _SNIPPETS["python"]


def markdown_answer(prompt: str, rng: random.Random) -> str:
    """The scripted answer for an ordinary prompt."""
    kind = category(prompt)
    if kind == "greeting":
        return greeting(rng)
    topic = topic_of(prompt)
    parts = [f"## {_title(topic)}", _intro(topic, rng)]
    if kind in ("code", "demo"):
        language, code = code_block(prompt)
        parts.append(rng.choice(["Here is a small, self-contained example:",
                                 "This example shows the idea:"]))
        parts.append(f"```{language}\n{code}\n```")
        parts.append("Key points:")
        parts.append(_points(topic, rng, numbered=False))
    if kind in ("table", "demo"):
        parts.append(_table(topic, prompt, rng))
    if kind == "list":
        parts.append(_points(topic, rng, numbered=True))
    if kind == "explain":
        parts.append(_points(topic, rng, numbered=False))
    if kind == "demo":
        parts.append("> **Tip:** inline code such as `print()` and *emphasis* render too.")
    parts.append(rng.choice([
        "Let me know if you would like more detail on any of these points.",
        "I hope this helps! Feel free to ask a follow-up question.",
        "Want me to go deeper into one of these?",
    ]))
    return "\n\n".join(parts)


def reasoning_for(prompt: str, rng: random.Random) -> str:
    """A few sentences of thinking about an ordinary prompt."""
    kind = category(prompt)
    topic = topic_of(prompt)
    opening = {
        "greeting": "The user is greeting me. A short, friendly reply is enough.",
        "code": f"The user wants code for {topic}. I should give a small, runnable example "
                "with a short explanation.",
        "table": f"The user wants a comparison about {topic}. A table will make the "
                 "differences easy to scan.",
        "list": f"The user asks for a list about {topic}. Numbered steps are the clearest "
                "format.",
        "demo": "The user wants to see markdown formatting, so I will use headings, lists, "
                "a table and a code block.",
        "explain": f"The user is asking about {topic}. I should explain the key ideas "
                   "clearly and keep it well structured.",
    }[kind]
    closing = rng.choice([
        "Let me keep the answer concise.",
        "I will start with a short overview and then give the details.",
        "A brief summary at the end will help.",
    ])
    return f"{opening} {closing}"
