"""Screenshots of the real app (demo server) at the sizes it must work at; run under Xvfb:

    HOME=$(mktemp -d) dbus-run-session -- sh -c 'echo -n test | gnome-keyring-daemon \
      --unlock --components=secrets >/dev/null; xvfb-run -a -s "-screen 0 2600x1000x24" \
      .venv/bin/python scripts/screenshots.py OUTDIR'

Saves main-WxH.png for 640x480, 800x600, 1440x900 and 2560x1000 (a conversation with a
long code line and a block quote), narrow.png (800x600), inspector.png (1440x900, Inspector
open) and streamed.png (a demo reply streamed in this run).
"""

import os
import sys
import tempfile
from pathlib import Path

os.environ["GEMMA_DESK_DATA_DIR"] = tempfile.mkdtemp()
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_app.app.startup import create_application, main
from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.core.history.storage.store import HistoryStore

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
OUT.mkdir(parents=True, exist_ok=True)
LONG = "    return {" + ", ".join(f'"field_{i}": row[{i}]' for i in range(24)) + "}"
REPLY = f"""## Reading rows

Each row becomes a dictionary. The helper below keeps the column order of the file and
names every field, so a reader can look values up by name instead of by position, which
is easier to read and harder to get wrong when the file gains a column later.

> Note: the file is read lazily, one row at a time, so memory stays flat even for a very
> large export.

```python
def to_record(row: list[str]) -> dict[str, str]:
{LONG}
```

- **Short lines** read as before.
- **Long lines** scroll sideways inside the code block, or wrap with *Wrap*.
"""

store = HistoryStore()
saved = Conversation(title="Code and quotes")
saved.messages = [
    ChatMessage("user", "How do I turn CSV rows into dictionaries?"),
    ChatMessage("assistant", REPLY),
]
store.save_conversation(saved)
store.close()

app = create_application()


def window():
    for w in QApplication.topLevelWidgets():
        if w.objectName() == "mainWindow" and w.isVisible():
            return w
    return None


def after(ms, fn):
    QTimer.singleShot(ms, fn)


def start():
    w = window()
    if w is None or not hasattr(w, "services") or not w.services.session.models:
        return after(300, start)
    w.resize(1440, 900)
    QTest.mouseClick(w.new_chat_button, Qt.MouseButton.LeftButton)
    w.composer.edit.setFocus()
    QTest.keyClicks(w.composer.edit, "Explain the asyncio event loop in Python with a code example")
    QTest.keyClick(w.composer.edit, Qt.Key.Key_Return)
    after(400, wait_streamed)


def wait_streamed():
    w = window()
    if w.services.chat.busy:
        return after(300, wait_streamed)
    after(500, lambda: save(w, "streamed.png", open_saved))


def open_saved():
    w = window()
    w.services.chat.select(saved.id)
    after(500, lambda: shots([(640, 480), (800, 600), (1440, 900), (2560, 1000)]))


def save(w, name, then):
    w.grab().save(str(OUT / name))
    print("saved", OUT / name, w.size().toTuple())
    then()


def shots(sizes):
    w = window()
    if not sizes:
        return inspector()
    width, height = sizes[0]
    w.resize(width, height)

    def grab():
        save(w, f"main-{width}x{height}.png", lambda: None)
        if (width, height) == (800, 600):
            save(w, "narrow.png", lambda: None)
        shots(sizes[1:])

    after(700, grab)


def inspector():
    w = window()
    w.resize(1440, 900)
    w.services.chat.select(w.services.chat.conversations[0].id)
    after(300, inspect_streamed)


def inspect_streamed():
    w = window()
    for conv in w.services.chat.conversations:
        if conv.id != saved.id and conv.messages:
            w.services.chat.select(conv.id)
    reply = w.services.chat.current.messages[-1]
    after(300, lambda: w.chat_view.widget_for(reply.id).action_buttons["inspect"].click())
    after(900, lambda: save(w, "inspector.png", w.close))


after(500, start)
sys.exit(main(["--demo"]))
