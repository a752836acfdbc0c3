"""Look and feel: Fusion, light or dark after the OS scheme, and the app's style sheet."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget

LIGHT = {
    "window": "#f7f7f8",
    "base": "#ffffff",
    "text": "#1f2328",
    "muted": "#6b7280",
    "sidebar": "#eef0f3",
    "user": "#e8eefc",
    "border": "#d8dce3",
    "accent": "#3b6fe0",
    "accent_text": "#ffffff",
    "error_bg": "#fdecea",
    "error_border": "#d93025",
    "warn_bg": "#fff4d6",
    "selection": "#cfdcfb",
    "badge": "#8a5cf6",
}
DARK = {
    "window": "#1e1f22",
    "base": "#26282c",
    "text": "#e6e6e6",
    "muted": "#9aa0a6",
    "sidebar": "#191a1d",
    "user": "#2d3550",
    "border": "#3a3d43",
    "accent": "#6d94f2",
    "accent_text": "#10131a",
    "error_bg": "#3b2222",
    "error_border": "#f28b82",
    "warn_bg": "#3d3420",
    "selection": "#37477a",
    "badge": "#a78bfa",
}


def plus_icon() -> QIcon:
    """The "add" sign of New chat and Add, from the app's own icons."""
    from desktop_app.core.resources import resource_path

    return QIcon(str(resource_path("icons", "plus.svg")))


def is_dark(widget: QWidget) -> bool:
    """Whether `widget` is drawn on a dark background (its palette, not the OS setting)."""
    return widget.palette().color(QPalette.ColorRole.Base).lightness() < 128


def is_dark_scheme() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def palette_for(c: dict[str, str]) -> QPalette:
    pal = QPalette()
    role = QPalette.ColorRole
    for r, key in (
        (role.Window, "window"),
        (role.Base, "base"),
        (role.AlternateBase, "sidebar"),
        (role.Text, "text"),
        (role.WindowText, "text"),
        (role.ButtonText, "text"),
        (role.Button, "base"),
        (role.Highlight, "selection"),
        (role.HighlightedText, "text"),
        (role.ToolTipBase, "base"),
        (role.ToolTipText, "text"),
        (role.PlaceholderText, "muted"),
        (role.Link, "accent"),
    ):
        pal.setColor(r, QColor(c[key]))
    # Setting a role for every group above also makes disabled text look enabled (menu
    # entries, buttons): disabled text is drawn muted.
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.Text, role.WindowText, role.ButtonText):
        pal.setColor(disabled, r, QColor(c["muted"]))
    return pal


def style_sheet(c: dict[str, str]) -> str:
    return f"""
    #sidebar {{ background: {c["sidebar"]}; }}
    #appTitle {{ font-size: 15pt; font-weight: 600; padding: 4px 4px 8px 4px; }}
    #conversationList {{ background: transparent; border: none; }}
    #conversationList::item {{ padding: 7px 6px; border-radius: 6px; }}
    #conversationList::item:selected {{ background: {c["selection"]}; color: {c["text"]}; }}
    #newChatButton, #settingsButton {{ text-align: left; padding: 8px 10px; border-radius: 8px;
        border: 1px solid {c["border"]}; background: {c["base"]}; }}
    #serverStatus {{ color: {c["muted"]}; padding: 6px 4px; }}
    #header {{ border-bottom: 1px solid {c["border"]}; }}
    #conversationTitle {{ font-size: 12pt; font-weight: 600; }}
    #demoBadge {{ color: white; background: {c["badge"]}; border-radius: 9px;
        padding: 2px 8px; font-size: 8pt; font-weight: 700; }}
    #banner {{ background: {c["warn_bg"]}; padding: 8px 16px; }}
    #chatBody {{ background: {c["window"]}; }}
    #userMessage {{ background: {c["user"]}; border-radius: 12px; }}
    #assistantMessage {{ background: {c["base"]}; border: 1px solid {c["border"]};
        border-radius: 12px; }}
    #userMessage[searchHit="true"], #assistantMessage[searchHit="true"] {{
        border: 2px solid {c["accent"]}; }}
    #roleLabel {{ font-weight: 600; }}
    QToolButton#moreButton::menu-indicator {{ image: none; width: 0px; }}
    #statusBadge {{ color: {c["muted"]}; font-style: italic; }}
    #replyDetails {{ color: {c["muted"]}; font-size: 9pt; }}
    #thinkingToggle {{ color: {c["muted"]}; }}
    #thinkingText {{ color: {c["muted"]}; }}
    #errorCard {{ background: {c["error_bg"]}; border-left: 4px solid {c["error_border"]};
        border-radius: 6px; }}
    #emptyHint {{ color: {c["muted"]}; padding-top: 120px; }}
    #composerFrame {{ border-top: 1px solid {c["border"]}; background: {c["window"]}; }}
    #composer {{ border: 1px solid {c["border"]}; border-radius: 10px; padding: 6px;
        background: {c["base"]}; }}
    #sendButton {{ background: {c["accent"]}; color: {c["accent_text"]}; border: none;
        border-radius: 8px; padding: 8px 18px; font-weight: 600; }}
    #sendButton:disabled {{ background: {c["border"]}; color: {c["muted"]}; }}
    #stopButton {{ border: 1px solid {c["error_border"]}; border-radius: 8px;
        padding: 8px 18px; font-weight: 600; }}
    QLabel[warning="true"] {{ background: {c["warn_bg"]}; padding: 6px; border-radius: 6px; }}
    """


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")

    def apply() -> None:
        colors = DARK if is_dark_scheme() else LIGHT
        app.setPalette(palette_for(colors))
        app.setStyleSheet(style_sheet(colors))

    apply()
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _s: apply())
