"""Look and feel: Fusion, light or dark (the OS scheme or the person's choice), the app's
style sheet and the keyboard focus ring."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget

# The scheme choices of View > Colour scheme, as stored in the settings file.
SCHEMES = ("system", "light", "dark")

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
    "scroll": "#c3c8d0",
    "scroll_hover": "#9da4b0",
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
    "scroll": "#4b4f57",
    "scroll_hover": "#656a74",
}


def plus_icon() -> QIcon:
    """The "add" sign of New chat and Add, from the app's own icons."""
    from desktop_app.core.resources import resource_path

    return QIcon(str(resource_path("icons", "plus.svg")))


def is_dark(widget: QWidget) -> bool:
    """Whether `widget` is drawn on a dark background (its palette, not the OS setting).

    Read from the text colour: a style sheet's `background: transparent` makes the Base
    colour transparent (lightness 0) once the widget is polished, so a light view would be
    taken for a dark one from the moment it is shown (a code block then changed its colours
    between streaming and reopening)."""
    return widget.palette().color(QPalette.ColorRole.Text).lightness() > 128


def is_dark_scheme() -> bool:
    """Whether the app is drawn dark: the person's choice, else the OS scheme."""
    theme = Theme.of_app()
    if theme is not None and theme.choice != "system":
        return theme.choice == "dark"
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
    #serverFacts {{ color: {c["muted"]}; padding: 0 4px 6px 4px; font-size: 11px; }}
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
    {scroll_bars(c)}"""


def scroll_bars(c: dict[str, str]) -> str:
    """Flat scroll bars: a rounded handle on the window colour, no arrows. Fusion's own
    bars paint gradients that Qt splits over its thread pool: every repaint of a bar that
    moves with streaming text cost 0.4 ms (64 times less like this) and, on a busy
    machine, a wait for a free core."""
    return f"""
    QScrollBar:vertical {{ background: {c["window"]}; width: 12px; margin: 0; border: none; }}
    QScrollBar:horizontal {{ background: {c["window"]}; height: 12px; margin: 0; border: none; }}
    QScrollBar::handle:vertical {{ background: {c["scroll"]}; min-height: 28px;
        border-radius: 3px; margin: 2px 3px; }}
    QScrollBar::handle:horizontal {{ background: {c["scroll"]}; min-width: 28px;
        border-radius: 3px; margin: 3px 2px; }}
    QScrollBar::handle:hover, QScrollBar::handle:pressed {{ background: {c["scroll_hover"]}; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; border: none;
        background: none; }}
    QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
    """


class Theme(QObject):
    """The app's scheme: follows the OS unless the person chose light or dark. One per
    QApplication (its child, found with `Theme.of_app()`); `changed(dark)` follows every
    switch, so widgets that bake colours into their content can render again."""

    changed = Signal(bool)

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("gemmaDeskTheme")
        self.app = app
        self.choice = "system"
        self.dark: bool | None = None
        self._before = (app.palette(), app.styleSheet(), app.style().name())
        from desktop_app.ui.common.focus_ring import FocusRing

        app.setStyle("Fusion")
        self.focus_ring = FocusRing(app)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_os_scheme)

    def _on_os_scheme(self, _scheme: Qt.ColorScheme) -> None:
        self.apply()

    def remove(self) -> None:
        """Puts the application's look back as it was before (tests share one app)."""
        QGuiApplication.styleHints().colorSchemeChanged.disconnect(self._on_os_scheme)
        self.focus_ring.stop()
        palette, sheet, style = self._before
        self.app.setStyleSheet(sheet)
        self.app.setStyle(style)
        self.app.setPalette(palette)
        self.setParent(None)
        self.deleteLater()

    @staticmethod
    def of_app() -> Theme | None:
        app = QApplication.instance()
        return app.findChild(Theme, "gemmaDeskTheme") if app is not None else None

    def set_choice(self, choice: str) -> None:
        """"system", "light" or "dark" (anything else counts as "system"); applied at once."""
        self.choice = choice if choice in SCHEMES else "system"
        self.apply()

    def apply(self) -> None:
        dark = is_dark_scheme()
        colors = DARK if dark else LIGHT
        self.focus_ring.set_accent(QColor(colors["accent"]))
        self.app.setPalette(palette_for(colors))
        self.app.setStyleSheet(style_sheet(colors))
        if dark != self.dark:
            self.dark = dark
            self.changed.emit(dark)


def apply_theme(app: QApplication) -> Theme:
    theme = Theme.of_app() or Theme(app)
    theme.apply()
    return theme
