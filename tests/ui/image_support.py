"""Helpers for the image tests: image files made with Pillow, drops, waiting on the tray."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from PIL import Image, ImageDraw
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

# -- files made for the tests ----------------------------------------------------------------


def make_files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    # Stored landscape 400×200 (left red, right blue) with EXIF "rotate 90° clockwise": a
    # phone photo that must arrive as a 200×400 portrait with red at the top.
    img = Image.new("RGB", (400, 200), (0, 0, 255))
    ImageDraw.Draw(img).rectangle((0, 0, 199, 199), fill=(255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6
    out["rotated"] = tmp_path / "phone photo.jpg"
    img.save(out["rotated"], "JPEG", quality=95, exif=exif.tobytes())
    clear = Image.new("RGBA", (320, 240), (0, 0, 0, 0))
    ImageDraw.Draw(clear).ellipse((60, 40, 260, 200), fill=(20, 160, 60, 255))
    out["transparent"] = tmp_path / "logo.png"
    clear.save(out["transparent"])
    for i, color in enumerate(("orange", "purple", "teal", "navy", "olive")):
        path = tmp_path / f"plain{i}.png"
        Image.new("RGB", (64 + i, 48), color).save(path)
        out[f"plain{i}"] = path
    out["text"] = tmp_path / "notes.txt"
    out["text"].write_text("not a picture")
    return out


def png_bytes(size=(120, 90), color="crimson") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


# -- driving the window --------------------------------------------------------------------------


def drop(target, mime: QMimeData) -> None:
    """A drag that enters `target` and drops there, as the window system delivers it."""
    pos = QPointF(target.rect().center())
    enter = QDragEnterEvent(
        pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, event)


def file_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def tray_of(window):
    return window.images.tray


def wait_ready(qtbot, window, count: int) -> None:
    tray = tray_of(window)
    qtbot.waitUntil(lambda: len(tray.items) == count and tray.preparing() == 0, timeout=10_000)


def send(qtbot, window, text: str) -> None:
    window.composer.edit.setFocus()
    window.composer.set_text(text)
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)


def wait_reply(qtbot, window):
    chat = window.state.chat
    qtbot.waitUntil(
        lambda: not chat.busy and len(chat.current.messages) >= 2
        and chat.current.messages[-1].role == "assistant",
        timeout=15_000,
    )
    return chat.current.messages[-1]


def sent_parts(sim) -> list[dict]:
    return sim.simulator.requests[-1].body["messages"][-1]["content"]


def decode_part(part: dict) -> tuple[str, Image.Image]:
    url = part["image_url"]["url"]
    header, _, payload = url.partition(",")
    img = Image.open(io.BytesIO(base64.b64decode(payload)))
    img.load()
    return header, img


def near(pixel, color, tol=40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(pixel[:3], color, strict=True))
