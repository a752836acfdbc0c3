"""View > Colour scheme: System, Light or Dark, applied at once and kept in the settings file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from desktop_app.ui.common.theme import SCHEMES, Theme, apply_theme

if TYPE_CHECKING:
    from desktop_app.core.settings import Settings

# The key in the settings file (a UI choice: the settings file, never the keyring).
SCHEME_KEY = "color_scheme"
LABELS = {"system": "Follow the &system", "light": "&Light", "dark": "&Dark"}


def stored_scheme(settings: Settings) -> str:
    value = settings.extra.get(SCHEME_KEY, "system")
    return value if value in SCHEMES else "system"


def apply_scheme(choice: str) -> None:
    """Applies ``choice`` to the whole app. "system" with no theme installed changes
    nothing, so a window built without the app's start-up keeps its look."""
    app = QApplication.instance()
    theme = Theme.of_app()
    if theme is None:
        if choice == "system" or not isinstance(app, QApplication):
            return
        theme = apply_theme(app)
    theme.set_choice(choice)


class SchemeMenu:
    """The submenu and its three exclusive entries (``actions`` by scheme name)."""

    def __init__(self, view_menu: QMenu, settings: Settings, parent: QWidget) -> None:
        self.settings = settings
        self.menu = view_menu.addMenu("Colour &scheme")
        self.menu.setObjectName("colorSchemeMenu")
        group = QActionGroup(parent)
        group.setExclusive(True)
        self.actions: dict[str, QAction] = {}
        current = stored_scheme(settings)
        for name in SCHEMES:
            action = QAction(LABELS[name], parent)
            action.setObjectName(f"scheme_{name}")
            action.setCheckable(True)
            action.setChecked(name == current)
            action.triggered.connect(lambda _on=False, n=name: self.choose(n))
            group.addAction(action)
            self.menu.addAction(action)
            self.actions[name] = action
        apply_scheme(current)

    def choose(self, name: str) -> None:
        apply_scheme(name)
        self.settings.extra[SCHEME_KEY] = name
        self.settings.save()
