"""The per-server bound of Compare streams is a setting: changed in the Compare window, kept
in the settings file, and used by the next grids."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from test_compare_window import add_sweep, open_compare

from desktop_app.core.compare.cells import STREAMING, WAITING
from desktop_app.core.files.paths import settings_path
from desktop_app.core.settings import Settings


def test_concurrency_is_kept_for_the_next_grids(qtbot, window, sim):
    dialog = open_compare(qtbot, window, "write 300 tokens")
    assert dialog.concurrency.value() == 4  # the default
    dialog.concurrency.setFocus()
    dialog.concurrency.selectAll()
    qtbot.keyClicks(dialog.concurrency, "2")
    assert dialog.run.slots.limit == 2
    assert Settings.load().compare_concurrency == 2
    dialog.close()

    sim.simulator.config.tokens_per_second = 400
    dialog = open_compare(qtbot, window, "write 300 tokens")
    assert dialog.concurrency.value() == 2 and dialog.run.slots.limit == 2
    add_sweep(qtbot, dialog, "seed=1,2")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [c.cell.state for c in dialog.run.columns].count(STREAMING) == 2)
    assert [c.cell.state for c in dialog.run.columns].count(WAITING) == 1
    dialog.close()


@pytest.mark.parametrize(("stored", "read"), [(3, 3), (0, 1), (99, 8), ("4", 4), (True, 4)])
def test_a_stored_bound_is_read_within_range(stored, read):
    path = settings_path()
    path.write_text(json.dumps({"extra": {"compare_concurrency": stored}}), encoding="utf-8")
    assert Settings.load().compare_concurrency == read
