"""Reading chat messages: text and image parts, and the Gemma 4 prompt they render to."""

from __future__ import annotations

import json
from typing import Any

from .tokens import IMAGE_SOFT_TOKEN, IMAGE_SOFT_TOKENS, tokenize

TEXT_PART_TYPES = {"text", "input_text", "output_text", "refusal", "thinking"}
IMAGE_PART_TYPES = {"image_url", "input_image"}


def part_image_url(part: dict[str, Any]) -> str | None:
    """The URL of an image part (`image_url` may be an object or a bare string)."""
    kind = part.get("type")
    if kind is not None and kind not in IMAGE_PART_TYPES:
        return None
    ref = part.get("image_url")
    if isinstance(ref, dict):
        ref = ref.get("url")
    return ref if isinstance(ref, str) else None


def content_text(content: object) -> str:
    """The text of a message's content; text parts are joined by newlines."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict) and part.get("type", "text") in TEXT_PART_TYPES:
            text = part.get("text")
            if isinstance(text, str):
                texts.append(text)
    return "\n".join(texts)


def content_images(content: object) -> list[str]:
    """Image URLs of a message's content, in order."""
    if not isinstance(content, list):
        return []
    urls = []
    for part in content:
        if isinstance(part, dict):
            url = part_image_url(part)
            if url is not None:
                urls.append(url)
    return urls


def last_user_message(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    for message in reversed(messages):
        if message.get("role") == "user":
            return message
    return None


def _tool_declarations(tools: list[dict[str, Any]]) -> str:
    parts = []
    for tool in tools:
        fn = tool.get("function") or {}
        params = json.dumps(fn.get("parameters") or {}, ensure_ascii=False)
        desc = fn.get("description") or ""
        parts.append(
            f'<|tool>declaration:{fn.get("name")}{{description:<|"|>{desc}<|"|>,'
            f"parameters:{params}}}<tool|>"
        )
    return "".join(parts)


def _tool_call_names(messages: list[dict[str, Any]]) -> dict[str, str]:
    names = {}
    for message in messages:
        for call in message.get("tool_calls") or []:
            if isinstance(call, dict) and isinstance(call.get("function"), dict):
                names[str(call.get("id"))] = str(call["function"].get("name"))
    return names


def render_prompt(
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None = None,
    thinking: bool = False,
    add_generation_prompt: bool = True,
    continue_final: bool = False,
) -> tuple[str, int]:
    """An approximation of the Gemma 4 chat template; returns (text, number of images)."""
    out = ["<bos>"]
    images = 0
    system = [content_text(m.get("content")) for m in messages if m.get("role") == "system"]
    if system or thinking or tools:
        out.append("<|turn>system\n")
        if thinking:
            out.append("<|think|>\n")
        out.append("\n".join(system))
        if tools:
            out.append(_tool_declarations(tools))
        out.append("<turn|>\n")
    call_names = _tool_call_names(messages)
    last = len(messages) - 1
    for position, message in enumerate(messages):
        role = message.get("role")
        content = message.get("content")
        if role == "system":
            continue
        if role == "tool":
            name = call_names.get(str(message.get("tool_call_id")), message.get("name", "unknown"))
            value = content_text(content)
            out.append(f'<|tool_response>response:{name}{{value:<|"|>{value}<|"|>}}<tool_response|>')
            continue
        turn = "model" if role == "assistant" else str(role)
        out.append(f"<|turn>{turn}\n")
        for _ in content_images(content):
            out.append("<|image><image|>")
            images += 1
        out.append(content_text(content))
        for call in message.get("tool_calls") or []:
            fn = call.get("function") if isinstance(call, dict) else None
            if isinstance(fn, dict):
                out.append(f"<|tool_call>call:{fn.get('name')}{fn.get('arguments')}<tool_call|>")
        if continue_final and position == last:
            break  # the final message stays open: generation continues its text
        out.append("<turn|>\n")
    if add_generation_prompt:
        out.append("<|turn>model\n")
    return "".join(out), images


def prompt_pieces(text: str, images: int) -> list[str]:
    """Token pieces of a rendered prompt, with each image expanded to its soft tokens."""
    pieces = tokenize(text)
    if not images:
        return pieces
    expanded: list[str] = []
    for piece in pieces:
        expanded.append(piece)
        if piece == "<|image>":
            expanded.extend([IMAGE_SOFT_TOKEN] * IMAGE_SOFT_TOKENS)
    return expanded
