"""A process killed mid-stream loses no earlier message and keeps its last checkpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.chat.conversation import MessageStatus
from desktop_app.core.history.storage import HistoryStore

# The child plays the app: earlier messages saved, then a reply streams in; tokens arrive
# every 10 ms and the text is checkpointed every 0.2 s, each checkpoint reported on stdout.
CHILD = """
import sys, time
from pathlib import Path
from desktop_app.core.chat.conversation import ChatMessage, Conversation, MessageStatus
from desktop_app.core.history.storage import HistoryStore

store = HistoryStore(Path(sys.argv[1]))
earlier = [
    ChatMessage(role=("user", "assistant")[i % 2], content=f"earlier {i} " * 50, id=f"m{i}")
    for i in range(40)
]
conversation = Conversation(id="crash", title="Crash test", messages=earlier)
store.save_conversation(conversation)
reply = ChatMessage(role="assistant", status=MessageStatus.STREAMING, id="reply")
store.upsert_message(conversation.id, reply, len(earlier))
text, n, last = "", 0, time.monotonic()
while True:
    text += f"tok{n} "
    n += 1
    if time.monotonic() - last >= 0.2:
        store.checkpoint(conversation.id, reply.id, text, "why " * n)
        print(len(text), flush=True)
        last = time.monotonic()
    time.sleep(0.01)
"""
CHECKPOINTS_BEFORE_KILL = 4


def streamed_text(length_at_least: int) -> set[str]:
    """Every text the child can have checkpointed that is at least this long (and a bit)."""
    texts, text, n = set(), "", 0
    while len(text) < length_at_least + 10_000:
        text += f"tok{n} "
        n += 1
        if len(text) >= length_at_least:
            texts.add(text)
    return texts


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.timeout(30)
def test_sigkill_mid_stream_keeps_history_and_last_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        reported: list[int] = []
        try:
            while len(reported) < CHECKPOINTS_BEFORE_KILL:
                line = child.stdout.readline()
                if not line:
                    child.wait(timeout=10)
                    pytest.fail(f"the child ended early:\n{child.stderr.read()}")
                reported.append(int(line))
        finally:
            os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL

    assert reported == sorted(reported) and reported[0] > 0
    # The kill left a -wal file behind, not merged into the database: recovery reads it.
    assert path.with_name(path.name + "-wal").exists()
    with HistoryStore(path) as store:
        assert store.mark_interrupted() == 1
        conversation = store.load_conversation("crash")
        problems = store._db().execute("PRAGMA integrity_check").fetchall()
    assert problems == [("ok",)]
    *earlier, reply = conversation.messages
    assert [m.id for m in earlier] == [f"m{i}" for i in range(40)]
    for i, m in enumerate(earlier):
        assert m.content == f"earlier {i} " * 50
        assert m.status == MessageStatus.COMPLETE
    assert reply.id == "reply" and reply.status == MessageStatus.INTERRUPTED
    assert len(reply.content) >= reported[-1]
    assert reply.content in streamed_text(reported[-1])
    tokens = reply.content.split()
    assert reply.reasoning == "why " * len(tokens)
