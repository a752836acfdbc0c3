"""A Compare column's card: tool calls as cards, a reply's words never read as markup, and
the pacing of the cards' refreshes while many columns stream."""

from __future__ import annotations

import json

from test_compare_window import open_compare, run_all

from desktop_app.api import Completion, ToolCall
from desktop_app.core.compare.cells import DONE, CellResult
from desktop_app.core.compare.run import CompareColumn
from desktop_app.core.compare.spec import ColumnSpec
from desktop_app.ui.common.work_budget import WorkBudget
from desktop_app.ui.compare.card_refresh import CardRefresh, live_interval
from desktop_app.ui.compare.column_card import ColumnCard
from tests.ui.tools_support import add_sample


def done_column(content: str, reasoning: str = "", calls: tuple[ToolCall, ...] = ()):
    completion = Completion(
        id="c1", model="m", content=content, reasoning=reasoning, tool_calls=calls,
        finish_reason="tool_calls" if calls else "stop", stop_reason=None, usage=None,
        system_fingerprint=None,
    )  # fmt: skip
    return CompareColumn(ColumnSpec(), CellResult(state=DONE, completion=completion))


def test_a_column_that_calls_a_tool_shows_the_call_as_a_card(qtbot, window, sim):
    add_sample(window)  # get_weather, sent with the conversation's request
    dialog = open_compare(qtbot, window, "What is the weather in Paris?")
    run_all(qtbot, dialog)
    cell = dialog.run.columns[0].cell
    assert cell.state == DONE and [c.name for c in cell.completion.tool_calls] == ["get_weather"]
    card = dialog.cards[0]
    qtbot.waitUntil(lambda: card.calls.isVisible(), timeout=5_000)
    assert len(card.calls.cards) == 1
    shown = card.calls.cards[0]
    assert "get_weather" in shown.name.text() and card.calls.head.text() == "1 tool call"
    arguments = json.loads(cell.completion.tool_calls[0].arguments)
    assert arguments == {"city": "Paris"} and "Paris" in shown.arguments.text()


def test_a_reply_without_calls_shows_no_call_cards(qtbot):
    card = ColumnCard(0)
    qtbot.addWidget(card)
    card.show()
    card.show_column(done_column("Hello there."))
    assert not card.calls.isVisible() and card.calls.cards == []
    assert not card.empty.isVisible()
    calls = (ToolCall("call_1", "get_time", '{"zone": "UTC"}'),
             ToolCall("call_2", "get_date", "{}"))
    card.show_column(done_column("", calls=calls))
    assert card.calls.isVisible() and [c.name.text() for c in card.calls.cards] == [
        "⚙ get_time", "⚙ get_date"]  # a stand-in id (call_N) is not shown
    assert card.empty.isVisible()  # said, not an empty box
    assert card.empty.text() == "No text: the reply is its tool calls (below)."
    card.show_column(done_column(""))
    assert card.empty.text() == "The reply was empty." and card.empty.isVisible()
    card.show_column(done_column("again, none"))
    qtbot.waitUntil(lambda: not card.calls.isVisible())


def test_thinking_errors_and_titles_are_shown_as_plain_text(qtbot):
    """A reply's thinking is the model's words: markup in it (an image of a local file) is
    shown as text, never rendered (rich text would load the file)."""
    card = ColumnCard(0)
    qtbot.addWidget(card)
    card.show()
    thought = '<img src="file:///etc/hostname"> <b>bold?</b>'
    card.show_column(done_column("answer", reasoning=thought))
    assert card.thinking.text() == thought
    for label in (card.title, card.state, card.stats, card.error, card.thinking):
        assert label.textFormat().name == "PlainText"


def test_a_streaming_card_waits_its_turn_and_a_change_of_state_does_not():
    clock = [100.0]
    shown: list[int] = []
    streaming = {0, 1, 2, 3, 4, 5, 6, 7}
    refresh = CardRefresh(shown.append, lambda: streaming, clock=lambda: clock[0],
                          budget=WorkBudget(clock=lambda: clock[0]))
    for index in range(8):
        refresh.mark(index)
    refresh.run_turn()
    assert sorted(shown) == list(range(8))  # never shown yet: all due
    shown.clear()
    refresh.mark(3)
    refresh.run_turn()
    assert shown == []  # shown a moment ago, still streaming: waits
    clock[0] += live_interval(len(streaming)) / 2
    refresh.run_turn()
    assert shown == []
    streaming.discard(5)  # column 5 ended: its end shows at once
    refresh.mark(5)
    refresh.run_turn()
    assert shown == [5]
    clock[0] += live_interval(len(streaming))
    refresh.run_turn()
    assert shown == [5, 3]


def test_the_more_columns_stream_the_less_often_each_card_is_shown():
    assert live_interval(1) == live_interval(2) < live_interval(4) < live_interval(8)
    assert live_interval(8) == 4 * live_interval(2)  # about two cards per frame in all


def test_the_live_view_of_a_very_long_reply_stops_growing_and_says_why(qtbot):
    from desktop_app.ui.chat.render_budget import PLAIN_LIMIT
    from desktop_app.ui.compare.live_reply import REST_NOTE, LiveReply

    live = LiveReply()
    qtbot.addWidget(live)
    live.show()
    text = "word " * (PLAIN_LIMIT // 5)
    live.show_reply("", text)
    assert live.toPlainText() == text and REST_NOTE not in live.toPlainText()
    live.show_reply("", text + "more words")
    shown = live.toPlainText()
    assert shown.startswith(text) and shown.endswith(REST_NOTE) and "more words" not in shown
    live.show_reply("", text + "more words and more")
    assert live.toPlainText() == shown  # frozen, the note once
    live.show_reply("", "a new run")  # a rerun starts afresh
    assert live.toPlainText() == "a new run"
