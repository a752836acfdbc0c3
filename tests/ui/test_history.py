"""History that never loses a word: restart, crash, rename, delete/undo, branch, search, files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from window_support import send as type_and_send
from window_support import wait_reply_done

from desktop_app.app.services import AppServices
from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.core.files.paths import data_dir
from desktop_app.core.session.profiles import ServerProfile
from desktop_app.core.settings import Settings
from desktop_app.simulator import SimulatorConfig, running_simulator

ROOT = Path(__file__).resolve().parents[2]


def send(qtbot, window, text: str):
    """Sends `text` as a person does and returns the reply once it has finished."""
    type_and_send(qtbot, window, text)
    return wait_reply_done(qtbot, window)


def reopen(qtbot, secrets) -> AppServices:
    """A second app state over the same data folder, as after a restart."""
    st = AppServices(secrets=secrets, settings=Settings.load())
    st.start()
    return st


def close_state(qtbot, qloop, st: AppServices) -> None:
    task = qloop.create_task(st.aclose())
    qtbot.waitUntil(task.done, timeout=10_000)


def test_conversations_survive_a_restart(qtbot, qloop, window, secrets):
    window.services.chat.current.system_prompt = "Be brief."
    reply = send(qtbot, window, "Remember the word pelican")
    conv_id = window.services.chat.current.id
    again = reopen(qtbot, secrets)
    try:
        conv = again.chat.current
        assert conv.id == conv_id
        assert conv.system_prompt == "Be brief."
        assert [m.content for m in conv.messages] == ["Remember the word pelican", reply.content]
        assert conv.messages[1].reply.usage == reply.reply.usage
        assert conv.title == "Remember the word pelican"
    finally:
        close_state(qtbot, qloop, again)


def test_rename_delete_undo_duplicate_branch(qtbot, window):
    panel = window.history_panel
    history = window.services.history
    chat = window.services.chat
    send(qtbot, window, "First question")
    send(qtbot, window, "Second question")
    conv_id = chat.current.id
    panel.rename(conv_id, "  My   notes ")
    assert chat.current.title == "My notes"
    assert history.store.load_conversation(conv_id).title == "My notes"

    first_reply = chat.current.messages[1]
    window.chat_view.widget_for(first_reply.id).action_buttons["branch"].click()
    branched = chat.current
    assert branched.id != conv_id
    assert [m.content for m in branched.messages] == ["First question", first_reply.content]

    history.duplicate(conv_id)
    dup = chat.current
    assert dup.id not in (conv_id, branched.id) and len(dup.messages) == 4

    history.delete(dup.id)
    assert dup.id not in [c.id for c in chat.conversations]
    assert panel.undo_button.isVisible()
    panel.undo_button.click()
    assert chat.current.id == dup.id and len(chat.current.messages) == 4
    titles = [s.title for s in history.store.list_conversations()]
    assert len(titles) == 3


def test_search_jumps_to_the_message(qtbot, window):
    panel = window.history_panel
    send(qtbot, window, "Tell me about the axolotl")
    target = window.services.chat.current.messages[0]
    window._new_chat()
    send(qtbot, window, "Something else entirely")
    qtbot.keyClicks(panel.search, "axolotl")
    qtbot.waitUntil(lambda: panel.results.count() > 0 and panel.results.isVisible(), timeout=5_000)
    hit = next(
        panel.results.item(i)
        for i in range(panel.results.count())
        if (panel.results.item(i).data(Qt.ItemDataRole.UserRole) or (0, 0))[1]
    )
    panel.results.itemClicked.emit(hit)
    assert window.services.chat.current.id == hit.data(Qt.ItemDataRole.UserRole)[0]
    assert hit.data(Qt.ItemDataRole.UserRole)[1] == target.id
    panel.search.clear()
    qtbot.waitUntil(lambda: window.conversation_list.isVisible(), timeout=5_000)


@pytest.mark.parametrize("query", ['"', "a AND (", "-x*", "NEAR(", "🙂"])
def test_hostile_search_text_is_harmless(window, query):
    window.history_panel.search.setText(query)
    window.history_panel._run_search()
    assert window.history_panel.results.isVisible()


def test_export_import_round_trip_and_bad_files(qtbot, window, tmp_path):
    panel = window.history_panel
    chat = window.services.chat
    send(qtbot, window, "Export me")
    original = chat.current
    out = tmp_path / "conv.json"
    panel.export_to(out, "json", original.id)
    md = tmp_path / "conv.md"
    panel.export_to(md, "md", original.id)
    assert "Export me" in md.read_text()
    data = json.loads(out.read_text())
    assert data["messages"][0] == {"role": "user", "content": "Export me"}
    assert panel.import_from(out)
    imported = chat.current
    assert imported.id != original.id  # the original is still there: fresh ids
    assert [(m.role, m.content) for m in imported.messages] == [
        (m.role, m.content) for m in original.messages
    ]
    count = len(chat.conversations)
    bad = tmp_path / "bad.json"
    for content in (b"not json at all", b'{"format": "something-else"}', b"[1, 2"):
        bad.write_bytes(content)
        assert not panel.import_from(bad)
        assert panel.notice.isVisible() and "not imported" in panel.notice.text()
    assert len(chat.conversations) == count


def test_api_key_never_reaches_the_data_folder(qtbot, qloop, secrets, tmp_path):
    key = "sk-never-on-disk-" + os.urandom(6).hex()
    with running_simulator(SimulatorConfig(api_key=key)) as sim:
        st = AppServices(secrets=secrets, settings=Settings())
        profile = ServerProfile(name="Keyed", base_url=sim.base_url, api_key=key)
        st.profiles.save(profile)
        st.profiles.set_active(profile.id)
        st.start()
        from desktop_app.ui.window.main_window import MainWindow

        win = MainWindow(st)
        qtbot.addWidget(win)
        qtbot.waitUntil(lambda: bool(st.session.models), timeout=10_000)
        reply = send(qtbot, win, "Hello with a key")
        assert reply.status == MessageStatus.COMPLETE
        win.history_panel.export_to(tmp_path / "e.json", "json", st.chat.current.id)
        win.history_panel.export_to(tmp_path / "e.md", "md", st.chat.current.id)
        close_state(qtbot, qloop, st)
        for profile in st.profiles.profiles():
            st.profiles.delete(profile.id)
    files = [p for p in [*data_dir().rglob("*"), *tmp_path.rglob("*")] if p.is_file()]
    assert any(p.suffix == ".sqlite3" for p in files)
    for path in files:
        assert key.encode() not in path.read_bytes(), path


def test_killed_mid_stream_keeps_the_partial_reply(qtbot, qloop, secrets):
    """SIGKILL the real app while it streams; the restart shows the reply up to its checkpoint."""
    with running_simulator(SimulatorConfig(tokens_per_second=80)) as sim:
        env = dict(os.environ, GEMMA_DESK_DATA_DIR=str(data_dir()), PYTHONPATH=str(ROOT))
        child = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests/ui/helpers/streaming_child.py"),
                sim.base_url,
                "write 2000 tokens",
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        progress: list[tuple[float, int]] = []
        try:
            started = False
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                line = child.stdout.readline()
                if not line:
                    break
                if line.startswith("earlier done"):
                    started = True
                elif started and line.startswith("progress"):
                    progress.append((time.monotonic(), int(line.split()[1])))
                    if progress[-1][0] - progress[0][0] > 3.0:
                        break
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(10)
            child.stdout.close()
        assert child.returncode == -signal.SIGKILL
        assert progress, "the child never streamed"
    killed_at = time.monotonic()
    shown_long_enough = max(n for t, n in progress if t <= killed_at - 1.5)

    again = reopen(qtbot, secrets)
    try:
        conv = again.chat.current
        roles = [m.role for m in conv.messages]
        assert roles == ["user", "assistant", "user", "assistant"]
        assert conv.messages[0].content == "An earlier question"
        assert conv.messages[1].status == MessageStatus.COMPLETE and conv.messages[1].content
        partial = conv.messages[3]
        assert partial.status == MessageStatus.INTERRUPTED
        assert len(partial.content) >= shown_long_enough > 0
        from desktop_app.ui.window.main_window import MainWindow

        win = MainWindow(again)
        qtbot.addWidget(win)
        badge = win.chat_view.widget_for(partial.id).status_label
        assert badge.text() == "Interrupted"
    finally:
        close_state(qtbot, qloop, again)
