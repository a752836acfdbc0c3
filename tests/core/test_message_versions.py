"""Versions of a place in a conversation: fork, switch, their stored form and the word diff."""

from __future__ import annotations

import pytest

from desktop_app.core.chat.alternatives import count, drop_shown, fork, switch, versions
from desktop_app.core.chat.conversation import ChatMessage, Conversation, ReplyInfo
from desktop_app.core.chat.word_diff import word_diff
from desktop_app.core.history.serialize import (
    conversation_from_dict,
    conversation_to_dict,
    message_from_dict,
    message_to_dict,
)
from desktop_app.core.history.storage.store import HistoryStore


def _reply(text: str, seed: int) -> ChatMessage:
    return ChatMessage(role="assistant", content=text, reply=ReplyInfo(params={"seed": seed}))


def _chat() -> Conversation:
    conv = Conversation()
    conv.messages = [ChatMessage(role="user", content="Hi"), _reply("one", 1)]
    return conv


def _add(conv: Conversation, index: int, msg: ChatMessage) -> ChatMessage:
    alts, _removed = fork(conv, index)
    msg.alternatives = alts
    conv.messages.append(msg)
    return msg


def test_fork_keeps_what_followed_and_switch_brings_it_back() -> None:
    conv = _chat()
    one = conv.messages[1]
    conv.messages += [ChatMessage(role="user", content="More"), _reply("more", 1)]
    two = _add(conv, 1, _reply("two", 2))
    assert [m.content for m in conv.messages] == ["Hi", "two"]
    assert count(two) == (2, 2)
    removed, added = switch(conv, 1, 0)
    assert removed == [two] and added == conv.messages[1:]
    assert [m.content for m in conv.messages] == ["Hi", "one", "More", "more"]
    assert conv.messages[1] is one and one.alternatives is not None and two.alternatives is None
    assert count(one) == (1, 2)
    assert [v.message.content for v in versions(one)] == ["one", "two"]
    # The conversation goes on from the shown version: a request replays it.
    assert [m.content for m in conv.history_for_request()] == ["Hi", "one", "More", "more"]
    assert switch(conv, 1, 0) == ([], []) and switch(conv, 1, 5) == ([], [])


def test_a_version_inside_a_hidden_branch_keeps_its_own_versions() -> None:
    conv = _chat()
    conv.messages += [ChatMessage(role="user", content="More"), _reply("a", 1)]
    _add(conv, 3, _reply("b", 2))  # the second reply has two versions
    _add(conv, 1, _reply("two", 2))  # then the first reply gets a second version
    switch(conv, 1, 0)
    assert [m.content for m in conv.messages] == ["Hi", "one", "More", "b"]
    assert count(conv.messages[3]) == (2, 2)


def test_versions_round_trip_through_the_stored_form(tmp_path) -> None:
    conv = _chat()
    conv.messages += [ChatMessage(role="user", content="More"), _reply("more", 1)]
    _add(conv, 1, _reply("two", 2))
    back = conversation_from_dict(conversation_to_dict(conv))
    assert back == conv
    assert [v.message.reply.params for v in versions(back.messages[1])] == [
        {"seed": 1}, {"seed": 2}
    ]
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.save_conversation(conv)
        loaded = store.load_conversation(conv.id)
    assert loaded.messages == conv.messages
    switch(loaded, 1, 0)
    assert [m.content for m in loaded.messages] == ["Hi", "one", "More", "more"]
    # A message with no versions is stored as before: no key at all.
    assert "alternatives" not in message_to_dict(conv.messages[0])


@pytest.mark.parametrize(
    "alts",
    [
        {"shown": 3, "branches": [[], [{"role": "assistant"}]]},
        {"shown": 0, "branches": [[{"role": "assistant"}], [{"role": "assistant"}]]},
        {"shown": 0, "branches": [[], []]},
        {"shown": 0, "branches": [[], "x"]},
        {"shown": "0", "branches": [[], [{"role": "assistant"}]]},
    ],
)
def test_damaged_versions_are_refused_with_their_place(alts) -> None:
    with pytest.raises(ValueError, match=r"message\.alternatives"):
        message_from_dict({"role": "assistant", "content": "x", "alternatives": alts})


def test_word_diff_marks_words_and_spells_both_texts() -> None:
    old = "The Nile is the longest river.\nIt flows north."
    new = "The Amazon is the largest river.\nIt flows east."
    diff = word_diff(old, new)
    assert diff.text("old") == old and diff.text("new") == new
    removed = [p.text for p in diff.pieces if p.kind == "removed"]
    added = [p.text for p in diff.pieces if p.kind == "added"]
    assert removed == ["Nile", "longest", "north"] and added == ["Amazon", "largest", "east"]
    assert diff.words("removed") == 3 and diff.words("same") == 6
    assert [p.kind for p in word_diff("same", "same").pieces] == ["same"]


def test_deleting_the_shown_version_shows_its_neighbour() -> None:
    conv = _chat()
    one = conv.messages[1]
    _add(conv, 1, _reply("two", 2))
    three = _add(conv, 1, _reply("three", 3))
    switch(conv, 1, 1)
    removed, added = drop_shown(conv, 1)
    assert [m.content for m in removed] == ["two"] and added == [one]
    assert count(one) == (1, 2)
    assert [v.message for v in versions(one)] == [one, three]
    drop_shown(conv, 1)
    assert conv.messages[1] is three and three.alternatives is None  # the last one left
    assert drop_shown(conv, 1) == ([], [])
