"""Loads the token panel and the chart's library when a chat starts asking for token
probabilities, so the first reply with tokens does not pay for the imports while it streams."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer

from desktop_app.core.tokens.feature import TokenFeature

CHART_MODULE = "desktop_app.ui.tokens.chart"


def chart_loaded() -> bool:
    return CHART_MODULE in sys.modules


def preload_chart() -> None:
    """Imports the chart module now (Qt Charts: tens of ms, once per process), and the panel
    that shows it (several ms more where Python compiles it on import)."""
    if not chart_loaded():
        import desktop_app.ui.tokens.chart
        import desktop_app.ui.tokens.panel  # noqa: F401


def load_chart_when_asking(feature: TokenFeature) -> None:
    """From the next idle moment after asking is turned on, or the open chat asks already."""

    def asking_changed(_conv_id: str, asking: bool) -> None:
        if asking and not chart_loaded():
            QTimer.singleShot(0, preload_chart)

    feature.askingChanged.connect(asking_changed)
    feature.chat.currentChanged.connect(
        lambda conv_id: asking_changed(conv_id, feature.asking() is not None))
    asking_changed("", feature.asking() is not None)
