"""What an MCP tool result becomes: the `tool` message content, and what its card says."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from desktop_app.core.human import human_size
from desktop_app.core.tools.calls import error_result

# A result larger than this is not sent: a megabyte of text is about 250,000 tokens, more
# than Gemma 4's context, and would only end the next request in a 400.
MAX_RESULT_CHARS = 1024 * 1024
REJECTED_RESULT = "The user rejected this call; the tool was not run."


@dataclass(frozen=True)
class ToolOutcome:
    """A finished call: ``text`` (an error's message when ``is_error``) and ``notes`` for
    the card; ``content()`` is what goes back to the model."""

    text: str
    is_error: bool = False
    notes: tuple[str, ...] = ()

    def content(self) -> str:
        return error_result(self.text) if self.is_error else self.text


def failure(message: str) -> ToolOutcome:
    """A call that gave no result: the model is told it failed, the card says why."""
    return ToolOutcome(message, True, (message,))


def outcome_of(result: Any) -> ToolOutcome:
    """Turns an mcp CallToolResult into the tool message content.

    Text blocks are joined; structured content (JSON) is sent as JSON when the tool gave no
    text that says the same; images and other media cannot go into a text tool message, so a
    short line says what was there; an error result (isError) is sent as ``{"error": …}``.
    """
    texts: list[str] = []
    notes: list[str] = []
    for block in getattr(result, "content", None) or []:
        kind = getattr(block, "type", None)
        if kind == "text":
            texts.append(str(block.text))
        elif kind in ("image", "audio"):
            size = len(getattr(block, "data", "") or "") * 3 // 4
            mime = getattr(block, "mime_type", "") or kind
            texts.append(f"[{kind} {mime}, {human_size(size)}: not passed on as text]")
            notes.append(
                f"The tool returned an {kind} ({mime}); "
                "tool messages carry text only, so the model is told it was there."
            )
        elif kind == "resource":
            resource = block.resource
            text = getattr(resource, "text", None)
            if isinstance(text, str):
                texts.append(text)
            else:
                texts.append(f"[resource {resource.uri}: binary, not passed on]")
        elif kind == "resource_link":
            texts.append(f"[resource link: {block.uri}]")
        else:
            texts.append(f"[content of unknown type “{kind}” left out]")
            notes.append(f"The tool returned content of a type this app does not know ({kind}).")
    structured = getattr(result, "structured_content", None)
    text = "\n".join(texts)
    if structured is not None and not getattr(result, "is_error", False):
        dumped = json.dumps(structured, ensure_ascii=False)
        if not _says_the_same(text, structured):
            text = dumped if not text.strip() else f"{dumped}\n{text}"
    if len(text) > MAX_RESULT_CHARS:
        message = (
            f"The tool returned {human_size(len(text.encode('utf-8', 'replace')))} of text; "
            f"results over {human_size(MAX_RESULT_CHARS)} are not sent, as they would not "
            "fit the model's context."
        )
        return ToolOutcome(message, True, (message, *notes))
    if getattr(result, "is_error", False):
        message = text.strip() or "The tool reported an error without a message."
        return ToolOutcome(message, True, (f"The tool reported an error: {message}",))
    if not text.strip():
        text = "(the tool returned nothing)"
    return ToolOutcome(text, False, tuple(notes))


def _says_the_same(text: str, structured: Any) -> bool:
    """Whether the text blocks already are the structured content (servers often send both),
    or the structured content only wraps the text as ``{"result": …}``."""
    stripped = text.strip()
    if not stripped:
        return False
    try:
        parsed = json.loads(stripped)
    except ValueError:
        parsed = stripped
    if parsed == structured:
        return True
    return isinstance(structured, dict) and set(structured) == {"result"} and (
        parsed == structured["result"] or stripped == str(structured["result"])
    )
