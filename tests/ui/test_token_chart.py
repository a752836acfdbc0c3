"""The chart under a reply's tokens, in the real window against the simulator: what it draws,
the low-confidence spans, and a real click on it picking, revealing and focusing the token."""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from test_token_view import _turn_tokens_on
from window_support import send, wait_reply_done

from desktop_app.core.tokens.stats import LOW_PROBABILITY, entropy


def test_chart_draws_probability_entropy_and_low_spans(qtbot, window, sim):
    _turn_tokens_on(qtbot, window)
    send(qtbot, window, "Explain how DNS works")
    reply = wait_reply_done(qtbot, window)
    panel = window.chat_view.widget_for(reply.id).token_panel
    chart = panel.chart
    assert chart is not None and chart.isVisible()
    tokens = reply.tokens
    n = len(tokens)
    assert chart.probability.count() == n  # a short reply: one point per token
    probs = [p.y() for p in chart.probability.points()]
    assert probs == [math.exp(tokens.logprob(i)) for i in range(n)]
    ents = [p.y() for p in chart.entropy.points()]
    assert ents == [entropy(tokens, i) for i in range(n)]
    assert max(ents) > 0  # the simulator sends 5 alternatives with spread-out logprobs
    spans = chart.low_spans()
    low = [i for i in range(n) if math.exp(tokens.logprob(i)) < LOW_PROBABILITY]
    assert low and [i for a, b in spans for i in range(a, b + 1)] == low


def test_clicking_the_chart_goes_to_the_token(qtbot, window, sim):
    _turn_tokens_on(qtbot, window)
    send(qtbot, window, "write 600 tokens")
    reply = wait_reply_done(qtbot, window)
    panel = window.chat_view.widget_for(reply.id).token_panel
    chart, view = panel.chart, panel.view
    page = window.chat_view
    page.ensureWidgetVisible(chart, 0, 0)  # the chart in sight, the reply's first lines not
    chart_top = chart.mapTo(page.widget(), QPoint()).y()
    scrolled = page.verticalScrollBar().value()
    bottom = scrolled + page.viewport().height()
    assert scrolled <= chart_top and chart_top + chart.height() <= bottom
    target = chart.low_spans()[0][0]
    assert view.token_rect(target).bottom() + view.mapTo(page.widget(), QPoint()).y() < (
        page.verticalScrollBar().value())  # the token starts out of sight
    y = int(chart.chart().plotArea().center().y())
    QTest.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(round(chart.x_of(target)), y))
    assert view.current == target
    assert f"Token {target + 1}" in panel.info.text()
    qtbot.waitUntil(view.hasFocus, timeout=3_000)
    spot = view.mapTo(page.widget(), view.token_rect(target).center()).y()
    top = page.verticalScrollBar().value()
    assert top <= spot <= top + page.viewport().height()
    # Outside the plot (the axis labels) a click picks nothing.
    QTest.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(2, y))
    assert view.current == target


def test_a_long_reply_is_drawn_from_buckets_that_keep_every_dip(qtbot, window, sim):
    """Past MAX_POINTS tokens each point is a bucket's least sure token, folded in as the
    tokens stream (a redraw reads the buckets, not the tokens)."""
    from desktop_app.ui.tokens.chart import MAX_POINTS

    _turn_tokens_on(qtbot, window)
    send(qtbot, window, "write 3000 tokens")
    reply = wait_reply_done(qtbot, window)
    chart = window.chat_view.widget_for(reply.id).token_panel.chart
    tokens = reply.tokens
    n = len(tokens)
    probs = [math.exp(tokens.logprob(i)) for i in range(n)]
    points = chart.probability.points()
    assert MAX_POINTS // 2 <= len(points) <= MAX_POINTS
    size = n // len(points) + (1 if n % len(points) else 0)
    size = 1 << (size - 1).bit_length()  # buckets double in size: a power of two
    assert len(points) == -(-n // size)
    for k, point in enumerate(points):
        bucket = probs[k * size : (k + 1) * size]
        assert point.x() == k * size
        assert point.y() == min(bucket)
    # The lowest token of all is a point, and a click on it goes to that token.
    lowest = probs.index(min(probs))
    assert any(p.y() == probs[lowest] for p in points)
    assert chart.token_at(chart.x_of(lowest - lowest % size)) == lowest
