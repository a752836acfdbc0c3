"""The probability colour scale: one hue whose lightness carries the value, so it reads the same
for colour-blind eyes, with a light and a dark variant."""

from __future__ import annotations

import math

from PySide6.QtGui import QColor

# (lowest probability of the bin, label). A sure token gets no fill: the eye goes to the
# unsure ones.
BINS: tuple[tuple[float, str], ...] = (
    (0.9, "90% or more"),
    (0.5, "50–90%"),
    (0.25, "25–50%"),
    (0.1, "10–25%"),
    (0.0, "under 10%"),
)
UNKNOWN_LABEL = "unknown"

# Fill and text per bin. Light: pale to deep orange-brown (ColorBrewer YlOrBr steps). Dark:
# dim to bright on a dark background, so the least sure token is still the most visible.
_LIGHT = ((None, None), ("#fff1b8", "#000000"), ("#fec44f", "#000000"),
          ("#fe9929", "#000000"), ("#b34700", "#ffffff"))
_DARK = ((None, None), ("#4d3f10", "#ffffff"), ("#7f5a08", "#ffffff"),
         ("#c0661b", "#000000"), ("#ffa45c", "#000000"))


def bin_of(logprob: float) -> int:
    """The bin of a logprob; -1 when it is unknown (NaN, -inf)."""
    if not math.isfinite(logprob):
        return -1
    p = math.exp(logprob)
    for index, (low, _) in enumerate(BINS):
        if p >= low:
            return index
    return len(BINS) - 1


def colors(index: int, dark: bool) -> tuple[QColor | None, QColor | None]:
    """(fill, text) of a bin; None means the view's own."""
    if index < 0:
        return None, None
    fill, text = (_DARK if dark else _LIGHT)[index]
    return (QColor(fill) if fill else None), (QColor(text) if text else None)


def probability_text(logprob: float) -> str:
    if not math.isfinite(logprob):
        return "unknown"
    p = math.exp(logprob)
    return f"{p:.1%}" if p >= 0.001 else f"{p:.2e}"
