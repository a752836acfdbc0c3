"""Full-text search finds words in titles, replies and reasoning, whatever the user types."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.chat.conversation import ChatMessage, Conversation, MessageStatus
from desktop_app.core.history.storage import HIGHLIGHT_END, HIGHLIGHT_START, HistoryStore
from desktop_app.core.history.storage.search import fts_query


@pytest.fixture
def store(tmp_path: Path):
    with HistoryStore(tmp_path / "history.sqlite3") as s:
        yield s


@pytest.fixture
def chats(store: HistoryStore) -> dict[str, Conversation]:
    cooking = Conversation(
        title="Sourdough starter",
        messages=[
            ChatMessage(role="user", content="How do I feed a sourdough starter?"),
            ChatMessage(
                role="assistant",
                content="Discard half, then add flour and water.",
                reasoning="Hydration matters: equal weights of flour and water.",
            ),
            ChatMessage(role="user", content="And for a rye levain? Crème fraîche?"),
        ],
    )
    code = Conversation(
        title="Python help",
        messages=[
            ChatMessage(role="user", content='Why does "a AND (b" fail in my parser?'),
            ChatMessage(role="assistant", content="Unbalanced parentheses: the tokenizer..."),
        ],
    )
    for c in (cooking, code):
        store.save_conversation(c)
    return {"cooking": cooking, "code": code}


def test_finds_words_in_content_and_jumps_to_the_message(store, chats) -> None:
    cooking = chats["cooking"]
    hits = store.search("flour")
    assert [(h.conversation_id, h.message_id) for h in hits] == [
        (cooking.id, cooking.messages[1].id)
    ]
    assert hits[0].title == "Sourdough starter"
    assert f"{HIGHLIGHT_START}flour{HIGHLIGHT_END}" in hits[0].snippet


def test_finds_words_only_in_reasoning(store, chats) -> None:
    [hit] = store.search("hydration")
    assert hit.message_id == chats["cooking"].messages[1].id
    assert "Hydration" in hit.snippet


def test_title_hits_come_first_and_name_no_message(store, chats) -> None:
    hits = store.search("sourdough")
    assert hits[0].message_id is None and hits[0].conversation_id == chats["cooking"].id
    assert hits[0].snippet == f"{HIGHLIGHT_START}Sourdough{HIGHLIGHT_END} starter"
    assert {h.message_id for h in hits[1:]} == {chats["cooking"].messages[0].id}


def test_words_are_anded_prefixes_and_accents_fold(store, chats) -> None:
    assert [h.message_id for h in store.search("sour feed")] == [chats["cooking"].messages[0].id]
    assert [h.message_id for h in store.search("creme fraiche")] == [
        chats["cooking"].messages[2].id
    ]
    assert store.search("flour parentheses") == []


def test_results_follow_edits_checkpoints_and_limit(store, chats) -> None:
    c = chats["code"]
    reply = ChatMessage(role="assistant", status=MessageStatus.STREAMING)
    store.upsert_message(c.id, reply, 2)
    store.checkpoint(c.id, reply.id, "Try a recursive descent parser", "think: zebra")
    assert [h.message_id for h in store.search("recursive")] == [reply.id]
    assert [h.message_id for h in store.search("zebra")] == [reply.id]
    store.checkpoint(c.id, reply.id, "Use a Pratt parser", "")
    assert store.search("recursive") == [] and store.search("zebra") == []
    assert len(store.search("parser")) == 2
    assert len(store.search("parser", limit=1)) == 1
    assert store.search("parser", limit=0) == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unbalanced',
        "a AND (b",
        "(",
        ")",
        "NOT",
        "OR OR",
        "AND",
        "-flour",
        "flour*",
        "*",
        "**",
        "^",
        "NEAR(flour water)",
        "title:flour",
        "content:",
        "{content reasoning}: x",
        "'; DROP TABLE messages; --",
        "\x00",
        "",
        "   ",
        "🍞",
        "a" * 5000,
    ],
)
def test_hostile_queries_never_raise(store, chats, query: str) -> None:
    store.search(query)
    assert store.message_count(chats["code"].id) == 2


def test_quotes_and_operators_are_searched_as_words(store, chats) -> None:
    assert store.search('"a AND (b"')[0].message_id == chats["code"].messages[0].id
    assert store.search("-flour")[0].message_id == chats["cooking"].messages[1].id
    assert store.search("flour*")[0].message_id == chats["cooking"].messages[1].id


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=30))
def test_any_text_is_a_valid_query(tmp_path_factory, query: str) -> None:
    path = tmp_path_factory.mktemp("search") / "h.sqlite3"
    with HistoryStore(path) as s:
        s.save_conversation(Conversation(messages=[ChatMessage(role="user", content=query)]))
        s.search(query)
    built = fts_query(query)
    assert built is None or built.startswith('"')
