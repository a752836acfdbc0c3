"""A reply's tokens and the chat's "ask for token probabilities" setting are kept in history:
they survive a restart from the same data folder and the app's own JSON export and import;
a damaged token record reads as unknown tokens, never as an error."""

from __future__ import annotations

import json
import math

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_history import close_state, reopen
from test_token_view import _turn_tokens_on
from window_support import send, wait_reply_done

from desktop_app.api.logprobs import TokenLog, parse_logprobs
from desktop_app.core.chat.conversation import ChatMessage, MessageStatus
from desktop_app.core.history.serialize import message_from_dict, message_to_dict
from desktop_app.core.history.storage.exchange import export_json, import_conversation_json
from desktop_app.core.history.storage.rows import message_from_row
from desktop_app.core.tokens.record import tokens_to_record
from desktop_app.ui.window.main_window import MainWindow


def _same(a: TokenLog, b: TokenLog) -> bool:
    return json.dumps(a.to_json()) == json.dumps(b.to_json()) and len(a) == len(b)


def _set_alternatives(qtbot, spin, value: int) -> None:
    """Types a count into the spin box with real keys."""
    spin.setFocus()
    edit = spin.lineEdit()
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(edit, f"alternatives: {value}")
    QTest.keyClick(edit, Qt.Key.Key_Return)


def test_tokens_and_the_setting_survive_a_restart(qtbot, qloop, window, secrets, sim):
    _turn_tokens_on(qtbot, window)
    first = window.services.chat.current.messages[-1]
    panel = window.chat_view.widget_for(first.id).token_panel
    _set_alternatives(qtbot, panel.alternatives, 4)
    assert window.services.tokens.asking() == 4
    send(qtbot, window, "Explain how DNS works")
    reply = wait_reply_done(qtbot, window)
    assert sim.simulator.requests[-1].body["top_logprobs"] == 4
    assert reply.tokens is not None and len(reply.tokens.alternatives(0)) == 4
    conv_id = window.services.chat.current.id

    again = reopen(qtbot, secrets)
    win2 = MainWindow(again)
    qtbot.addWidget(win2)
    win2.show()
    try:
        conv = again.chat.current
        assert conv.id == conv_id and conv.settings.top_logprobs == 4
        stored = conv.messages[-1]
        assert stored.tokens is not None and _same(stored.tokens, reply.tokens)
        assert conv.messages[1].tokens is None  # the reply before asking has none
        widget = win2.chat_view.widget_for(stored.id)
        qtbot.waitUntil(lambda: widget.token_panel is not None, timeout=3_000)
        assert widget.tokens_button.isChecked()
        assert widget.token_panel.view.count() == len(reply.tokens)
        assert widget.token_panel.ask.isChecked()
        assert widget.token_panel.alternatives.value() == 4
    finally:
        win2.close()
        close_state(qtbot, qloop, again)


def test_tokens_survive_the_apps_json_export_and_import(qtbot, window, sim):
    _turn_tokens_on(qtbot, window)
    send(qtbot, window, "Why is the sky blue?")
    reply = wait_reply_done(qtbot, window)
    conv = window.services.chat.current
    back = import_conversation_json(export_json(conv))
    assert back.settings.top_logprobs == 5
    assert back.messages[-1].tokens is not None and _same(back.messages[-1].tokens, reply.tokens)


def _log() -> TokenLog:
    raw = {"content": [
        {"token": "Hi", "logprob": -0.1, "bytes": [72, 105],
         "top_logprobs": [{"token": "Hi", "logprob": -0.1, "bytes": [72, 105]},
                          {"token": "Yo", "logprob": -2.5, "bytes": [89, 111]}]},
        {"token": "bytes:\\xe2", "logprob": -math.inf, "bytes": [226], "top_logprobs": []},
        {"token": "!", "logprob": math.nan, "bytes": None},
    ]}
    return TokenLog(parse_logprobs(raw))


def _message(log: TokenLog) -> ChatMessage:
    return ChatMessage(role="assistant", content="Hi\u00e2!", status=MessageStatus.COMPLETE,
                       tokens=log)


def _row(data: dict) -> tuple:
    return ("m1", "assistant", "Hi\u00e2!", "", "complete", 1.0, json.dumps(data))


def test_a_record_keeps_unknowns_bytes_and_alternatives():
    log = _log()
    d = message_to_dict(_message(log))
    back = message_from_row(_row({k: v for k, v in d.items() if k == "tokens"}))
    assert back.tokens is not None and _same(back.tokens, log)
    assert back.tokens.raw_bytes(1) == b"\xe2" and math.isinf(back.tokens.logprob(1))
    assert back.tokens.raw_bytes(2) is None and math.isnan(back.tokens.logprob(2))
    assert back.tokens.alternatives(0)[1].token == "Yo"


def test_damaged_records_read_as_unknown_never_fail():
    record = tokens_to_record(_log())
    damaged = [
        ("junk", "tokens"),
        ({**record, "tokens": "%%%"}, "tokens"),
        ({**record, "strings": ["Hi"]}, "tokens"),  # indices beyond the table
        ({**record, "v": 99}, "tokens"),
        ({**record, "logprobs": record["logprobs"][:8]}, "logprobs"),
        ({**record, "bytes": [[99, "e2"]]}, "logprobs"),
        ({**record, "counts": 5}, "alternatives"),
        ({**record, "alt_logprobs": ""}, "alternatives"),
    ]
    for data, what in damaged:
        msg = message_from_row(_row({"tokens": data}))
        log = msg.tokens
        assert log is not None, data
        if what == "tokens":  # the whole text as one unknown token
            assert len(log) == 1 and log.text(0) == msg.content and math.isnan(log.logprob(0))
        elif what == "logprobs":
            assert len(log) == 3 and all(math.isnan(log.logprob(i)) for i in range(3))
            assert log.alternatives(0)
        else:
            assert len(log) == 3 and log.logprob(0) == -0.1
            assert all(log.alternatives(i) == () for i in range(3))
    assert message_from_dict({"role": "assistant", "tokens": None}).tokens is None


def test_the_record_is_compact():
    import random

    from desktop_app.simulator.chunks import logprob_entry, with_alternatives
    from desktop_app.simulator.longform import long_reply_tokens

    pieces = long_reply_tokens(2000, random.Random(1))
    wire = [with_alternatives(logprob_entry(p), 5) for p in pieces]
    log = TokenLog(parse_logprobs({"content": wire}))
    stored = len(json.dumps(tokens_to_record(log), separators=(",", ":")))
    sent = len(json.dumps(wire, separators=(",", ":")))
    assert stored * 3 < sent  # well under a third of the wire's JSON
