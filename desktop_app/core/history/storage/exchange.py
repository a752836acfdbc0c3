"""Conversations in and out of files: the JSON export/import and the Markdown export.

The JSON file is an OpenAI chat transcript first (``messages``, ``tools``, ``parameters``) so
other tools can read it, plus a ``gemma_desk`` section with what that format cannot carry
(ids, timestamps, statuses, errors, reply provenance, image details). Import gives back a
conversation equal to the exported one, ids included; ``fresh_ids=True`` makes new ones.
A file whose OpenAI part says exactly what the model holds stores no copy of it; when it
cannot (an odd field the wire form drops), ``gemma_desk`` keeps the exact value too.
"""

from __future__ import annotations

import json
from typing import Any

from desktop_app.core.chat.conversation import ChatMessage, Conversation, GenerationSettings, new_id
from desktop_app.core.history.serialize import (
    conversation_from_dict,
    message_from_dict,
    message_to_dict,
    settings_from_dict,
    settings_to_dict,
)
from desktop_app.core.params.sampling_repair import repair_reply_params, repair_sampling

from .errors import ImportFormatError
from .markdown import export_markdown
from .openai_format import (
    SAMPLING_FIELDS,
    opt_bool,
    parse_message,
    parse_sampling,
    parse_tool_choice,
    parse_tools,
    tool_choice_to_wire,
    want_dict,
    want_list,
    want_str,
)
from .store import HistoryStore

FORMAT = "gemma-desk.conversation"
VERSION = 1
# Fields a wire message carries; anything else about a message lives in gemma_desk.
_WIRE_FIELDS = ("role", "content", "reasoning", "tool_calls", "tool_call_id", "name")
# "alternatives" (the other versions of a message, with what followed each) is there only
# when a message has some; the wire messages are the versions shown.
_META_FIELDS = ("id", "created_at", "status", "error", "reply", "alternatives", "tokens")
# Request-body keys that say how to send, not what the conversation is.
_TRANSPORT_KEYS = {"model", "stream", "stream_options", "messages", "tools", "tool_choice"}

__all__ = ["export_json", "export_markdown", "import_conversation_json", "import_into"]


# ---- export -----------------------------------------------------------------------------


def export_dict(c: Conversation) -> dict[str, Any]:
    s = c.settings
    parameters = {
        **s.sampling.to_wire(),
        "enable_thinking": s.enable_thinking,
        "tool_choice": tool_choice_to_wire(s.tool_choice),
        "parallel_tool_calls": s.parallel_tool_calls,
        "extra_body": s.extra_body,
    }
    out: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "title": c.title,
        "system_prompt": c.system_prompt,
        "messages": [m.to_api().to_wire() for m in c.messages],
        "tools": [t.to_wire() for t in s.tools],
        "parameters": parameters,
    }
    meta: dict[str, Any] = {
        "id": c.id,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "title_edited": c.title_edited,
        "stream": s.stream,
        "include_usage": s.include_usage,
        "messages": [_message_meta(m, w) for m, w in zip(c.messages, out["messages"], strict=True)],
    }
    try:
        exact = _settings_from(out, meta) == s
    except ValueError:  # e.g. a tool name the wire form refuses
        exact = False
    if not exact:
        meta["settings"] = settings_to_dict(s)
    out["gemma_desk"] = meta
    return out


def export_json(c: Conversation) -> str:
    return json.dumps(export_dict(c), ensure_ascii=False, indent=2) + "\n"


def _message_meta(m: ChatMessage, wire: dict[str, Any]) -> dict[str, Any]:
    full = message_to_dict(m)
    meta = {key: full[key] for key in _META_FIELDS if key in full}
    try:
        back = message_to_dict(parse_message(wire, "export"))
    except ValueError:
        back = {**full, **dict.fromkeys(_WIRE_FIELDS), "images": []}
    if [a.url for a in m.images] == [img["url"] for img in back["images"]]:
        meta["images"] = [{k: v for k, v in a.items() if k != "url"} for a in full["images"]]
    else:
        meta["images"] = full["images"]
    exact = {key: full[key] for key in _WIRE_FIELDS if back[key] != full[key]}
    if exact:
        meta["exact"] = exact
    return meta


# ---- import -----------------------------------------------------------------------------


def import_conversation_json(text: str | bytes, *, fresh_ids: bool = False) -> Conversation:
    """Reads a Gemma Desk export, a chat request body, or a bare OpenAI messages array
    (``text`` may be the file's raw bytes).

    Raises ``ImportFormatError`` saying what is wrong; nothing is changed anywhere.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                f"The file is not UTF-8 text (byte {exc.start}), so it is not a JSON export."
            ) from None
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"The file is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            "it may be cut short or not be a conversation export."
        ) from None
    except RecursionError:
        raise ImportFormatError("The file nests JSON too deeply to be a conversation.") from None
    try:
        repaired = _repair(data)
        conversation = _from_data(data)
    except ValueError as exc:
        raise ImportFormatError(f"The file cannot be imported: {exc}.") from None
    except RecursionError:
        raise ImportFormatError("The file nests JSON too deeply to be a conversation.") from None
    if repaired:
        conversation.notices.append(
            "Imported with values left out: "
            + "; ".join(repaired)
            + ". vLLM would refuse them, so the server's default applies instead (a reply's "
            "details no longer list them). Set them again in the Parameters panel if needed."
        )
    if fresh_ids:
        _renew_ids(conversation)
    return conversation


def _repair(data: object) -> list[str]:
    """Takes out, in place, the sampling values vLLM would refuse (NaN, infinity, out of
    range, wrong type), in settings and in reply provenance; returns what was taken out.

    Why not refuse the file: the messages are what an import is for, and one bad setting
    should not keep them out; each value left out is named in the conversation's notice.
    Shapes that are wrong in other ways are left for the strict readers to report.
    """
    if not isinstance(data, dict):
        return []
    if "format" not in data:  # a request body: its sampling fields are at the top
        return repair_sampling(data, "request")
    notes = repair_sampling(data.get("parameters"), "parameters")
    meta = data.get("gemma_desk")
    if isinstance(meta, dict):
        settings = meta.get("settings")
        if isinstance(settings, dict):
            notes += repair_sampling(settings.get("sampling"), "gemma_desk.settings.sampling")
        metas = meta.get("messages")
        for i, m in enumerate(metas if isinstance(metas, list) else []):
            if isinstance(m, dict):
                notes += repair_reply_params(m.get("reply"), f"gemma_desk.messages[{i}].reply")
    return notes


def import_into(store: HistoryStore, text: str | bytes) -> Conversation:
    """Imports and saves; a conversation already in the store is never overwritten: the
    imported copy then gets new ids."""
    conversation = import_conversation_json(text)
    if store.has_conversation(conversation.id):
        _renew_ids(conversation)
    store.save_conversation(conversation)
    return conversation


def _renew_ids(c: Conversation) -> None:
    c.id = new_id()
    for m in c.messages:
        m.id = new_id()


def _from_data(data: object) -> Conversation:
    if isinstance(data, list):
        return _from_messages(data)
    if not isinstance(data, dict):
        raise ValueError(_NOT_A_CONVERSATION)
    if "format" in data:
        if data["format"] != FORMAT:
            raise ValueError(f"its format is {data['format']!r}, not {FORMAT!r}")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValueError(f"its version should be a whole number, not {version!r}")
        if version > VERSION:
            raise ValueError(
                f"it was written by a newer Gemma Desk (format version {version}; this one "
                f"reads up to {VERSION}): update Gemma Desk to import it"
            )
        return _from_export(data)
    if "messages" in data:
        return _from_request_body(data)
    raise ValueError(_NOT_A_CONVERSATION)


_NOT_A_CONVERSATION = (
    "it is neither a Gemma Desk conversation export, a chat request body, nor an array of "
    "chat messages"
)


def _from_export(data: dict[str, Any]) -> Conversation:
    wire = want_list(data.get("messages"), "messages")
    meta = want_dict(data.get("gemma_desk"), "gemma_desk")
    metas = want_list(meta.get("messages", [{}] * len(wire)), "gemma_desk.messages")
    if len(metas) != len(wire):
        raise ValueError(f"gemma_desk.messages has {len(metas)} entries for {len(wire)} messages")
    messages = [
        _apply_meta(parse_message(w, f"messages[{i}]"), m, f"gemma_desk.messages[{i}]")
        for i, (w, m) in enumerate(zip(wire, metas, strict=True))
    ]
    header: dict[str, Any] = {
        "title": want_str(data.get("title", "Imported chat"), "title"),
        "system_prompt": want_str(data.get("system_prompt", ""), "system_prompt"),
        "title_edited": meta.get("title_edited", False),
        "messages": [],
    }
    header.update({k: meta[k] for k in ("id", "created_at", "updated_at") if k in meta})
    conversation = conversation_from_dict(header, "gemma_desk")
    conversation.settings = _settings_from(data, meta)
    conversation.messages = messages
    return conversation


def _apply_meta(parsed: ChatMessage, meta: object, where: str) -> ChatMessage:
    d = message_to_dict(parsed)
    m = want_dict(meta, where)
    d.update({k: m[k] for k in _META_FIELDS if k in m})
    images = want_list(m.get("images", []), f"{where}.images")
    if images and all(isinstance(i, dict) and "url" in i for i in images):
        d["images"] = images
    elif images:
        if len(images) != len(d["images"]):
            raise ValueError(
                f"{where}.images describes {len(images)} image(s) "
                f"but the message holds {len(d['images'])}"
            )
        d["images"] = [
            {**want_dict(i, where), "url": w["url"]}
            for i, w in zip(images, d["images"], strict=True)
        ]
    d.update(want_dict(m.get("exact"), f"{where}.exact"))
    return message_from_dict(d, where)


def _settings_from(data: dict[str, Any], meta: dict[str, Any]) -> GenerationSettings:
    if "settings" in meta:
        return settings_from_dict(meta["settings"], "gemma_desk.settings")
    params = want_dict(data.get("parameters"), "parameters")
    return GenerationSettings(
        sampling=parse_sampling(params, "parameters"),
        enable_thinking=opt_bool(params, "enable_thinking", "parameters"),
        stream=opt_bool(meta, "stream", "gemma_desk") is not False,
        include_usage=opt_bool(meta, "include_usage", "gemma_desk") is not False,
        extra_body=want_dict(params.get("extra_body"), "parameters.extra_body"),
        tools=parse_tools(data.get("tools"), "tools"),
        tool_choice=parse_tool_choice(params.get("tool_choice"), "parameters.tool_choice"),
        parallel_tool_calls=opt_bool(params, "parallel_tool_calls", "parameters"),
    )


def _from_messages(wire: list[Any], settings: GenerationSettings | None = None) -> Conversation:
    messages = [parse_message(w, f"messages[{i}]") for i, w in enumerate(wire)]
    if not messages:
        raise ValueError("it holds no messages")
    conversation = Conversation(settings=settings or GenerationSettings())
    if messages[0].role == "system" and not messages[0].images:
        conversation.system_prompt = messages.pop(0).content
    conversation.messages = messages
    conversation.auto_title()
    return conversation


def _from_request_body(data: dict[str, Any]) -> Conversation:
    """A /v1/chat/completions body: its messages, tools and the parameters it set."""
    wire = want_list(data.get("messages"), "messages")
    template = want_dict(data.get("chat_template_kwargs"), "chat_template_kwargs")
    known = {*_TRANSPORT_KEYS, *SAMPLING_FIELDS, "parallel_tool_calls", "chat_template_kwargs"}
    extra = {k: v for k, v in data.items() if k not in known}  # sent as extra_body again
    rest = {k: v for k, v in template.items() if k != "enable_thinking"}
    if rest:
        extra["chat_template_kwargs"] = rest
    settings = GenerationSettings(
        sampling=parse_sampling(data, "request"),
        enable_thinking=opt_bool(template, "enable_thinking", "chat_template_kwargs"),
        extra_body=extra,
        tools=parse_tools(data.get("tools"), "tools"),
        tool_choice=parse_tool_choice(data.get("tool_choice"), "tool_choice"),
        parallel_tool_calls=opt_bool(data, "parallel_tool_calls", "request"),
    )
    return _from_messages(wire, settings)
