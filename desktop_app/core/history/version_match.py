"""Opening a search hit that is only in another version of a message: which version matched,
and showing it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from desktop_app.core.chat.conversation import ChatMessage

if TYPE_CHECKING:
    from desktop_app.core.chat.controller import ChatController

_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    """Case and accents set aside, as the index's tokenizer (remove_diacritics) does."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_terms(query: str) -> list[str]:
    """The pieces of ``query`` the index looks for, each a prefix of a word."""
    return _WORD.findall(_fold(query.replace("\x00", " ")))


def _texts(messages: Iterable[ChatMessage]) -> Iterable[str]:
    """Content and reasoning of ``messages`` and of the versions they keep in turn."""
    pending = list(messages)
    while pending:
        m = pending.pop(0)
        yield m.content
        yield m.reasoning
        if m.alternatives is not None:
            pending.extend(msg for branch in m.alternatives.branches for msg in branch)


def _found(terms: list[str], texts: Iterable[str]) -> int:
    words = {w for t in texts for w in _WORD.findall(_fold(t))}
    return sum(1 for term in terms if any(w.startswith(term) for w in words))


def matching_version(msg: ChatMessage, query: str) -> int | None:
    """The 0-based version of the place ``msg`` shows that the words of ``query`` come from:
    the first hidden one whose own message holds them all, else the first whose messages
    hold the most of them; None when no hidden version holds any."""
    alts = msg.alternatives
    terms = query_terms(query)
    if alts is None or not terms:
        return None
    best: tuple[bool, int] = (False, 0)
    chosen: int | None = None
    for i, branch in enumerate(alts.branches):
        if i == alts.shown or not branch:
            continue
        head = branch[0]
        score = (_found(terms, (head.content, head.reasoning)) == len(terms),
                 _found(terms, _texts(branch)))  # fmt: skip
        if score > best:
            best, chosen = score, i
    return chosen


def show_matching_version(chat: ChatController, message_id: str, query: str) -> str:
    """Shows, in the current conversation, the version of the place ``message_id`` holds that
    ``query`` matched (the window's own version switch). Returns the id of the message shown
    there now: ``message_id`` when nothing was switched (no such version, the message is no
    longer there, or the switch was refused, which the chat says itself)."""
    conv = chat.current
    try:
        index = conv.index_of(message_id)
    except KeyError:
        # The hit was opened before: its message is now a hidden version of a place, and
        # the version shown there is the one that matched.
        return _place_hiding(conv.messages, message_id) or message_id
    to = matching_version(conv.messages[index], query)
    if to is None or not chat.switch_alternative(message_id, to):
        return message_id
    return conv.messages[index].id


def _place_hiding(messages: list[ChatMessage], message_id: str) -> str | None:
    """The id of the shown message whose hidden versions start with ``message_id``."""
    for m in messages:
        if m.alternatives is not None and any(
            branch and branch[0].id == message_id for branch in m.alternatives.branches
        ):
            return m.id
    return None
