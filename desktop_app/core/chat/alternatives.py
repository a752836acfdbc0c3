"""Alternatives of one place in a conversation: keeping the old version when a reply is
regenerated or a message edited, switching between versions, and listing them."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.chat.conversation import Alternatives, ChatMessage, Conversation


@dataclass(frozen=True)
class Version:
    """One version of a place as the window lists it: its message and its 1-based number."""

    number: int
    message: ChatMessage
    shown: bool


def fork(conv: Conversation, index: int) -> tuple[Alternatives | None, list[ChatMessage]]:
    """Takes ``messages[index:]`` out of the conversation and keeps them as a version of that
    place. Returns the alternatives the new version (appended at ``index`` next) carries, with
    a new empty branch shown, and the messages taken out. Nothing after ``index``: (None, [])."""
    removed = conv.messages[index:]
    if not removed:
        return None, []
    del conv.messages[index:]
    head = removed[0]
    alts = head.alternatives or Alternatives(branches=[[]], shown=0)
    head.alternatives = None
    alts.branches[alts.shown] = removed
    alts.branches.append([])
    alts.shown = len(alts.branches) - 1
    return alts, removed


def switch(
    conv: Conversation, index: int, to: int
) -> tuple[list[ChatMessage], list[ChatMessage]]:
    """Shows version ``to`` (0-based) of the place at ``index``: what followed the shown
    version is kept with it, and the conversation continues from the new one. Returns (the
    messages taken out, the messages put in); ([], []) when there is nothing to switch."""
    head = conv.messages[index]
    alts = head.alternatives
    if alts is None or not 0 <= to < len(alts.branches) or to == alts.shown:
        return [], []
    branch = alts.branches[to]
    if not branch:
        return [], []  # a damaged store: an empty hidden branch has nothing to show
    removed = conv.messages[index:]
    del conv.messages[index:]
    head.alternatives = None
    alts.branches[alts.shown] = removed
    alts.branches[to] = []
    alts.shown = to
    branch[0].alternatives = alts
    conv.messages.extend(branch)
    return removed, branch


def drop_shown(conv: Conversation, index: int) -> tuple[list[ChatMessage], list[ChatMessage]]:
    """Deletes the shown version of the place at ``index`` (its message must be the last one)
    and shows its neighbour: the one before, or the next for the first. Returns (the messages
    taken out, the messages put in); ([], []) when the message has no other version."""
    head = conv.messages[index]
    alts = head.alternatives
    if alts is None or len(alts.branches) < 2:
        return [], []
    removed = conv.messages[index:]
    del conv.messages[index:]
    head.alternatives = None
    gone = alts.shown
    del alts.branches[gone]
    to = gone - 1 if gone > 0 else 0
    branch = alts.branches[to]
    alts.branches[to] = []
    alts.shown = to
    # The last version left is a plain message again.
    branch[0].alternatives = alts if len(alts.branches) > 1 else None
    conv.messages.extend(branch)
    return removed, branch


def versions(msg: ChatMessage) -> list[Version]:
    """Every version of the place ``msg`` shows, in order; just ``msg`` when it has none."""
    alts = msg.alternatives
    if alts is None:
        return [Version(1, msg, True)]
    out: list[Version] = []
    for i, branch in enumerate(alts.branches):
        if i == alts.shown:
            out.append(Version(i + 1, msg, True))
        elif branch:
            out.append(Version(i + 1, branch[0], False))
    return out


def count(msg: ChatMessage) -> tuple[int, int]:
    """(the shown version's number, how many there are), both 1-based."""
    alts = msg.alternatives
    if alts is None:
        return 1, 1
    return alts.shown + 1, len(alts.branches)


def is_valid(alts: Alternatives) -> bool:
    """A stored set of alternatives that can be shown: the shown branch is the empty one,
    every other holds at least its message."""
    n = len(alts.branches)
    return (
        n >= 1
        and 0 <= alts.shown < n
        and all((not b) if i == alts.shown else bool(b) for i, b in enumerate(alts.branches))
    )
