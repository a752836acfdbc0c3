"""The token panel under a reply: legend, how many alternatives to ask for, the tokens, the
picked token's probability and alternatives (each one a branch), and export."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.api.logprobs import TokenLog
from desktop_app.core.chat.conversation import ChatMessage, MessageStatus
from desktop_app.core.tokens.export import export_tokens
from desktop_app.core.tokens.feature import DEFAULT_ALTERNATIVES, MAX_ALTERNATIVES, TokenFeature
from desktop_app.ui.common.flow_layout import FlowLayout
from desktop_app.ui.common.theme import is_dark
from desktop_app.ui.tokens.colors import BINS, UNKNOWN_LABEL, colors, probability_text
from desktop_app.ui.tokens.token_view import TokenView, visible

if TYPE_CHECKING:
    from desktop_app.ui.tokens.chart import TokenChart


def _swatch(text: str, fill: str | None, ink: str | None, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    style = "padding: 1px 6px; border-radius: 3px;"
    if fill:
        style += f"background: {fill}; color: {ink};"
    else:
        style += "border: 1px dashed palette(mid);" if text == UNKNOWN_LABEL else (
            "border: 1px solid palette(mid);")
    label.setStyleSheet(style)
    return label


class TokenPanel(QWidget):
    """Shown in place of a reply's text when its Tokens toggle is on."""

    branchStarted = Signal()

    def __init__(self, feature: TokenFeature | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenPanel")
        self.feature = feature
        self.msg: ChatMessage | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)

        head = QHBoxLayout()
        head.setSpacing(6)
        self.ask = QCheckBox("Ask for token probabilities in this chat", self)
        self.ask.setObjectName("tokensAsk")
        self.alternatives = QSpinBox(self)
        self.alternatives.setObjectName("tokensAlternatives")
        self.alternatives.setRange(1, MAX_ALTERNATIVES)
        self.alternatives.setPrefix("alternatives: ")
        self.alternatives.setAccessibleName("Alternatives per token")
        self.alternatives.setToolTip(
            "How many alternatives per token the server sends (1-20; vLLM refuses more than "
            "its --max-logprobs, 20 by default)"
        )
        asking = feature.asking() if feature is not None else None
        self.alternatives.setValue(asking or DEFAULT_ALTERNATIVES)
        self.ask.setChecked(asking is not None)
        self.ask.toggled.connect(self._ask_changed)
        self.alternatives.valueChanged.connect(self._ask_changed)
        if feature is not None:  # e.g. K lowered to what the server allows
            feature.askingChanged.connect(self._asking_changed)
        head.addWidget(self.ask)
        head.addWidget(self.alternatives)
        head.addStretch(1)
        for kind in ("CSV", "JSON"):
            button = QPushButton(f"Export {kind}…", self)
            button.setObjectName(f"tokensExport{kind}")
            button.clicked.connect(lambda _=False, k=kind: self._export_dialog(k))
            head.addWidget(button)
        lay.addLayout(head)

        legend = QHBoxLayout()
        legend.setSpacing(4)
        legend.addWidget(QLabel("Probability:", self))
        dark = is_dark(self)
        self.legend: list[QLabel] = []
        for index, (_, label) in enumerate(BINS):
            fill, ink = colors(index, dark)
            swatch = _swatch(label, fill.name() if fill else None,
                             ink.name() if ink else None, self)
            legend.addWidget(swatch)
            self.legend.append(swatch)
        self.legend.append(_swatch(UNKNOWN_LABEL, None, None, self))
        legend.addWidget(self.legend[-1])
        legend.addStretch(1)
        lay.addLayout(legend)

        self.view = TokenView(self)
        self.view.hovered.connect(self._hovered)
        self.view.currentChanged.connect(self._picked)
        lay.addWidget(self.view)
        # Made when a reply with tokens is first shown: its library loads only then.
        self.chart: TokenChart | None = None

        self.info = QLabel(self)
        self.info.setObjectName("tokenInfo")
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setWordWrap(True)
        lay.addWidget(self.info)
        self.branch_row = FlowLayout()
        lay.addLayout(self.branch_row)
        self.branch_buttons: list[QPushButton] = []
        self.note = QLabel(self)
        self.note.setObjectName("tokenNote")
        self.note.setWordWrap(True)
        self.note.hide()
        lay.addWidget(self.note)

    # -- content ----------------------------------------------------------------------------
    def refresh(self, msg: ChatMessage) -> None:
        self.msg = msg
        self.view.set_tokens(msg.tokens)
        self._show_chart(msg)
        if msg.tokens is None:
            self.info.setText(
                "This reply has no token probabilities. Tick “Ask for token probabilities”, "
                "then regenerate it."
                if msg.status != MessageStatus.STREAMING
                else "The server sends no token probabilities for this reply."
                if msg.content
                else "Waiting for the first tokens…"
            )
        elif self.view.current < 0 and not self.info.text():
            self.info.setText("Hover, click or focus a token to see its alternatives.")

    def _show_chart(self, msg: ChatMessage) -> None:
        streaming = msg.status == MessageStatus.STREAMING
        count = len(msg.tokens) if msg.tokens is not None else 0
        # Before the first token of a reply that asks for them, the (empty) chart is there
        # already: showing it with the first tokens stalled the window.
        expecting = streaming and not msg.content
        if not count and not expecting:
            if self.chart is not None:
                self.chart.hide()
            return
        if self.chart is None and not count:
            # A reply that asks for tokens, before its first: the chart is made (and laid out)
            # in a turn of its own, not in the one that shows the first tokens.
            QTimer.singleShot(1, self, self._chart_now)
            return
        chart = self.chart or self._make_chart()
        chart.show()
        chart.set_tokens(msg.tokens, streaming=streaming)

    def _make_chart(self) -> TokenChart:
        from desktop_app.ui.tokens.chart import TokenChart

        self.chart = TokenChart(self)
        self.chart.tokenClicked.connect(self.go_to)
        lay = self.layout()
        assert isinstance(lay, QVBoxLayout)
        lay.insertWidget(lay.indexOf(self.view) + 1, self.chart)
        return self.chart

    def _chart_now(self) -> None:
        if self.chart is None and self.msg is not None and not self.isHidden():
            self._make_chart()
            self._show_chart(self.msg)

    def go_to(self, index: int) -> None:
        """Pick token ``index``, scroll it into view and give the tokens keyboard focus."""
        self.view.set_current(index)
        self.view.reveal(index)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- asking -----------------------------------------------------------------------------
    def _ask_changed(self) -> None:
        if self.feature is not None:
            self.feature.set_asking(self.alternatives.value() if self.ask.isChecked() else None)

    def _asking_changed(self, _conv_id: str, _asking: bool) -> None:
        asking = self.feature.asking() if self.feature is not None else None
        for widget in (self.ask, self.alternatives):
            widget.blockSignals(True)
        self.ask.setChecked(asking is not None)
        if asking is not None:
            self.alternatives.setValue(asking)
        for widget in (self.ask, self.alternatives):
            widget.blockSignals(False)

    # -- the picked token -------------------------------------------------------------------
    def describe(self, index: int) -> str:
        tokens = self.view.tokens
        if tokens is None or not 0 <= index < len(tokens):
            return ""
        alts = tokens.alternatives(index)
        lines = [
            f"<b>Token {index + 1}</b> “{html.escape(visible(tokens.text(index)))}”: "
            f"probability {probability_text(tokens.logprob(index))}"
            + (f" (logprob {tokens.logprob(index):.3f})" if probability_text(
                tokens.logprob(index)) != "unknown" else "")
        ]
        if alts:
            lines.append("Alternatives: " + ", ".join(
                f"“{html.escape(visible(_alt_text(a.token, a.bytes)))}” "
                f"{probability_text(a.logprob)}" for a in alts))
        else:
            lines.append("No alternatives were sent for this token.")
        return "<br>".join(lines)

    def _hovered(self, index: int) -> None:
        shown = index if index >= 0 else self.view.current
        self.info.setText(self.describe(shown))

    def _picked(self, index: int) -> None:
        self.info.setText(self.describe(index))
        self.view.setAccessibleDescription(self.info.text())
        self._show_branches(index)

    def _show_branches(self, index: int) -> None:
        for button in self.branch_buttons:
            self.branch_row.removeWidget(button)
            button.deleteLater()
        self.branch_buttons = []
        tokens = self.view.tokens
        if tokens is None or self.feature is None or self.msg is None:
            return
        for k, alt in enumerate(tokens.alternatives(index)):
            if k == 0 and alt.token == tokens.token(index):
                continue  # the token that was chosen
            text = f"Continue with “{visible(_alt_text(alt.token, alt.bytes))}”"
            button = QPushButton(text, self)
            button.setObjectName("tokenBranchButton")
            button.setToolTip(
                f"A new reply: the answer up to token {index + 1}, then this token "
                f"({probability_text(alt.logprob)}), continued by the model"
            )
            button.clicked.connect(lambda _=False, i=index, a=k: self.branch(i, a))
            self.branch_row.addWidget(button)
            self.branch_buttons.append(button)

    def branch(self, index: int, alternative: int) -> str:
        """Continue the reply from another token; shows and returns why not when refused."""
        if self.feature is None or self.msg is None:
            return "Branching is not available here."
        reason = self.feature.branch(self.msg.id, index, alternative)
        self.note.setText(reason)
        self.note.setVisible(bool(reason))
        if not reason:
            self.branchStarted.emit()
        return reason

    # -- export -----------------------------------------------------------------------------
    def export_to(self, path: Path) -> str:
        """Write the tokens to ``path`` (.csv or .json); returns what happened."""
        tokens: TokenLog | None = self.view.tokens
        if tokens is None:
            message = "This reply has no tokens to export."
        else:
            try:
                export_tokens(tokens, path)
                message = f"Saved {len(tokens)} tokens to {path}."
            except OSError as exc:
                message = f"Could not save the tokens to {path}: {exc.strerror or exc}."
        self.note.setText(message)
        self.note.show()
        return message

    def _export_dialog(self, kind: str) -> None:
        suffix = kind.lower()
        name, _ = QFileDialog.getSaveFileName(
            self, f"Export tokens as {kind}", f"tokens.{suffix}", f"{kind} (*.{suffix})"
        )
        if name:
            path = Path(name)
            self.export_to(path if path.suffix else path.with_suffix(f".{suffix}"))


def _alt_text(token: str, raw: bytes | None) -> str:
    from desktop_app.api.logprobs import display_text

    return display_text(token, raw)
