"""The chart under a reply's tokens: probability and entropy per token, low-confidence spans
shaded; a click picks the token it points at. Qt Charts is imported with this module, which the
token panel loads only when the chart is first shown (bench/README.md: 21 ms against 276 ms for
pyqtgraph, whose numpy import dominates)."""

from __future__ import annotations

import math
from array import array

from PySide6.QtCharts import QAreaSeries, QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QWidget

from desktop_app.api.logprobs import TokenLog
from desktop_app.core.tokens.stats import LOW_PROBABILITY, entropy
from desktop_app.ui.common.theme import is_dark

# At most this many points per line: a 20,000-token reply is drawn from buckets, each showing
# its least sure token (lowest probability, highest entropy) so no low spot is averaged away.
MAX_POINTS = 800
# While a reply streams the lines are redrawn at most this often.
REDRAW_MS = 250


class TokenChart(QChartView):
    """Probability (left axis, 0-1) and entropy of the alternatives (right axis, nats)."""

    tokenClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        chart = QChart()
        super().__init__(chart, parent)
        self.setObjectName("tokenChart")
        self.setAccessibleName("Token probability chart")
        self.setToolTip(
            "Probability of each token (blue) and entropy of its alternatives (orange); shaded: "
            f"tokens under {LOW_PROBABILITY:.0%}. Click to go to the token."
        )
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumHeight(150)
        self.setMaximumHeight(180)
        chart.legend().hide()
        chart.setMargins(QMargins(0, 0, 0, 0))
        chart.setBackgroundRoundness(0)
        # Drawn into a picture that is redrawn only when the lines change: while tokens stream
        # in above it, the chart moves down on every update and is copied, not drawn again.
        chart.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        dark = is_dark(self)
        if dark:
            chart.setTheme(QChart.ChartTheme.ChartThemeDark)
        self._low_upper = QLineSeries()
        self._low = QAreaSeries(self._low_upper)
        self._low.setName(f"under {LOW_PROBABILITY:.0%}")
        self._low.setBrush(QBrush(QColor(214, 96, 77, 90 if dark else 60)))
        self._low.setPen(QPen(Qt.PenStyle.NoPen))
        self.probability = QLineSeries()
        self.probability.setName("probability")
        self.probability.setPen(QPen(QColor("#6ea8fe" if dark else "#1f5fa8"), 1.2))
        self.entropy = QLineSeries()
        self.entropy.setName("entropy")
        self.entropy.setPen(QPen(QColor("#f0a35e" if dark else "#b85c00"), 1.0))
        self.x_axis = QValueAxis()
        self.x_axis.setLabelFormat("%d")
        self.x_axis.setTitleText("token")
        self.p_axis = QValueAxis()
        self.p_axis.setRange(0, 1)
        self.p_axis.setLabelFormat("%.1f")
        self.p_axis.setTitleText("probability")
        self.h_axis = QValueAxis()
        self.h_axis.setLabelFormat("%.1f")
        self.h_axis.setTitleText("entropy")
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.p_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.h_axis, Qt.AlignmentFlag.AlignRight)
        for series, y_axis in ((self._low, self.p_axis), (self.probability, self.p_axis),
                               (self.entropy, self.h_axis)):
            chart.addSeries(series)
            series.attachAxis(self.x_axis)
            series.attachAxis(y_axis)
        self.tokens: TokenLog | None = None
        self._p = array("d")  # probability of each token read so far (NaN: unknown)
        self._h = array("d")  # entropy of its alternatives (NaN: none)
        # Buckets of ``_bucket_size`` tokens, folded in as tokens arrive (a redraw reads only
        # these): each bucket's least sure token and its probability, and its highest entropy.
        self._bucket_size = 1
        self._bucket_pick = array("i")  # the token a click on each drawn point goes to
        self._bucket_p = array("d")
        self._bucket_h = array("d")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self.redraw)

    # -- content ----------------------------------------------------------------------------
    def set_tokens(self, tokens: TokenLog | None, streaming: bool = False) -> None:
        """Take the tokens (new ones are read incrementally); while streaming, redraw later."""
        if tokens is not self.tokens:
            self.tokens = tokens
            for column in (self._p, self._h, self._bucket_pick, self._bucket_p, self._bucket_h):
                del column[:]
            self._bucket_size = 1
        if tokens is not None:
            exp = math.exp
            for i in range(len(self._p), len(tokens)):
                lp = tokens.logprob(i)
                p = exp(lp) if math.isfinite(lp) else math.nan
                h = entropy(tokens, i)
                h = math.nan if h is None else h
                self._p.append(p)
                self._h.append(h)
                self._fold(i, p, h)
        if streaming:
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()
            self.redraw()

    def _fold(self, i: int, p: float, h: float) -> None:
        """Folds token ``i`` into its bucket; past MAX_POINTS buckets, pairs are merged."""
        # NaN never compares true: unknown tokens are skipped in both.
        if i // self._bucket_size == len(self._bucket_pick):
            self._bucket_pick.append(i)
            self._bucket_p.append(p if p == p else math.inf)
            self._bucket_h.append(h if h == h else -1.0)
        else:
            if p < self._bucket_p[-1]:
                self._bucket_p[-1], self._bucket_pick[-1] = p, i
            if h > self._bucket_h[-1]:
                self._bucket_h[-1] = h
        if len(self._bucket_pick) > MAX_POINTS:
            self._merge_pairs()

    def _merge_pairs(self) -> None:
        picks, ps, hs = array("i"), array("d"), array("d")
        old_p, old_h, old_pick = self._bucket_p, self._bucket_h, self._bucket_pick
        for k in range(0, len(old_pick), 2):
            best = k
            if k + 1 < len(old_pick) and old_p[k + 1] < old_p[k]:
                best = k + 1
            picks.append(old_pick[best] if old_p[best] != math.inf else old_pick[k])
            ps.append(old_p[best])
            hs.append(max(old_h[k], old_h[k + 1]) if k + 1 < len(old_h) else old_h[k])
        self._bucket_pick, self._bucket_p, self._bucket_h = picks, ps, hs
        self._bucket_size *= 2

    def redraw(self) -> None:
        """Draws the buckets: work in proportion to the points drawn, not to the tokens."""
        size = self._bucket_size
        prob_points: list[QPointF] = []
        ent_points: list[QPointF] = []
        low_points: list[QPointF] = []
        top_h = 0.0
        half = size / 2
        for k, (low_p, high_h) in enumerate(zip(self._bucket_p, self._bucket_h, strict=True)):
            x = float(k * size)
            prob_points.append(QPointF(x, low_p if low_p != math.inf else 0.0))
            if high_h >= 0:
                ent_points.append(QPointF(x, high_h))
                top_h = max(top_h, high_h)
            low = 1.0 if low_p < LOW_PROBABILITY else 0.0
            # Steps, so a span reads as a band with straight edges.
            low_points.append(QPointF(x - half, low))
            low_points.append(QPointF(x + half, low))
        self.probability.replace(prob_points)
        self.entropy.replace(ent_points)
        self._low_upper.replace(low_points)
        self.x_axis.setRange(0, max(1, len(self._p) - 1))
        self.h_axis.setRange(0, max(0.5, math.ceil(top_h * 2) / 2))

    def low_spans(self) -> list[tuple[int, int]]:
        """Runs of tokens under the low-confidence threshold: (first, last) token indices."""
        spans: list[tuple[int, int]] = []
        begin = -1
        for i, value in enumerate(self._p):
            if value < LOW_PROBABILITY:
                if begin < 0:
                    begin = i
            elif begin >= 0:
                spans.append((begin, i - 1))
                begin = -1
        if begin >= 0:
            spans.append((begin, len(self._p) - 1))
        return spans

    # -- picking ----------------------------------------------------------------------------
    def token_at(self, x: float) -> int:
        """The token a click at widget x goes to (-1 outside the plot): within a drawn bucket,
        its least probable token, so a click on a dip lands on the dip."""
        if not self._bucket_pick:
            return -1
        plot = self.chart().plotArea()
        if not plot.left() - 2 <= x <= plot.right() + 2:
            return -1
        value = self.chart().mapToValue(QPointF(x, plot.center().y()), self.probability).x()
        bucket = round(value / self._bucket_size)
        return self._bucket_pick[max(0, min(bucket, len(self._bucket_pick) - 1))]

    def x_of(self, index: int) -> float:
        """Widget x of token ``index`` (for tests and for marking the picked token)."""
        point = self.chart().mapToPosition(QPointF(float(index), 0.5), self.probability)
        return point.x()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            index = self.token_at(event.position().x())
            if index >= 0:
                self.tokenClicked.emit(index)
                event.accept()
                return
        super().mousePressEvent(event)
