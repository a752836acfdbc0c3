"""The Compare window's layout and keys: Enter in the sweep field adds the sweep once, the
grid puts as many columns on a row as the width holds, and no card button is cut."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_compare_window import add_sweep, open_compare


def test_enter_in_the_sweep_field_adds_the_sweep_once(qtbot, window, sim):
    dialog = open_compare(qtbot, window, "tell me about owls")
    assert len(dialog.cards) == 1
    sent = len(sim.simulator.requests)
    dialog.sweep_edit.setFocus()
    qtbot.keyClicks(dialog.sweep_edit, "temperature=0.2,1.0")
    qtbot.keyClick(dialog.sweep_edit, Qt.Key.Key_Return)
    assert len(dialog.cards) == 3  # two columns added, not four
    clicked = []
    for card in dialog.cards:
        card.rerun_button.clicked.connect(lambda *_: clicked.append(True))
    dialog.run_button.clicked.connect(lambda *_: clicked.append(True))
    qtbot.keyClick(dialog.sweep_edit, Qt.Key.Key_Return)  # a second Enter: the same sweep
    assert len(dialog.cards) == 5 and not clicked
    assert len(sim.simulator.requests) == sent  # Enter ran nothing


def test_the_grid_wraps_its_columns_to_the_width_and_keeps_buttons_whole(qtbot, window, sim):
    dialog = open_compare(qtbot, window, "tell me about owls")
    add_sweep(qtbot, dialog, "seed=1,2,3")
    assert len(dialog.cards) == 4

    def rows() -> list[int]:
        return sorted({card.geometry().top() for card in dialog.cards})

    dialog.resize(1440, 900)
    qtbot.waitUntil(lambda: len(rows()) == 1, timeout=3_000)  # four side by side
    dialog.resize(800, 600)
    qtbot.waitUntil(lambda: len(rows()) == 2, timeout=3_000)  # two a row
    scroll = dialog.grid_scroll
    qtbot.waitUntil(lambda: scroll.horizontalScrollBar().maximum() == 0, timeout=3_000)
    for card in dialog.cards:
        for button in (card.stop_button, card.rerun_button, card.pin_button,
                       card.adopt_button, card.remove_button):
            assert button.width() >= button.sizeHint().width(), button.text()
            assert card.rect().contains(button.geometry()), button.text()


def test_a_column_streams_as_plain_text_and_shows_markdown_when_it_ends(qtbot, window, sim):
    """Eight columns rendering markdown at once stall the window: a streaming column appends
    plain text to its live view, and shows its markdown, rendered out of sight, once whole."""
    from test_compare_window import _click

    from desktop_app.core.compare.cells import DONE

    sim.simulator.config.tokens_per_second = 400  # long enough to see a few refreshes
    dialog = open_compare(qtbot, window, "Explain how DNS works")
    card = dialog.cards[0]
    _click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: card.pages.currentWidget() is card.live
                    and card.live.toPlainText().startswith("## "), timeout=5_000)
    partial = card.live.toPlainText()
    assert dialog.run.running()  # seen while it streams, as the text the server sent
    qtbot.waitUntil(lambda: not dialog.run.running(), timeout=20_000)
    cell = dialog.run.columns[0].cell
    assert cell.state == DONE and cell.content.startswith(partial) and len(partial) < len(
        cell.content)
    qtbot.waitUntil(lambda: card.pages.currentWidget() is card.reply_scroll, timeout=5_000)
    assert not card.reply.is_rendering()  # shown once whole, not block by block
    shown = card.reply.toPlainText()
    assert "## " not in shown and "**" not in shown  # rendered as markdown at the end
    assert shown.startswith(cell.content.splitlines()[0].lstrip("# "))
    assert card.live.toPlainText() == cell.content  # the live view was complete meanwhile


def test_a_rerun_shows_the_live_view_again_and_the_markdown_at_the_end(qtbot, window, sim):
    """A column run again streams into its live view again (the old markdown is not left
    standing), and shows its markdown when the new cell ends."""
    from test_compare_window import _click, add_sweep

    from desktop_app.core.compare.cells import DONE

    dialog = open_compare(qtbot, window, "tell me about owls")
    add_sweep(qtbot, dialog, "seed=1")
    card = dialog.cards[1]
    _click(qtbot, card.rerun_button)
    qtbot.waitUntil(lambda: dialog.run.columns[1].cell.state == DONE, timeout=20_000)
    qtbot.waitUntil(lambda: card.pages.currentWidget() is card.reply_scroll, timeout=5_000)
    first = card.reply.source_text()
    assert first == dialog.run.columns[1].cell.content
    sim.simulator.config.tokens_per_second = 300  # the same reply again, slowly enough to see
    _click(qtbot, card.rerun_button)
    qtbot.waitUntil(lambda: card.pages.currentWidget() is card.live, timeout=5_000)
    qtbot.waitUntil(lambda: dialog.run.columns[1].cell.state == DONE, timeout=20_000)
    qtbot.waitUntil(lambda: card.pages.currentWidget() is card.reply_scroll, timeout=5_000)
    assert card.reply.source_text() == dialog.run.columns[1].cell.content
