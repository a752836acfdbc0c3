"""What rendering a reply may do: load nothing, show images as links, show link targets."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QImage,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from desktop_app.ui.chat.text_formats import link_format

# GitHub markdown with raw HTML turned into plain text: a reply is untrusted input, and inert
# tags keep it from styling the app (faking an error card or a button) or naming resources.
# The tags stay visible as the characters the model wrote.
MD_FEATURES = QTextDocument.MarkdownFeature(
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub.value
    | QTextDocument.MarkdownFeature.MarkdownNoHTML.value
)

IMAGE_SCHEME = "reply-image"  # an image shown as a link: reply-image:<index>
SHOWN_TARGET_MAX = 200  # characters of a link target shown in the text
# Local files a click may hand to the system viewer: images only, never something runnable.
OPENABLE_FILE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")


def refused_resource(resource_type: int) -> object:
    """What the view answers for any resource: a blank, never the file or URL it names.

    An empty answer would not do: QTextDocument then falls back to reading a local file.
    """
    if resource_type == QTextDocument.ResourceType.ImageResource.value:
        blank = QImage(1, 1, QImage.Format.Format_ARGB32)
        blank.fill(0)
        return blank
    return b" "


@dataclass(frozen=True)
class ImageLink:
    """An image the reply names: shown as text; opened in the system viewer only on a click."""

    target: str
    alt: str

    def url(self) -> QUrl | None:
        """The URL a click opens, or None when the target is not something to hand over."""
        url = QUrl(self.target)
        scheme = url.scheme().lower()
        if scheme in ("http", "https"):
            return url
        if scheme == "file" or (not scheme and self.target.startswith("/")):
            local = url.toLocalFile() if scheme else self.target
            if local.lower().endswith(OPENABLE_FILE_SUFFIXES):
                return QUrl.fromLocalFile(local)
        return None


def open_image(link: ImageLink) -> bool:
    url = link.url()
    if url is None:
        return False
    return QDesktopServices.openUrl(url)


def shown_target(target: str) -> str:
    if len(target) <= SHOWN_TARGET_MAX:
        return target
    return target[: SHOWN_TARGET_MAX - 1] + "…"


def neutralize(
    doc: QTextDocument, start: int, end: int, images: list[ImageLink], palette: QPalette
) -> None:
    """Replaces images in [start, end) by links and shows each link's target after its text.

    Runs inside the caller's edit block, before the document is laid out, so the layout
    never sees an image and never asks for one.
    """
    edits: list[tuple[str, int, int, QTextCharFormat, str]] = []  # kind, pos, len, fmt, text
    block = doc.findBlock(start)
    link: tuple[int, int, str, list[str]] | None = None  # start, end, href, texts
    while block.isValid() and block.position() < end:
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            it += 1
            pos, length, fmt = frag.position(), frag.length(), frag.charFormat()
            if pos < start or pos >= end:
                continue
            href = fmt.anchorHref() if fmt.isAnchor() else ""
            if link is not None and (href != link[2] or pos != link[1]):
                edits.append(_link_edit(link))
                link = None
            if fmt.isImageFormat():
                edits.append(("image", pos, length, QTextCharFormat(fmt), ""))
            elif href:
                if link is None:
                    link = (pos, pos + length, href, [frag.text()])
                else:
                    link = (link[0], pos + length, href, [*link[3], frag.text()])
        block = block.next()
    if link is not None:
        edits.append(_link_edit(link))
    for kind, pos, length, fmt, text in reversed(edits):
        cursor = QTextCursor(doc)
        if kind == "image":
            image = fmt.toImageFormat()
            cursor.setPosition(pos)
            cursor.setPosition(pos + length, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            for _ in range(length):
                alt = str(image.property(QTextFormat.Property.ImageAltText) or "")
                _insert_image_link(cursor, ImageLink(image.name(), alt), images, palette)
        elif text:
            tip = QTextCharFormat()
            tip.setToolTip(text)
            cursor.setPosition(pos)
            cursor.setPosition(pos + length, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(tip)
            cursor.setPosition(pos + length)
            cursor.insertText(f" ({shown_target(text)})", _muted(palette))


def _link_edit(link: tuple[int, int, str, list[str]]) -> tuple:
    start, end, href, texts = link
    shown = "".join(texts).strip()
    target = "" if _same_target(shown, href) else href
    return ("link", start, end - start, QTextCharFormat(), target)


def _same_target(text: str, href: str) -> bool:
    """True when the visible text already says where the link goes."""
    norm = text.rstrip("/").lower()
    h = href.rstrip("/").lower()
    return norm in (h, h.removeprefix("mailto:")) or (
        h.startswith(("http://", "https://")) and h.split("://", 1)[1] == norm
    )


def _muted(palette: QPalette) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(palette.color(QPalette.ColorRole.PlaceholderText))
    return fmt


def _insert_image_link(
    cursor: QTextCursor, link: ImageLink, images: list[ImageLink], palette: QPalette
) -> None:
    label = f"[Image: {link.alt}]" if link.alt else "[Image]"
    target = shown_target(link.target)
    if link.url() is None:
        cursor.insertText(f"{label} {target} (not opened)", _muted(palette))
        return
    fmt = link_format(palette, f"{IMAGE_SCHEME}:{len(images)}")
    fmt.setToolTip(f"Open {link.target} in the system viewer")
    images.append(link)
    cursor.insertText(f"{label} {target}", fmt)
