"""Markdown views rendering at once take turns: one budget per event-loop turn for all."""

from __future__ import annotations

import time

from desktop_app.ui.chat.markdown_view import MarkdownView
from desktop_app.ui.chat.render_turns import RenderTurns, render_turns


def long_reply(n: int) -> str:
    return "".join(f"## Part {i}\n\nSome **bold** text in part {i}.\n\n" for i in range(n))


def make_view(qtbot, waits_turn: bool) -> MarkdownView:
    view = MarkdownView()
    view.waits_turn = waits_turn
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    return view


def test_views_that_wait_their_turn_render_later_and_say_when_whole(qtbot):
    views = [make_view(qtbot, True) for _ in range(3)]
    done: list[int] = []
    for n, view in enumerate(views):
        view.rendered.connect(lambda n=n: done.append(n))
        view.set_markdown_text(long_reply(40))
        assert view.toPlainText() == "" and view.is_rendering()  # nothing at once
    qtbot.waitUntil(lambda: sorted(set(done)) == [0, 1, 2], timeout=10_000)
    for view in views:
        assert not view.is_rendering()
        shown = view.toPlainText()
        assert "Part 39" in shown and "## " not in shown and "**" not in shown


def test_a_chat_message_renders_its_first_slice_at_once(qtbot):
    view = make_view(qtbot, False)
    view.set_markdown_text("Hello **there**.\n\nA second paragraph.\n\n")
    assert view.toPlainText().startswith("Hello there.")  # no turn waited for


class Fake:
    """Stands for a view: records its turns; has ``left`` slices of work."""

    def __init__(self, name: str, left: int, log: list[str]) -> None:
        self.name, self.left, self.log = name, left, log

    def render_slice(self, deadline: float) -> bool:
        self.log.append(self.name)
        self.left -= 1
        return self.left > 0


def test_a_view_left_with_work_goes_to_the_back(qtbot):
    turns = RenderTurns()
    log: list[str] = []
    a, b, c = Fake("a", 3, log), Fake("b", 1, log), Fake("c", 2, log)
    for fake in (a, b, c):
        turns.wait(fake)
    assert turns.others_waiting(a) and not RenderTurns().others_waiting(a)
    qtbot.waitUntil(lambda: len(log) == 6, timeout=5_000)
    assert log == ["a", "b", "c", "a", "c", "a"]
    assert not turns.others_waiting(Fake("d", 1, log))


def test_one_turn_stops_at_its_budget_and_the_rest_wait_for_the_next(qtbot):
    turns = RenderTurns()
    log: list[str] = []

    class Slow(Fake):
        def render_slice(self, deadline: float) -> bool:
            while time.perf_counter() <= deadline:  # uses the whole turn
                pass
            return super().render_slice(deadline)

    turns.wait(Slow("a", 1, log))
    turns.wait(Fake("b", 1, log))
    turns._run()  # one turn, as the timer runs it
    assert log == ["a"]  # b waits for the next turn
    qtbot.waitUntil(lambda: log == ["a", "b"], timeout=5_000)


def test_a_view_deleted_while_it_waits_is_skipped(qtbot):
    gone = MarkdownView()  # not given to qtbot: it is deleted here
    gone.waits_turn = True
    kept = make_view(qtbot, True)
    gone.set_markdown_text(long_reply(30))
    kept.set_markdown_text(long_reply(30))
    gone.setParent(None)
    gone.deleteLater()
    qtbot.waitUntil(lambda: not kept.is_rendering(), timeout=10_000)
    assert "Part 29" in kept.toPlainText()
    assert render_turns() is render_turns()
