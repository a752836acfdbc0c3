"""A conversation as a readable Markdown document (export only: it is not read back)."""

from __future__ import annotations

import json
import re
import time

from desktop_app.core.chat.conversation import Attachment, ChatMessage, Conversation, MessageStatus

_ROLE_TITLES = {"user": "User", "assistant": "Assistant", "system": "System", "tool": "Tool result"}
_STATUS_NOTES = {
    MessageStatus.STREAMING: "The reply was still arriving when this was exported.",
    MessageStatus.STOPPED: "Stopped by the user; the reply is incomplete.",
    MessageStatus.INTERRUPTED: "Gemma Desk closed while this reply arrived; it is incomplete.",
    MessageStatus.ERROR: "The request failed.",
}


def export_markdown(c: Conversation) -> str:
    created = time.strftime("%Y-%m-%d %H:%M", time.localtime(c.created_at))
    out = [f"# {_one_line(c.title) or 'Untitled chat'}", "", f"*{created} · Gemma Desk*", ""]
    if c.system_prompt.strip():
        out += ["## System prompt", "", _quote(c.system_prompt), ""]
    for m in c.messages:
        out += _message(m)
    return "\n".join(out).rstrip() + "\n"


def _message(m: ChatMessage) -> list[str]:
    heading = _ROLE_TITLES.get(m.role, m.role.capitalize())
    if m.role == "tool" and (m.name or m.tool_call_id):
        heading += f" · `{m.name or '?'}`" + (f" ({m.tool_call_id})" if m.tool_call_id else "")
    elif m.reply is not None and m.reply.model:
        heading += f" · {m.reply.model}"
    if m.alternatives is not None:  # the export shows the version on screen
        heading += f" · version {m.alternatives.shown + 1} of {len(m.alternatives.branches)}"
    out = ["---", "", f"## {heading}", ""]
    if m.reasoning.strip():
        out += [
            "<details>",
            "<summary>Reasoning</summary>",
            "",
            m.reasoning.strip(),
            "",
            "</details>",
            "",
        ]
    out += [_image(a) for a in m.images]
    if m.images:
        out.append("")
    if m.content:
        out += [_fence(m.content) if m.role == "tool" else m.content, ""]
    for call in m.tool_calls:
        out += [
            f"**Tool call** `{call.name}` ({call.id})",
            "",
            _fence(_pretty(call.arguments), "json"),
            "",
        ]
    note = _STATUS_NOTES.get(m.status)
    if note:
        out += [f"> *{note}*", ""]
    if m.error is not None:
        e = m.error
        lines = [f"**{e.title}**: {e.message}"]
        if e.server_message:
            lines.append(f"Server said: {e.server_message}")
        if e.hint:
            lines.append(e.hint)
        out += [_quote("\n\n".join(lines)), ""]
    return out


def _image(a: Attachment) -> str:
    """A link for web images; a short description for embedded ones (never the base64)."""
    label = a.name or "image"
    if a.url.startswith(("http://", "https://")):
        return f"![{_escape_label(label)}]({a.url.replace(' ', '%20').replace(')', '%29')})"
    details = [d for d in (a.mime, _size(a), _bytes(a.byte_size)) if d]
    return f"*[Image: {label}{' — ' + ', '.join(details) if details else ''}]*"


def _size(a: Attachment) -> str:
    return f"{a.width}×{a.height}" if a.width and a.height else ""


def _bytes(n: int | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return ""


def _fence(text: str, lang: str = "") -> str:
    """A code block whose fence is longer than any backtick run inside the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def _pretty(arguments: str) -> str:
    try:
        return json.dumps(json.loads(arguments), ensure_ascii=False, indent=2)
    except ValueError:
        return arguments  # partial or invalid JSON is shown as it came


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _escape_label(text: str) -> str:
    return re.sub(r"([\[\]\\])", r"\\\1", text)
